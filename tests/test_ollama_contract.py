"""Contract tests of the Ollama backend against a real HTTP server speaking Ollama's API.

Every call goes over HTTP through the official ``ollama`` client, driven by llama-index's
Ollama integrations (wrapped in ``rag.llms.ollama``); the server is ``tests.support.fake_ollama``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from rag.container import build_services
from rag.errors import BackendUnavailable, ModelNotPulled, RagError, RuntimeFailure, UserError
from rag.llms.ollama import (
    OllamaLLM,
    build_ollama_embedding,
    build_ollama_llm,
    model_matches,
    normalize_model_name,
    probe_ollama,
)
from tests.conftest import make_settings
from tests.support import ollama_fixture
from tests.support.fake_ollama import FakeOllama, embedding_for
from tests.support.net import free_port

# Make the fixture visible here even when no conftest imports it.
fake_ollama = ollama_fixture.fake_ollama

MODEL = "llama3.2"
EMBED_MODEL = "nomic-embed-text"
PROMPT = "Context:\n[1] Paris is the capital of France.\n\nQuestion: What is the capital?\nAnswer:"


def make_llm(host: str, model: str = MODEL, timeout: float = 10.0) -> OllamaLLM:
    return build_ollama_llm(host=host, model=model, context_window=8192, request_timeout=timeout)


# Every public way of asking for an answer; each returns the full answer text.
def _complete(llm: OllamaLLM, prompt: str, seen: list[str]) -> str:
    return llm.complete(prompt).text


def _stream_complete(llm: OllamaLLM, prompt: str, seen: list[str]) -> str:
    for part in llm.stream_complete(prompt):
        seen.append(part.delta or "")
    return "".join(seen)


def _chat(llm: OllamaLLM, prompt: str, seen: list[str]) -> str:
    return llm.chat([ChatMessage(role=MessageRole.USER, content=prompt)]).message.content or ""


def _stream_chat(llm: OllamaLLM, prompt: str, seen: list[str]) -> str:
    for part in llm.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)]):
        seen.append(part.delta or "")
    return "".join(seen)


def _acomplete(llm: OllamaLLM, prompt: str, seen: list[str]) -> str:
    return asyncio.run(llm.acomplete(prompt)).text


def _astream_complete(llm: OllamaLLM, prompt: str, seen: list[str]) -> str:
    async def run() -> str:
        async for part in await llm.astream_complete(prompt):
            seen.append(part.delta or "")
        return "".join(seen)

    return asyncio.run(run())


Call = Callable[[OllamaLLM, str, list[str]], str]
ALL_CALLS: dict[str, Call] = {
    "complete": _complete,
    "stream_complete": _stream_complete,
    "chat": _chat,
    "stream_chat": _stream_chat,
    "acomplete": _acomplete,
    "astream_complete": _astream_complete,
}
STREAM_CALLS = {k: v for k, v in ALL_CALLS.items() if "stream" in k}
PLAIN_CALLS = {k: v for k, v in ALL_CALLS.items() if "stream" not in k}


def fail_message(call: Call, llm: OllamaLLM, seen: list[str] | None = None,
                 expected: type[RagError] = BackendUnavailable) -> str:
    """Run ``call`` expecting ``expected``; return its (one-line) message. A backend
    failure says where and with what model."""
    with pytest.raises(expected) as info:
        call(llm, PROMPT, [] if seen is None else seen)
    message = str(info.value)
    assert "\n" not in message, message
    if isinstance(info.value, BackendUnavailable):
        assert isinstance(info.value, RuntimeFailure)
        assert info.value.url and info.value.model == llm.model
    return message


# --------------------------------------------------------------------------- probe


def test_model_names_match_with_or_without_latest() -> None:
    assert model_matches("llama3.2", "llama3.2:latest")
    assert model_matches("llama3.2:latest", "llama3.2")
    assert model_matches("Llama3.2", "registry.ollama.ai/library/llama3.2:latest")
    assert not model_matches("llama3.2", "llama3.2:1b")
    assert not model_matches("llama3", "llama3.2:latest")
    assert normalize_model_name("hf.co/bartowski/Qwen:Q4_K_M") == "hf.co/bartowski/qwen:q4_k_m"


def test_probe_up_with_model(fake_ollama: FakeOllama) -> None:
    status = probe_ollama(fake_ollama.url, MODEL)
    assert status.ok and status.reachable and status.has_model
    assert status.reason is None
    assert "llama3.2:latest" in status.models
    assert fake_ollama.last("/api/tags").method == "GET"


def test_probe_model_missing(fake_ollama: FakeOllama) -> None:
    status = probe_ollama(fake_ollama.url, "mistral")
    assert status.reachable and not status.has_model and not status.ok
    assert status.reason is not None
    assert "model 'mistral' is not pulled: run `ollama pull mistral`" in status.reason
    assert "llama3.2:latest" in status.reason  # lists what is there


def test_probe_down() -> None:
    host = f"http://127.0.0.1:{free_port()}"
    status = probe_ollama(host, MODEL)
    assert not status.reachable and not status.has_model
    assert status.reason == (
        f"Ollama is not reachable at {host}: start it with `ollama serve` or set OLLAMA_HOST"
    )


def test_probe_hung_server_times_out(fake_ollama: FakeOllama) -> None:
    fake_ollama.hang = True
    started = time.monotonic()
    status = probe_ollama(fake_ollama.url, MODEL, timeout=0.3)
    assert time.monotonic() - started < 3
    assert not status.reachable
    assert status.reason is not None and "within 0.3s" in status.reason


# --------------------------------------------------------------------------- answers


def test_stream_complete_concatenates_deltas_over_api_chat(fake_ollama: FakeOllama) -> None:
    fake_ollama.reply = "Paris is the capital of France [1]."
    llm = make_llm(fake_ollama.url)
    parts = list(llm.stream_complete(PROMPT))

    assert len(parts) > 3  # really streamed, one NDJSON line per word
    assert "".join(p.delta or "" for p in parts) == fake_ollama.reply
    assert parts[-1].text == fake_ollama.reply  # cumulative text
    assert parts[-1].raw["done"] is True
    assert parts[-1].raw["eval_count"] == len(parts) - 1

    sent = fake_ollama.last("/api/chat")
    assert sent.body["stream"] is True
    # The completion-style prompt goes as one user message: the server applies the chat template.
    assert sent.body["messages"] == [{"role": "user", "content": PROMPT}]
    assert not fake_ollama.requests_to("/api/generate")


def test_num_ctx_and_sampling_options_are_sent(fake_ollama: FakeOllama) -> None:
    llm = build_ollama_llm(
        fake_ollama.url, MODEL, context_window=16384, request_timeout=5, max_tokens=3
    )
    fake_ollama.reply = "one two three four five"
    text = llm.complete(PROMPT).text

    options = fake_ollama.last("/api/chat").body["options"]
    assert options["num_ctx"] == 16384
    assert options["temperature"] == 0.0
    assert options["num_predict"] == 3
    assert text == "one two three "  # the fake honours num_predict
    assert llm.metadata.context_window == 16384
    assert llm.metadata.num_output == 3
    # The window was given, so llama-index never asks /api/show for it.
    assert not fake_ollama.requests_to("/api/show")


@pytest.mark.parametrize("name", list(ALL_CALLS))
def test_every_call_returns_the_reply(fake_ollama: FakeOllama, name: str) -> None:
    llm = make_llm(fake_ollama.url)
    assert ALL_CALLS[name](llm, PROMPT, []) == fake_ollama.reply
    body = fake_ollama.last("/api/chat").body
    assert body["stream"] is ("stream" in name)
    assert body["options"]["num_ctx"] == 8192


def test_chat_sends_system_and_user_roles(fake_ollama: FakeOllama) -> None:
    llm = make_llm(fake_ollama.url)
    llm.chat(
        [
            ChatMessage(role=MessageRole.SYSTEM, content="Answer from the context only."),
            ChatMessage(role=MessageRole.USER, content="Q?"),
        ]
    )
    assert fake_ollama.last("/api/chat").body["messages"] == [
        {"role": "system", "content": "Answer from the context only."},
        {"role": "user", "content": "Q?"},
    ]


def test_streaming_is_incremental(fake_ollama: FakeOllama) -> None:
    fake_ollama.reply = "a b c d"
    fake_ollama.token_delay = 0.15
    llm = make_llm(fake_ollama.url)
    started = time.monotonic()
    stream = llm.stream_complete(PROMPT)
    first = next(stream)
    first_at = time.monotonic() - started
    rest = list(stream)
    total = time.monotonic() - started
    assert first.delta == "a "
    assert first_at < total - 0.3  # the first token arrived well before the last
    assert rest[-1].text == "a b c d"


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("name", list(ALL_CALLS))
def test_server_down(name: str) -> None:
    host = f"http://127.0.0.1:{free_port()}"
    message = fail_message(ALL_CALLS[name], make_llm(host))
    assert message == (
        f"Ollama is not reachable at {host}: start it with `ollama serve` or set OLLAMA_HOST"
    )


@pytest.mark.parametrize("name", list(ALL_CALLS))
def test_model_not_pulled(fake_ollama: FakeOllama, name: str) -> None:
    message = fail_message(ALL_CALLS[name], make_llm(fake_ollama.url, model="mistral"),
                           expected=ModelNotPulled)
    # The user's to fix, with the command that fixes it.
    assert message == "model 'mistral' is not pulled: run `ollama pull mistral`"
    assert fake_ollama.last("/api/chat").body["model"] == "mistral"


def test_model_not_pulled_other_server_wording(fake_ollama: FakeOllama) -> None:
    fake_ollama.not_found_message = 'model "{model}" not found, try pulling it first'
    message = fail_message(_stream_complete, make_llm(fake_ollama.url, model="qwen3:4b"),
                           expected=ModelNotPulled)
    assert message == "model 'qwen3:4b' is not pulled: run `ollama pull qwen3:4b`"


@pytest.mark.parametrize("name", list(ALL_CALLS))
def test_timeout_names_the_setting(fake_ollama: FakeOllama, name: str) -> None:
    fake_ollama.hang = True
    llm = make_llm(fake_ollama.url, timeout=0.3)
    started = time.monotonic()
    message = fail_message(ALL_CALLS[name], llm)
    assert time.monotonic() - started < 3
    assert "did not answer within 0.3s" in message
    assert "raise ollama_timeout (RAG_OLLAMA_TIMEOUT)" in message


@pytest.mark.parametrize("name", list(STREAM_CALLS))
def test_stall_mid_stream_times_out(fake_ollama: FakeOllama, name: str) -> None:
    fake_ollama.reply = "one two three four five six"
    fake_ollama.stall_after = 2
    seen: list[str] = []
    message = fail_message(STREAM_CALLS[name], make_llm(fake_ollama.url, timeout=0.3), seen)
    assert seen == ["one ", "two "]
    assert "stopped sending the answer for 0.3s after 2 chunk(s)" in message
    assert "raise ollama_timeout" in message


@pytest.mark.parametrize("cleanly", [False, True], ids=["connection-dropped", "clean-eof"])
@pytest.mark.parametrize("name", list(STREAM_CALLS))
def test_stream_cut_before_done(fake_ollama: FakeOllama, name: str, cleanly: bool) -> None:
    fake_ollama.reply = "one two three four five six"
    fake_ollama.cut_after = 3
    fake_ollama.cut_cleanly = cleanly
    seen: list[str] = []
    message = fail_message(STREAM_CALLS[name], make_llm(fake_ollama.url), seen)
    assert seen == ["one ", "two ", "three "]  # what came before the cut was delivered
    assert "cut off" in message
    assert "after 3 chunk(s) and before the final `done: true` chunk" in message


@pytest.mark.parametrize("name", list(PLAIN_CALLS))
def test_connection_dropped_before_answer(fake_ollama: FakeOllama, name: str) -> None:
    fake_ollama.cut_after = 0
    message = fail_message(PLAIN_CALLS[name], make_llm(fake_ollama.url))
    assert "closed the connection before answering /api/chat" in message
    assert "`ollama serve` log" in message


def test_error_line_mid_stream(fake_ollama: FakeOllama) -> None:
    fake_ollama.reply = "one two three"
    fake_ollama.error_after = 1
    seen: list[str] = []
    message = fail_message(_stream_complete, make_llm(fake_ollama.url), seen)
    assert seen == ["one "]
    assert message.startswith("Ollama failed mid-answer with model 'llama3.2'")
    assert fake_ollama.error_message in message


def test_server_error_non_streaming(fake_ollama: FakeOllama) -> None:
    fake_ollama.error_message = "model requires more system memory (5.6 GiB)\nthan is available"
    fake_ollama.error_after = 0
    message = fail_message(_complete, make_llm(fake_ollama.url))
    assert "HTTP 500" in message
    assert "model requires more system memory (5.6 GiB) than is available" in message


def test_stopping_a_stream_early_is_not_an_error(fake_ollama: FakeOllama) -> None:
    fake_ollama.reply = "one two three four"
    stream = make_llm(fake_ollama.url).stream_complete(PROMPT)
    assert next(stream).delta == "one "
    stream.close()  # the caller gave up: no BackendUnavailable, connection released


def test_not_an_ollama_server(fake_ollama: FakeOllama) -> None:
    # Ollama under a path prefix that does not exist: the server's plain 404, no model named.
    llm = make_llm(fake_ollama.url + "/nope")
    message = fail_message(_complete, llm)
    assert "answered 404 to /api/chat" in message and "OLLAMA_HOST" in message


# --------------------------------------------------------------------------- embeddings


def test_embed_one_text(fake_ollama: FakeOllama) -> None:
    embedder = build_ollama_embedding(fake_ollama.url, EMBED_MODEL, request_timeout=5)
    vector = embedder.get_query_embedding("Who won the election?")
    assert len(vector) == fake_ollama.embed_dim
    assert vector == pytest.approx(embedding_for("Who won the election?", fake_ollama.embed_dim))
    sent = fake_ollama.last("/api/embed").body
    assert sent["model"] == EMBED_MODEL
    assert sent["input"] == "Who won the election?"


def test_embed_many_texts_in_batches(fake_ollama: FakeOllama) -> None:
    fake_ollama.embed_dim = 24
    embedder = build_ollama_embedding(
        fake_ollama.url, EMBED_MODEL, request_timeout=5, embed_batch_size=4
    )
    texts = [f"article chunk number {i}" for i in range(10)]
    vectors = embedder.get_text_embedding_batch(texts)
    assert len(vectors) == 10
    assert all(len(v) == 24 for v in vectors)
    assert vectors[7] == pytest.approx(embedding_for(texts[7], 24))
    batches = [r.body["input"] for r in fake_ollama.requests_to("/api/embed")]
    assert batches == [texts[0:4], texts[4:8], texts[8:10]]


def test_the_settings_batch_size_reaches_the_ollama_embedder(
    fake_ollama: FakeOllama, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path / "index", embed_backend="ollama",
                             embed_model=EMBED_MODEL, ollama_host=fake_ollama.url,
                             embed_batch_size=3)
    services = build_services(settings)
    services.embedder.get_text_embedding_batch([f"chunk {i}" for i in range(7)])
    sizes = [len(r.body["input"]) for r in fake_ollama.requests_to("/api/embed")]
    assert sizes == [3, 3, 1]


def test_embed_async(fake_ollama: FakeOllama) -> None:
    embedder = build_ollama_embedding(fake_ollama.url, EMBED_MODEL, request_timeout=5)
    vectors = asyncio.run(embedder.aget_text_embedding_batch(["a", "b"]))
    assert [len(v) for v in vectors] == [fake_ollama.embed_dim] * 2


def test_embed_server_down() -> None:
    host = f"http://127.0.0.1:{free_port()}"
    embedder = build_ollama_embedding(host, EMBED_MODEL, request_timeout=5)
    with pytest.raises(BackendUnavailable) as info:
        embedder.get_text_embedding_batch(["x", "y"])
    assert str(info.value) == (
        f"Ollama is not reachable at {host}: start it with `ollama serve` or set OLLAMA_HOST"
    )


def test_embed_model_not_pulled(fake_ollama: FakeOllama) -> None:
    embedder = build_ollama_embedding(fake_ollama.url, "mxbai-embed-large", request_timeout=5)
    with pytest.raises(ModelNotPulled) as info:
        embedder.get_query_embedding("x")
    assert isinstance(info.value, UserError) and info.value.command == "ollama pull mxbai-embed-large"
    assert str(info.value) == (
        "model 'mxbai-embed-large' is not pulled: run `ollama pull mxbai-embed-large`"
    )


def test_embed_timeout(fake_ollama: FakeOllama) -> None:
    fake_ollama.hang = True
    embedder = build_ollama_embedding(fake_ollama.url, EMBED_MODEL, request_timeout=0.3)
    with pytest.raises(BackendUnavailable) as info:
        embedder.get_text_embedding("x")
    assert "did not embed within 0.3s" in str(info.value)
    assert "raise ollama_timeout" in str(info.value)


# --------------------------------------------------------------------------- the fake itself


def test_fake_generate_endpoint_streams_ndjson(fake_ollama: FakeOllama) -> None:
    import ollama

    client = ollama.Client(host=fake_ollama.url, timeout=5)
    parts = list(client.generate(model=MODEL, prompt="Why?", stream=True))
    assert "".join(p.response or "" for p in parts) == fake_ollama.reply
    assert parts[-1].done and not any(p.done for p in parts[:-1])
    whole = client.generate(model=MODEL, prompt="Why?", options={"num_ctx": 2048})
    assert whole.response == fake_ollama.reply and whole.done
    assert fake_ollama.last("/api/generate").body["options"] == {"num_ctx": 2048}
    assert client.show(MODEL).modelinfo is not None
