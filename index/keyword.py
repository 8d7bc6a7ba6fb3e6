"""The keyword index: BM25 over the same chunks as the vector store, in segments.

The index is a list of immutable segments (:mod:`index.segments`) and, per segment,
the rows deleted since it was written, named by a manifest that is replaced
atomically. An indexing run adds a small segment per batch it commits and marks the
rows of replaced or removed chunks deleted; small segments are merged by a tiered
policy. Work is in proportion to the change, not to the corpus, and a reader sees the
old manifest or the new one, never a mix. The manifest records the catalog
generation it reflects; a reader that finds it behind (a writer between its catalog
commit and its manifest, or killed there) catches up in memory from the catalog.

Beside the postings, each row keeps its day number and outlet code, so that date and
outlet filters cost a vector mask, not a database query, and the chunk's unit
embedding, so that a *filtered* dense search is an exact scan of the masked rows
(Chroma's metadata-filtered query costs hundreds of ms at 100k chunks; its unfiltered
query stays the path for unfiltered searches).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import Stemmer

from index.catalog import ChunkRow
from index.segments import (
    MAX_SEGMENT_ROWS,
    NO_DAY,
    Segment,
    bm25_idf,
    concat,
    merge,
    merge_plan,
    tokenize_ids,
)

__all__ = ["NO_DAY", "KeywordIndex", "tokenize", "unit_rows"]

_STEMMER = Stemmer.Stemmer("english")
FORMAT = 2
MANIFEST = "manifest.json"


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed word tokens (same for chunks and queries)."""
    ids, vocab = tokenize_ids(texts, _STEMMER)
    words = sorted(vocab, key=vocab.__getitem__)
    return [[words[i] for i in row if words[i]] for row in ids]


def _segment_name() -> str:
    # Never reused: a reader keeps segments it loaded by name across manifests.
    return f"seg-{uuid.uuid4().hex[:16]}"


class KeywordIndex:
    """BM25 over chunk texts plus per-chunk filter columns, over segments.

    Rows are numbered across segments in manifest order; ``chunk_ids[row]`` and the
    column arrays are indexed by row and include deleted rows (which never score and
    never pass a mask).
    """

    def __init__(
        self,
        segments: Sequence[Segment],
        generation: int,
        deleted: Mapping[str, Iterable[int]] | None = None,
    ) -> None:
        self.segments = list(segments)
        self.generation = generation
        self.deleted: dict[str, np.ndarray] = {}
        for name, rows in (deleted or {}).items():
            arr = np.unique(np.asarray(list(rows), dtype=np.int64))
            if len(arr):
                self.deleted[name] = arr
        sizes = [len(s) for s in self.segments]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.rows = int(self.offsets[-1])  # deleted ones included
        index: dict[str, int] = {}
        self._to_global: list[np.ndarray] = []
        for seg in self.segments:
            codes = [index.setdefault(s, len(index)) for s in seg.sources]
            self._to_global.append(np.asarray([*codes, -1], dtype=np.int32))
        self.sources: list[str] = list(index)
        self._source_code = index
        self.days = concat([np.asarray(s.days) for s in self.segments], np.int32)
        self.source_codes = concat(
            [m[np.asarray(s.codes)] for s, m in zip(self.segments, self._to_global, strict=True)],
            np.int32,
        )
        self._seg_live: list[np.ndarray | None] = []
        for seg in self.segments:
            gone = self.deleted.get(seg.name)
            if gone is None:
                self._seg_live.append(None)
            else:
                live = np.ones(len(seg), dtype=bool)
                live[gone[gone < len(seg)]] = False
                self._seg_live.append(live)
        self.live: np.ndarray | None = None
        if self.deleted:
            self.live = concat(
                [np.ones(len(s), bool) if m is None else m
                 for s, m in zip(self.segments, self._seg_live, strict=True)],
                bool,
            )
        lengths = concat([np.asarray(s.lengths) for s in self.segments], np.int64)
        live_lengths = lengths if self.live is None else lengths[self.live]
        self.n_live = len(live_lengths)
        self.avg_length = float(live_lengths.mean()) if self.n_live else 1.0

    @cached_property
    def chunk_ids(self) -> list[str]:
        """The chunk id of every row (made on first use: a writer seldom needs it)."""
        return [c for s in self.segments for c in s.chunk_ids]

    @cached_property
    def doc_ids(self) -> list[str]:
        """The document id of every row."""
        return [d for s in self.segments for d in s.doc_ids]

    # -- building ---------------------------------------------------------------------

    @classmethod
    def build(
        cls, rows: Iterable[ChunkRow], generation: int, vectors: np.ndarray | None = None
    ) -> KeywordIndex:
        """Index chunk rows (their embed_text: title, outlet, date and text); ``vectors``
        holds their embeddings in the same order (normalised here)."""
        rows = list(rows)
        segments = [
            _new_segment(rows[i : i + MAX_SEGMENT_ROWS],
                         None if vectors is None else vectors[i : i + MAX_SEGMENT_ROWS])
            for i in range(0, len(rows), MAX_SEGMENT_ROWS)
        ]
        return cls(segments, generation)

    def with_changes(
        self,
        added: Sequence[ChunkRow],
        vectors: np.ndarray | None,
        removed: Iterable[str],
        generation: int,
    ) -> KeywordIndex:
        """This index with ``added`` rows in a new segment and the rows of ``removed``
        chunk ids deleted, tagged ``generation`` (nothing on disk changes)."""
        deleted = {name: list(rows) for name, rows in self.deleted.items()}
        gone = set(removed)
        if gone:
            for seg in self.segments:
                rows = [r for cid in gone if (r := seg.position(cid)) is not None]
                if rows:
                    deleted.setdefault(seg.name, []).extend(rows)
        segments = list(self.segments)
        if added:
            segments.append(_new_segment(list(added), vectors))
        return KeywordIndex(segments, generation, deleted)

    def merged(self) -> KeywordIndex:
        """This index with the merges :func:`index.segments.merge_plan` asks for done."""
        sizes = [(len(s), len(self.deleted.get(s.name, ()))) for s in self.segments]
        plan = merge_plan(sizes)
        if not plan:
            return self
        replaced: dict[int, Segment | None] = {}
        for group in plan:
            parts = [(self.segments[i], _mask_of(self._seg_live[i])) for i in group]
            out = merge(_segment_name(), parts)
            replaced[group[0]] = out if len(out) else None
            for i in group[1:]:
                replaced[i] = None
        segments: list[Segment] = []
        for i, seg in enumerate(self.segments):
            if i in replaced:
                new = replaced[i]
                if new is not None:
                    segments.append(new)
            else:
                segments.append(seg)
        kept = {s.name for s in segments}
        return KeywordIndex(
            segments, self.generation,
            {n: r for n, r in self.deleted.items() if n in kept},
        )

    # -- disk -------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the segments not yet on disk, then the manifest (atomically), then
        remove segments no manifest names any more."""
        directory.mkdir(parents=True, exist_ok=True)
        for seg in self.segments:
            if not (directory / seg.name / "columns.json").exists():
                seg.save(directory)
        manifest = {
            "format": FORMAT,
            "generation": self.generation,
            "segments": [
                {"name": s.name, "deleted": self.deleted.get(s.name, np.zeros(0)).tolist()}
                for s in self.segments
            ],
        }
        tmp = directory / f"{MANIFEST}.tmp{os.getpid()}"
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, directory / MANIFEST)
        names = {s.name for s in self.segments}
        for child in directory.iterdir():
            # A reader still holding a removed segment keeps its memory-mapped files.
            if child.is_dir() and child.name not in names:
                shutil.rmtree(child, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, reuse: KeywordIndex | None = None) -> KeywordIndex | None:
        """The saved index (segments already in ``reuse`` are not read again), or None
        when there is none or it cannot be read."""
        known = {s.name: s for s in reuse.segments} if reuse is not None else {}
        for _ in range(3):  # a writer may remove a segment between manifest and read
            try:
                manifest = json.loads((directory / MANIFEST).read_text())
                if manifest.get("format") != FORMAT:
                    return None
                segments = [
                    known.get(entry["name"]) or Segment.load(directory / entry["name"])
                    for entry in manifest["segments"]
                ]
                deleted = {e["name"]: e["deleted"] for e in manifest["segments"] if e["deleted"]}
                return cls(segments, int(manifest["generation"]), deleted)
            except FileNotFoundError:
                if not (directory / MANIFEST).exists():
                    return None
            except (OSError, ValueError, KeyError):
                return None
        return None

    # -- queries ----------------------------------------------------------------------

    def __len__(self) -> int:
        """Live rows (deleted ones are not counted)."""
        return self.n_live

    def live_ids(self) -> list[str]:
        """The chunk ids of the live rows."""
        if self.live is None:
            return list(self.chunk_ids)
        return [c for c, keep in zip(self.chunk_ids, self.live, strict=True) if keep]

    @property
    def has_vectors(self) -> bool:
        """Whether every live chunk's vector is here (filtered dense searches can scan
        them); a segment whose rows are all deleted does not count."""
        return self.n_live > 0 and all(
            s.vectors is not None and len(s.vectors) == len(s)
            for s, live in zip(self.segments, self._seg_live, strict=True)
            if live is None or live.any()
        )

    def mask(
        self, since: int | None = None, until: int | None = None, sources: list[str] | None = None
    ) -> np.ndarray | None:
        """Boolean mask of live chunks passing the filters, or None for no filter."""
        if since is None and until is None and not sources:
            return None
        keep = np.ones(self.rows, dtype=bool) if self.live is None else self.live.copy()
        if since is not None:
            keep &= self.days >= since
        if until is not None:
            keep &= (self.days <= until) & (self.days != NO_DAY)
        if sources:
            wanted = {self._source_code[s] for s in sources if s in self._source_code}
            outlets = np.zeros(self.rows, dtype=bool)
            for code in wanted:  # an equality per outlet: cheaper than np.isin's sort
                outlets |= self.source_codes == code
            keep &= outlets
        return keep

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for the query (0 for deleted rows). Document counts,
        frequencies and lengths are those of all live rows, whatever their segment (the
        term-frequency part is cached per segment and term while the average length
        moves less than ``index.segments.AVG_TOLERANCE``)."""
        out = np.zeros(self.rows, dtype=np.float32)
        tokens = tokenize([query])[0]
        if not tokens or not self.n_live:
            return out
        for token, times in Counter(tokens).items():
            hits: list[tuple[int, np.ndarray, np.ndarray]] = []
            df = 0
            for i, seg in enumerate(self.segments):
                found = seg.tf_part(token, self.avg_length)
                if found is None:
                    continue
                rows, part = found
                live = self._seg_live[i]
                if live is not None:
                    keep = live[rows]
                    rows, part = rows[keep], part[keep]
                df += len(rows)
                hits.append((i, rows, part))
            if not df:
                continue
            idf = np.float32(bm25_idf(df, self.n_live) * times)
            for i, rows, part in hits:
                # A term's postings name each row once: a plain indexed add is exact.
                seg_out = out[self.offsets[i] : self.offsets[i + 1]]
                seg_out[rows] += idf * part
        return out

    @staticmethod
    def top(
        scores: np.ndarray, n: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``n`` (row, score) pairs of precomputed scores with a positive score, best
        first; rows outside ``mask`` are left out."""
        if mask is not None:
            scores = np.where(mask, scores, np.float32(0))
        return [(int(i), float(scores[i])) for i in _top_rows(scores, n)]

    def nearest(
        self,
        vector: np.ndarray,
        n: int,
        mask: np.ndarray | None = None,
        sources: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        """The ``n`` live rows most cosine-similar to ``vector`` among those in ``mask``
        and, when given, from ``sources`` (normalised outlet names), best first, by an
        exact scan (needs ``has_vectors``)."""
        if not self.has_vectors:
            raise ValueError("this keyword index holds no vectors")
        query = unit_rows(np.asarray(vector, dtype=np.float32)[None, :])[0]
        wanted = list(dict.fromkeys(s for s in sources or () if s in self._source_code))
        all_rows: list[np.ndarray] = []
        all_sims: list[np.ndarray] = []
        for i, seg in enumerate(self.segments):
            off = int(self.offsets[i])
            live = self._seg_live[i]
            if live is not None and not live.any():
                continue  # every row deleted (kept without vectors until a merge drops it)
            if sources:
                blocks = [seg.block(seg.sources.index(s)) for s in wanted if s in seg.sources]
                if not blocks:
                    continue
                rows = np.concatenate([b[0] for b in blocks])
                sims = np.concatenate([_dot(b[1], query) for b in blocks])
                keep = np.ones(len(rows), dtype=bool)
                if live is not None:
                    keep &= live[rows]
                if mask is not None:
                    keep &= mask[off + rows]
                rows, sims = rows[keep], sims[keep]
            else:
                allowed = np.ones(len(seg), dtype=bool) if live is None else live
                if mask is not None:
                    allowed = allowed & mask[off : off + len(seg)]
                rows = np.flatnonzero(allowed)
                assert seg.vectors is not None
                sims = _dot(np.asarray(seg.vectors[rows], dtype=np.float32), query)
            all_rows.append(off + rows)
            all_sims.append(sims)
        if not all_rows:
            return []
        rows, sims = np.concatenate(all_rows), np.concatenate(all_sims)
        n = min(n, len(rows))
        if n <= 0:
            return []
        top = np.argpartition(-sims, n - 1)[:n]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(rows[i]), float(sims[i])) for i in top]


def _new_segment(rows: list[ChunkRow], vectors: np.ndarray | None) -> Segment:
    tokenized = tokenize_ids([r.embed_text for r in rows], _STEMMER)
    unit = None if vectors is None else unit_rows(vectors)
    return Segment.build(_segment_name(), rows, tokenized, unit)


def _top_rows(values: np.ndarray, n: int) -> np.ndarray:
    """The rows of the ``n`` largest positive values, largest first (ties: the lower
    row). Exact: a threshold is taken from a sample so that only the few rows at or
    above it are sorted; every row above the n-th largest value is at or above it."""
    if n <= 0 or not len(values):
        return np.zeros(0, dtype=np.int64)
    rows: np.ndarray | None = None
    if len(values) > 64 * n and len(values) > 50_000:
        sample = values[:: max(1, len(values) // (64 * n))]
        k = max(1, len(sample) * 4 * n // len(values))  # ~4n rows expected above it
        threshold = np.partition(sample, len(sample) - k)[len(sample) - k]
        if threshold > 0:
            above = np.flatnonzero(values >= threshold)
            if len(above) >= n:
                rows = above
    if rows is None:
        rows = np.flatnonzero(values > 0)
        if len(rows) <= n:
            return rows[np.lexsort((rows, -values[rows]))]
    candidates = values[rows]
    nth = np.partition(candidates, len(rows) - n)[len(rows) - n]
    picked = rows[candidates >= nth]  # every tie of the n-th value, sorted out below
    order = np.lexsort((picked, -values[picked]))
    best: np.ndarray = picked[order[:n]]
    return best


def _mask_of(live: np.ndarray | None) -> np.ndarray | None:
    return None if live is None else ~live


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    # einsum's own single-threaded loop, not BLAS: a memory-bound matrix-vector product
    # gains little from threads, and BLAS threads competing with busy cores (or with the
    # embedding model and the LLM in this process) were 2x slower when measured.
    out: np.ndarray = np.einsum("ij,j->i", matrix, vector)
    return out


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    m = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)
