"""The catalog: what is indexed, in SQLite beside the index.

It is the source of truth for documents and chunks (text, spans, metadata),
holds the embedding cache (vectors by content hash, so a changed article only
re-embeds the chunks that changed) and the index's own facts (embedding model,
generation counter). Chroma holds the vectors; the keyword index is derived
from this catalog and tagged with the generation it was built from.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.documents import Article, Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    published_at TEXT,
    source TEXT,
    url TEXT,
    author TEXT,
    origin TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    embed_text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, seq);
CREATE TABLE IF NOT EXISTS embed_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""


@dataclass(frozen=True)
class DocumentRow:
    """A document as the catalog knows it."""

    doc_id: str
    title: str
    published_at: str | None
    source: str | None
    url: str | None
    author: str | None
    origin: str
    content_hash: str
    n_chunks: int


@dataclass(frozen=True)
class ChunkRow:
    """A chunk with the metadata of its document."""

    chunk_id: str
    doc_id: str
    seq: int
    start: int
    end: int
    text: str
    embed_text: str
    title: str
    published_at: str | None
    source: str | None
    url: str | None


_CHUNK_SELECT = (
    'SELECT c.chunk_id, c.doc_id, c.seq, c.start, c."end", c.text, c.embed_text, '
    "d.title, d.published_at, d.source, d.url FROM chunks c JOIN documents d USING (doc_id)"
)


class Catalog:
    """SQLite catalog of documents, chunks and cached embeddings."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection per thread: the web UI answers on several worker threads at
        # once, and a connection shared between them would mix one thread's transaction
        # with another's reads. SQLite's WAL mode lets them read while one writes.
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._db.executescript(SCHEMA)

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close the database connections (of every thread)."""
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed as a whole or not at all."""
        with self._db:
            yield self._db

    # -- facts about the index ------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A stored fact, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Store a fact (its own transaction)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        """A counter bumped by every change of documents; derived indexes record it."""
        return int(self.get_meta("generation") or 0)

    def reset(self) -> None:
        """Forget every document, chunk and fact (the embedding cache too)."""
        with self._db:
            for table in ("chunks", "documents", "embed_cache", "meta"):
                self._db.execute(f"DELETE FROM {table}")

    # -- documents and chunks -------------------------------------------------

    def documents(self) -> dict[str, DocumentRow]:
        """Every indexed document by id."""
        rows = self._db.execute(
            "SELECT doc_id, title, published_at, source, url, author, origin, content_hash, "
            "n_chunks FROM documents ORDER BY published_at, doc_id"
        )
        return {r[0]: DocumentRow(*r) for r in rows}

    def document_text(self, doc_id: str) -> str | None:
        """The cleaned text of a document."""
        row = self._db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        """Chunk ids of one document, or of all."""
        if doc_id is None:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks")]
        return [
            r[0]
            for r in self._db.execute(
                "SELECT chunk_id FROM chunks WHERE doc_id = ? ORDER BY seq", (doc_id,)
            )
        ]

    def count_chunks(self) -> int:
        """Number of chunks in the index."""
        return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunks by id (missing ids are left out)."""
        out: dict[str, ChunkRow] = {}
        for i in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[i : i + 500])
            marks = ",".join("?" * len(part))
            for r in self._db.execute(f"{_CHUNK_SELECT} WHERE c.chunk_id IN ({marks})", part):
                out[r[0]] = ChunkRow(*r)
        return out

    def iter_chunks(self) -> Iterator[ChunkRow]:
        """Every chunk, in document and sequence order."""
        yield from (ChunkRow(*r) for r in self._db.execute(f"{_CHUNK_SELECT} ORDER BY doc_id, seq"))

    def doc_chunks(self, doc_id: str) -> list[ChunkRow]:
        """The chunks of one document in order."""
        rows = self._db.execute(f"{_CHUNK_SELECT} WHERE c.doc_id = ? ORDER BY c.seq", (doc_id,))
        return [ChunkRow(*r) for r in rows]

    def put_document(
        self, conn: sqlite3.Connection, article: Article, chunks: Sequence[Chunk]
    ) -> None:
        """Replace a document and its chunks (inside ``transaction()``)."""
        conn.execute("DELETE FROM documents WHERE doc_id = ?", (article.doc_id,))
        conn.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.doc_id,
                article.title,
                article.published_at,
                article.source,
                article.url,
                article.author,
                article.origin,
                article.content_hash,
                len(chunks),
                article.text,
            ),
        )
        conn.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(c.chunk_id, c.doc_id, c.seq, c.start, c.end, c.text, c.embed_text) for c in chunks],
        )
        self._bump(conn)

    def delete_documents(self, conn: sqlite3.Connection, doc_ids: Iterable[str]) -> None:
        """Remove documents and their chunks (inside ``transaction()``)."""
        conn.executemany("DELETE FROM documents WHERE doc_id = ?", [(d,) for d in doc_ids])
        self._bump(conn)

    def _bump(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
            "SET value = CAST(value AS INTEGER) + 1"
        )

    # -- embedding cache ------------------------------------------------------

    @staticmethod
    def cache_key(model: str, text: str) -> str:
        """Cache key of an embedding: model and exact text."""
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def cached_vectors(self, keys: Sequence[str]) -> dict[str, list[float]]:
        """Cached vectors for the keys that have one."""
        out: dict[str, list[float]] = {}
        for i in range(0, len(keys), 500):
            part = list(keys[i : i + 500])
            marks = ",".join("?" * len(part))
            for key, blob in self._db.execute(
                f"SELECT key, vector FROM embed_cache WHERE key IN ({marks})", part
            ):
                out[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        return out

    def cached_matrix(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cached vectors as one float32 matrix (row i for ``keys[i]``, zeros when absent)
        and a boolean array saying which rows were found."""
        blobs: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            part = list(keys[i : i + 500])
            marks = ",".join("?" * len(part))
            blobs.update(
                self._db.execute(
                    f"SELECT key, vector FROM embed_cache WHERE key IN ({marks})", part
                )
            )
        dim = len(next(iter(blobs.values()), b"")) // 4
        matrix = np.zeros((len(keys), dim), dtype=np.float32)
        found = np.zeros(len(keys), dtype=bool)
        for i, key in enumerate(keys):
            blob = blobs.get(key)
            if blob is not None and len(blob) == 4 * dim:
                matrix[i] = np.frombuffer(blob, dtype=np.float32)
                found[i] = True
        return matrix, found

    def cache_vectors(self, items: Iterable[tuple[str, Sequence[float]]]) -> None:
        """Store vectors in the cache."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embed_cache VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )

    def prune_cache(self, model: str) -> None:
        """Drop cached vectors no current chunk uses (keeps the cache from growing forever)."""
        live = {
            self.cache_key(model, r[0]) for r in self._db.execute("SELECT embed_text FROM chunks")
        }
        stale = [(k,) for (k,) in self._db.execute("SELECT key FROM embed_cache") if k not in live]
        with self._db:
            self._db.executemany("DELETE FROM embed_cache WHERE key = ?", stale)
