"""Answer quality on a YAML question set (eval/seeds.yaml), generative vs extractive.

    python benchmarks/answer_eval.py --set eval/seeds.yaml --index-dir DIR [--modes ...]

Fact recall (answerable cases: share of facts the answer holds), citation accuracy (share
of the answer's supported citations that point into an expected source document),
citation support (share of the model's citations the check kept), abstention precision
and recall on unanswerable cases, latency. A first cut of issue 5's `rag eval`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.container import build_services  # noqa: E402
from rag.settings import load_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=ROOT / "eval" / "seeds.yaml")
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--modes", nargs="*", default=["extractive", "generative"])
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    cases = yaml.safe_load(args.set.read_text())["cases"]
    services = build_services(load_settings(index_dir=args.index_dir))
    print(f"{len(cases)} cases; backend {services.backend.backend} ({services.backend.model})")
    for mode in args.modes:
        recall, accurate, cited, claimed, kept = [], 0, 0, 0, 0
        tp = fp = fn = 0
        latencies = []
        for case in cases:
            t0 = time.perf_counter()
            r = services.answerer.answer(case["question"], mode=mode)
            latencies.append(time.perf_counter() - t0)
            answer = r.answer.lower()
            if case.get("answerable", True):
                fn += 0
                fp += r.abstained
                facts = case.get("facts") or []
                if facts:
                    held = sum(any(alt.lower() in answer for alt in fact) for fact in facts)
                    recall.append(0.0 if r.abstained else held / len(facts))
                for c in r.citations():
                    if c["supported"]:
                        cited += 1
                        accurate += any(c["doc_id"].startswith(s) for s in case["sources"])
            else:
                tp += r.abstained
                fn += not r.abstained
            for s in r.sentences:
                claimed += len(s.claimed)
                kept += len([n for n in s.claimed if n in s.citations])
            if args.verbose:
                print(f"  {case['id']:28} {'ABSTAIN' if r.abstained else ''} {r.answer[:150]!r}")
        precision = tp / (tp + fp) if tp + fp else 0.0
        n_un = sum(not c.get("answerable", True) for c in cases)
        print(
            f"{mode:11} fact recall {statistics.mean(recall):.3f}  "
            f"citation accuracy {accurate / cited if cited else 0:.3f} ({cited} citations)  "
            f"model citations kept {kept}/{claimed}  "
            f"abstention precision {precision:.3f} recall {tp / n_un if n_un else 0:.3f}  "
            f"p50 {statistics.median(latencies):.1f} s  p95 "
            f"{sorted(latencies)[int(0.95 * len(latencies)) - 1]:.1f} s",
            flush=True,
        )
    services.close()


if __name__ == "__main__":
    main()
