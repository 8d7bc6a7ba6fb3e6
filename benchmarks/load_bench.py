"""Many readers at once: N ``gradio_client`` users, each asking again as soon as their
answer arrives, against ``rag serve`` (a real subprocess) on the seed articles.

    python benchmarks/load_bench.py [--readers 1 5 20] [--seconds 60] [--modes extractive default]
                                    [--json OUT]

Prints, per mode and number of readers: answered, refused ("Queue is full"), errors,
p50 / p95 latency of the answered, and throughput. ``default`` is the app's own mode
with the embedded model (the composer); ``generative`` makes the embedded Gemma write.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import ROOT, percentile, write_json

QUESTIONS = (
    "How many Katyusha rockets were aimed at the US embassy?",
    "What did Pompeo threaten to do with the embassy in Baghdad?",
    "Who was blamed for the rocket attacks on the Green Zone?",
    "When did the US strike the pro-Iran group?",
    "What is the capital of Peru?",
)
BUSY = ("queue is full", "busy")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(index_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RAG_CONFIG": "/dev/null", "RAG_INDEX_DIR": str(index_dir),
           "RAG_LLM_BACKEND": "embedded"}
    proc = subprocess.Popen([str(ROOT / ".venv/bin/rag"), "serve", "--port", str(port),
                             "--index-if-empty", str(ROOT / "seeds")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("rag serve did not start")


def reader(url: str, i: int, mode: str, deadline: float, tally: Tally) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    j = i
    while time.monotonic() < deadline:
        question = QUESTIONS[j % len(QUESTIONS)]
        j += 1
        t0 = time.perf_counter()
        try:
            kwargs: dict[str, Any] = {} if mode == "default" else {"mode": mode}
            out = client.predict(question, api_name="/ask", **kwargs)
        except Exception as exc:  # noqa: BLE001 - sorted into refused / error
            with tally.lock:
                if any(b in str(exc).lower() for b in BUSY):
                    tally.refused += 1
                else:
                    tally.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            time.sleep(1.0)
            continue
        with tally.lock:
            if isinstance(out, dict) and "answer" in out:
                tally.latencies.append(time.perf_counter() - t0)
            else:
                tally.errors.append(f"bad answer: {out!r}"[:200])


def run(url: str, readers: int, mode: str, seconds: float) -> dict[str, Any]:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=reader, args=(url, i, mode, deadline, tally))
               for i in range(readers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 300)
    wall = time.monotonic() - started
    ms = [x * 1000 for x in tally.latencies]
    row = {"mode": mode, "readers": readers, "seconds": round(wall, 1),
           "answered": len(ms), "refused": tally.refused, "errors": len(tally.errors),
           "p50_s": round(percentile(ms, 50) / 1000, 2) if ms else None,
           "p95_s": round(percentile(ms, 95) / 1000, 2) if ms else None,
           "per_s": round(len(ms) / wall, 2)}
    print(f"{mode:11} {readers:3} readers  {row['answered']:5} answered  {row['refused']:4} "
          f"refused  {row['errors']:3} errors  p50 {row['p50_s']} s  p95 {row['p95_s']} s  "
          f"{row['per_s']} answers/s" + (f"  first error: {tally.errors[0]}" if tally.errors
                                          else ""), flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--readers", type=int, nargs="+", default=[1, 5, 20])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--modes", nargs="+", default=["extractive", "default"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = serve(Path(tmp) / "index", port)
        url = f"http://127.0.0.1:{port}/"
        try:
            from gradio_client import Client

            Client(url, verbose=False).predict(QUESTIONS[0], mode="extractive", api_name="/ask")
            rows = [run(url, n, mode, args.seconds) for mode in args.modes for n in args.readers]
        finally:
            proc.terminate()
            proc.wait(30)
    write_json(args.json, {"rows": rows})


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
