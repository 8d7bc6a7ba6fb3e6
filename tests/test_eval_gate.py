"""The real gate, retrieval-only: eval/seeds.yaml on a fresh index of the corpus it names
(real embedding model), against the committed baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import cli
from rag.container import Services
from rag.evaluation.sets import load_set
from rag.settings import PROJECT_ROOT
from tests.conftest import make_settings

SEEDS_SET = PROJECT_ROOT / "eval" / "seeds.yaml"
BASELINE = PROJECT_ROOT / "eval" / "baselines" / "seeds-retrieval.json"


@pytest.mark.slow
def test_seed_set_passes_its_retrieval_baseline(
    tmp_path: Path, onnx_embedder, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    index_dir = tmp_path / "index"
    services = Services(make_settings(index_dir), embedder=onnx_embedder)
    services.indexer().run(list(load_set(SEEDS_SET).corpus))
    services.close()
    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    result = CliRunner().invoke(
        cli,
        ["--index-dir", str(index_dir), "eval", str(SEEDS_SET), "--retrieval-only", "--json",
         "--baseline", str(BASELINE), "--history-dir", str(tmp_path / "history")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    baseline = json.loads(BASELINE.read_text())
    assert run["corpus"] == baseline["corpus"], "the gate indexes the same corpus"
    assert "expected sources are not in the index" not in result.stderr
    assert run["baseline_comparison"][0].startswith("No metric dropped")
    assert run["totals"]["cases"] == len(load_set(SEEDS_SET).cases)
