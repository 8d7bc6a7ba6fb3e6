"""The MultiHop-RAG index the eval gate and the tests share: built once from the corpus
file and cached under ``~/.cache/newsrag/multihop-KEY`` (KEY: a hash of the corpus file
and of the indexing code, so a change to either builds a new one). Prints its directory.

    python scripts/multihop_index.py [--build]

``--build`` indexes the corpus into it first (a no-op when it is up to date; a cold build
takes about 6 minutes on two cores). A second build started meanwhile (the suite starts
one beside pytest, whose MultiHop tests ask for it too) waits for the first and then
finds nothing to do. Exits 2 when the corpus is not beside the project
(``../shared/data/multihop-rag/corpus.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

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
        done = subprocess.run(command, env=env, stdout=sys.stderr, check=False)
        if done.returncode != 0:
            return done.returncode
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
