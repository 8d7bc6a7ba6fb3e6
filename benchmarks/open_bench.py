"""Open questions ("What happened to X?") as the chat answers them: time per question
with the default mode, and when the chat first shows something (the sources found)
and the answer.

    python benchmarks/open_bench.py --index-dir IDX [--set eval/open/multihop.yaml ...]
                                    [--json OUT]

Runs each question of the sets through the Chat tab's handler (``ui.chat.ChatUI``) in
this process, warm (one question first, untimed), one at a time. Prints p50 / p95 of
the first update (the question shown), the sources shown, and the full answer.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from harness import ROOT, latency_summary, services_for, write_json

from rag.evaluation.sets import load_set
from ui.chat import ChatUI

DEFAULT_SETS = (ROOT / "eval" / "overview" / "multihop.yaml",
                ROOT / "eval" / "overview" / "multihop-heldout.yaml")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--set", type=Path, nargs="+", default=list(DEFAULT_SETS))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    questions = [c.question for path in args.set for c in load_set(path).cases]
    services = services_for(args.index_dir)
    chat = ChatUI(services)
    mode = services.answer_mode()  # what the chat's mode control starts at
    marks: dict[str, list[float]] = {"first update": [], "sources shown": [], "answer": []}
    for i, question in enumerate([questions[0], *questions]):
        t0 = time.perf_counter()
        seen: list[float] = []
        for update in chat.chat(question, [], None, "", "", None, 0, mode):
            seen.append((time.perf_counter() - t0) * 1000)
            del update
        if i == 0:
            continue  # warm-up: model and index loaded
        marks["first update"].append(seen[0])
        marks["sources shown"].append(seen[1] if len(seen) > 2 else seen[-1])
        marks["answer"].append(seen[-1])
    print(f"{len(questions)} open questions, {mode} (the default mode), {args.index_dir}")
    result: dict[str, object] = {"questions": len(questions)}
    for name, ms in marks.items():
        summary = latency_summary(ms)
        result[name] = summary
        print(f"  {name:14} p50 {summary['p50_ms']:7.0f} ms   p95 {summary['p95_ms']:7.0f} ms")
    write_json(args.json, result)
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
