"""The keyword index: BM25 (bm25s) over the same chunks as the vector store.

Built from the catalog at the end of an indexing run that changed something,
saved to disk with the catalog generation it reflects, and loaded (not
rebuilt) by queries. It also keeps, per chunk, the day number and outlet code
so that date and outlet filters cost a vector mask, not a database query, and
the chunk's unit embedding, so that a *filtered* dense search is an exact scan
of the masked rows (Chroma's metadata-filtered query costs hundreds of ms at
100k chunks; its unfiltered query stays the path for unfiltered searches).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from index.catalog import ChunkRow
from index.dates import day_number

_STEMMER = Stemmer.Stemmer("english")
NO_DAY = -1


def normalize_source(name: str | None) -> str:
    """Outlet names compared loosely: case, spacing and a leading 'The' do not matter."""
    if not name:
        return ""
    key = " ".join(name.lower().replace("’", "'").split())
    return key[4:] if key.startswith("the ") else key


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed word tokens (same for chunks and queries)."""
    out = bm25s.tokenize(
        texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )
    return [list(tokens) for tokens in out]  # type: ignore[union-attr]


@dataclass
class KeywordIndex:
    """BM25 over chunk texts plus per-chunk filter columns."""

    bm25: bm25s.BM25 | None
    chunk_ids: list[str]
    doc_ids: list[str]
    days: np.ndarray  # int32 day numbers, NO_DAY when unknown
    source_codes: np.ndarray  # int32 index into sources, -1 when unknown
    sources: list[str]  # normalised outlet names
    generation: int
    # float32 unit vectors, row i for chunk i; None when the vectors were unavailable
    # (filtered dense searches then go to Chroma with a where clause).
    vectors: np.ndarray | None = None
    # Per outlet code: its rows and a contiguous copy of their vectors, made on first use,
    # so an outlet-filtered search reads only that outlet's vectors.
    _blocks: dict[int, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(
        cls, rows: Iterable[ChunkRow], generation: int, vectors: np.ndarray | None = None
    ) -> KeywordIndex:
        """Index chunk rows (their embed_text: title, outlet, date and text); ``vectors``
        holds their embeddings in the same order (normalised here)."""
        chunk_ids: list[str] = []
        doc_ids: list[str] = []
        texts: list[str] = []
        days: list[int] = []
        codes: list[int] = []
        source_index: dict[str, int] = {}
        for row in rows:
            chunk_ids.append(row.chunk_id)
            doc_ids.append(row.doc_id)
            texts.append(row.embed_text)
            days.append(day_number(row.published_at) or NO_DAY)
            key = normalize_source(row.source)
            codes.append(source_index.setdefault(key, len(source_index)) if key else -1)
        bm25 = None
        if texts:
            bm25 = bm25s.BM25()
            bm25.index(tokenize(texts), show_progress=False)
        return cls(
            bm25=bm25,
            chunk_ids=chunk_ids,
            doc_ids=doc_ids,
            days=np.asarray(days, dtype=np.int32),
            source_codes=np.asarray(codes, dtype=np.int32),
            sources=list(source_index),
            generation=generation,
            vectors=None if vectors is None else unit_rows(vectors),
        )

    def __len__(self) -> int:
        return len(self.chunk_ids)

    @property
    def has_vectors(self) -> bool:
        """Whether every chunk's vector is here (filtered dense searches can scan them)."""
        return self.vectors is not None and len(self.vectors) == len(self.chunk_ids) > 0

    def save(self, directory: Path) -> None:
        """Write atomically: a reader sees the old index or the new one, never a mix."""
        tmp = directory.with_name(directory.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(tmp / "bm25"))
        np.save(tmp / "days.npy", self.days)
        np.save(tmp / "source_codes.npy", self.source_codes)
        # An empty array records "no vectors were available" (no rebuild on every open).
        vectors = self.vectors if self.vectors is not None else np.zeros((0, 0), np.float32)
        np.save(tmp / "vectors.npy", vectors)
        (tmp / "columns.json").write_text(
            json.dumps(
                {
                    "chunk_ids": self.chunk_ids,
                    "doc_ids": self.doc_ids,
                    "sources": self.sources,
                    "generation": self.generation,
                }
            )
        )
        old = directory.with_name(directory.name + f".old{os.getpid()}")
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex | None:
        """The saved index, or None when there is none (or it is unreadable)."""
        try:
            columns = json.loads((directory / "columns.json").read_text())
            bm25 = bm25s.BM25.load(str(directory / "bm25")) if columns["chunk_ids"] else None
            vectors_file = directory / "vectors.npy"
            # Memory-mapped: pages are read when a filtered search touches them.
            vectors = np.load(vectors_file, mmap_mode="r") if vectors_file.exists() else None
            return cls(
                bm25=bm25,
                chunk_ids=columns["chunk_ids"],
                doc_ids=columns["doc_ids"],
                days=np.load(directory / "days.npy"),
                source_codes=np.load(directory / "source_codes.npy"),
                sources=columns["sources"],
                generation=int(columns["generation"]),
                vectors=vectors,
            )
        except (OSError, ValueError, KeyError):
            return None

    def mask(
        self, since: int | None = None, until: int | None = None, sources: list[str] | None = None
    ) -> np.ndarray | None:
        """Boolean mask of chunks passing the filters, or None for no filter."""
        if since is None and until is None and not sources:
            return None
        keep = np.ones(len(self.chunk_ids), dtype=bool)
        if since is not None:
            keep &= self.days >= since
        if until is not None:
            keep &= (self.days <= until) & (self.days != NO_DAY)
        if sources:
            wanted = [self.sources.index(s) for s in sources if s in self.sources]
            keep &= np.isin(self.source_codes, np.asarray(wanted, dtype=np.int32))
        return keep

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query."""
        tokens = tokenize([query])[0]
        if self.bm25 is None or not tokens:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        ids = self.bm25.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    @staticmethod
    def top(
        scores: np.ndarray, n: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``n`` (row, score) pairs of precomputed scores with a positive score, best
        first; rows outside ``mask`` are left out."""
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        if n <= 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def nearest(
        self,
        vector: np.ndarray,
        n: int,
        mask: np.ndarray | None = None,
        sources: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        """The ``n`` rows most cosine-similar to ``vector`` among those in ``mask`` and,
        when given, from ``sources`` (normalised outlet names), best first, by an exact
        scan (needs ``vectors``)."""
        if not self.has_vectors:
            raise ValueError("this keyword index holds no vectors")
        assert self.vectors is not None
        query = unit_rows(np.asarray(vector, dtype=np.float32)[None, :])[0]
        if sources:
            codes = [self.sources.index(s) for s in dict.fromkeys(sources) if s in self.sources]
            blocks = [self._block(code) for code in codes]
            rows = np.concatenate([b[0] for b in blocks] or [np.zeros(0, dtype=np.int64)])
            sims = np.concatenate(
                [_dot(b[1], query) for b in blocks] or [np.zeros(0, dtype=np.float32)]
            )
            if mask is not None:
                keep = mask[rows]
                rows, sims = rows[keep], sims[keep]
        else:
            rows = np.arange(len(self.chunk_ids)) if mask is None else np.flatnonzero(mask)
            sims = _dot(np.asarray(self.vectors[rows], dtype=np.float32), query)
        n = min(n, len(rows))
        if n <= 0:
            return []
        top = np.argpartition(-sims, n - 1)[:n]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(rows[i]), float(sims[i])) for i in top]

    def _block(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        block = self._blocks.get(code)
        if block is None:
            assert self.vectors is not None
            rows = np.flatnonzero(self.source_codes == code)
            block = (rows, np.ascontiguousarray(self.vectors[rows], dtype=np.float32))
            self._blocks[code] = block
        return block


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    # einsum's own single-threaded loop, not BLAS: a memory-bound matrix-vector product
    # gains little from threads, and BLAS threads competing with busy cores (or with the
    # embedding model and the LLM in this process) were 2x slower when measured.
    return np.einsum("ij,j->i", matrix, vector)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    m = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)
