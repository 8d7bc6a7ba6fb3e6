"""The vector store: Chroma collections, embedded on disk or on a Chroma server.

Chunk ids are the catalog's; vectors are computed by us (no Chroma embedding
function). Writes go in batches no larger than the client's maximum. The
collections record the embedding model that built them.

Chroma loads a collection's whole HNSW index on the first operation a process makes on
it: about 3 s at a million chunks, for a command that adds one article. So a small
write to a large index goes to a second collection, ``<name>-recent``, which stays small;
queries search both and merge. A large write goes to the main collection and takes the
recent vectors with it (the main index is loaded for it anyway).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import numpy as np

from index.errors import BackendUnavailable, IndexMismatchError, UserError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import GetResult, Include, Where
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


RECENT_LIMIT = 20_000
"""Vectors the recent collection holds at most: a write that would pass it first moves
them into the main collection."""


def recent_name(collection: str) -> str:
    """The name of the collection beside ``collection`` that takes small writes."""
    return f"{collection}-recent"


def drop_collections(client: ClientAPI, collection: str) -> None:
    """Delete ``collection`` and its recent collection (absent ones are skipped)."""
    for name in (collection, recent_name(collection)):
        with contextlib.suppress(Exception):  # absent collection: nothing to delete
            client.delete_collection(name)


class VectorStore:
    """Chunk vectors in a main Chroma collection and a small one of recent writes."""

    def __init__(self, client: ClientAPI, collection: str, embed_model: str,
                 dim: int | None) -> None:
        self._client = client
        self.embed_model = embed_model
        self._main = self._open(client, collection, embed_model)
        self._recent = self._open(client, recent_name(collection), embed_model)
        self._max_batch = max(1, int(client.get_max_batch_size()))

    @staticmethod
    def _open(client: ClientAPI, name: str, embed_model: str) -> Collection:
        try:
            col = client.get_or_create_collection(
                name=name,
                embedding_function=None,
                # A wide search list makes a query's neighbours the same in any build of
                # the same chunks: at Chroma's default of 100, two builds of the
                # MultiHop-RAG index answered 1 of 71 open questions differently, enough
                # to fail the eval gate; at 400, 0 of 511 benchmark queries differ.
                configuration={"hnsw": {"space": "cosine", "ef_search": 400}},
                metadata={"embed_model": embed_model},
            )
        except Exception as exc:
            raise BackendUnavailable(f"cannot open Chroma collection {name!r}: {exc}") from exc
        built_with = (col.metadata or {}).get("embed_model")
        if built_with and built_with != embed_model:
            raise IndexMismatchError(
                f"the vector store was built with embedding model {built_with!r}, but this "
                f"run uses {embed_model!r}: rebuild it with `rag index --rebuild PATH...` "
                "(or switch the embedding settings back)"
            )
        return col

    def count(self) -> int:
        """Number of vectors stored."""
        return int(self._main.count()) + self.recent_count()

    def recent_count(self) -> int:
        """Number of vectors in the recent collection."""
        return int(self._recent.count())

    def ids(self) -> set[str]:
        """Every stored chunk id (used to reconcile after an interrupted run)."""
        out: set[str] = set()
        for col in (self._main, self._recent):
            for page in self._pages(col, []):
                out.update(page["ids"])
        return out

    def add(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]] | np.ndarray,
        documents: Sequence[str],
        metadatas: Sequence[dict[str, str | int | float | bool]],
        recent: bool = False,
    ) -> None:
        """Upsert vectors in batches (upsert, so a retried write never duplicates).

        ``recent``: ids the main collection does not hold (new articles' chunks), which
        go to the recent collection while it stays within :data:`RECENT_LIMIT`. Any other
        write goes to the main collection, and moves the recent vectors there first."""
        # One float32 matrix: Chroma takes it as is (lists of Python floats cost more
        # than the write itself at a few thousand rows).
        matrix = np.asarray(vectors, dtype=np.float32)
        held = self.recent_count()
        to_recent = recent and held + len(ids) <= RECENT_LIMIT
        if held and not to_recent:
            self._fold()
        target = self._recent if to_recent else self._main
        for i in range(0, len(ids), self._max_batch):
            j = i + self._max_batch
            target.upsert(
                ids=list(ids[i:j]),
                embeddings=matrix[i:j],
                documents=list(documents[i:j]),
                metadatas=[dict(m) for m in metadatas[i:j]],
            )

    def _fold(self) -> None:
        """Move the recent vectors into the main collection (copied, then deleted: a run
        stopped in between leaves copies in both, which queries merge)."""
        while True:
            page = self._recent.get(
                include=["embeddings", "documents", "metadatas"], limit=self._max_batch
            )
            if not page["ids"]:
                return
            self._main.upsert(
                ids=page["ids"],
                embeddings=page["embeddings"],
                documents=page["documents"],
                metadatas=page["metadatas"],
            )
            self._recent.delete(ids=page["ids"])

    def _pages(self, col: Collection, include: Include) -> Iterator[GetResult]:
        offset = 0
        while True:
            page = col.get(include=include, limit=self._max_batch, offset=offset)
            if page["ids"]:
                yield page
            if len(page["ids"]) < self._max_batch:
                return
            offset += self._max_batch

    def pages(self) -> Iterator[GetResult]:
        """Everything stored (ids, embeddings, documents, metadatas), one batch at a time."""
        include: Include = ["embeddings", "documents", "metadatas"]
        for col in (self._main, self._recent):
            yield from self._pages(col, include)

    def get_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors by chunk id (missing ids are left out)."""
        out: dict[str, list[float]] = {}
        for col in (self._recent, self._main):
            wanted = [cid for cid in ids if cid not in out]
            for i in range(0, len(wanted), self._max_batch):
                page = col.get(ids=wanted[i : i + self._max_batch], include=["embeddings"])
                vectors = page["embeddings"]
                if vectors is None:
                    raise BackendUnavailable("Chroma returned no embeddings")
                for cid, vector in zip(page["ids"], vectors, strict=True):
                    out[cid] = [float(x) for x in vector]
            if len(out) == len(ids):
                break
        return out

    def delete(self, ids: Sequence[str]) -> None:
        """Delete vectors by chunk id, in batches (the main collection is only touched for
        ids that are not in the recent one)."""
        for i in range(0, len(ids), self._max_batch):
            part = list(ids[i : i + self._max_batch])
            held = set(self._recent.get(ids=part, include=[])["ids"]) if part else set()
            if held:
                self._recent.delete(ids=sorted(held))
            rest = [cid for cid in part if cid not in held]
            if rest:
                self._main.delete(ids=rest)

    def query(
        self, vector: Sequence[float], n: int, where: Where | None = None
    ) -> list[VectorHit]:
        """The ``n`` nearest chunks (cosine similarity, best first), optionally filtered."""
        if n <= 0:
            return []
        query: list[Sequence[float] | Sequence[int]] = [list(vector)]
        best: dict[str, float] = {}
        for col in (self._main, self._recent):
            res = col.query(
                query_embeddings=query, n_results=n, where=where or None, include=["distances"]
            )
            distances = res["distances"]
            if distances is None:
                raise BackendUnavailable("Chroma returned no distances")
            for cid, dist in zip(res["ids"][0], distances[0], strict=True):
                best[cid] = max(best.get(cid, -2.0), 1.0 - float(dist))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:n]
        return [VectorHit(cid, score) for cid, score in ranked]


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
