"""'What happened last week?' asked as of dates inside a corpus: are the cited articles
all of that week? Prints, per reference date, the week read, the dates of the cited
articles and of the retrieved passages, and whether every citation falls in the week.

    python benchmarks/last_week.py --index-dir IDX [--as-of 2023-10-09 ...] [--mode M]

Exits 1 when a citation falls outside its week, so the eval gate runs it as a check on
the MultiHop-RAG index (whose articles run from September to December 2023).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.container import build_services  # noqa: E402
from rag.settings import load_settings  # noqa: E402

QUESTIONS = ("What happened last week?", "What was in the news last week?")
# Mondays inside the MultiHop-RAG corpus's range, so "last week" is a full week of it.
DEFAULT_AS_OF = ("2023-10-09", "2023-11-13", "2023-12-04")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--as-of", nargs="+", default=list(DEFAULT_AS_OF))
    ap.add_argument("--mode", default=None, help="answer mode (default: the backend's)")
    args = ap.parse_args()
    services = build_services(load_settings(Path("/dev/null"), index_dir=args.index_dir))
    answerer = services.answerer
    mode = services.answer_mode(args.mode)
    bad = 0
    for as_of in map(date.fromisoformat, args.as_of):
        start = as_of - timedelta(days=as_of.weekday() + 7)
        end = start + timedelta(days=6)
        for question in QUESTIONS:
            result = answerer.answer(question, mode=mode, as_of=as_of)
            cited = sorted({c["published_at"] or "undated" for c in result.citations()})
            seen = sorted({p.published_at or "undated" for p in result.passages})
            outside = [d for d in cited if not (start.isoformat() <= d <= end.isoformat())]
            bad += bool(outside)
            print(f"as of {as_of} ({result.time_frame}): {question!r}\n"
                  f"  cited {len(result.citations())} passages dated {', '.join(cited) or '-'}"
                  f"; retrieved dated {seen[0] if seen else '-'} .. {seen[-1] if seen else '-'}"
                  f"; {'OUTSIDE THE WEEK: ' + ', '.join(outside) if outside else 'all in the week'}"
                  f"{' (abstained)' if result.abstained else ''}")
    services.close()
    print(f"{bad} answers cite articles outside their week")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
