"""Retrieval quality on MultiHop-RAG's queries_dev.json: BM25, dense, and fusions.

    python benchmarks/retrieval_eval.py --index-dir /tmp/mh [--limit N] [--configs ...]

A thin loop over retrieval configurations around `rag eval`'s code (rag/evaluation/):
the same loader, runner and metrics. Relevance is the benchmark's own (an evidence fact
inside the chunk, whitespace removed), with no per-article cap, as in the published
scores; null queries are excluded. `rag eval QUERIES --retrieval-only` runs the
configured retriever alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.container import build_services  # noqa: E402
from rag.evaluation.results import totals  # noqa: E402
from rag.evaluation.runner import RunOptions, run_cases  # noqa: E402
from rag.evaluation.sets import load_set, resolve_titles  # noqa: E402
from rag.settings import RetrievalSettings, load_settings  # noqa: E402

QUERIES = ROOT.parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"
DEPTH = 10

CONFIGS: dict[str, dict[str, object]] = {
    "keyword": {"mode": "keyword"},
    "dense": {"mode": "dense"},
    "rrf-1:1": {"fusion": "rrf", "dense_weight": 1.0, "keyword_weight": 1.0},
    "rrf-1:2": {"fusion": "rrf", "dense_weight": 1.0, "keyword_weight": 2.0},
    "score-1:1": {"fusion": "score", "dense_weight": 1.0, "keyword_weight": 1.0},
    "score-1:2": {"fusion": "score", "dense_weight": 1.0, "keyword_weight": 2.0},
}


class ModeRetriever:
    """The hybrid retriever searching in one mode (hybrid, dense or keyword)."""

    def __init__(self, retriever: Any, mode: str) -> None:
        self.retriever = retriever
        self.mode = mode

    def search(self, query: str, k: int | None = None, **kwargs: Any) -> list[Any]:
        return self.retriever.search(query, k=k, mode=self.mode, **kwargs)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=QUERIES)
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
    docs = services.store.catalog.documents()
    eval_set = resolve_titles(load_set(args.queries), {d.doc_id: d.title for d in docs.values()})
    cases = [c for c in eval_set.cases if c.answerable]
    if args.indexed_only:
        cases = [c for c in cases if len(c.sources) >= len(set(c.evidence_titles))]
    if args.limit:
        cases = cases[: args.limit]
    print(f"{len(cases)} queries, {services.store.catalog.count_chunks()} chunks")
    options = RunOptions(hit_ks=(4, DEPTH), per_doc=DEPTH)
    base = services.settings.retrieval
    results: dict[str, dict[str, Any]] = {}
    for name in args.configs:
        cfg = dict(CONFIGS[name])
        mode = str(cfg.pop("mode", "hybrid"))
        services.retriever.settings = RetrievalSettings(**{**base.model_dump(), **cfg})
        runs = run_cases(cases, ModeRetriever(services.retriever, mode), None, options)
        # The benchmark's relevance (fact in chunk) under the usual names.
        t = totals([replace(r, hits=r.fact_hits, rr=r.fact_rr) for r in runs], (4, DEPTH), DEPTH)
        results[name] = t
        print(
            f"{name:12} hits@4 {t['hit@4']:.3f}  hits@10 {t['hit@10']:.3f}  "
            f"MRR@10 {t['mrr@10']:.3f}  evidence {t['evidence_recall@10']:.3f}  "
            f"all-evidence {t['all_evidence@10']:.3f}  p50 {t['latency_p50_ms']:.0f} ms",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps({"queries": len(cases), "results": results}, indent=2))
    services.close()


if __name__ == "__main__":
    main()
