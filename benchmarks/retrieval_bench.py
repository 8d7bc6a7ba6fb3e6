"""Retrieval latency at ~10k chunks (MultiHop-RAG) and ~100k chunks (synthetic, built from it).

    python benchmarks/retrieval_bench.py [--mh-index DIR] [--scale 100000] [--queries N]
                                         [--chroma-server] [--json OUT] [--topk-out FILE]

Queries are the MultiHop-RAG dev questions. Every query is embedded first (timed on
its own: the query-embedding latency); hybrid, dense-only and keyword-only retrieval
are then timed with those precomputed vectors, so their latency excludes the model.
The first query of a level is reported apart (it loads the keyword index).

``--mh-index`` reuses an existing MultiHop index (e.g. ``/tmp/mh``; only read);
otherwise the corpus is indexed once into the benchmark cache
(``~/.cache/newsrag-bench`` or ``$RAG_BENCH_CACHE``). The synthetic index is cached
there too, keyed by source and size. ``--chroma-server`` runs the same measurements
with the vectors in a ``chroma run`` server (``RAG_CHROMA_URL`` mode).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import synthetic
from chroma_server import copy_to_server, running_server
from chroma_server import peak_rss_mib as server_rss
from harness import (
    CORPUS,
    cache_dir,
    latency_summary,
    load_queries,
    load_records,
    peak_rss_mib,
    services_for,
    write_json,
)
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from index.embedding import OnnxMiniLMEmbedding
from rag.retrieval import HybridRetriever, SearchTimings


class PrecomputedEmbedding(BaseEmbedding):
    """Query vectors computed beforehand, so retrieval timings exclude the model."""

    model_name: str = "precomputed"
    _vectors: dict[str, list[float]] = PrivateAttr(default_factory=dict)

    def __init__(self, vectors: dict[str, list[float]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._vectors = vectors

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vectors[query]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vectors[query]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vectors[text]


def embed_queries(queries: list[str]) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Embed each query on its own (as a question is); returns vectors and latencies."""
    model = OnnxMiniLMEmbedding()
    model.get_query_embedding("warm-up")
    vectors: dict[str, list[float]] = {}
    ms: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        vectors[q.strip()] = model.get_query_embedding(q.strip())
        ms.append((time.perf_counter() - t0) * 1000)
    return vectors, latency_summary(ms)


def measure(
    index_dir: Path, queries: list[str], vectors: dict[str, list[float]], url: str | None = None,
    warm: bool = False,
) -> dict[str, Any]:
    """Latency of hybrid, dense and keyword retrieval over one index; with ``warm``, after
    one untimed pass over the queries (what a server that has run a while has cached:
    the outlets' vector blocks, the terms' BM25 parts, the pages read)."""
    services = services_for(index_dir, chroma_url=url)
    store = services.store
    retriever = HybridRetriever(store, PrecomputedEmbedding(vectors), services.settings.retrieval)
    t0 = time.perf_counter()
    retriever.search(queries[0])
    first_ms = (time.perf_counter() - t0) * 1000
    out: dict[str, Any] = {
        "chunks": store.catalog.count_chunks(),
        "first_query_ms": round(first_ms, 1),
    }
    if warm:
        ms = []
        for q in queries:
            t0 = time.perf_counter()
            retriever.search(q)
            ms.append((time.perf_counter() - t0) * 1000)
        out["first_pass"] = latency_summary(ms)
    parts: dict[str, list[float]] = {"dense_ms": [], "keyword_ms": [], "fuse_ms": []}
    for mode in ("hybrid", "dense", "keyword"):
        ms: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            timings = SearchTimings()
            retriever.search(q, mode=mode, timings=timings)
            ms.append((time.perf_counter() - t0) * 1000)
            if mode == "hybrid":
                for key in parts:
                    parts[key].append(getattr(timings, key))
        out[mode] = latency_summary(ms)
    out["hybrid_parts"] = {key: latency_summary(v) for key, v in parts.items()}
    services.close()
    return out


def topk(index_dir: Path, queries: list[str], vectors: dict[str, list[float]]) -> list[Any]:
    """Top-10 chunk ids and scores of hybrid retrieval per query (to compare code versions)."""
    services = services_for(index_dir)
    retriever = HybridRetriever(
        services.store, PrecomputedEmbedding(vectors), services.settings.retrieval
    )
    out = [
        [[n.node.node_id, round(float(n.score or 0.0), 6)] for n in retriever.search(q, k=10)]
        for q in queries
    ]
    services.close()
    return out


def _slug(path: Path) -> str:
    return path.resolve().as_posix().strip("/").replace("/", "_")


def multihop_index(given: Path | None, articles: int | None) -> Path:
    """The MultiHop index to measure: a copy of the given one (opening an index may
    rebuild its keyword index, and the given one is only read), or one built (once)
    into the cache."""
    if given is not None:
        copy = cache_dir() / f"copy-{_slug(given)}"
        stamp = str((given / "catalog.sqlite3").stat().st_mtime_ns)
        if not (copy / "copied-from").exists() or (copy / "copied-from").read_text() != stamp:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(given, copy, ignore=shutil.ignore_patterns("*.lock"))
            (copy / "copied-from").write_text(stamp)
        return copy
    name = "multihop" if articles is None else f"multihop-{articles}"
    index_dir = cache_dir() / name
    services = services_for(index_dir)
    if services.store.catalog.count_chunks() == 0:
        work = Path(tempfile.mkdtemp(prefix="rag-mh-"))
        path = work / "corpus.json"
        if articles is None:
            shutil.copy(CORPUS, path)
        else:
            path.write_text(json.dumps(load_records(articles)), encoding="utf-8")
        print(f"indexing {path} into {index_dir} (once) ...", flush=True)
        print(services.indexer().run([path]).summary(), flush=True)
        shutil.rmtree(work, ignore_errors=True)
    services.close()
    return index_dir


def synthetic_index(source: Path, target_chunks: int) -> tuple[Path, dict[str, Any]]:
    """The synthetic index built from ``source`` (cached by source and size)."""
    key = f"synthetic-{_slug(source)}-{target_chunks}"
    index_dir = cache_dir() / key
    done = index_dir / "complete"
    if done.exists():
        return index_dir, json.loads(done.read_text())
    shutil.rmtree(index_dir, ignore_errors=True)
    print(f"building {target_chunks} synthetic chunks into {index_dir} (once) ...", flush=True)
    info = synthetic.build(source, index_dir, target_chunks)
    done.write_text(json.dumps(info))
    return index_dir, info


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every level, embedded store (and Chroma server when asked)."""
    source = multihop_index(args.mh_index, args.articles)
    queries = load_queries(args.queries)
    vectors, embed_ms = embed_queries(queries)
    queries = [q.strip() for q in queries]
    print(f"query embedding: {embed_ms}", flush=True)
    levels: dict[str, Path] = {"multihop": source}
    built: dict[str, Any] = {}
    if args.scale:
        levels["synthetic"], built = synthetic_index(source, args.scale)
    result: dict[str, Any] = {
        "queries": len(queries),
        "query_embedding": embed_ms,
        "synthetic_build": built,
        "embedded": {},
    }
    if args.topk_out:
        args.topk_out.write_text(json.dumps(topk(source, queries, vectors)))
    for name, index_dir in levels.items():
        if args.server_only:
            break
        result["embedded"][name] = measure(index_dir, queries, vectors)
        print(f"embedded Chroma, {name}: {result['embedded'][name]}", flush=True)
    result["peak_rss_mib_embedded"] = peak_rss_mib()
    if args.chroma_server:
        result["server"] = {}
        work = Path(tempfile.mkdtemp(prefix="rag-chroma-"))
        try:
            with running_server(work / "db") as (url, pid):
                for name, index_dir in levels.items():
                    copied = copy_to_server(index_dir, work / f"index-{name}", url)
                    level = measure(work / f"index-{name}", queries, vectors, url)
                    level["copy"] = copied
                    result["server"][name] = level
                    print(f"Chroma server, {name}: {level}", flush=True)
                result["server_peak_rss_mib"] = server_rss(pid)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, print and write the result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mh-index", type=Path, help="existing MultiHop index (read only)")
    parser.add_argument(
        "--articles", type=int, help="build the MultiHop index from only this many articles"
    )
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic chunks (0: none)")
    parser.add_argument("--queries", type=int, default=200, help="dev questions to time")
    parser.add_argument("--chroma-server", action="store_true", help="also via `chroma run`")
    parser.add_argument(
        "--server-only", action="store_true", help="skip the embedded-store measurements"
    )
    parser.add_argument("--topk-out", type=Path, help="write hybrid top-10 per query here")
    parser.add_argument("--json", type=Path, help="write the result here")
    args = parser.parse_args(argv)
    result = run(args)
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
