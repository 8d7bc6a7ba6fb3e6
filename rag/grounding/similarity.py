"""Sentence similarity from the embedding model: each distinct sentence is embedded once
per process, not once per question.

Ranking a passage's sentences against a question was 95 % of an extractive answer's
time (0.74 of 0.77 s on the seeds), and the same passages come back question after
question. :class:`VectorCache` keeps unit vectors by exact text (bounded, least
recently used out); the composition root hands one to the answerer and the summarizer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from index.embedding import NewsEmbedding

# ~1.5 kB a sentence (384 float32 and the text): 50,000 sentences are about 75 MB.
DEFAULT_CACHED_SENTENCES = 50_000


class VectorCache:
    """Unit vectors by text, shared by every answer of a process (thread-safe, LRU)."""

    def __init__(self, max_items: int = DEFAULT_CACHED_SENTENCES) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors of ``texts`` (those not cached are left out)."""
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for t in texts:
                v = self._items.get(t)
                if v is not None:
                    self._items.move_to_end(t)
                    out[t] = v
            self.hits += len(out)
            self.misses += len(texts) - len(out)
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        """Keep vectors (the least recently used go beyond ``max_items``)."""
        with self._lock:
            self._items.update(items)
            for t in items:
                self._items.move_to_end(t)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class CachedSimilarity:
    """Cosine similarity of texts; each distinct text is embedded once (batched), and
    once per process when a shared :class:`VectorCache` is given."""

    def __init__(self, embedder: NewsEmbedding, shared: VectorCache | None = None) -> None:
        self.embedder = embedder
        self.shared = shared
        self._vectors: dict[str, np.ndarray] = {}

    def _ensure(self, texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if todo and self.shared is not None:
            self._vectors.update(self.shared.get_many(todo))
            todo = [t for t in todo if t not in self._vectors]
        if not todo:
            return
        vectors = np.asarray(self.embedder.encode(todo), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.clip(norms, 1e-12, None)
        fresh = dict(zip(todo, vectors, strict=True))
        self._vectors.update(fresh)
        if self.shared is not None:
            self.shared.put_many(fresh)

    def __call__(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        if not a or not b:
            return np.zeros((len(a), len(b)), dtype=np.float32)
        self._ensure([*a, *b])
        va = np.stack([self._vectors[t] for t in a])
        vb = np.stack([self._vectors[t] for t in b])
        scores: np.ndarray = va @ vb.T
        return scores
