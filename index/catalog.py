"""The catalog: what is indexed, in SQLite beside the index.

It is the source of truth for documents and chunks (text, spans, metadata),
holds the embedding cache (vectors by content hash, so a changed article only
re-embeds the chunks that changed) and the index's own facts (embedding model,
generation counter). Chroma holds the vectors; the keyword index is derived
from this catalog and tagged with the generation it was built from.

It also keeps each document's earlier versions (date, hash, title: one row each
time its content changed), its MinHash signature (:mod:`index.stories`; kept
until the document changes, so regrouping does not recompute it) and the story
it belongs to. A catalog made before these existed is migrated when opened.

Readers' feedback on answers (thumbs up or down, a comment, and what was asked and
answered, as JSON that :mod:`rag.feedback` gives its shape) is kept here as well; a
reset of the index keeps it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    text TEXT NOT NULL,
    story_id TEXT,
    updated_at TEXT
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
CREATE TABLE IF NOT EXISTS signatures (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    hashvalues BLOB
);
CREATE TABLE IF NOT EXISTS story_bands (
    doc_id TEXT NOT NULL,
    band INTEGER NOT NULL,
    key INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS story_bands_key ON story_bands(band, key);
CREATE INDEX IF NOT EXISTS story_bands_doc ON story_bands(doc_id);
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    updated_at TEXT,
    indexed_at TEXT,
    title TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL,
    question TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL
);
"""
# The schema's version in ``meta``: 2 added story_id and updated_at to documents, and
# the signatures and versions tables (a version-1 catalog is migrated when opened).
SCHEMA_VERSION = 2
# Columns added to ``documents`` since version 1, for the migration.
_ADDED_COLUMNS = (("story_id", "TEXT"), ("updated_at", "TEXT"))
_DOCUMENT_COLUMNS = (
    "doc_id, title, published_at, source, url, author, origin, content_hash, n_chunks, "
    "text, story_id, updated_at"
)


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
    story_id: str = ""  # the story it belongs to ("" or its own id: a story of its own)
    updated_at: str | None = None  # ISO date of its last update, when the source says

    def __post_init__(self) -> None:
        if not self.story_id:
            object.__setattr__(self, "story_id", self.doc_id)


@dataclass(frozen=True)
class VersionRow:
    """One version of a document: recorded when it was first indexed and each time its
    content changed."""

    doc_id: str
    seq: int  # 1 for the first version
    content_hash: str
    published_at: str | None
    updated_at: str | None
    indexed_at: str | None  # UTC, ISO 8601; None for versions from before the history
    title: str


@dataclass(frozen=True)
class SignatureRow:
    """A document's stored MinHash signature and what it was computed from."""

    doc_id: str
    content_hash: str
    kind: str
    hashvalues: bytes | None  # None: the text has no words


@dataclass(frozen=True)
class FeedbackRow:
    """One reader's feedback on an answer, as stored (``data``: the JSON-ready record
    :mod:`rag.feedback` reads back)."""

    id: int
    created_at: str  # UTC, ISO 8601
    rating: str  # "up" or "down"
    question: str
    comment: str
    data: dict[str, Any]


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

    FILE = "catalog.sqlite3"  # in the index directory

    @classmethod
    def in_index(cls, index_dir: Path) -> Catalog:
        """The catalog of the index in ``index_dir``."""
        return cls(index_dir / cls.FILE)

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
        self._migrate()
        self._db.execute("CREATE INDEX IF NOT EXISTS documents_story ON documents(story_id)")

    def _migrate(self) -> None:
        """Bring a catalog of an older schema up to date: add the columns it lacks and
        record its documents as their first versions. Serialised by SQLite's write lock,
        so two processes opening the same old catalog migrate it once."""
        if self.get_meta("schema") == str(SCHEMA_VERSION):
            return
        conn = self._db
        conn.execute("BEGIN IMMEDIATE")
        try:
            have = {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
            for name, decl in _ADDED_COLUMNS:
                if name not in have:
                    conn.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
            # Documents indexed before versions were kept: their current state is their
            # first known version (indexed at an unknown time).
            conn.execute(
                "INSERT INTO versions (doc_id, seq, content_hash, published_at, updated_at, "
                "indexed_at, title) SELECT d.doc_id, 1, d.content_hash, d.published_at, "
                "d.updated_at, NULL, d.title FROM documents d WHERE NOT EXISTS "
                "(SELECT 1 FROM versions v WHERE v.doc_id = d.doc_id)"
            )
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

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
            for table in ("chunks", "signatures", "story_bands", "documents", "versions",
                          "embed_cache"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("DELETE FROM meta WHERE key != 'schema'")

    # -- documents and chunks -------------------------------------------------

    def documents(self, doc_ids: Iterable[str] | None = None) -> dict[str, DocumentRow]:
        """Every indexed document by id, or those of ``doc_ids`` that are indexed."""
        select = (
            "SELECT doc_id, title, published_at, source, url, author, origin, content_hash, "
            "n_chunks, story_id, updated_at FROM documents"
        )
        if doc_ids is None:
            rows: Iterable[tuple[Any, ...]] = self._db.execute(
                f"{select} ORDER BY published_at, doc_id")
        else:
            rows = self._in(select + " WHERE doc_id IN ({})", list(doc_ids))
        return {
            r[0]: DocumentRow(
                doc_id=r[0], title=r[1], published_at=r[2], source=r[3], url=r[4],
                author=r[5], origin=r[6], content_hash=r[7], n_chunks=r[8],
                story_id=r[9] or "", updated_at=r[10],
            )
            for r in rows
        }

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
        """Number of chunks in the index: counted once (a million rows take a third of a
        second), then kept in ``meta`` by every write."""
        kept = self.get_meta("chunks")
        if kept is not None:
            return int(kept)
        with self._db:  # counted and recorded in one transaction: no write comes between
            self._db.execute("BEGIN IMMEDIATE")
            (n,) = self._db.execute("SELECT count(*) FROM chunks").fetchone()
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('chunks', ?)", (str(n),))
        return int(n)

    def count_documents(self) -> int:
        """Number of documents in the index."""
        return int(self._db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def outlets(self) -> list[str]:
        """The outlets named by indexed documents, sorted without regard to case."""
        rows = self._db.execute("SELECT DISTINCT source FROM documents WHERE source != ''")
        return sorted((r[0] for r in rows if r[0]), key=str.lower)

    def set_import(self, done: int, total: int) -> None:
        """Record how far a running import is (read by :meth:`running_import`)."""
        self.set_meta("import", json.dumps({
            "done": done, "total": total, "pid": os.getpid(), "host": socket.gethostname(),
            "at": time.time(),
        }))

    def clear_import(self) -> None:
        """The import is over (finished or stopped)."""
        with self._db:
            self._db.execute("DELETE FROM meta WHERE key = 'import'")

    def running_import(self) -> tuple[int, int] | None:
        """``(articles done, articles in all)`` of an import still running, or None. A
        record left by a killed process is ignored (its pid is gone on this host; on
        another host, it is trusted for ten minutes after its last batch)."""
        rec = self._import_record()
        if rec is None:
            return None
        done, total, host, pid, at = rec
        try:
            if host == socket.gethostname():
                os.kill(pid, 0)
            elif time.time() - at > 600:
                return None
        except (ProcessLookupError, PermissionError):
            return None
        return done, total

    def recorded_import(self) -> tuple[int, int] | None:
        """``(done, in all)`` of the last large import that did not finish (running, or
        stopped by a kill), or None."""
        rec = self._import_record()
        return (rec[0], rec[1]) if rec else None

    def _import_record(self) -> tuple[int, int, str, int, float] | None:
        raw = self.get_meta("import")
        try:
            rec = json.loads(raw) if raw else None
            return (int(rec["done"]), int(rec["total"]), str(rec["host"]), int(rec["pid"]),
                    float(rec["at"])) if isinstance(rec, dict) else None
        except (ValueError, KeyError, TypeError):
            return None

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunks by id (missing ids are left out)."""
        sql = _CHUNK_SELECT + " WHERE c.chunk_id IN ({})"
        return {r[0]: ChunkRow(*r) for r in self._in(sql, list(chunk_ids))}

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
        """Replace a document and its chunks (inside ``transaction()``); a new document,
        or one whose content changed, gets a new version in its history. Its signature
        goes with the old row (it is recomputed when stories are regrouped) and it keeps
        its story until then."""
        old = conn.execute(
            "SELECT story_id, n_chunks FROM documents WHERE doc_id = ?", (article.doc_id,)
        ).fetchone()
        self._count(conn, len(chunks) - (old[1] if old else 0))
        conn.execute("DELETE FROM documents WHERE doc_id = ?", (article.doc_id,))
        conn.execute(
            f"INSERT INTO documents ({_DOCUMENT_COLUMNS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                old[0] if old else None,
                article.updated_at,
            ),
        )
        conn.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(c.chunk_id, c.doc_id, c.seq, c.start, c.end, c.text, c.embed_text) for c in chunks],
        )
        self._add_version(conn, article)
        self._bump(conn)

    def _add_version(self, conn: sqlite3.Connection, article: Article) -> None:
        last = conn.execute(
            "SELECT seq, content_hash FROM versions WHERE doc_id = ? ORDER BY seq DESC LIMIT 1",
            (article.doc_id,),
        ).fetchone()
        if last is not None and last[1] == article.content_hash:
            return
        conn.execute(
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                article.doc_id,
                (last[0] if last else 0) + 1,
                article.content_hash,
                article.published_at,
                article.updated_at,
                datetime.now(UTC).isoformat(timespec="seconds"),
                article.title,
            ),
        )

    def delete_documents(
        self, conn: sqlite3.Connection, doc_ids: Iterable[str], keep_history: bool = False
    ) -> None:
        """Remove documents, their chunks and (unless ``keep_history``: a document that
        is dropped only to be indexed again) their versions (inside ``transaction()``)."""
        ids = [(d,) for d in doc_ids]
        gone = sum(
            r[0] for (d,) in ids
            for r in conn.execute("SELECT n_chunks FROM documents WHERE doc_id = ?", (d,))
        )
        self._count(conn, -gone)
        conn.executemany("DELETE FROM documents WHERE doc_id = ?", ids)
        if not keep_history:
            conn.executemany("DELETE FROM versions WHERE doc_id = ?", ids)
        self._bump(conn)

    @staticmethod
    def _count(conn: sqlite3.Connection, delta: int) -> None:
        # The chunk count kept in meta (see count_chunks), in the writer's transaction.
        conn.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'chunks'", (delta,)
        )

    def _bump(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
            "SET value = CAST(value AS INTEGER) + 1"
        )

    # -- versions ---------------------------------------------------------------

    def versions(self, doc_id: str) -> list[VersionRow]:
        """A document's versions, first to last (empty for an unknown id)."""
        rows = self._db.execute(
            "SELECT doc_id, seq, content_hash, published_at, updated_at, indexed_at, title "
            "FROM versions WHERE doc_id = ? ORDER BY seq",
            (doc_id,),
        )
        return [VersionRow(*r) for r in rows]

    def updated_documents(self) -> dict[str, tuple[str, str]]:
        """``(first published, updated)`` days of every document updated since it was
        first published: its latest date (``updated_at`` or ``published_at``) is a later
        day than the earliest ``published_at`` of its versions."""
        rows = self._db.execute(
            "SELECT d.doc_id, min(substr(v.published_at, 1, 10)) AS first, "
            "substr(max(coalesce(d.updated_at, ''), coalesce(d.published_at, '')), 1, 10) "
            "AS latest FROM documents d JOIN versions v USING (doc_id) "
            "WHERE v.published_at IS NOT NULL GROUP BY d.doc_id HAVING first < latest"
        )
        return {doc_id: (first, latest) for doc_id, first, latest in rows}

    # -- stories ----------------------------------------------------------------

    def signatures(self) -> dict[str, SignatureRow]:
        """The stored signatures by document id."""
        rows = self._db.execute(
            "SELECT doc_id, content_hash, kind, hashvalues FROM signatures"
        )
        return {r[0]: SignatureRow(*r) for r in rows}

    def put_signatures(self, rows: Iterable[SignatureRow]) -> None:
        """Store signatures (its own transaction); rows of documents no longer indexed
        are left out."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO signatures SELECT ?, ?, ?, ? "
                "WHERE EXISTS (SELECT 1 FROM documents WHERE doc_id = ?)",
                [(r.doc_id, r.content_hash, r.kind, r.hashvalues, r.doc_id) for r in rows],
            )

    def story_members(self) -> list[tuple[str, str, str | None, str | None]]:
        """``(doc_id, story_id, source, published_at)`` of every document in a story of
        two or more."""
        rows = self._db.execute(
            "SELECT doc_id, coalesce(story_id, doc_id), source, published_at FROM documents "
            "WHERE (story_id IS NOT NULL AND story_id != doc_id) OR doc_id IN (SELECT "
            "story_id FROM documents WHERE story_id IS NOT NULL AND story_id != doc_id)"
        )
        return rows.fetchall()

    def _in(self, sql: str, values: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of ``sql`` (with one ``IN ({})``) for ``values``, 500 at a time."""
        for i in range(0, len(values), 500):
            part = list(values[i : i + 500])
            yield from self._db.execute(sql.format(",".join("?" * len(part))), part)

    def signatures_of(self, doc_ids: Iterable[str]) -> dict[str, SignatureRow]:
        """The stored signatures of some documents."""
        sql = "SELECT doc_id, content_hash, kind, hashvalues FROM signatures WHERE doc_id IN ({})"
        return {r[0]: SignatureRow(*r) for r in self._in(sql, list(doc_ids))}

    def stories_of(self, doc_ids: Iterable[str]) -> set[str]:
        """The story ids of some documents (a document alone is its own story)."""
        sql = "SELECT coalesce(story_id, doc_id) FROM documents WHERE doc_id IN ({})"
        return {r[0] for r in self._in(sql, list(doc_ids))}

    def story_docs(self, story_ids: Iterable[str]) -> set[str]:
        """The documents of some stories."""
        ids = list(story_ids)
        out: set[str] = set()
        for i in range(0, len(ids), 400):
            part = ids[i : i + 400]
            marks = ",".join("?" * len(part))
            # Two indexed lookups: with OR, SQLite scans every document (texts included).
            out.update(r[0] for r in self._db.execute(
                f"SELECT doc_id FROM documents WHERE story_id IN ({marks}) UNION "
                f"SELECT doc_id FROM documents WHERE doc_id IN ({marks})", part + part,
            ))
        return out

    def put_bands(self, bands: Mapping[str, Sequence[tuple[int, int]]]) -> None:
        """Replace the LSH band keys of some documents (an empty list removes them)."""
        with self._db:
            self._db.executemany(
                "DELETE FROM story_bands WHERE doc_id = ?", [(d,) for d in bands]
            )
            self._db.executemany(
                "INSERT INTO story_bands VALUES (?, ?, ?)",
                [(d, band, key) for d, keys in bands.items() for band, key in keys],
            )

    def reset_bands(self, bands: Mapping[str, Sequence[tuple[int, int]]], kind: str) -> None:
        """Write the band table whole (every signed document's keys) and record its kind."""
        with self._db:
            self._db.execute("DELETE FROM story_bands")
            self._db.executemany(
                "INSERT INTO story_bands VALUES (?, ?, ?)",
                [(d, band, key) for d, keys in bands.items() for band, key in keys],
            )
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('story_bands', ?)", (kind,))

    def band_candidates(self, keys: Sequence[tuple[int, int]]) -> set[str]:
        """Documents sharing at least one band key."""
        out: set[str] = set()
        for band, key in keys:
            out.update(r[0] for r in self._db.execute(
                "SELECT doc_id FROM story_bands WHERE band = ? AND key = ?", (band, key)
            ))
        return out

    def set_stories(
        self, stories: Mapping[str, str], only: Iterable[str] | None = None
    ) -> int:
        """Record the story of each document (``doc_id -> story_id``; a document not
        listed is a story of its own), of every document or of those in ``only``. Bumps
        the generation when anything changed, so what was derived from the old groups is
        rebuilt. Returns the documents whose story changed."""
        with self._db:
            if only is None:
                found: Iterable[tuple[Any, ...]] = self._db.execute(
                    "SELECT doc_id, story_id FROM documents")
            else:
                found = self._in("SELECT doc_id, story_id FROM documents WHERE doc_id IN ({})",
                                 list(only))
            current = {r[0]: r[1] or r[0] for r in found}
            changed = [
                (None if stories.get(d, d) == d else stories[d], d)
                for d, story in current.items()
                if stories.get(d, d) != story
            ]
            self._db.executemany("UPDATE documents SET story_id = ? WHERE doc_id = ?", changed)
            if changed:
                self._bump(self._db)
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('stories_generation', ?)",
                (str(self.generation()),),
            )
        return len(changed)

    def stories_current(self) -> bool:
        """Whether the stories were grouped at the current generation."""
        return self.get_meta("stories_generation") == str(self.generation())

    def bands_current(self, kind: str) -> bool:
        """Whether the band table was written whole with bands of ``kind`` (then kept up
        to date document by document)."""
        return self.get_meta("story_bands") == kind

    # -- feedback ---------------------------------------------------------------

    def add_feedback(
        self, rating: str, question: str, comment: str, data: Mapping[str, Any],
        created_at: str | None = None,
    ) -> FeedbackRow:
        """Store one piece of feedback (its own transaction); ``created_at`` defaults to
        now (UTC). Returns it with its id."""
        at = created_at or datetime.now(UTC).isoformat(timespec="seconds")
        text = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO feedback (created_at, rating, question, comment, data) "
                "VALUES (?, ?, ?, ?, ?)", (at, rating, question, comment, text),
            )
        return FeedbackRow(int(cursor.lastrowid or 0), at, rating, question, comment,
                           json.loads(text))

    def feedbacks(self, rating: str | None = None) -> list[FeedbackRow]:
        """Stored feedback, oldest first; only that of ``rating`` when given."""
        select = "SELECT id, created_at, rating, question, comment, data FROM feedback"
        rows = (self._db.execute(f"{select} WHERE rating = ? ORDER BY id", (rating,))
                if rating else self._db.execute(f"{select} ORDER BY id"))
        return [FeedbackRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def update_feedback(
        self, feedback_id: int, rating: str | None = None, comment: str | None = None
    ) -> bool:
        """Change the rating or the comment of stored feedback; False when there is none
        of that id."""
        with self._db:
            cursor = self._db.execute(
                "UPDATE feedback SET rating = coalesce(?, rating), "
                "comment = coalesce(?, comment) WHERE id = ?", (rating, comment, feedback_id),
            )
        return cursor.rowcount > 0

    def delete_feedback(self, feedback_id: int) -> bool:
        """Forget stored feedback (a reader took it back); False when there is none."""
        with self._db:
            cursor = self._db.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,))
        return cursor.rowcount > 0

    # -- embedding cache ------------------------------------------------------

    @staticmethod
    def cache_key(model: str, text: str) -> str:
        """Cache key of an embedding: model and exact text."""
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def cached_vectors(self, keys: Sequence[str]) -> dict[str, list[float]]:
        """Cached vectors for the keys that have one."""
        sql = "SELECT key, vector FROM embed_cache WHERE key IN ({})"
        return {key: np.frombuffer(blob, dtype=np.float32).tolist()
                for key, blob in self._in(sql, list(keys))}

    def cached_matrix(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cached vectors as one float32 matrix (row i for ``keys[i]``, zeros when absent)
        and a boolean array saying which rows were found."""
        blobs: dict[str, bytes] = dict(
            self._in("SELECT key, vector FROM embed_cache WHERE key IN ({})", list(keys))
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

    def prune_cache(self, model: str, added: int | None = None) -> bool:
        """Drop cached vectors no current chunk uses (keeps the cache from growing forever).

        Pruning reads every chunk, so with ``added`` (entries cached since the last call)
        it waits until the entries added since the last prune reach a fifth of the
        chunks: the cache stays within about 1.2 times what is used, and a run that adds
        one article does not read a million chunks. Returns whether it pruned."""
        if added is not None:
            pending = int(self.get_meta("cache_added") or 0) + added
            if pending < max(1000, self.count_chunks() // 5):
                self.set_meta("cache_added", str(pending))
                return False
        self.set_meta("cache_added", "0")
        live = {
            self.cache_key(model, r[0]) for r in self._db.execute("SELECT embed_text FROM chunks")
        }
        stale = [(k,) for (k,) in self._db.execute("SELECT key FROM embed_cache") if k not in live]
        with self._db:
            self._db.executemany("DELETE FROM embed_cache WHERE key = ?", stale)
        return True
