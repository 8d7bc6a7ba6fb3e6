"""Hybrid retrieval: dense vectors (Chroma) and BM25, fused, with metadata hints.

One entry: :meth:`HybridRetriever.search` (per-call options: k, dates, outlet, mode; and a
:class:`SearchTimings` of the caller's to fill with where the time went). Results are
llama-index ``NodeWithScore`` objects; the retriever keeps no per-search state, so
concurrent searches do not mix their figures.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from llama_index.core.schema import NodeWithScore, TextNode
from opentelemetry.util.types import AttributeValue

from index.catalog import ChunkRow
from index.dates import parse_day
from index.embedding import NewsEmbedding
from index.keyword import KeywordIndex
from index.outlets import normalize_source
from index.store import IndexStore, Provenance
from index.vectors import chroma_where
from rag.errors import UserError
from rag.query.hints import QueryHints, key_phrases, parse_hints
from rag.settings import RetrievalSettings
from rag.tracing import tracer

# One thread per process for the dense side of hybrid searches (see _candidates); two
# lets two concurrent searches overlap too.
_SIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rag-dense")


@dataclass(frozen=True)
class Filters:
    """Hard filters: only chunks inside the date range and from these outlets."""

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls, since: str | None, until: str | None, sources: Iterable[str] = ()
    ) -> Filters:
        """Filters from a front end's fields: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``
        (``until`` a month or year means its last day); a bad date, or a ``since`` after
        ``until``, is a user error."""
        first, last = parse_day(since), parse_day(until, end=True)
        if first and last and first > last:
            raise UserError(f"since {since} is after until {until}: nothing can match")
        return cls(first, last, tuple(sources))

    def narrowed(self, since: date | None, until: date | None) -> Filters:
        """These filters within ``since`` .. ``until`` as well; the user's own range is
        kept where the two do not meet."""
        lo = max(d for d in (self.since, since) if d) if self.since or since else None
        hi = min(d for d in (self.until, until) if d) if self.until or until else None
        if lo and hi and lo > hi:
            return self
        return Filters(lo, hi, self.sources)

    @property
    def since_day(self) -> int | None:
        return self.since.toordinal() if self.since else None

    @property
    def until_day(self) -> int | None:
        return self.until.toordinal() if self.until else None


@dataclass
class SearchTimings:
    """Where the time of one search went, in milliseconds."""

    embed_ms: float = 0.0
    dense_ms: float = 0.0
    keyword_ms: float = 0.0
    fuse_ms: float = 0.0


@dataclass
class Candidates:
    """Ranked candidate chunk ids from each retriever, best first, with raw scores."""

    dense: list[tuple[str, float]] = field(default_factory=list)
    keyword: list[tuple[str, float]] = field(default_factory=list)


def rrf_fuse(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: sum of ``w / (k + rank)``, rank from 1."""
    fused: dict[str, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, cid in enumerate(ranking, 1):
            fused[cid] += weight / (k + rank)
    return dict(fused)


def score_fuse(scored: list[list[tuple[str, float]]], weights: list[float]) -> dict[str, float]:
    """Weighted sum of min-max normalised scores (a missing candidate scores 0)."""
    fused: dict[str, float] = defaultdict(float)
    for items, weight in zip(scored, weights, strict=True):
        if not items:
            continue
        values = np.array([s for _, s in items], dtype=np.float64)
        lo, hi = float(values.min()), float(values.max())
        span = hi - lo if hi > lo else 1.0
        for cid, s in items:
            fused[cid] += weight * ((s - lo) / span if hi > lo else 1.0)
    return dict(fused)


def cap_per_doc(
    ranked: list[tuple[str, float]], doc_of: dict[str, str], cap: int, k: int
) -> list[tuple[str, float]]:
    """The first ``k`` items with at most ``cap`` from one document, or from one story
    when ``doc_of`` maps chunks to their story: one wire story carried by five outlets
    then takes ``cap`` places, not five times ``cap``."""
    taken: dict[str, int] = defaultdict(int)
    out = []
    for cid, score in ranked:
        doc = doc_of[cid]
        if taken[doc] >= cap:
            continue
        taken[doc] += 1
        out.append((cid, score))
        if len(out) == k:
            break
    return out


def filter_attributes(filters: Filters | None) -> dict[str, AttributeValue]:
    """Span attributes of hard filters (only those set)."""
    out: dict[str, AttributeValue] = {}
    if filters and filters.since:
        out["rag.filters.since"] = filters.since.isoformat()
    if filters and filters.until:
        out["rag.filters.until"] = filters.until.isoformat()
    if filters and filters.sources:
        out["rag.filters.sources"] = list(filters.sources)
    return out


def search_attributes(
    query: str, k: int, filters: Filters | None, mode: str, hits: list[NodeWithScore],
    timings: SearchTimings,
) -> dict[str, AttributeValue]:
    """Span attributes of one search. The query is identified by a hash, not sent."""
    out: dict[str, AttributeValue] = {
        "rag.query.sha256": hashlib.sha256(query.strip().encode()).hexdigest()[:16],
        "rag.query.length": len(query.strip()),
        "rag.k": k,
        "rag.search_mode": mode,
        "rag.hits": len(hits),
        "rag.embed_ms": round(timings.embed_ms, 2),
        "rag.dense_ms": round(timings.dense_ms, 2),
        "rag.keyword_ms": round(timings.keyword_ms, 2),
        "rag.fuse_ms": round(timings.fuse_ms, 2),
        **filter_attributes(filters),
    }
    if hits:
        out["rag.top_score"] = float(hits[0].score or 0.0)
    return out


class HybridRetriever:
    """Dense + keyword retrieval over one :class:`IndexStore`."""

    def __init__(
        self, store: IndexStore, embedder: NewsEmbedding, settings: RetrievalSettings
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings

    def known_sources(self) -> list[str]:
        """The normalised outlet names of the indexed articles."""
        return list(self.store.keyword().sources)

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        max_per_doc: int | None = None,
        mode: str = "hybrid",
        use_hints: bool = True,
        timings: SearchTimings | None = None,
    ) -> list[NodeWithScore]:
        """The ``k`` best chunks for ``query``, as llama-index nodes with metadata.

        ``mode`` is ``hybrid`` (default), ``dense`` or ``keyword`` (for comparisons);
        ``timings``, when given, gets where the time went. Traced as a ``rag.retrieve``
        span (under the current span: an answer's)."""
        timings = timings if timings is not None else SearchTimings()
        with tracer().start_as_current_span("rag.retrieve") as span:
            hits = self._search(query, k, filters, max_per_doc, mode, use_hints, timings)
            if span.is_recording():
                span.set_attributes(search_attributes(
                    query, k or self.settings.k, filters, mode, hits, timings))
            return hits

    def _search(
        self,
        query: str,
        k: int | None,
        filters: Filters | None,
        max_per_doc: int | None,
        mode: str,
        use_hints: bool,
        timings: SearchTimings,
    ) -> list[NodeWithScore]:
        query = query.strip()
        if not query:
            raise UserError("the query is empty")
        s = self.settings
        k = k or s.k
        filters = filters or Filters()
        cap = max_per_doc or s.max_chunks_per_doc
        kw = self.store.keyword()
        if len(kw) == 0:
            raise UserError("the index is empty: run `rag index PATH...` first")
        hints = parse_hints(query, kw.sources) if use_hints else QueryHints()
        n = max(s.candidates, k * 4)

        cands = self._candidates(query, kw, filters, hints, n, mode, timings)
        t0 = time.perf_counter()
        if mode == "dense":
            fused = {cid: sc for cid, sc in cands.dense}
        elif mode == "keyword":
            fused = {cid: sc for cid, sc in cands.keyword}
        elif s.fusion == "rrf":
            fused = rrf_fuse(
                [[c for c, _ in cands.dense], [c for c, _ in cands.keyword]],
                [s.dense_weight, s.keyword_weight],
                s.rrf_k,
            )
        else:
            fused = score_fuse([cands.dense, cands.keyword], [s.dense_weight, s.keyword_weight])
        rows = self.store.catalog.chunks(list(fused))
        fused = {cid: sc for cid, sc in fused.items() if cid in rows}
        if hints and fused and mode == "hybrid":
            fused = self._apply_hints(fused, rows, hints)
        phrases = key_phrases(query, kw.sources) if use_hints and mode == "hybrid" else []
        if phrases and fused:
            fused = self._apply_phrases(fused, rows, phrases)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
        provenance = self.store.provenance()
        story_of = {cid: provenance.stories.story(rows[cid].doc_id) for cid in fused}
        top = cap_per_doc(ranked, story_of, cap, k)
        timings.fuse_ms = (time.perf_counter() - t0) * 1000
        return [NodeWithScore(node=to_node(rows[cid], provenance), score=score)
                for cid, score in top]

    def _candidates(
        self,
        query: str,
        kw: KeywordIndex,
        filters: Filters,
        hints: QueryHints,
        n: int,
        mode: str,
        timings: SearchTimings,
    ) -> Candidates:
        out = Candidates()
        sources = [normalize_source(x) for x in filters.sources]
        # Extra candidate pools restricted to each outlet the question names, so that
        # the named outlet's articles are in the running even when others match better.
        pools: list[list[str] | None] = [sources or None]
        if not sources:
            pools += [[src] for src in hints.sources]
        # The dense side (query embedding, ANN query, vector scans: numpy, ONNX and
        # Chroma release the GIL) runs on a second thread while this one scores BM25.
        dense = (_SIDE.submit(self._dense_side, query, kw, filters, pools, n, timings)
                 if mode in ("hybrid", "dense") else None)
        if mode in ("hybrid", "keyword"):
            t0 = time.perf_counter()
            scores = kw.scores(query)
            seen_rows: set[int] = set()
            for i, pool in enumerate(pools):
                mask = kw.mask(filters.since_day, filters.until_day, pool)
                for row, score in kw.top(scores, n if i == 0 else n // 2, mask):
                    if row not in seen_rows:
                        seen_rows.add(row)
                        out.keyword.append((kw.chunk_ids[row], score))
            out.keyword.sort(key=lambda item: -item[1])
            timings.keyword_ms = (time.perf_counter() - t0) * 1000
        if dense is not None:
            out.dense = dense.result()
        return out

    def _dense_side(
        self,
        query: str,
        kw: KeywordIndex,
        filters: Filters,
        pools: list[list[str] | None],
        n: int,
        timings: SearchTimings,
    ) -> list[tuple[str, float]]:
        """Dense candidates over every pool, best first."""
        t0 = time.perf_counter()
        vector = self.embedder.get_query_embedding(query)
        timings.embed_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        seen: set[str] = set()
        out: list[tuple[str, float]] = []
        for i, pool in enumerate(pools):
            for cid, score in self._dense(vector, kw, filters, pool, n if i == 0 else n // 2):
                if cid not in seen:
                    seen.add(cid)
                    out.append((cid, score))
        out.sort(key=lambda item: -item[1])
        timings.dense_ms = (time.perf_counter() - t0) * 1000
        return out

    def _dense(
        self,
        vector: list[float],
        kw: KeywordIndex,
        filters: Filters,
        pool: list[str] | None,
        n: int,
    ) -> list[tuple[str, float]]:
        """The ``n`` nearest chunks within the filters and outlet pool. Unfiltered: the
        vector store's ANN index. Filtered: an exact scan of the matching rows of the
        keyword index's vectors (Chroma's filtered query is far slower at scale)."""
        where = chroma_where(filters.since_day, filters.until_day, pool)
        if where is None or not kw.has_vectors:
            return [(h.chunk_id, h.score) for h in self.store.vectors.query(vector, n, where)]
        mask = kw.mask(filters.since_day, filters.until_day)  # the pool's outlets: below
        return [
            (kw.chunk_ids[row], score)
            for row, score in kw.nearest(np.asarray(vector, dtype=np.float32), n, mask, pool)
        ]

    def _apply_phrases(
        self, fused: dict[str, float], rows: dict[str, ChunkRow], phrases: list[str]
    ) -> dict[str, float]:
        """Chunks that hold the question's names as written ("Camp Taji", not "camp" here
        and "Taji" there) move up: bag-of-words scores cannot tell the two apart."""
        top = max(fused.values()) or 1.0
        weight = self.settings.phrase_boost
        wanted = [p.casefold() for p in phrases]
        out = {}
        for cid, score in fused.items():
            text = f"{rows[cid].title} {rows[cid].text}".casefold()
            share = sum(p in text for p in wanted) / len(wanted)
            out[cid] = score / top + weight * share
        return out

    def _apply_hints(
        self, fused: dict[str, float], rows: dict[str, ChunkRow], hints: QueryHints
    ) -> dict[str, float]:
        top = max(fused.values()) or 1.0
        boost = self.settings.metadata_boost
        days = [date.fromisoformat(rows[c].published_at or "").toordinal()
                for c in fused if rows[c].published_at] if hints.latest else []
        oldest, newest = (min(days), max(days)) if days else (0, 0)
        out = {}
        for cid, score in fused.items():
            row = rows[cid]
            bonus = 0.0
            if hints.sources and normalize_source(row.source) in hints.sources:
                bonus += 1.0
            if hints.date_ranges and row.published_at:
                day = date.fromisoformat(row.published_at).toordinal()
                if any(a <= day <= b for a, b in hints.date_ranges):
                    bonus += 1.0
            if hints.latest and row.published_at and newest > oldest:
                # "the latest": newer candidates first, by their place in the dates found
                day = date.fromisoformat(row.published_at).toordinal()
                bonus += (day - oldest) / (newest - oldest)
            out[cid] = score / top + boost * bonus
        return out


def to_node(row: ChunkRow, provenance: Provenance | None = None) -> TextNode:
    """A chunk as a llama-index node; metadata carries what citations show (with
    ``provenance``: its story and the other outlets that carried it, and the dates of an
    updated article)."""
    metadata: dict[str, object] = {
        "doc_id": row.doc_id,
        "chunk_id": row.chunk_id,
        "seq": row.seq,
        "title": row.title,
        "source": row.source,
        "published_at": row.published_at,
        "url": row.url,
        "start": row.start,
        "end": row.end,
    }
    if provenance is not None:
        metadata.update(story_metadata(row.doc_id, row.source, provenance))
    return TextNode(id_=row.chunk_id, text=row.text, metadata=metadata)


def story_metadata(
    doc_id: str, source: str | None, provenance: Provenance
) -> dict[str, object]:
    """A document's story id, the other outlets of its story (earliest first, each once,
    its own outlet left out) and, when it was updated, its first-published and updated
    days."""
    stories = provenance.stories
    out: dict[str, object] = {"story_id": stories.story(doc_id)}
    seen = {normalize_source(source)}
    also: list[str] = []
    for member in stories.others(doc_id):
        key = normalize_source(member.source)
        if member.source and key not in seen:
            seen.add(key)
            also.append(member.source)
    if also:
        out["also_carried_by"] = also
    if doc_id in provenance.updated:
        out["first_published_at"], out["updated_at"] = provenance.updated[doc_id]
    return out
