"""Incremental indexing: read, skip what is unchanged, clean, chunk, embed, store.

Write order keeps the index consistent if the process dies at any point: new
vectors are written first (under new, content-derived chunk ids), then the
catalog is committed, then the old vectors are deleted. A crash leaves at most
orphan vectors, which the next run removes ("reconcile"). Each committed batch
then goes into the keyword index as a new segment (:mod:`index.keyword`); a run killed
before that leaves the keyword index behind the catalog, and it is caught up from the
catalog. A large import writes every batch's text (catalog, keyword segment) before it
embeds any, so all of it is searchable by keyword while it embeds; a crash then leaves
documents with no vectors, which reconcile drops to be indexed again.

Stories (near-duplicates grouped, :mod:`index.stories`) are derived from the
catalog and regrouped at the end of a run that changed documents and after
``remove`` (only the stories the changes touch), and in ``reconcile`` (all of them:
a run killed between its catalog commit and the regrouping leaves the index dirty,
so the next run regroups). Regrouping that moves a document bumps the generation,
and the keyword index is stamped with it, so every cache keyed on the generation
agrees.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from index.catalog import Catalog, DocumentRow
from index.chunking import TokenCounter, chunk_article
from index.dates import day_number
from index.documents import Article, Chunk, SourceRecord
from index.embedding import NewsEmbedding, embed_sorted
from index.errors import InputError
from index.loaders import Ignored, iter_files, read_file, to_article
from index.outlets import normalize_source
from index.store import IndexStore
from index.web.fetch import Fetcher
from index.web.sources import complete, is_url, read_urls, url_list

# (done, in all, label): the label is the document just read, or EMBEDDING while a large
# import embeds what it has read (done then counts articles embedded).
Progress = Callable[[int, int, str], None]
EMBEDDING = "(embedding)"
PIPELINE_VERSION = "clean-2"
# A run of at least this many articles records its progress for the chat's status line.
IMPORT_SIZE = 100


@dataclass
class IndexReport:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    chunks: int = 0  # chunks written in this run
    embedded: int = 0  # chunks that needed the embedding model (not cached)
    total_chunks: int = 0  # chunks in the index afterwards
    seconds: float = 0.0
    errors: list[InputError] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)  # passed over by folder walks
    # Seconds spent per stage (load, clean, chunk, embed, cache, vectors, catalog, stories,
    # keyword).
    stages: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the time spent inside the block to ``stages[stage]``."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.stages[stage] = self.stages.get(stage, 0.0) + time.perf_counter() - t0

    def summary(self) -> str:
        """The one-line summary printed at the end of a run."""
        rate = self.chunks / self.seconds if self.seconds > 0 else 0.0
        ignored = f", {len(self.ignored)} ignored" if self.ignored else ""
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {self.failed} failed{ignored}; {self.chunks} chunks written "
            f"({self.embedded} embedded, {rate:.1f} chunks/s), {self.total_chunks} in index; "
            f"{self.seconds:.1f} s"
        )


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    is_update: bool


@dataclass
class _Written:
    """A batch in the catalog and keyword index, not embedded yet."""

    chunk_ids: list[str]
    articles: int


class VectorRow(Protocol):
    """What goes into the vector store beside a chunk's vector (a catalog
    :class:`~index.catalog.ChunkRow` has it)."""

    @property
    def chunk_id(self) -> str: ...
    @property
    def doc_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def published_at(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...


@dataclass(frozen=True)
class _Stored:
    """A new chunk's :class:`VectorRow`."""

    chunk_id: str
    doc_id: str
    seq: int
    text: str
    published_at: str | None
    source: str | None

    @classmethod
    def of(cls, chunk: Chunk, article: Article) -> _Stored:
        return cls(chunk.chunk_id, chunk.doc_id, chunk.seq, chunk.text,
                   article.published_at, article.source)


class Indexer:
    """Brings the index in step with a set of input files."""

    def __init__(
        self,
        store: IndexStore,
        embedder: NewsEmbedding,
        count_tokens: TokenCounter,
        chunk_tokens: int,
        overlap_tokens: int,
        batch_chunks: int = 256,
    ) -> None:
        self.store = store
        self.catalog: Catalog = store.catalog
        self.embedder = embedder
        self.count_tokens = count_tokens
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.batch_chunks = batch_chunks
        self.pipeline = f"{PIPELINE_VERSION};chunk={chunk_tokens}/{overlap_tokens}"
        self._changed: set[str] = set()  # documents written or removed in this run
        self._affected: set[str] = set()  # the stories they were in before

    def run(
        self,
        paths: Iterable[Path],
        prune: bool = False,
        progress: Progress | None = None,
        *,
        urls: Sequence[str] = (),
        records: Sequence[SourceRecord | InputError] = (),
        fetcher: Fetcher | None = None,
    ) -> IndexReport:
        """Index ``paths`` (files and folders), ``urls`` (pages, feeds, sitemaps: fetched
        with ``fetcher``) and ready ``records`` (a feed sync's). Bad inputs are reported,
        not fatal. A text file that only lists URLs is read as those URLs."""
        started = time.perf_counter()
        report = IndexReport()
        self._prepare()
        generation = self.catalog.generation()
        stories_current = self.catalog.stories_current()
        same_pipeline = self.catalog.get_meta("pipeline") == self.pipeline
        origins: set[str] = set()
        batch = self._gather(paths, urls, records, fetcher, origins, report)
        # Only the documents named in this run are looked up, unless pruning needs all.
        known = self.catalog.documents(None if prune else [r.doc_id for r in batch])
        batch = self._complete(batch, known, same_pipeline, fetcher, report)
        seen = {r.doc_id: r.origin for r in batch}
        try:
            self._index_records(batch, known, same_pipeline, report, progress)
        finally:
            self.embedder.end_bulk()
            if len(batch) >= IMPORT_SIZE:
                self.catalog.clear_import()  # finished or stopped: no import under way

        if prune:
            gone = [
                d.doc_id
                for d in known.values()
                if d.doc_id not in seen and _gone_file(d.origin, origins)
            ]
            self._remove(gone)
            report.removed = len(gone)

        self.catalog.set_meta("pipeline", self.pipeline)
        # Only a run that changed documents regroups stories (an interrupted run's
        # leftovers were reconciled by _prepare); an unchanged run never loads the keyword
        # index. A catalog whose stories were never grouped (made before stories existed)
        # is grouped once. Regrouping that moved a document bumped the generation: the
        # keyword index is stamped with it.
        if self.catalog.generation() != generation or not stories_current:
            before = self.catalog.generation()
            with report.timed("stories"):
                self._regroup(incremental=stories_current)
            with report.timed("keyword"):
                self.store.commit_keyword(before)
        if self.catalog.generation() != generation:
            with report.timed("cache"):
                self.catalog.prune_cache(self.store.embed_model, report.embedded)
        self.catalog.set_meta("dirty", "0")
        report.failed = len(report.errors)
        report.total_chunks = self.catalog.count_chunks()
        report.seconds = time.perf_counter() - started
        return report

    def _index_records(
        self,
        batch: list[SourceRecord],
        known: dict[str, DocumentRow],
        same_pipeline: bool,
        report: IndexReport,
        progress: Progress | None,
    ) -> None:
        """Clean, chunk, embed and write the new and changed records, a batch at a time
        (a large import records how far it is after each batch). A large import writes
        every batch's text first (catalog and keyword index: searchable by keyword within
        minutes), then embeds the batches; a run killed in between leaves documents
        without vectors, which the next run's reconcile drops and indexes again."""
        pending: list[_Pending] = []
        pending_chunks = 0
        total = len(batch)
        large = total >= IMPORT_SIZE
        unembedded: list[_Written] = []
        for done, rec in enumerate(batch, 1):
            old = known.get(rec.doc_id)
            if _unchanged(old, rec, same_pipeline):
                report.unchanged += 1
            else:
                try:
                    with report.timed("clean"):
                        article = to_article(rec)
                except InputError as exc:
                    report.errors.append(exc)
                else:
                    with report.timed("chunk"):
                        chunks = chunk_article(
                            article, self.count_tokens, self.chunk_tokens, self.overlap_tokens
                        )
                    pending.append(_Pending(article, chunks, old is not None))
                    pending_chunks += len(chunks)
                    if pending_chunks >= self.batch_chunks:
                        unembedded += self._write(pending, report, embed=not large)
                        pending, pending_chunks = [], 0
                        if large:
                            self.catalog.set_import(done, total, embedded=0)
            if progress:
                progress(done, total, rec.doc_id)
        unembedded += self._write(pending, report, embed=not large)
        self._embed_written(unembedded, report, total, progress)

    def _embed_written(
        self, batches: list[_Written], report: IndexReport, total: int,
        progress: Progress | None,
    ) -> None:
        """Embed batches already in the catalog and keyword index: vectors into the store,
        and the keyword segments written again with their vectors (filtered searches scan
        them)."""
        embedded = 0
        if batches:
            self.catalog.set_import(total, total, embedded=0)
            if progress:
                progress(0, total, EMBEDDING)
        for written in batches:
            found = self.catalog.chunks(written.chunk_ids)
            rows = [found[c] for c in written.chunk_ids if c in found]
            vectors = self._embed([r.embed_text for r in rows], report)
            self._add_vectors(rows, vectors, report)
            ids = [r.chunk_id for r in rows]
            with report.timed("keyword"):
                self.store.commit_keyword(
                    self.catalog.generation(), ids, ids, np.asarray(vectors, np.float32)
                )
            embedded += written.articles
            self.catalog.set_import(total, total, embedded=embedded)
            if progress:
                progress(embedded, total, EMBEDDING)

    def _gather(
        self,
        paths: Iterable[Path],
        urls: Sequence[str],
        records: Sequence[SourceRecord | InputError],
        fetcher: Fetcher | None,
        origins: set[str],
        report: IndexReport,
    ) -> list[SourceRecord]:
        """Every input's records, once each (a second record of an id is an error)."""
        with report.timed("load"):
            files, listed = self._files(paths, origins, report)
        wanted = [*urls, *listed]
        if wanted and fetcher is None:
            raise ValueError("URLs to index but no fetcher")
        with report.timed("fetch"):
            fetched = read_urls(wanted, fetcher) if wanted and fetcher is not None else []
        return self._unique([*files, *fetched, *records], report)

    def _files(
        self, paths: Iterable[Path], origins: set[str], report: IndexReport
    ) -> tuple[list[SourceRecord | InputError], list[str]]:
        """The records of the files under ``paths``, and the URLs of URL-list files (named
        themselves: a list inside a folder is an article, not a reason to go online)."""
        paths = list(paths)
        named = {p.resolve() for p in paths if p.is_file()}
        out: list[SourceRecord | InputError] = []
        listed: list[str] = []
        for item in iter_files(paths):
            if isinstance(item, Ignored):
                report.ignored.append(item)
            elif isinstance(item, InputError):
                report.errors.append(item)
            elif (urls := url_list(item) if item.resolve() in named else None) is not None:
                origins.add(str(item.resolve()))
                listed.extend(urls)
            else:
                origins.add(str(item.resolve()))
                out.extend(read_file(item))
        return out, listed

    @staticmethod
    def _unique(
        items: Iterable[SourceRecord | InputError], report: IndexReport
    ) -> list[SourceRecord]:
        seen: dict[str, str] = {}
        records: list[SourceRecord] = []
        for rec in items:
            if isinstance(rec, InputError):
                report.errors.append(rec)
            elif rec.doc_id in seen and is_url(rec.origin) and is_url(seen[rec.doc_id]):
                continue  # one page reached twice (a feed and a sitemap): one document
            elif rec.doc_id in seen:
                report.errors.append(
                    InputError(
                        rec.origin,
                        f"duplicate document id {rec.doc_id!r} (also in {seen[rec.doc_id]})",
                    )
                )
            else:
                seen[rec.doc_id] = rec.origin
                records.append(rec)
        return records

    def _complete(
        self,
        records: list[SourceRecord],
        known: dict[str, DocumentRow],
        same_pipeline: bool,
        fetcher: Fetcher | None,
        report: IndexReport,
    ) -> list[SourceRecord]:
        """Fetch the pages of changed feed items that carry only a summary; an unchanged
        item is skipped later without a fetch."""
        todo = [r for r in records if r.fields.get("needs_page")
                and not _unchanged(known.get(r.doc_id), r, same_pipeline)]
        if not todo or fetcher is None:
            return records
        asked = {r.doc_id for r in todo}
        with report.timed("fetch"):
            done = {r.doc_id: r for r in self._unique(complete(todo, fetcher), report)}
        return [done.get(r.doc_id, r) for r in records
                if r.doc_id not in asked or r.doc_id in done]

    def remove(self, doc_ids: Sequence[str]) -> int:
        """Remove documents by id; returns how many were indexed."""
        self._prepare()
        known = self.catalog.documents(doc_ids)
        present = [d for d in doc_ids if d in known]
        incremental = self.catalog.stories_current()
        self._remove(present)
        before = self.catalog.generation()
        self._regroup(incremental)
        self.store.commit_keyword(before)
        self.catalog.set_meta("dirty", "0")
        return len(present)

    def _regroup(self, incremental: bool) -> None:
        """Regroup the stories the run's changes touch, or all of them."""
        if incremental:
            self.store.regroup_stories(self._changed, self._affected)
        else:
            self.store.regroup_stories()
        self._changed, self._affected = set(), set()

    def _prepare(self) -> None:
        self._changed, self._affected = set(), set()
        if self.catalog.get_meta("embed_model") is None:
            self.catalog.set_meta("embed_model", self.store.embed_model)
        if self.catalog.get_meta("dirty") == "1":
            self.reconcile()
        if not self.catalog.count_chunks():
            # An empty index is built with this pipeline from the first batch on, so a
            # first run that is killed leaves documents the next run can skip.
            self.catalog.set_meta("pipeline", self.pipeline)
        self.catalog.set_meta("dirty", "1")

    def reconcile(self) -> int:
        """Make the vector store match the catalog after an interrupted run.

        Deletes vectors the catalog does not know; a document some of whose
        vectors are missing is dropped from the catalog so the next run indexes
        it again. Returns the number of vectors deleted.
        """
        stored = self.store.vectors.ids()
        wanted = set(self.catalog.chunk_ids())
        orphans = sorted(stored - wanted)
        self.store.vectors.delete(orphans)
        missing_docs = {cid.rsplit(":", 2)[0] for cid in wanted - stored}
        missing = [d for d in self.catalog.documents() if d in missing_docs]
        if missing:
            with self.catalog.transaction() as conn:
                # dropped to be indexed again: its versions stay
                self.catalog.delete_documents(conn, missing, keep_history=True)
        self.store.regroup_stories()
        self.store.commit_keyword(since=-1)  # compared with the catalog, not trusted
        return len(orphans)

    def _remove(self, doc_ids: Sequence[str]) -> None:
        if not doc_ids:
            return
        old_ids = [cid for d in doc_ids for cid in self.catalog.chunk_ids(d)]
        self._changed.update(doc_ids)
        self._affected |= self.catalog.stories_of(doc_ids)
        before = self.catalog.generation()
        with self.catalog.transaction() as conn:
            self.catalog.delete_documents(conn, doc_ids)
        self.store.commit_keyword(before, removed=old_ids)
        self.store.vectors.delete(old_ids)

    def _write(
        self, pending: list[_Pending], report: IndexReport, embed: bool = True
    ) -> list[_Written]:
        """Write a batch: its vectors (unless ``embed`` is False: then it is returned, to
        be embedded later), its catalog rows, its keyword segment; then the vectors of the
        chunks it replaced are deleted."""
        if not pending:
            return []
        chunks = [c for p in pending for c in p.chunks]
        by_id = {c.chunk_id: p.article for p in pending for c in p.chunks}
        vectors = None
        if embed:
            vectors = self._embed([c.embed_text for c in chunks], report)
            # New articles' chunk ids are new: they go to the small recent collection
            # (an update rewrites ids the main collection may hold).
            self._add_vectors(
                [_Stored.of(c, by_id[c.chunk_id]) for c in chunks], vectors, report,
                recent=not any(p.is_update for p in pending),
            )
        stale: list[str] = []
        self._changed.update(p.article.doc_id for p in pending)
        self._affected |= self.catalog.stories_of(p.article.doc_id for p in pending if p.is_update)
        before = self.catalog.generation()
        with report.timed("catalog"), self.catalog.transaction() as conn:
            for p in pending:
                if p.is_update:
                    stale.extend(self.catalog.chunk_ids(p.article.doc_id))
                self.catalog.put_document(conn, p.article, p.chunks)
        # Searchable by keyword (and, with vectors, by a filtered dense scan) from here on.
        with report.timed("keyword"):
            self.store.commit_keyword(
                before, [c.chunk_id for c in chunks], stale,
                None if vectors is None else np.asarray(vectors, np.float32),
            )
        fresh = set(by_id)
        with report.timed("vectors"):
            self.store.vectors.delete([cid for cid in stale if cid not in fresh])
        for p in pending:
            if p.is_update:
                report.updated += 1
            else:
                report.added += 1
        report.chunks += len(chunks)
        return [] if embed else [_Written([c.chunk_id for c in chunks], len(pending))]

    def _add_vectors(
        self, chunks: Sequence[VectorRow], vectors: list[list[float]], report: IndexReport,
        recent: bool = False,
    ) -> None:
        with report.timed("vectors"):
            self.store.vectors.add(
                ids=[c.chunk_id for c in chunks],
                vectors=vectors,
                documents=[c.text for c in chunks],
                metadatas=[vector_metadata(c) for c in chunks],
                recent=recent,
            )

    def _embed(self, texts: list[str], report: IndexReport) -> list[list[float]]:
        model = self.store.embed_model
        with report.timed("cache"):
            keys = [Catalog.cache_key(model, t) for t in texts]
            cached = self.catalog.cached_vectors(keys)
        todo = [i for i, k in enumerate(keys) if k not in cached]
        if todo:
            with report.timed("embed"):
                fresh = embed_sorted(self.embedder, [texts[i] for i in todo])
            with report.timed("cache"):
                self.catalog.cache_vectors(
                    (keys[i], v) for i, v in zip(todo, fresh, strict=True)
                )
            for i, v in zip(todo, fresh, strict=True):
                cached[keys[i]] = v
            report.embedded += len(todo)
        return [cached[k] for k in keys]


def _gone_file(origin: str, origins: set[str]) -> bool:
    """Whether a document came from a file that is gone, or from a file of this run that
    no longer holds it ("path#item" for a record of a WARC or feed). Documents from URLs
    are never pruned by file: they go with ``rag remove``."""
    if is_url(origin):
        return False
    path = origin.split("#", 1)[0]
    return not Path(path).exists() or path in origins


def chunk_metadata(chunk: Chunk, article: Article) -> dict[str, str | int | float | bool]:
    """The metadata stored with a chunk's vector (what Chroma filters on)."""
    return vector_metadata(_Stored.of(chunk, article))


def vector_metadata(chunk: VectorRow) -> dict[str, str | int | float | bool]:
    """The metadata stored with a chunk's vector, from its catalog row or the like."""
    # Chroma metadata takes no None, lists or nested values: leave unknowns out.
    meta: dict[str, str | int | float | bool] = {"doc_id": chunk.doc_id, "seq": chunk.seq}
    day = day_number(chunk.published_at)
    if day is not None:
        meta["day"] = day
    if chunk.source:
        meta["source_key"] = normalize_source(chunk.source)
    return meta


def _unchanged(old: DocumentRow | None, rec: SourceRecord, same_pipeline: bool) -> bool:
    """Whether ``rec`` is indexed already as it is (same content, same pipeline)."""
    return old is not None and same_pipeline and old.content_hash == rec.content_hash
