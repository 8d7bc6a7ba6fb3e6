"""Test doubles registered the same way as the real parts: the hash embedder is
``embed_backend = "hash"`` (or passed to build_services as ``embedder=``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from index.embedding import NewsEmbedding
from rag.llms.registry import Embedder, register_embedder
from rag.settings import Settings

DIM = 256


class HashEmbedding(NewsEmbedding):
    """Deterministic bag-of-words embedding: texts sharing words are close, others far.

    Words are hashed into ``DIM`` buckets with a sign, so different texts still
    rank differently; it needs no model and runs in microseconds.
    """

    model_name = "hash-bow"

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            h = int(hashlib.md5(word.encode()).hexdigest(), 16)
            v[h % DIM] += 1.0 if (h >> 8) % 2 else -1.0
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self._vector(t) for t in texts], dtype=np.float32).reshape(-1, DIM)


def _hash_embedder(settings: Settings) -> NewsEmbedding:
    return HashEmbedding()


# Chosen through settings like the real ones: ``embed_backend = "hash"``.
register_embedder(Embedder("hash", _hash_embedder))
