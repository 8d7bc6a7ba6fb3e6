"""Sentence similarity from the embedding model, with a cache for one answer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding


class CachedSimilarity:
    """Cosine similarity of texts; each distinct text is embedded once (batched)."""

    def __init__(self, embedder: BaseEmbedding) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def _ensure(self, texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if not todo:
            return
        encode = getattr(self.embedder, "encode", None)
        if callable(encode):
            vectors = np.asarray(encode(todo), dtype=np.float32)
        else:
            vectors = np.asarray(self.embedder.get_text_embedding_batch(todo), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.clip(norms, 1e-12, None)
        for text, vector in zip(todo, vectors, strict=True):
            self._vectors[text] = vector

    def __call__(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        if not a or not b:
            return np.zeros((len(a), len(b)), dtype=np.float32)
        self._ensure([*a, *b])
        va = np.stack([self._vectors[t] for t in a])
        vb = np.stack([self._vectors[t] for t in b])
        return va @ vb.T
