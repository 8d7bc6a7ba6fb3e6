"""The embedding cache: vectors by model and exact text, so a changed article only
re-embeds the chunks that changed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from index.catalog.database import Database


class EmbeddingCache(Database):
    """Cached vectors, pruned of those no current chunk uses."""

    @staticmethod
    def cache_key(model: str, text: str) -> str:
        """Cache key of an embedding: model and exact text."""
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def cached_vectors(self, keys: Sequence[str]) -> dict[str, list[float]]:
        """Cached vectors for the keys that have one."""
        sql = "SELECT key, vector FROM embed_cache WHERE key IN ({})"
        return {key: np.frombuffer(blob, dtype=np.float32).tolist()
                for key, blob in self._in(sql, list(keys))}

    def cached_matrix(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cached vectors as one float32 matrix (row i for ``keys[i]``, zeros when absent)
        and a boolean array saying which rows were found."""
        blobs: dict[str, bytes] = dict(
            self._in("SELECT key, vector FROM embed_cache WHERE key IN ({})", list(keys))
        )
        dim = len(next(iter(blobs.values()), b"")) // 4
        matrix = np.zeros((len(keys), dim), dtype=np.float32)
        found = np.zeros(len(keys), dtype=bool)
        for i, key in enumerate(keys):
            blob = blobs.get(key)
            if blob is not None and len(blob) == 4 * dim:
                matrix[i] = np.frombuffer(blob, dtype=np.float32)
                found[i] = True
        return matrix, found

    def cache_vectors(self, items: Iterable[tuple[str, Sequence[float]]]) -> None:
        """Store vectors in the cache."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embed_cache VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )

    def prune_cache(self, model: str, added: int | None = None) -> bool:
        """Drop cached vectors no current chunk uses (keeps the cache from growing forever).

        Pruning reads every chunk, so with ``added`` (entries cached since the last call)
        it waits until the entries added since the last prune reach a fifth of the
        chunks: the cache stays within about 1.2 times what is used, and a run that adds
        one article does not read a million chunks. Returns whether it pruned."""
        if added is not None:
            pending = int(self.get_meta("cache_added") or 0) + added
            if pending < max(1000, self.count_chunks() // 5):
                self.set_meta("cache_added", str(pending))
                return False
        self.set_meta("cache_added", "0")
        live = {
            self.cache_key(model, r[0]) for r in self._db.execute("SELECT embed_text FROM chunks")
        }
        stale = [(k,) for (k,) in self._db.execute("SELECT key FROM embed_cache") if k not in live]
        with self._db:
            self._db.executemany("DELETE FROM embed_cache WHERE key = ?", stale)
        return True
