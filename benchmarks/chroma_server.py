"""A throw-away ``chroma run`` server, and copying an embedded index into it."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness import services_for

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def peak_rss_mib(pid: int) -> float | None:
    """Peak RSS of another process (VmHWM), in MiB, while it runs (Linux only)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@contextmanager
def running_server(path: Path, startup_s: float = 60.0) -> Iterator[tuple[str, int]]:
    """Start ``chroma run`` on a free port over ``path``; yields (url, pid); stops it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = path.with_suffix(".log")
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + startup_s
        while not _alive(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma server did not start; see {log}")
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def copy_to_server(source_dir: Path, target_dir: Path, url: str) -> dict[str, Any]:
    """Copy an embedded index (catalog, keyword index, vectors) to ``target_dir`` + server."""
    t0 = time.perf_counter()
    target_dir.mkdir(parents=True, exist_ok=True)
    with (
        sqlite3.connect(source_dir / "catalog.sqlite3") as src_db,
        sqlite3.connect(target_dir / "catalog.sqlite3") as dst_db,
    ):
        src_db.backup(dst_db)  # consistent even with a write-ahead log beside the file
    shutil.copytree(source_dir / "keyword", target_dir / "keyword", dirs_exist_ok=True)
    src = services_for(source_dir)
    dst = services_for(target_dir, chroma_url=url)
    n = 0
    for page in src.store.vectors.pages():
        dst.store.vectors.add(
            page["ids"], page["embeddings"], page["documents"], page["metadatas"]
        )
        n += len(page["ids"])
    src.close()
    dst.close()
    return {"vectors": n, "copy_s": round(time.perf_counter() - t0, 1)}
