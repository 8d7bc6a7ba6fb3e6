"""One writer at a time: an advisory file lock in the index directory."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexBusyError, RuntimeFailure


def _storage_errors() -> tuple[type[BaseException], ...]:
    from chromadb.errors import ChromaError

    return (OSError, sqlite3.Error, ChromaError)


@contextmanager
def storage_errors(index_dir: Path) -> Iterator[None]:
    """Turn a failed write to the index (disk full, database error) into one line.

    The write order of the indexer keeps every committed article whole, so the
    message can say that the index still answers and that a new run finishes the job.
    """
    try:
        yield
    except _storage_errors() as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise RuntimeFailure(
            f"indexing stopped: writing to the index at {index_dir} failed "
            f"({type(exc).__name__}: {detail}); the articles indexed before still answer; "
            "fix the cause and run `rag index` again to finish"
        ) from exc


@contextmanager
def writer_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's write lock; wait up to ``wait`` seconds for another writer.

    The lock is released by the kernel if the process dies, so a killed
    indexer never leaves the index locked. A storage failure inside the block
    becomes a one-line :class:`RuntimeFailure` (see :func:`storage_errors`).
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / "write.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise IndexBusyError(
                        f"another `rag index` (pid {holder}) is writing to {index_dir}: wait "
                        "for it to finish, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        with storage_errors(index_dir):
            yield
    finally:
        os.close(fd)
