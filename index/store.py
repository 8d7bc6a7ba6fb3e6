"""The index on disk: catalog, vector store and keyword index, opened together."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index import stories
from index.catalog import Catalog, ChunkRow, SignatureRow
from index.errors import IndexMismatchError
from index.keyword import KeywordIndex
from index.stories import StoryMap
from index.vectors import VectorStore, make_client


@dataclass
class Provenance:
    """What a source line says beyond a chunk's own row, read from the catalog once per
    generation: the stories of two or more articles (who else carried it) and, for
    articles updated since first published, their ``(first published, updated)`` days."""

    generation: int = -1
    stories: StoryMap = field(default_factory=StoryMap)
    updated: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, catalog: Catalog) -> Provenance:
        """The catalog's stories and updated articles as of now."""
        generation = catalog.generation()
        return cls(
            generation,
            StoryMap.build(catalog.story_members(), generation),
            catalog.updated_documents(),
        )


class IndexStore:
    """Everything the index holds, under one data directory.

    ``index_dir`` holds ``catalog.sqlite3``, ``keyword/`` and (in embedded mode)
    ``chroma/``. With a Chroma server, vectors live there instead.
    """

    def __init__(
        self,
        index_dir: Path,
        embed_model: str,
        chroma_url: str | None = None,
        collection: str = "articles",
        client: Any = None,
        reset: bool = False,
    ) -> None:
        self.index_dir = index_dir
        self.embed_model = embed_model
        self.catalog = Catalog(index_dir / "catalog.sqlite3")
        client = client or make_client(index_dir / "chroma", chroma_url)
        if reset:
            self.catalog.reset()
            with contextlib.suppress(Exception):  # absent collection: nothing to delete
                client.delete_collection(collection)
        built_with = self.catalog.get_meta("embed_model")
        if built_with and built_with != embed_model:
            raise IndexMismatchError(
                f"the index at {index_dir} was built with embedding model {built_with!r}, but "
                f"this run uses {embed_model!r}: rebuild it with `rag index --rebuild PATH...` "
                "(or switch the embedding settings back)"
            )
        self.vectors = VectorStore(client, collection, embed_model, None)
        self._keyword: KeywordIndex | None = None
        self._provenance: Provenance | None = None

    @property
    def keyword_dir(self) -> Path:
        return self.index_dir / "keyword"

    def keyword(self) -> KeywordIndex:
        """The keyword index in step with the catalog: loaded once, rebuilt only when stale
        (after an interrupted run) or missing."""
        generation = self.catalog.generation()
        if self._keyword is None or self._keyword.generation != generation:
            loaded = KeywordIndex.load(self.keyword_dir)
            # An index saved before it kept vectors is rebuilt once, like a stale one.
            if (
                loaded is None
                or loaded.generation != generation
                or (loaded.vectors is None and len(loaded) > 0)
            ):
                loaded = self.rebuild_keyword()
            self._keyword = loaded
        return self._keyword

    def rebuild_keyword(self) -> KeywordIndex:
        """Build the keyword index from the catalog and save it."""
        rows = list(self.catalog.iter_chunks())
        built = KeywordIndex.build(rows, self.catalog.generation(), self._vector_matrix(rows))
        built.save(self.keyword_dir)
        self._keyword = built
        return built

    def provenance(self) -> Provenance:
        """Stories and updated articles, cached until the catalog generation changes
        (regrouping stories bumps it too)."""
        cached = self._provenance
        if cached is None or cached.generation != self.catalog.generation():
            cached = self._provenance = Provenance.read(self.catalog)
        return cached

    def regroup_stories(self) -> int:
        """Group near-duplicate documents into stories (:mod:`index.stories`) and record
        them in the catalog. Signatures are computed only for documents that have none
        of the current kind for their content; returns how many documents changed story."""
        docs = self.catalog.documents()
        stored = self.catalog.signatures()
        fresh: list[SignatureRow] = []
        members: list[stories.StoryDoc] = []
        for d in docs.values():
            row = stored.get(d.doc_id)
            if row is None or row.kind != stories.SIGNATURE_KIND or (
                row.content_hash != d.content_hash
            ):
                values = stories.signature(self.catalog.document_text(d.doc_id) or "")
                blob = stories.to_bytes(values) if values is not None else None
                row = SignatureRow(d.doc_id, d.content_hash, stories.SIGNATURE_KIND, blob)
                fresh.append(row)
            hashvalues = stories.from_bytes(row.hashvalues) if row.hashvalues else None
            members.append(stories.StoryDoc(d.doc_id, d.published_at, hashvalues))
        if fresh:
            self.catalog.put_signatures(fresh)
        return self.catalog.set_stories(stories.group(members))

    def _vector_matrix(self, rows: list[ChunkRow]) -> np.ndarray | None:
        """The chunks' vectors in row order: from the embedding cache, the rest from the
        vector store; None when some are nowhere (the store is being repaired)."""
        if not rows:
            return None
        keys = [Catalog.cache_key(self.embed_model, r.embed_text) for r in rows]
        matrix, found = self.catalog.cached_matrix(keys)
        missing = [i for i in range(len(rows)) if not found[i]]
        if missing:
            stored = self.vectors.get_vectors([rows[i].chunk_id for i in missing])
            if len(stored) < len(missing):
                return None
            if matrix.shape[1] == 0:
                dim = len(next(iter(stored.values())))
                matrix = np.zeros((len(rows), dim), dtype=np.float32)
            for i in missing:
                matrix[i] = stored[rows[i].chunk_id]
        return matrix

    def close(self) -> None:
        """Release the catalog connection."""
        self.catalog.close()
