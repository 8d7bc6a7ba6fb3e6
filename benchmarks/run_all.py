"""Run the benchmark suite: one subprocess per benchmark, then a Markdown table and JSON.

    python benchmarks/run_all.py [--quick] [--mh-index DIR] [--full-corpus]
                                 [--only NAME ...] [--out DIR]

(``make bench`` runs it.) Each benchmark runs in its own process so that its peak
memory is its own (``os.wait4`` gives the child's ``ru_maxrss``). Results go to
``OUT/latest.json`` and ``OUT/latest.md`` (default ``benchmarks/results``) with the
machine they ran on. ``--quick`` is a smoke run of every code path on small inputs
(a few minutes); its numbers are not the ones to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from report import markdown

HERE = Path(__file__).resolve().parent
PACKAGES = (
    "onnxruntime", "tokenizers", "chromadb", "bm25s", "llama-index-core", "xllamacpp", "numpy",
)


SIZES = ("full", "quick", "smoke")


@dataclass(frozen=True)
class Bench:
    """One benchmark: its script and its arguments per size (full, quick, smoke)."""

    name: str
    script: str
    args: dict[str, tuple[str, ...]]


def benches(
    mh_index: Path | None,
    full_corpus: bool,
    articles: int = 80,
    queries: int = 200,
    llm_runs: int = 3,
) -> list[Bench]:
    """The suite, in the order it runs. ``smoke`` sizes exist for the test of this code."""
    mh = ("--mh-index", str(mh_index)) if mh_index else ()
    mh_quick = mh or ("--articles", "40")
    server = ("--chroma-server", "--server-only")
    return [
        Bench("ingestion", "ingest_bench.py", {
            "full": ("--all",) if full_corpus else ("--articles", str(articles)),
            "quick": ("--articles", "12"),
            "smoke": ("--articles", "2"),
        }),
        Bench("retrieval", "retrieval_bench.py", {
            "full": (*mh, "--scale", "100000", "--queries", str(queries)),
            "quick": (*mh_quick, "--scale", "20000", "--queries", "30"),
            "smoke": ("--articles", "3", "--scale", "200", "--queries", "3"),
        }),
        Bench("retrieval_server", "retrieval_bench.py", {
            "full": (*mh, "--scale", "100000", "--queries", str(queries), *server),
            "quick": (*mh_quick, "--scale", "0", "--queries", "30", *server),
            "smoke": ("--articles", "3", "--scale", "200", "--queries", "3", *server),
        }),
        Bench("llm", "llm_bench.py", {
            "full": ("--runs", str(llm_runs)),
            "quick": ("--runs", "1", "--max-tokens", "32"),
            "smoke": ("--runs", "1", "--max-tokens", "4"),
        }),
        # The measurement behind EmbeddedLLM's default generation threads (cores - 1).
        Bench("llm_all_cores", "llm_bench.py", {
            "full": ("--runs", str(max(1, llm_runs - 1)), "--threads", str(os.cpu_count() or 1)),
        }),
    ]


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
    }


def run_one(bench: Bench, size: str, scratch: Path) -> dict[str, Any]:
    """Run one benchmark in a child process; its JSON result plus wall time and peak RSS."""
    out = scratch / f"{bench.name}.json"
    args = bench.args[size]
    cmd = [sys.executable, str(HERE / bench.script), *args, "--json", str(out)]
    print(f"\n=== {bench.name}: {' '.join(cmd[1:])}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=HERE.parent)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {
        "command": " ".join(["python", *(Path(c).name if c == cmd[1] else c for c in cmd[1:-2])]),
        "wall_s": round(time.perf_counter() - t0, 1),
        "exit_code": proc.returncode,
        # Linux reports KiB; the child's own peak (and of processes it waited for).
        "process_peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }
    if proc.returncode == 0 and out.exists():
        result["result"] = json.loads(out.read_text())
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the suite, print the table, write latest.md and latest.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run on small inputs")
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # for tests
    parser.add_argument("--mh-index", type=Path, help="existing MultiHop index to reuse")
    parser.add_argument("--full-corpus", action="store_true", help="ingest all 609 articles")
    parser.add_argument("--articles", type=int, default=80, help="articles to ingest (full run)")
    parser.add_argument("--queries", type=int, default=200, help="questions to time (full run)")
    parser.add_argument("--llm-runs", type=int, default=3, help="cold+warm pairs (full run)")
    parser.add_argument("--only", nargs="+", help="run only these benchmarks")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    size = "smoke" if args.smoke else "quick" if args.quick else "full"
    suite = [
        b for b in benches(
            args.mh_index, args.full_corpus, args.articles, args.queries, args.llm_runs
        )
        if size in b.args and (not args.only or b.name in args.only)
    ]
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as scratch:
        for bench in suite:
            results[bench.name] = run_one(bench, size, Path(scratch))
    report = {
        "timestamp": started.isoformat(timespec="seconds"),
        "size": size,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "total_wall_s": round((datetime.now(UTC) - started).total_seconds(), 1),
        "benchmarks": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    table = markdown(report)
    (args.out / "latest.md").write_text(table, encoding="utf-8")
    print("\n" + table)
    failed = [name for name, r in results.items() if r["exit_code"] != 0]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
