"""Keyword index segments: immutable parts of the keyword index, as in Lucene.

A segment holds the postings of a set of chunks (for each term: the rows holding it
and how often), each row's token count, its filter columns (day, outlet) and its unit
vector. New chunks go into a new small segment; a removed chunk is a tombstone (its
row is listed as deleted in the manifest) until its segment is merged. Small segments
are merged by a tiered policy (ten of one size become one), so the number of
segments grows with the logarithm of the corpus and no run rewrites the whole index.

Term statistics are *not* stored per segment: BM25's document frequency, document
count and average length are summed over the live rows of every segment at query
time, so a segmented index scores as one built from scratch (bm25s's Lucene BM25,
which :func:`bm25_tf` and :func:`bm25_idf` restate; the term-frequency part, cached per
term, to within ``AVG_TOLERANCE``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import bm25s
import numpy as np

from index.catalog import ChunkRow
from index.dates import day_number
from index.outlets import normalize_source

K1 = 1.5  # bm25s defaults
B = 0.75
NO_DAY = -1
# A segment is never merged past this many rows: building or merging one costs memory
# and seconds in proportion, and a query's cost barely depends on the segment count.
MAX_SEGMENT_ROWS = 250_000
MERGE_FACTOR = 10  # this many segments of one size class are merged into one
# A segment with more than this share of its rows deleted is rewritten without them.
MAX_DELETED_SHARE = 0.3
# A term's cached BM25 tf part is reused while the average row length it was computed
# with is within this share of the current one (scores then differ from a fresh index
# by less than it); a million-chunk corpus that grows by a batch moves it far less.
AVG_TOLERANCE = 1e-3


def bm25_idf(df: float, n_docs: int) -> float:
    """Lucene's BM25 inverse document frequency (as bm25s computes it)."""
    return float(np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)))


def bm25_tf(tf: np.ndarray, length: np.ndarray, avg_length: float) -> np.ndarray:
    """BM25's term-frequency part for postings of the given frequencies and row lengths."""
    out: np.ndarray = tf / (K1 * ((1.0 - B) + B * length / avg_length) + tf)
    return out


@dataclass
class Segment:
    """One immutable segment; rows are numbered from 0 within it."""

    name: str
    chunk_ids: list[str]
    doc_ids: list[str]
    days: np.ndarray  # int32 day numbers, NO_DAY when unknown
    codes: np.ndarray  # int32 index into ``sources``, -1 when unknown
    sources: list[str]  # normalised outlet names
    lengths: np.ndarray  # int32 tokens per row
    terms: dict[str, int]  # term -> position in indptr
    indptr: np.ndarray  # int64, len(terms) + 1: term t's postings are [indptr[t], indptr[t+1])
    rows: np.ndarray  # int32 row of each posting
    tfs: np.ndarray  # uint16 frequency of each posting
    vectors: np.ndarray | None = None  # float32 unit vectors, one per row
    _blocks: dict[int, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _positions: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _float_lengths: np.ndarray | None = field(default=None, repr=False, compare=False)
    _tf_avg: float = field(default=0.0, repr=False, compare=False)
    _tf_cache: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    @property
    def float_lengths(self) -> np.ndarray:
        """The row lengths as float32 (made once)."""
        if self._float_lengths is None:
            self._float_lengths = np.asarray(self.lengths, dtype=np.float32)
        return self._float_lengths

    @classmethod
    def build(
        cls,
        name: str,
        rows: Sequence[ChunkRow],
        tokenized: tuple[list[list[int]], dict[str, int]],
        vectors: np.ndarray | None,
    ) -> Segment:
        """A segment of ``rows``; ``tokenized`` is bm25s's ``(ids, vocab)`` of their
        embed texts (see :func:`tokenize_ids`)."""
        ids, vocab = tokenized
        n = len(rows)
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=n)
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
        owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys, counts = np.unique(flat * max(n, 1) + owner, return_counts=True)
        term_of = keys // max(n, 1)
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_of, minlength=len(vocab)), out=indptr[1:])
        source_index: dict[str, int] = {}
        codes = [
            source_index.setdefault(key, len(source_index)) if key else -1
            for key in (normalize_source(r.source) for r in rows)
        ]
        return cls(
            name=name,
            chunk_ids=[r.chunk_id for r in rows],
            doc_ids=[r.doc_id for r in rows],
            days=np.asarray([day_number(r.published_at) or NO_DAY for r in rows], np.int32),
            codes=np.asarray(codes, dtype=np.int32),
            sources=list(source_index),
            lengths=lengths.astype(np.int32),
            terms=dict(vocab),
            indptr=indptr,
            rows=(keys % max(n, 1)).astype(np.int32),
            tfs=np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16),
            vectors=vectors,
        )

    def tf_part(self, term: str, avg_length: float) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows holding ``term`` and BM25's term-frequency part of each, for an index
        whose rows average ``avg_length`` tokens; cached per term (recomputed when the
        average has moved by more than ``AVG_TOLERANCE``)."""
        t = self.terms.get(term)
        if t is None:
            return None
        if abs(avg_length - self._tf_avg) > AVG_TOLERANCE * avg_length:
            self._tf_cache, self._tf_avg = {}, avg_length
        lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
        rows = self.rows[lo:hi]
        part = self._tf_cache.get(t)
        if part is None:
            part = bm25_tf(self.tfs[lo:hi].astype(np.float32), self.float_lengths[rows],
                           self._tf_avg).astype(np.float32)
            self._tf_cache[t] = part
        return rows, part

    def position(self, chunk_id: str) -> int | None:
        """The row of a chunk id (the lookup is made on first use)."""
        if self._positions is None:
            self._positions = {cid: i for i, cid in enumerate(self.chunk_ids)}
        return self._positions.get(chunk_id)

    def block(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of one outlet (local code) and a contiguous copy of their vectors,
        made on first use (segments never change, so the copy stays valid)."""
        block = self._blocks.get(code)
        if block is None:
            assert self.vectors is not None
            rows = np.flatnonzero(self.codes == code)
            block = (rows, np.ascontiguousarray(self.vectors[rows], dtype=np.float32))
            self._blocks[code] = block
        return block

    # -- disk ---------------------------------------------------------------------

    def save(self, parent: Path) -> None:
        """Write into ``parent/name`` (through a temporary directory renamed at the end, so
        a half-written segment never has the name a manifest refers to)."""
        final = parent / self.name
        tmp = parent / f"{self.name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)  # an unreferenced leftover of a crash
        tmp.mkdir(parents=True)
        for key in ("days", "codes", "lengths", "indptr", "rows", "tfs"):
            np.save(tmp / f"{key}.npy", getattr(self, key))
        vectors = self.vectors if self.vectors is not None else np.zeros((0, 0), np.float32)
        np.save(tmp / "vectors.npy", vectors)
        terms = sorted(self.terms, key=self.terms.__getitem__)
        (tmp / "columns.json").write_text(
            json.dumps(
                {
                    "chunk_ids": self.chunk_ids,
                    "doc_ids": self.doc_ids,
                    "sources": self.sources,
                    "terms": terms,
                }
            )
        )
        tmp.rename(final)

    @classmethod
    def load(cls, path: Path) -> Segment:
        """A saved segment; postings and vectors are memory-mapped (read when touched)."""
        columns = json.loads((path / "columns.json").read_text())

        def array(key: str, mmap: bool = False) -> np.ndarray:
            # A plain array over the mapped file: numpy's memmap subclass costs a Python
            # call on every slice, and a query takes thousands of slices.
            return np.asarray(np.load(path / f"{key}.npy", mmap_mode="r" if mmap else None))

        vectors = array("vectors", mmap=True)
        return cls(
            name=path.name,
            chunk_ids=columns["chunk_ids"],
            doc_ids=columns["doc_ids"],
            days=array("days"),
            codes=array("codes"),
            sources=columns["sources"],
            lengths=array("lengths"),
            terms={t: i for i, t in enumerate(columns["terms"])},
            indptr=array("indptr"),
            rows=array("rows", mmap=True),
            tfs=array("tfs", mmap=True),
            vectors=vectors if vectors.size or not columns["chunk_ids"] else None,
        )


def tokenize_ids(texts: list[str], stemmer: object) -> tuple[list[list[int]], dict[str, int]]:
    """bm25s's tokens of ``texts`` as ids per text and the vocabulary (term -> id)."""
    out = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
    return list(out.ids), dict(out.vocab)


def merge(name: str, parts: Sequence[tuple[Segment, np.ndarray | None]]) -> Segment:
    """One segment of the live rows of ``parts`` (each a segment and its deleted mask,
    None for none), in order; postings are re-sorted, nothing is re-tokenized."""
    terms: dict[str, int] = {}
    post_terms: list[np.ndarray] = []
    post_rows: list[np.ndarray] = []
    post_tfs: list[np.ndarray] = []
    keep_rows: list[np.ndarray] = []
    offset = 0
    for seg, deleted in parts:
        live = np.ones(len(seg), dtype=bool) if deleted is None else ~deleted
        new_row = np.full(len(seg), -1, dtype=np.int64)
        new_row[live] = offset + np.arange(int(live.sum()))
        local = sorted(seg.terms, key=seg.terms.__getitem__)
        to_global = np.asarray([terms.setdefault(t, len(terms)) for t in local], np.int64)
        counts = np.diff(np.asarray(seg.indptr))
        owner = np.repeat(to_global, counts)
        rows = new_row[np.asarray(seg.rows)]
        kept = rows >= 0
        post_terms.append(owner[kept])
        post_rows.append(rows[kept])
        post_tfs.append(np.asarray(seg.tfs)[kept])
        keep_rows.append(np.flatnonzero(live))
        offset += int(live.sum())
    all_terms = concat(post_terms, np.int64)
    all_rows = concat(post_rows, np.int64)
    order = np.lexsort((all_rows, all_terms))
    indptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(np.bincount(all_terms, minlength=len(terms)), out=indptr[1:])
    sources: dict[str, int] = {}
    codes: list[np.ndarray] = []
    for (seg, _), rows_kept in zip(parts, keep_rows, strict=True):
        remap = np.asarray([sources.setdefault(s, len(sources)) for s in seg.sources] + [-1])
        codes.append(remap[np.asarray(seg.codes)[rows_kept]].astype(np.int32))
    kept = [(seg, rows) for (seg, _), rows in zip(parts, keep_rows, strict=True)]
    # A part whose rows are all deleted (embedded later, in a newer segment) has no say.
    filled = [(seg, rows) for seg, rows in kept if len(rows)]
    with_vectors = bool(filled) and all(seg.vectors is not None for seg, _ in filled)
    return Segment(
        name=name,
        chunk_ids=[seg.chunk_ids[i] for seg, rows in kept for i in rows],
        doc_ids=[seg.doc_ids[i] for seg, rows in kept for i in rows],
        days=concat([np.asarray(seg.days)[rows] for seg, rows in kept], np.int32),
        codes=concat(codes, np.int32),
        sources=list(sources),
        lengths=concat([np.asarray(seg.lengths)[rows] for seg, rows in kept], np.int32),
        terms=terms,
        indptr=indptr,
        rows=all_rows[order].astype(np.int32),
        tfs=concat(post_tfs, np.uint16)[order],
        vectors=concat([np.asarray(seg.vectors, dtype=np.float32)[rows] for seg, rows in filled],
                     np.float32) if with_vectors else None,
    )


def concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The arrays end to end as ``dtype`` (an empty one for no arrays)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def size_class(rows: int) -> int:
    """The tier of a segment of ``rows`` live rows: 0 for up to 9, 1 up to 99, ..."""
    tier = 0
    while rows >= MERGE_FACTOR:
        rows //= MERGE_FACTOR
        tier += 1
    return tier


def merge_plan(sizes: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Which segments to merge, given each one's ``(rows, deleted rows)`` in order: any
    ``MERGE_FACTOR`` of one tier become one (if the result stays under
    ``MAX_SEGMENT_ROWS``), and a segment with too many deleted rows is rewritten alone.
    Returns groups of positions; each row ends up in O(log n) merges over its life."""
    groups: list[list[int]] = []
    taken: set[int] = set()
    by_tier: dict[int, list[int]] = {}
    for i, (rows, deleted) in enumerate(sizes):
        by_tier.setdefault(size_class(rows - deleted), []).append(i)
    for members in by_tier.values():
        while len(members) >= MERGE_FACTOR:
            group, members = members[:MERGE_FACTOR], members[MERGE_FACTOR:]
            if sum(sizes[i][0] - sizes[i][1] for i in group) <= MAX_SEGMENT_ROWS:
                groups.append(group)
                taken.update(group)
    for i, (rows, deleted) in enumerate(sizes):
        if i not in taken and rows and deleted / rows > MAX_DELETED_SHARE:
            groups.append([i])
    return groups
