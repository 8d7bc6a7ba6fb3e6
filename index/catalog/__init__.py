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

:class:`Catalog` is made of one part a concern, each in a module of its own: the
database and its facts (:mod:`~index.catalog.database`, tables in
:mod:`~index.catalog.schema`), documents, chunks and versions
(:mod:`~index.catalog.documents`), stories, feedback, the embedding cache and the record
of a running import (:mod:`~index.catalog.progress`).
"""

from __future__ import annotations

from pathlib import Path

from index.catalog.documents import Documents
from index.catalog.embed_cache import EmbeddingCache
from index.catalog.feedback import Feedback
from index.catalog.progress import ImportProgress, ImportState
from index.catalog.rows import ChunkRow, DocumentRow, FeedbackRow, SignatureRow, VersionRow
from index.catalog.schema import SCHEMA, SCHEMA_VERSION
from index.catalog.stories import Stories

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "Catalog",
    "ChunkRow",
    "DocumentRow",
    "FeedbackRow",
    "ImportState",
    "SignatureRow",
    "VersionRow",
]


class Catalog(Documents, Stories, Feedback, EmbeddingCache, ImportProgress):
    """SQLite catalog of documents, chunks and cached embeddings."""

    FILE = "catalog.sqlite3"  # in the index directory

    @classmethod
    def in_index(cls, index_dir: Path) -> Catalog:
        """The catalog of the index in ``index_dir``."""
        return cls(index_dir / cls.FILE)
