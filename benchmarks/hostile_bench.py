"""Hostile input, measured as a person meets it: the generated hostile folder
(``tests/support/hostile_files.py``) through ``rag index`` twice, and bodies of 50 MB and
200 MB sent to ``rag serve``.

    python benchmarks/hostile_bench.py [--json OUT]

Prints, per ``rag index`` run: exit status, wall time, peak memory, inputs failed and
ignored, and that each failure is one line; then, per body size and transfer (declared
length or chunked): the status the server answered with, how long it took, and the
server's resident memory before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, write_json

sys.path.insert(0, str(ROOT))
from tests.support.hostile_files import run_with_peak, write_hostile_folder  # noqa: E402
from tests.support.net import post_large  # noqa: E402

RAG = Path(sys.executable).parent / "rag"
def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", HOME=str(home), RAG_OLLAMA_HOST="http://127.0.0.1:9")
    return env


def index_runs(work: Path) -> list[dict[str, object]]:
    folder = work / "hostile"
    expected = write_hostile_folder(folder)
    runs = []
    for n in (1, 2):
        started = time.perf_counter()
        proc, peak_mb = run_with_peak([str(RAG), "--index-dir", str(work / "index"), "index",
                                       "-q", str(folder)], _env(work))
        lines = proc.stderr.splitlines()
        summary = proc.stdout.strip().splitlines()[-1]
        runs.append({"run": n, "exit": proc.returncode, "seconds": time.perf_counter() - started,
                     "peak_mb": peak_mb, "lines": len(lines),
                     "one_line_each": all(line.startswith("skipped ") for line in lines),
                     "summary": summary, "entries": len(expected)})
    return runs


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _send(port: int, size: int, chunked: bool) -> tuple[int, float]:
    """POST ``size`` bytes to /gradio_api/call/ask; the status and how long it took."""
    started = time.perf_counter()
    status, _ = post_large(("127.0.0.1", port), "/gradio_api/call/ask", size, chunked)
    return status, time.perf_counter() - started


def server_runs(work: Path) -> list[dict[str, object]]:
    index_dir = work / "serve-index"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(RAG), "--index-dir", str(index_dir), "serve", "--port",
                             str(port), "--index-if-empty", str(ROOT / "seeds")], env=_env(work),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(1)
        time.sleep(2)
        out = []
        for size_mb in (50, 200):
            for chunked in (False, True):
                before = _rss_mb(proc.pid)
                status, seconds = _send(port, size_mb << 20, chunked)
                out.append({"body_mb": size_mb, "chunked": chunked, "status": status,
                            "seconds": seconds, "rss_before_mb": before,
                            "rss_after_mb": _rss_mb(proc.pid)})
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        runs = index_runs(work)
        for r in runs:
            print(f"rag index run {r['run']}: exit {r['exit']}, {r['seconds']:.1f} s, peak "
                  f"{r['peak_mb']:.0f} MB, {r['lines']} lines (one line each: "
                  f"{r['one_line_each']}), {r['entries']} entries\n  {r['summary']}")
        served = server_runs(work)
        for s in served:
            how = "chunked" if s["chunked"] else "declared"
            print(f"serve: {s['body_mb']} MB body ({how}): HTTP {s['status']} in "
                  f"{s['seconds']:.2f} s; server RSS {s['rss_before_mb']:.0f} -> "
                  f"{s['rss_after_mb']:.0f} MB")
    print(f"(this process's peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")
    if args.json:
        write_json(args.json, {"index": runs, "serve": served})


if __name__ == "__main__":
    main()
