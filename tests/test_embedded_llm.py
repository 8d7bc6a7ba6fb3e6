"""Tests of the embedded llama.cpp backend against the real bundled GGUF model (no fakes).

The model is loaded once for the module; greedy decoding (temperature 0) makes the
outputs reproducible, so the tests compare outputs with each other rather than
with hard-coded strings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import BackendUnavailable, UserError
from rag.llms.embedded import EmbeddedLLM, default_gguf_path

pytestmark = pytest.mark.model

PROMPT = "The capital of France is"
RAG_PROMPT = (
    "Answer the question using only the sources.\n\n"
    "[1] Reuters, 3 May 2024: The city council of Lyon approved a new tram line that "
    "will connect the airport to the city centre by 2027.\n"
    "[2] AFP, 4 May 2024: Construction of the Lyon tram extension is expected to cost "
    "420 million euros.\n\n"
    "Question: How much will the Lyon tram extension cost?\n"
    "Answer:"
)


@pytest.fixture(scope="module")
def llm() -> Iterator[EmbeddedLLM]:
    """One loaded model for the whole module.

    One thread: on a small shared machine (CI, or other jobs running) llama.cpp's
    spinning worker threads slow down many times over when oversubscribed, while a
    single thread runs this 270M model at full speed.
    """
    model = EmbeddedLLM(model_path=default_gguf_path(), max_tokens=32, seed=42, n_threads=1)
    model.load()
    yield model
    model.close()


def test_default_gguf_path_is_an_existing_gguf() -> None:
    path = Path(default_gguf_path())
    assert path.is_file()
    assert path.suffix == ".gguf"
    with path.open("rb") as f:
        assert f.read(4) == b"GGUF"


def test_two_processes_assemble_the_model_at_once(tmp_path: Path) -> None:
    """Two first runs at the same time (two terminals, a test suite and a chat) both get
    the whole model: neither reads the file the other is still writing."""
    code = "from rag.llms.embedded import default_gguf_path; print(default_gguf_path())"
    env = {**os.environ, "HOME": str(tmp_path)}
    runs = [subprocess.Popen([sys.executable, "-c", code], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outs]
    [path] = {out.strip() for out, _ in outs}
    assert Path(path).parent.parent.parent == tmp_path
    assert [p.name for p in Path(path).parent.iterdir()] == [Path(path).name]


def test_metadata(llm: EmbeddedLLM) -> None:
    meta = llm.metadata
    assert meta.context_window == 4096
    assert meta.num_output == 32
    assert meta.model_name == Path(llm.model_path).name
    assert meta.is_chat_model is False


def test_complete_is_deterministic_and_matches_stream(llm: EmbeddedLLM) -> None:
    # Put the prompt in the cache first: llama.cpp does not promise bit-identical
    # logits between a cold evaluation and one on top of the cache, so compare
    # calls that all start from the same cached state.
    llm.complete(RAG_PROMPT, max_tokens=1)

    first = llm.complete(RAG_PROMPT)
    assert first.text.strip()
    assert first.additional_kwargs["finish_reason"] in {"stop", "length"}
    usage = first.additional_kwargs["usage"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == usage["prompt_tokens"] - 1

    again = llm.complete(RAG_PROMPT)
    assert again.text == first.text

    responses = list(llm.stream_complete(RAG_PROMPT))
    deltas = [r.delta for r in responses if r.delta]
    assert len(deltas) > 1, "expected token-by-token deltas"
    assert "".join(deltas) == first.text
    assert responses[-1].text == first.text
    last = responses[-1].additional_kwargs
    assert last["finish_reason"] == first.additional_kwargs["finish_reason"]
    assert last["usage"]["completion_tokens"] == usage["completion_tokens"]


def test_prompt_cache_reuses_shared_prefix(llm: EmbeddedLLM) -> None:
    llm.complete(RAG_PROMPT, max_tokens=1)
    other_question = RAG_PROMPT.replace("How much will", "When will").replace("cost?", "open?")
    result = llm.complete(other_question, max_tokens=1)
    usage = result.additional_kwargs["usage"]
    assert usage["prompt_tokens_details"]["cached_tokens"] > usage["prompt_tokens"] // 2


def test_stop_sequences_are_honoured(llm: EmbeddedLLM) -> None:
    baseline = llm.complete(PROMPT, max_tokens=32).text
    assert "." in baseline, f"test needs a '.' in the unstopped output: {baseline!r}"
    expected = baseline[: baseline.index(".")]

    stopped = llm.complete(PROMPT, max_tokens=32, stop=["."])
    assert stopped.text == expected
    assert stopped.additional_kwargs["finish_reason"] == "stop"

    streamed = "".join(r.delta for r in llm.stream_complete(PROMPT, max_tokens=32, stop="."))
    assert streamed == expected


def test_max_tokens_bounds_output(llm: EmbeddedLLM) -> None:
    short = llm.complete(PROMPT, max_tokens=3)
    assert short.additional_kwargs["usage"]["completion_tokens"] <= 3
    assert short.additional_kwargs["finish_reason"] == "length"
    longer = llm.complete(PROMPT, max_tokens=12).text
    assert len(short.text) < len(longer)
    assert longer.startswith(short.text)

    deltas = [r.delta for r in llm.stream_complete(PROMPT, max_tokens=3) if r.delta]
    assert 1 <= len(deltas) <= 3
    assert "".join(deltas) == short.text


def test_abandoned_stream_does_not_break_next_call(llm: EmbeddedLLM) -> None:
    expected = llm.complete(PROMPT, max_tokens=8).text
    stream = llm.stream_complete("Once upon a time", max_tokens=200)
    next(stream)
    stream.close()  # stops the generation early
    assert llm.complete(PROMPT, max_tokens=8).text == expected


def test_prompt_longer_than_context_is_a_user_error(llm: EmbeddedLLM) -> None:
    with pytest.raises(UserError, match="context_window"):
        llm.complete("word " * 5000, max_tokens=4)


def test_missing_model_path_raises_backend_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model.gguf"
    llm = EmbeddedLLM(model_path=str(missing))
    with pytest.raises(BackendUnavailable, match="no-such-model.gguf") as excinfo:
        llm.complete("hello")
    assert str(missing) in str(excinfo.value)
    assert "\n" not in str(excinfo.value)
    with pytest.raises(BackendUnavailable, match="no-such-model.gguf"):
        llm.stream_complete("hello")


def test_invalid_model_file_raises_backend_unavailable(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a gguf file")
    with pytest.raises(BackendUnavailable, match="bogus.gguf"):
        EmbeddedLLM(model_path=str(bogus)).complete("hello")
