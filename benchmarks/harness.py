"""What every benchmark module shares: paths, settings, percentiles, peak memory, JSON out.

Each benchmark is a script that prints what it measures and, with ``--json FILE``,
writes one JSON object (``benchmarks/run_all.py`` collects them). Nothing here is
timed by tests: benchmarks print numbers, tests only check that the code paths run.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag.container import Services, build_services  # noqa: E402
from rag.settings import load_settings  # noqa: E402

MULTIHOP = ROOT.parent / "shared" / "data" / "multihop-rag"
CORPUS = MULTIHOP / "corpus.json"
QUERIES = MULTIHOP / "queries_dev.json"


def cache_dir() -> Path:
    """Where benchmark indexes are kept between runs (outside the repository)."""
    base = os.environ.get("RAG_BENCH_CACHE") or Path.home() / ".cache" / "newsrag-bench"
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def services_for(index_dir: Path, chroma_url: str | None = None, **parts: Any) -> Services:
    """Services over ``index_dir`` with default settings (no rag.toml, no RAG_* file)."""
    settings = load_settings(Path("/dev/null"), index_dir=index_dir, chroma_url=chroma_url)
    return build_services(settings, **parts)


def load_records(limit: int | None = None) -> list[dict[str, Any]]:
    """MultiHop-RAG articles; ``limit`` of them spread evenly over the corpus."""
    rows: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    if limit is None or limit >= len(rows):
        return rows
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


def load_queries(limit: int | None = None) -> list[str]:
    """MultiHop-RAG dev questions (null queries included: latency does not care)."""
    rows = json.loads(QUERIES.read_text(encoding="utf-8"))
    queries = [str(r["query"]) for r in rows]
    return queries[:limit] if limit else queries


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50, p95 and mean of latencies in milliseconds."""
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(sum(ms) / len(ms), 2) if ms else math.nan,
        "n": len(ms),
    }


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def write_json(path: Path | None, result: dict[str, Any]) -> None:
    """Write a benchmark's result (when asked) and echo it."""
    result.setdefault("peak_rss_mib", peak_rss_mib())
    text = json.dumps(result, indent=2, default=str)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
