"""The vector store: a Chroma collection, embedded on disk or on a Chroma server.

Chunk ids are the catalog's; vectors are computed by us (no Chroma embedding
function). Writes go in batches no larger than the client's maximum. The
collection records the embedding model that built it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import numpy as np

from index.errors import BackendUnavailable, IndexMismatchError, UserError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.types import GetResult, Where
    from chromadb.base_types import (
        InclusionExclusionOperator,
        LiteralValue,
        LogicalOperator,
        WhereOperator,
    )


@dataclass(frozen=True)
class VectorHit:
    """A dense search hit: chunk id and cosine similarity."""

    chunk_id: str
    score: float


def make_client(chroma_dir: Path, url: str | None) -> ClientAPI:
    """A Chroma client: HTTP when ``url`` is given, else persistent on disk."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise UserError(f"RAG_CHROMA_URL must look like http://HOST:PORT, not {url!r}")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        except Exception as exc:  # chromadb raises plain Exceptions on connect
            raise BackendUnavailable(
                f"Chroma server at {url} is not reachable ({exc}); start it with "
                "`chroma run --path DIR --port PORT` or unset RAG_CHROMA_URL"
            ) from exc
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)


class VectorStore:
    """Chunk vectors in one Chroma collection."""

    def __init__(self, client: ClientAPI, collection: str, embed_model: str,
                 dim: int | None) -> None:
        self._client = client
        self.embed_model = embed_model
        try:
            self._col = client.get_or_create_collection(
                name=collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embed_model": embed_model},
            )
        except Exception as exc:
            raise BackendUnavailable(
                f"cannot open Chroma collection {collection!r}: {exc}"
            ) from exc
        built_with = (self._col.metadata or {}).get("embed_model")
        if built_with and built_with != embed_model:
            raise IndexMismatchError(
                f"the vector store was built with embedding model {built_with!r}, but this "
                f"run uses {embed_model!r}: rebuild it with `rag index --rebuild PATH...` "
                "(or switch the embedding settings back)"
            )
        self._max_batch = max(1, int(client.get_max_batch_size()))

    def count(self) -> int:
        """Number of vectors stored."""
        return int(self._col.count())

    def ids(self) -> set[str]:
        """Every stored chunk id (used to reconcile after an interrupted run)."""
        out: set[str] = set()
        offset = 0
        while True:
            page = self._col.get(include=[], limit=self._max_batch, offset=offset)
            out.update(page["ids"])
            if len(page["ids"]) < self._max_batch:
                return out
            offset += self._max_batch

    def add(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]] | np.ndarray,
        documents: Sequence[str],
        metadatas: Sequence[dict[str, str | int | float | bool]],
    ) -> None:
        """Upsert vectors in batches (upsert, so a retried write never duplicates)."""
        # One float32 matrix: Chroma takes it as is (lists of Python floats cost more
        # than the write itself at a few thousand rows).
        matrix = np.asarray(vectors, dtype=np.float32)
        for i in range(0, len(ids), self._max_batch):
            j = i + self._max_batch
            self._col.upsert(
                ids=list(ids[i:j]),
                embeddings=matrix[i:j],
                documents=list(documents[i:j]),
                metadatas=[dict(m) for m in metadatas[i:j]],
            )

    def pages(self) -> Iterator[GetResult]:
        """Everything stored (ids, embeddings, documents, metadatas), one batch at a time."""
        offset = 0
        while True:
            page = self._col.get(
                include=["embeddings", "documents", "metadatas"],
                limit=self._max_batch,
                offset=offset,
            )
            if page["ids"]:
                yield page
            if len(page["ids"]) < self._max_batch:
                return
            offset += self._max_batch

    def get_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors by chunk id (missing ids are left out)."""
        out: dict[str, list[float]] = {}
        for i in range(0, len(ids), self._max_batch):
            page = self._col.get(ids=list(ids[i : i + self._max_batch]), include=["embeddings"])
            vectors = page["embeddings"]
            if vectors is None:
                raise BackendUnavailable("Chroma returned no embeddings")
            for cid, vector in zip(page["ids"], vectors, strict=True):
                out[cid] = [float(x) for x in vector]
        return out

    def delete(self, ids: Sequence[str]) -> None:
        """Delete vectors by chunk id, in batches."""
        for i in range(0, len(ids), self._max_batch):
            self._col.delete(ids=list(ids[i : i + self._max_batch]))

    def query(
        self, vector: Sequence[float], n: int, where: Where | None = None
    ) -> list[VectorHit]:
        """The ``n`` nearest chunks (cosine similarity, best first), optionally filtered."""
        if n <= 0:
            return []
        query: list[Sequence[float] | Sequence[int]] = [list(vector)]
        res = self._col.query(
            query_embeddings=query,
            n_results=n,
            where=where or None,
            include=["distances"],
        )
        distances = res["distances"]
        if distances is None:
            raise BackendUnavailable("Chroma returned no distances")
        return [
            VectorHit(cid, 1.0 - float(dist))
            for cid, dist in zip(res["ids"][0], distances[0], strict=True)
        ]


def chroma_where(
    since: int | None, until: int | None, sources: list[str] | None
) -> Where | None:
    """A Chroma ``where`` filter on the chunk metadata ``day`` and ``source_key``."""
    clauses: list[Where] = []
    if since is not None:
        clauses.append({"day": _compared("$gte", since)})
    if until is not None:
        clauses.append({"day": _compared("$lte", until)})
    if sources:
        names: list[LiteralValue] = list(sources)
        among: dict[InclusionExclusionOperator, list[LiteralValue]] = {"$in": names}
        clauses.append({"source_key": among})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _compared(op: WhereOperator, day: int) -> dict[WhereOperator | LogicalOperator, LiteralValue]:
    return {op: day}
