"""The catalog's stories: each document's MinHash signature (:mod:`index.stories`; kept
until the document changes, so regrouping does not recompute it), its LSH band keys and
the story it belongs to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from index.catalog.database import Database
from index.catalog.rows import SignatureRow


class Stories(Database):
    """Signatures, band keys and story ids of the catalog's documents."""

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
