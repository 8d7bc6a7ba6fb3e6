"""Retrieval quality on MultiHop-RAG's queries_dev.json: BM25, dense, and fusions.

    python benchmarks/retrieval_eval.py --index-dir /tmp/mh [--limit N] [--configs ...]

A result is relevant when one of the query's evidence facts appears inside its text
(whitespace removed), as in the benchmark's own scoring. Null queries are excluded.
Prints hits@4, hits@10, MRR@10 and the share of each question's evidence facts found in
the top 10 (and the share of questions with all of them), per configuration.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.container import build_services  # noqa: E402
from rag.settings import RetrievalSettings, load_settings  # noqa: E402

QUERIES = ROOT.parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"
_WS = re.compile(r"\s+")

CONFIGS: dict[str, dict[str, object]] = {
    "keyword": {"mode": "keyword"},
    "dense": {"mode": "dense"},
    "rrf-1:1": {"fusion": "rrf", "dense_weight": 1.0, "keyword_weight": 1.0},
    "rrf-1:2": {"fusion": "rrf", "dense_weight": 1.0, "keyword_weight": 2.0},
    "score-1:1": {"fusion": "score", "dense_weight": 1.0, "keyword_weight": 1.0},
    "score-1:2": {"fusion": "score", "dense_weight": 1.0, "keyword_weight": 2.0},
}


def squash(text: str) -> str:
    return _WS.sub("", text)


def evaluate(retriever, queries, mode: str, k: int = 10) -> dict[str, float]:  # type: ignore[no-untyped-def]
    hits4 = hits10 = mrr = share = all_found = 0.0
    latencies = []
    for q in queries:
        facts = [squash(e["fact"]) for e in q["evidence_list"]]
        t0 = time.perf_counter()
        nodes = retriever.search(q["query"], k=k, mode=mode, max_per_doc=k)
        latencies.append((time.perf_counter() - t0) * 1000)
        texts = [squash(n.node.get_content()) for n in nodes]
        relevant = [any(f in t for f in facts) for t in texts]
        if any(relevant[:4]):
            hits4 += 1
        if any(relevant):
            hits10 += 1
            mrr += 1.0 / (relevant.index(True) + 1)
        found = sum(any(f in t for t in texts) for f in facts) / len(facts)
        share += found
        all_found += found == 1.0
    n = len(queries)
    latencies.sort()
    return {
        "hits@4": hits4 / n,
        "hits@10": hits10 / n,
        "mrr@10": mrr / n,
        "evidence_share@10": share / n,
        "all_evidence@10": all_found / n,
        "p50_ms": latencies[n // 2],
        "p95_ms": latencies[int(n * 0.95) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS))
    parser.add_argument(
        "--indexed-only",
        action="store_true",
        help="Only queries whose evidence articles are all indexed.",
    )
    parser.add_argument("--json", type=Path, help="Write the results here too.")
    args = parser.parse_args()
    services = build_services(load_settings(index_dir=args.index_dir))
    queries = [q for q in json.loads(QUERIES.read_text()) if q["question_type"] != "null_query"]
    if args.indexed_only:
        titles = {d.title for d in services.store.catalog.documents().values()}
        queries = [q for q in queries if all(e["title"] in titles for e in q["evidence_list"])]
    if args.limit:
        queries = queries[: args.limit]
    print(f"{len(queries)} queries, {services.store.catalog.count_chunks()} chunks")
    results = {}
    base = services.settings.retrieval
    for name in args.configs:
        cfg = dict(CONFIGS[name])
        mode = str(cfg.pop("mode", "hybrid"))
        services.retriever.settings = RetrievalSettings(**{**base.model_dump(), **cfg})
        results[name] = evaluate(services.retriever, queries, mode)
        r = results[name]
        print(
            f"{name:12} hits@4 {r['hits@4']:.3f}  hits@10 {r['hits@10']:.3f}  "
            f"MRR@10 {r['mrr@10']:.3f}  evidence {r['evidence_share@10']:.3f}  "
            f"all-evidence {r['all_evidence@10']:.3f}  p50 {r['p50_ms']:.0f} ms",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps({"queries": len(queries), "results": results}, indent=2))


if __name__ == "__main__":
    main()
