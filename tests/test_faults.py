"""Faults, done for real: SIGKILL of ``rag index`` mid-run, two indexers on one store, the
chat answering from another process while an indexer writes, a storage write error in the
middle of a run, and Ollama going down / losing the model / timing out / cutting a stream
and coming back.

Subprocess tests embed through ``tests.support.fake_ollama`` (``embed_backend=ollama``): a real
HTTP embedding path that is fast, and can be slowed down so a run can be caught mid-way.
"""

from __future__ import annotations

import html
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from index.vectors import VectorStore
from rag.cli import cli
from rag.container import Services, build_services
from tests.conftest import SEEDS, make_settings
from tests.support.fake_ollama import FakeOllama
from tests.support.fakes import HashEmbedding
from tests.support.net import free_port
from tests.support.reliability import (
    EMBED_MODEL,
    TITLE_PREFIX,
    articles_embedded,
    assert_committed_documents_complete,
    assert_consistent,
    catalog_counts,
    embedded_documents,
    gated_embeddings,
    kill_group,
    ollama_env,
    rag_popen,
    rag_run,
    read_store,
    slow_embeddings,
    start_fake_ollama,
    wait_until,
    write_jsonl,
)
from ui.chat import ChatUI, new_state
from ui.corpus import CorpusUI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")

KATYUSHA_Q = "How many Katyusha rockets were aimed at the US embassy?"
N_ARTICLES = 800  # two chunks each: enough batches of 256 chunks to be caught mid-run


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    fake = start_fake_ollama(FakeOllama())
    yield fake
    fake.stop()


def summary(proc: Any) -> str:
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return str(proc.stdout).strip().splitlines()[-1]


# -- SIGKILL mid-run -------------------------------------------------------------------


@pytest.mark.slow
def test_sigkill_mid_index_leaves_a_consistent_store_and_the_rerun_completes(
    tmp_path: Path, ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", N_ARTICLES)
    index_dir = tmp_path / "index"
    env = ollama_env(index_dir, ollama.url)

    with slow_embeddings(monkeypatch, 0.1):
        # Kill twice, at different depths of the run: while it reads (articles written
        # to the catalog and keyword index, none embedded) and while it embeds (the
        # second kill also lands on a dirty store).
        depths: list[tuple[str, Callable[[], bool]]] = [
            ("a first batch written", lambda: catalog_counts(index_dir)[0] >= 1),
            ("300 articles embedded", lambda: articles_embedded(index_dir) >= 300),
        ]
        for what, reached in depths:
            proc = rag_popen(["index", "--quiet", str(corpus)], env)
            try:
                wait_until(reached, 120, what, proc)
            finally:
                kill_group(proc)
            assert proc.returncode == -9
            state = read_store(index_dir)
            assert len(state.documents) > 0, "the kill landed mid-run"
            assert len(embedded_documents(state)) < N_ARTICLES, "the kill landed mid-run"
            assert state.dirty == "1"
            # Each committed document is there in full, with all its vectors or (read,
            # not embedded yet) none; a crash never leaves a half-embedded document.
            assert_committed_documents_complete(state, unembedded_ok=True)
        assert 300 <= len(embedded_documents(state)) < N_ARTICLES

    # Readers work on the interrupted store (the keyword index is behind the catalog).
    found = rag_run(["retrieve", "--json", "council budget Aldermoor"], env)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"]

    # The next run drops what was read and not embedded, and indexes it again.
    before = len(embedded_documents(read_store(index_dir)))
    rerun = rag_run(["index", "--quiet", str(corpus)], env)
    assert f"{N_ARTICLES - before} added" in summary(rerun)
    assert f"{before} unchanged" in summary(rerun)
    state = read_store(index_dir)
    assert_consistent(state)
    assert len(state.documents) == N_ARTICLES

    # ... and it holds exactly what an uninterrupted run produces.
    clean = tmp_path / "clean"
    summary(rag_run(["index", "--quiet", str(corpus)], ollama_env(clean, ollama.url)))
    assert set(read_store(clean).catalog_ids) == set(state.catalog_ids)


# -- two writers, and readers while one writes ---------------------------------------


@pytest.mark.slow
def test_second_indexer_stops_or_waits_and_readers_keep_answering(
    tmp_path: Path, ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    env = ollama_env(index_dir, ollama.url)
    summary(rag_run(["index", "--quiet", str(SEEDS)], env))
    corpus = write_jsonl(tmp_path / "corpus.jsonl", 400)

    gate = threading.Event()
    gate.set()
    with gated_embeddings(monkeypatch, gate, TITLE_PREFIX):
        first = rag_popen(["index", "--quiet", str(corpus)], env)
        waiting = None
        try:
            wait_until(lambda: catalog_counts(index_dir)[0] > 5, 120, "the first batch", first)
            gate.clear()  # the indexer stops at its next batch, mid-run, holding the lock
            # A second writer without --wait stops at once with one clear line.
            second = rag_run(["index", "--quiet", str(SEEDS)], env, timeout=60)
            assert second.returncode == 2
            lines = [line for line in second.stderr.splitlines() if line.strip()]
            assert len(lines) == 1, second.stderr
            assert f"another `rag index` (pid {first.pid})" in lines[0]
            assert "--wait" in lines[0]
            # One with --wait queues behind it.
            waiting = rag_popen(["index", "--quiet", "--wait", "120", str(corpus)], env)
            # Readers in other processes keep answering while the indexer is mid-run.
            asked = rag_run(["ask", "--mode", "extractive", "--json", KATYUSHA_Q], env)
            assert asked.returncode == 0, asked.stderr
            answer = json.loads(asked.stdout)
            assert not answer["abstained"] and "Katyusha" in answer["answer"]
            found = rag_run(["retrieve", "--json", "council budget Aldermoor"], env)
            assert found.returncode == 0, found.stderr
            assert json.loads(found.stdout)["results"]
            assert first.poll() is None and waiting.poll() is None
            gate.set()
            out, err = first.communicate(timeout=180)
            assert first.returncode == 0, err
            assert "400 added" in out
            out, err = waiting.communicate(timeout=180)
            assert waiting.returncode == 0, err
            assert "0 added" in out and "400 unchanged" in out
        finally:
            gate.set()
            kill_group(first)
            if waiting is not None:
                kill_group(waiting)
    assert_consistent(read_store(index_dir))


# -- a storage write error mid-run ----------------------------------------------------


def _fail_after(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, calls: int,
                error: Exception) -> None:
    original = getattr(owner, name)
    seen = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        seen["n"] += 1
        if seen["n"] > calls:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)


@pytest.mark.parametrize("where", ["vectors", "catalog"])
def test_write_error_mid_index_stops_with_one_line_and_the_index_still_answers(
    tmp_path: Path, ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from index.catalog import Catalog

    index_dir = tmp_path / "index"
    for key, value in ollama_env(index_dir, ollama.url).items():
        if key.startswith("RAG_"):
            monkeypatch.setenv(key, value)
    runner = CliRunner()
    first = runner.invoke(cli, ["index", "--quiet", str(SEEDS)])
    assert first.exit_code == 0, first.output
    corpus = write_jsonl(tmp_path / "corpus.jsonl", 400)  # ~800 chunks: several batches

    with monkeypatch.context() as patch:
        if where == "vectors":
            _fail_after(patch, VectorStore, "add", 1,
                        OSError(28, "No space left on device"))
        else:
            _fail_after(patch, Catalog, "put_document", 150,
                        sqlite3.OperationalError("database or disk is full"))
        failed = runner.invoke(cli, ["index", "--quiet", str(corpus)])
    assert failed.exit_code == 1, failed.output
    assert not isinstance(failed.exception, OSError | sqlite3.Error), "a traceback, not a message"
    lines = [line for line in failed.output.splitlines() if line.strip()]
    assert len(lines) == 1, failed.output
    assert lines[0].startswith("Error: indexing stopped")
    assert ("No space left on device" if where == "vectors" else "disk is full") in lines[0]
    assert "run `rag index` again" in lines[0]

    state = read_store(index_dir)
    # A large import writes its articles' text first, then embeds them: what it wrote is
    # there in full, embedded or not yet (the next run embeds it).
    assert_committed_documents_complete(state, unembedded_ok=True)
    assert len(embedded_documents(state)) < 405
    # The index still answers, with the articles it had.
    asked = runner.invoke(cli, ["ask", "--mode", "extractive", "--json", KATYUSHA_Q])
    assert asked.exit_code == 0, asked.output
    assert "Katyusha" in json.loads(asked.output)["answer"]
    # Once the cause is gone, the next run completes the job.
    again = runner.invoke(cli, ["index", "--quiet", str(corpus)])
    assert again.exit_code == 0, again.output
    state = read_store(index_dir)
    assert_consistent(state)
    assert len(state.documents) == 405


def test_write_error_during_an_upload_is_reported_in_the_corpus_tab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding())
    try:
        services.indexer().run([SEEDS])
        article = tmp_path / "quillmere.txt"
        article.write_text("Quillmere lighthouse gets a keeper\n\nThe trust appointed "
                           "Ottoline Varga as keeper of the tower.\n", encoding="utf-8")
        ui = CorpusUI(services)
        with monkeypatch.context() as patch:
            _fail_after(patch, VectorStore, "add", 0, OSError(28, "No space left on device"))
            log = ui.index_files([str(article)])[0]
        assert "not indexed: indexing stopped" in log and "No space left" in log
        assert len(services.store.catalog.documents()) == 5
        hits = services.retriever.search(KATYUSHA_Q)
        assert any("Katyusha" in h.node.get_content() for h in hits)
        log = ui.index_files([str(article)])[0]
        assert "1 added" in log
    finally:
        services.close()


# -- Ollama down, model missing, timeout, stream cut ------------------------------------


def ollama_services(index_dir: Path, host: str, timeout: float = 5.0) -> Services:
    settings = make_settings(index_dir, llm_backend="ollama", ollama_host=host,
                             ollama_model="llama3.2", ollama_timeout=timeout)
    return build_services(settings, embedder=HashEmbedding())


def chat_final(ui: ChatUI, question: str) -> tuple[str, str]:
    """The last chat message and sources panel of one question through the chat handler."""
    steps = list(ui.chat(question, [], new_state(), since="", until="", outlet="All outlets",
                         k=5, mode="generative"))
    chats = [s.chatbot for s in steps if isinstance(s.chatbot, list)]
    panels = [s.sources for s in steps if isinstance(s.sources, str)]
    return html.unescape(chats[-1][-1]["content"]), panels[-1] if panels else ""


@pytest.mark.parametrize(("fault", "reason"), [
    ("down", "Ollama is not reachable"),
    ("model missing", "is not pulled: run `ollama pull llama3.2`"),
    ("timeout", "raise ollama_timeout"),
    ("stream cut", "was cut off"),
])
def test_ollama_fault_goes_search_only_then_recovers(tmp_path: Path, fault: str,
                                                     reason: str) -> None:
    port = free_port()
    fake = start_fake_ollama(FakeOllama(), port)
    fake.reply = "Three Katyusha rockets were aimed at the American embassy [1]."
    services = ollama_services(tmp_path / "index", fake.url, timeout=1.5)
    try:
        services.indexer().run([SEEDS])
        ui = ChatUI(services)
        if fault == "down":
            fake.stop()
        elif fault == "model missing":
            fake.models = [EMBED_MODEL]
        elif fault == "timeout":
            fake.hang = True
        else:
            fake.cut_after = 3
        message, panel = chat_final(ui, KATYUSHA_Q)
        assert "The language model failed" in message and reason in message, message
        assert "Search-only answer" in message
        assert 'id="src-1-1"' in panel and "Katyusha" in panel  # the passages are shown

        # Ollama is back: the next question gets a generated, checked answer.
        if fault == "down":
            start_fake_ollama(fake, port)
        fake.models, fake.hang, fake.cut_after = ["llama3.2:latest", EMBED_MODEL], False, None
        message, _ = chat_final(ui, KATYUSHA_Q)
        assert "The language model failed" not in message, message
        assert "Three Katyusha rockets" in message and "ollama llama3.2" in message
    finally:
        fake.stop()
        services.close()
