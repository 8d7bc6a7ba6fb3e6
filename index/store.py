"""The index on disk: catalog, vector store and keyword index, opened together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index import stories
from index.catalog import Catalog, ChunkRow, DocumentRow, SignatureRow
from index.errors import IndexMismatchError
from index.keyword import KeywordIndex
from index.stories import StoryMap
from index.vectors import VectorStore, drop_collections, make_client

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


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
        client: ClientAPI | None = None,
        reset: bool = False,
    ) -> None:
        self.index_dir = index_dir
        self.embed_model = embed_model
        self.catalog = Catalog.in_index(index_dir)
        client = client or make_client(index_dir / "chroma", chroma_url)
        if reset:
            self.catalog.reset()
            drop_collections(client, collection)
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
        """The keyword index in step with the catalog. Loaded when the catalog generation
        changes (segments already held are kept); a manifest behind the catalog (a writer
        mid-run, or killed) is caught up in memory; a missing or unreadable one is rebuilt."""
        generation = self.catalog.generation()
        if self._keyword is None or self._keyword.generation != generation:
            loaded = KeywordIndex.load(self.keyword_dir, reuse=self._keyword)
            if loaded is None:
                return self.rebuild_keyword()
            if loaded.generation != generation:
                loaded = self._caught_up(loaded)
            self._keyword = loaded
        return self._keyword

    def rebuild_keyword(self) -> KeywordIndex:
        """Build the keyword index from the whole catalog and save it."""
        rows = list(self.catalog.iter_chunks())
        built = KeywordIndex.build(rows, self.catalog.generation(), self._vector_matrix(rows))
        built.save(self.keyword_dir)
        self._keyword = built
        return built

    def commit_keyword(
        self,
        since: int,
        added: Sequence[str] = (),
        removed: Sequence[str] = (),
        vectors: np.ndarray | None = None,
    ) -> KeywordIndex:
        """Record a committed change in the keyword index (held by the writer): the
        chunks ``added`` (their ``vectors`` in that order, when at hand) and ``removed``
        since the catalog was at generation ``since``. An index not at ``since`` is
        caught up from the catalog instead. Merges due are done, then it is saved."""
        generation = self.catalog.generation()
        current = KeywordIndex.load(self.keyword_dir, reuse=self._keyword)
        if current is None:
            return self.rebuild_keyword()
        if current.generation == generation and not added and not removed:
            self._keyword = current
            return current
        if current.generation == since:
            found = self.catalog.chunks(list(added))
            rows = [found[c] for c in added if c in found]
            if vectors is not None and len(rows) == len(added):
                matrix: np.ndarray | None = np.asarray(vectors, dtype=np.float32)
            else:
                matrix = self._vector_matrix(rows)
            updated = current.with_changes(rows, matrix, removed, generation)
        else:
            updated = self._caught_up(current)
        updated = updated.merged()
        updated.save(self.keyword_dir)
        self._keyword = updated
        return updated

    def _caught_up(self, current: KeywordIndex) -> KeywordIndex:
        """``current`` brought level with the catalog by comparing chunk ids (in memory)."""
        wanted = self.catalog.chunk_ids()
        have = set(current.live_ids())
        wanted_set = set(wanted)
        missing = [c for c in wanted if c not in have]
        found = self.catalog.chunks(missing)
        rows = [found[c] for c in missing if c in found]
        extra = [c for c in have if c not in wanted_set]
        return current.with_changes(
            rows, self._vector_matrix(rows), extra, self.catalog.generation()
        )

    def provenance(self) -> Provenance:
        """Stories and updated articles, cached until the catalog generation changes
        (regrouping stories bumps it too)."""
        cached = self._provenance
        if cached is None or cached.generation != self.catalog.generation():
            cached = self._provenance = Provenance.read(self.catalog)
        return cached

    def regroup_stories(
        self, changed: Iterable[str] | None = None, affected: Iterable[str] = ()
    ) -> int:
        """Group near-duplicate documents into stories (:mod:`index.stories`) and record
        them in the catalog; returns how many documents changed story.

        With ``changed`` (documents added, updated or removed since the stories were
        last grouped) and ``affected`` (the stories those documents were in before), only
        the stories that can have changed are regrouped: the changed documents, the
        documents whose signature shares an LSH band with one of them and is similar
        enough, and the members of all their stories. No edge leaves that set (an
        unchanged document's neighbours are in its story already), so the result is the
        one a whole regrouping gives. Without ``changed``, or when the band table is not
        complete, everything is regrouped."""
        if changed is None or not self.catalog.bands_current(stories.BAND_KIND):
            return self._regroup_all()
        changed = set(changed)
        present = self.catalog.documents(changed)
        signed = self._signatures(present)
        self.catalog.put_bands(
            {d: stories.band_keys(signed[d]) if d in signed else [] for d in changed}
        )
        touched = set(affected) | self.catalog.stories_of(present)
        for doc_id, values in signed.items():
            near = self.catalog.band_candidates(stories.band_keys(values)) - {doc_id}
            for other, row in self.catalog.signatures_of(near).items():
                theirs = stories.from_bytes(row.hashvalues) if row.hashvalues else None
                if theirs is not None and (
                    stories.estimated_jaccard(values, theirs) >= stories.THRESHOLD
                ):
                    touched |= self.catalog.stories_of([other])
        group = self.catalog.story_docs(touched) | set(present)
        docs = self.catalog.documents(group)
        values_of = self._signatures(docs)
        members = [
            stories.StoryDoc(d.doc_id, d.published_at, values_of.get(d.doc_id))
            for d in docs.values()
        ]
        return self.catalog.set_stories(stories.group(members), only=group)

    def _regroup_all(self) -> int:
        docs = self.catalog.documents()
        values_of = self._signatures(docs)
        self.catalog.reset_bands(
            {d: stories.band_keys(v) for d, v in values_of.items()}, stories.BAND_KIND
        )
        members = [
            stories.StoryDoc(d.doc_id, d.published_at, values_of.get(d.doc_id))
            for d in docs.values()
        ]
        return self.catalog.set_stories(stories.group(members))

    def _signatures(self, docs: Mapping[str, DocumentRow]) -> dict[str, np.ndarray]:
        """The signatures of ``docs`` (documents without words have none); those missing,
        of another kind or of older content are computed and stored."""
        stored = self.catalog.signatures_of(docs) if len(docs) < 5000 else (
            self.catalog.signatures()
        )
        fresh: list[SignatureRow] = []
        out: dict[str, np.ndarray] = {}
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
            if hashvalues is not None:
                out[d.doc_id] = hashvalues
        if fresh:
            self.catalog.put_signatures(fresh)
        return out

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
