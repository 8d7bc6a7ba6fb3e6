"""Helpers for the reliability tests: synthetic corpora, a fake Ollama that can be stopped
and started again on the same port, a slow embed endpoint, the index consistency check,
and process probes (RSS)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from index.catalog import Catalog
from index.keyword import KeywordIndex
from index.vectors import VectorStore, make_client
from rag.settings import PROJECT_ROOT
from tests.support import fake_ollama
from tests.support.fake_ollama import FakeOllama

RAG = Path(sys.executable).parent / "rag"
EMBED_MODEL = "nomic-embed-text"
TITLE_PREFIX = "Local report number"  # every synthetic article's title starts with it

_PLACES = ["Port Ellery", "Aldermoor", "Quillmere", "Brackenford", "Sallow Bay", "Tarnwick",
           "Ottery Cross", "Fenmarsh", "Harlow Reach", "Westerly"]
_SUBJECTS = ["the council", "the harbour board", "the mayor", "local farmers", "the hospital",
             "the school governors", "the ferry company", "residents", "the police", "traders"]
_VERBS = ["approved", "rejected", "delayed", "announced", "criticised", "welcomed", "funded",
          "reviewed", "postponed", "published"]
_OBJECTS = ["a new bridge", "the budget", "a flood plan", "the bus timetable", "a housing scheme",
            "the parking rules", "a solar farm", "the library hours", "a sea wall", "the festival"]


def sentence(rng: random.Random, i: int) -> str:
    """A plain news sentence with a number that makes it unique."""
    return (f"In {rng.choice(_PLACES)}, {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
            f"{rng.choice(_OBJECTS)} costing {1000 + i} pounds on {rng.choice(_weekdays)}.")


_weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def article_record(i: int, sentences: int = 12, seed: int = 0) -> dict[str, Any]:
    """One JSON article record with ``sentences`` sentences (several chunks)."""
    rng = random.Random(seed * 100_003 + i)
    body = "\n".join(sentence(rng, i * 1000 + j) for j in range(sentences))
    return {"id": f"art{i:05d}", "title": f"{TITLE_PREFIX} {i}", "body": body,
            "source": rng.choice(["Coastal Courier", "Valley Ledger", "Harbour Daily"]),
            "published_at": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"}


def write_jsonl(path: Path, n: int, sentences: int = 12, seed: int = 0) -> Path:
    """A JSON-lines corpus of ``n`` synthetic articles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(article_record(i, sentences, seed)) + "\n")
    return path


# -- a fake Ollama that can go down and come back -------------------------------------


def start_fake_ollama(fake: FakeOllama, port: int = 0) -> FakeOllama:
    """Start ``fake`` on ``port`` (0: a free one), so that a restarted server keeps its URL."""
    return fake.start(port)


@contextmanager
def slow_embeddings(monkeypatch: pytest.MonkeyPatch, seconds: float) -> Iterator[None]:
    """Make the fake's /api/embed sleep ``seconds`` per request (a slow embedding model)."""
    original = fake_ollama._Handler._embed

    def slow(self: Any, body: dict[str, Any]) -> None:
        time.sleep(seconds)
        original(self, body)

    monkeypatch.setattr(fake_ollama._Handler, "_embed", slow)
    yield


@contextmanager
def gated_embeddings(monkeypatch: pytest.MonkeyPatch, gate: threading.Event,
                     marker: str) -> Iterator[None]:
    """Hold requests to the fake's /api/embed with a text containing ``marker`` (an
    indexer's chunks) until ``gate`` is set; other requests (readers) go through."""
    original = fake_ollama._Handler._embed

    def gated(self: Any, body: dict[str, Any]) -> None:
        given = body.get("input")
        if any(marker in str(t) for t in (given if isinstance(given, list) else [given])):
            gate.wait(timeout=180)
        original(self, body)

    monkeypatch.setattr(fake_ollama._Handler, "_embed", gated)
    yield


def ollama_env(index_dir: Path, host: str, **extra: str) -> dict[str, str]:
    """Environment for a ``rag`` subprocess embedding with the (fake) Ollama at ``host``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir), RAG_EMBED_BACKEND="ollama",
               RAG_EMBED_MODEL=EMBED_MODEL, RAG_OLLAMA_HOST=host, RAG_LLM_BACKEND="ollama",
               **extra)
    return env


def rag_popen(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start ``rag ARGS`` in its own process group, output captured."""
    return subprocess.Popen([str(RAG), *args], cwd=PROJECT_ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def rag_run(args: list[str], env: dict[str, str],
            timeout: float = 180.0) -> subprocess.CompletedProcess[str]:
    """Run ``rag ARGS`` to the end."""
    return subprocess.run([str(RAG), *args], cwd=PROJECT_ROOT, env=env, text=True,
                          capture_output=True, timeout=timeout, check=False)


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL a process started by :func:`rag_popen` (and anything it started)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def wait_until(check: Callable[[], bool], timeout: float, what: str,
               proc: subprocess.Popen[str] | None = None) -> None:
    """Poll ``check`` every 50 ms; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"process ended before {what}: rc={proc.returncode}\n{out}\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def articles_embedded(index_dir: Path) -> int:
    """How many articles a large import running on ``index_dir`` has embedded so far, by
    its progress record (read by a separate connection); 0 before it starts embedding."""
    import sqlite3

    path = index_dir / "catalog.sqlite3"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'import'").fetchone()
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0
    return int(json.loads(row[0]).get("embedded", 0)) if row else 0


def catalog_counts(index_dir: Path) -> tuple[int, int]:
    """(documents, chunks) committed in the catalog, read by a separate connection."""
    path = index_dir / "catalog.sqlite3"
    if not path.exists():
        return 0, 0
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
            chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:  # tables not created yet
        return 0, 0
    return int(docs), int(chunks)


def http_ok(url: str) -> bool:
    """Whether ``url`` answers at all."""
    try:
        urllib.request.urlopen(url, timeout=2)
    except OSError:
        return False
    return True


def rss_kb(pid: int) -> int:
    """Resident set size of a process in kB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# -- the consistency check ----------------------------------------------------------------


@dataclass
class StoreState:
    """What each part of an index on disk holds."""

    documents: dict[str, int]  # doc_id -> n_chunks recorded
    chunk_rows: dict[str, list[str]]  # doc_id -> chunk ids in the catalog
    catalog_ids: list[str]
    vector_ids: set[str]
    keyword: KeywordIndex | None
    generation: int
    dirty: str | None


def read_store(index_dir: Path) -> StoreState:
    """Read the catalog, Chroma and the saved keyword index directly (nothing repaired)."""
    catalog = Catalog(index_dir / "catalog.sqlite3")
    try:
        model = catalog.get_meta("embed_model") or ""
        docs = {d.doc_id: d.n_chunks for d in catalog.documents().values()}
        rows: dict[str, list[str]] = {d: catalog.chunk_ids(d) for d in docs}
        ids = catalog.chunk_ids()
        generation = catalog.generation()
        dirty = catalog.get_meta("dirty")
    finally:
        catalog.close()
    client = make_client(index_dir / "chroma", None)
    vectors = VectorStore(client, "articles", model, None).ids()
    return StoreState(docs, rows, ids, vectors, KeywordIndex.load(index_dir / "keyword"),
                      generation, dirty)


def assert_committed_documents_complete(state: StoreState, unembedded_ok: bool = False) -> None:
    """Each document in the catalog is fully there: all its chunks, each with a vector.
    With ``unembedded_ok`` (a large import stopped after it wrote its articles' text and
    before it embedded them all), a document may have no vector at all, never some."""
    assert len(state.catalog_ids) == len(set(state.catalog_ids)), "duplicate chunk ids"
    for doc_id, n in state.documents.items():
        ids = state.chunk_rows[doc_id]
        assert len(ids) == n, f"{doc_id}: {len(ids)} chunk rows, {n} recorded"
        assert all(cid.startswith(f"{doc_id}:") for cid in ids)
        missing = [cid for cid in ids if cid not in state.vector_ids]
        if unembedded_ok and len(missing) == len(ids):
            continue
        assert not missing, f"{doc_id}: chunks without a vector: {missing[:3]}"


def embedded_documents(state: StoreState) -> set[str]:
    """The documents of the catalog whose chunks all have their vectors."""
    return {d for d, ids in state.chunk_rows.items()
            if all(cid in state.vector_ids for cid in ids)}


def assert_consistent(state: StoreState) -> None:
    """Catalog, Chroma and keyword index hold exactly the same chunks; no orphans."""
    assert_committed_documents_complete(state)
    assert set(state.catalog_ids) == state.vector_ids, (
        f"orphan vectors: {len(state.vector_ids - set(state.catalog_ids))}, "
        f"chunks without vectors: {len(set(state.catalog_ids) - state.vector_ids)}")
    assert state.keyword is not None, "no keyword index saved"
    assert sorted(state.keyword.live_ids()) == sorted(state.catalog_ids)
    assert state.keyword.generation == state.generation
    assert state.dirty == "0"
