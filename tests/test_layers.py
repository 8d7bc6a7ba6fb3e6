"""The import layers hold: the contracts of ``[tool.importlinter]`` in pyproject.toml
(front ends above the core above the index), and the answering core loads without the
front ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
TIMEOUT = 120.0


def test_import_contracts_are_kept() -> None:
    # --no-cache: grimp's cache can keep a module that became a package (rag/cli.py).
    proc = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=TIMEOUT, check=False,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "0 broken" in proc.stdout, proc.stdout


@pytest.mark.parametrize("module", ["rag.answer", "rag.summary.service"])
def test_the_core_loads_without_the_front_ends(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "front = sorted(m for m in sys.modules if m == 'ui' or m.startswith('ui.')"
        " or m == 'rag.cli' or m.startswith('rag.cli.'))\n"
        "print(','.join(front))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=TIMEOUT, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"front-end modules loaded: {proc.stdout.strip()}"


@pytest.mark.subprocess
def test_indexing_an_article_imports_neither_llama_index_nor_the_answering_core(
    tmp_path: Path,
) -> None:
    # llama-index's core costs about a second to import: `rag index one.json` stays under
    # two seconds only while indexing never loads it (nor answering, which does).
    article = tmp_path / "council.txt"
    article.write_text("Council approves budget\n\nThe council approved the budget on Monday.\n")
    code = (
        "import os, sys\n"
        "from rag.cli import main\n"
        "status = 0\n"
        f"sys.argv = ['rag', '--index-dir', {str(tmp_path / 'index')!r}, 'index', '--quiet',"
        f" {str(article)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    status = exc.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'llama_index'"
        " or m in ('rag.answer', 'rag.retrieval', 'rag.summary.service'))\n"
        "print(status, ','.join(loaded[:5]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=TIMEOUT, check=False, env={**os.environ, "RAG_CONFIG": "/dev/null"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 added" in proc.stdout, proc.stdout + proc.stderr
    status, _, loaded = proc.stdout.strip().splitlines()[-1].partition(" ")
    assert status in ("0", "None"), proc.stdout + proc.stderr
    assert loaded == "", f"indexing loaded: {loaded}"
