"""The catalog's documents, their chunks and their versions (one row each time a
document's content changed)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from index.catalog.database import Database
from index.catalog.rows import ChunkRow, DocumentRow, VersionRow
from index.documents import Article, Chunk

_DOCUMENT_COLUMNS = (
    "doc_id, title, published_at, source, url, author, origin, content_hash, n_chunks, "
    "text, story_id, updated_at"
)

_CHUNK_SELECT = (
    'SELECT c.chunk_id, c.doc_id, c.seq, c.start, c."end", c.text, c.embed_text, '
    "d.title, d.published_at, d.source, d.url FROM chunks c JOIN documents d USING (doc_id)"
)


class Documents(Database):
    """Documents and chunks: read, replaced and deleted in the writer's transaction."""

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

    def count_documents(self) -> int:
        """Number of documents in the index."""
        return int(self._db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def outlets(self) -> list[str]:
        """The outlets named by indexed documents, sorted without regard to case."""
        rows = self._db.execute("SELECT DISTINCT source FROM documents WHERE source != ''")
        return sorted((r[0] for r in rows if r[0]), key=str.lower)

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
