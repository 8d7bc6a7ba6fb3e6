"""The catalog's database: a connection per thread, write transactions, the index's
own facts (``meta``: the generation counter, the chunk count) and the helpers every
table's methods share."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.catalog.schema import SCHEMA, SCHEMA_VERSION, migrate


class Database:
    """The SQLite database beneath the catalog; the tables' methods build on it."""

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
        """Bring a catalog of an older schema up to date (see :func:`migrate`)."""
        if self.get_meta("schema") == str(SCHEMA_VERSION):
            return
        migrate(self._db)

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

    def _in(self, sql: str, values: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of ``sql`` (with one ``IN ({})``) for ``values``, 500 at a time."""
        for i in range(0, len(values), 500):
            part = list(values[i : i + 500])
            yield from self._db.execute(sql.format(",".join("?" * len(part))), part)

