"""The MultiHop-RAG index the eval gate and the tests share: built once from the corpus
file and cached under ``~/.cache/newsrag/multihop-KEY`` (KEY: a hash of the corpus file
and of the indexing code, so a change to either builds a new one). Prints its directory.

    python scripts/multihop_index.py [--build]

``--build`` indexes the corpus into it first (a no-op when it is up to date; a cold build
takes about 5 minutes on two cores). A second build started meanwhile (the MultiHop tests
ask for it too, when run without the suite's build before them) waits for the first and
then finds nothing to do. Exits 2 when the corpus is not beside the project
(``../shared/data/multihop-rag/corpus.json``).

A change to the indexing code keys a new index, but most of its chunks are the old
ones: a first build starts from the embedding cache of the newest earlier build whose
embedding code (``index/embedding.py``) was the same, so only chunks whose text changed
are embedded again (the whole corpus in about half a minute when none did).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from index.catalog import Catalog

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "multihop-rag" / "corpus.json"


def index_dir(corpus: Path = CORPUS) -> Path:
    """Where the index of ``corpus`` built by this code is cached."""
    digest = hashlib.sha256(corpus.read_bytes())
    for path in sorted((ROOT / "index").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "newsrag" / f"multihop-{digest.hexdigest()[:16]}"


EMBEDDING_CODE = "embedding-code"  # in a built index: the hash of the code that embedded it


def _embedding_code() -> str:
    return hashlib.sha256((ROOT / "index" / "embedding.py").read_bytes()).hexdigest()


def seed_vectors(target: Path) -> int:
    """Before ``target``'s first build, give it the embedding cache of the newest earlier
    build of the same embedding code. Returns the vectors copied (0: nothing to start
    from, or ``target`` has a catalog already). The catalog is made aside and linked in,
    so a build started meanwhile is never overwritten."""
    catalog = target / Catalog.FILE
    code = _embedding_code()
    earlier = [d for d in target.parent.glob("multihop-*")
               if d != target and (d / Catalog.FILE).is_file()
               and (d / EMBEDDING_CODE).is_file()
               and (d / EMBEDDING_CODE).read_text().strip() == code]
    if catalog.exists() or not earlier:
        return 0
    source = max(earlier, key=lambda d: (d / EMBEDDING_CODE).stat().st_mtime)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as aside:
        Catalog.in_index(Path(aside)).close()
        db = sqlite3.connect(Path(aside) / Catalog.FILE)
        try:
            db.execute("ATTACH DATABASE ? AS earlier", (str(source / Catalog.FILE),))
            with db:
                copied = db.execute("INSERT OR IGNORE INTO embed_cache "
                                    "SELECT key, vector FROM earlier.embed_cache").rowcount
            db.execute("DETACH DATABASE earlier")
        finally:
            db.close()
        with contextlib.suppress(FileExistsError):
            os.link(Path(aside) / Catalog.FILE, catalog)
            return copied
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", action="store_true", help="index the corpus into it first")
    args = ap.parse_args()
    if not CORPUS.is_file():
        print(f"multihop index: {CORPUS} is missing (the MultiHop-RAG corpus beside the "
              "project)", file=sys.stderr)
        return 2
    target = index_dir()
    if args.build:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env["RAG_CONFIG"] = "/dev/null"
        rag = Path(sys.executable).with_name("rag")
        command = [str(rag), "--index-dir", str(target), "index", "--quiet",
                   "--wait", "3600", str(CORPUS)]
        seeded = seed_vectors(target)
        if seeded:
            print(f"multihop index: started from {seeded} vectors of an earlier build",
                  file=sys.stderr)
        done = subprocess.run(command, env=env, stdout=sys.stderr, check=False)
        if done.returncode != 0:
            return done.returncode
        (target / EMBEDDING_CODE).write_text(_embedding_code())
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
