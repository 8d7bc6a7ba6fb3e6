"""Cleaning on the hand-labelled MultiHop-RAG sample (eval/cleaning/labels.yaml).

The corpus is not part of the repository: the test reads it from
``../shared/data/multihop-rag/corpus.json`` and is skipped when it is not there.
``benchmarks/cleaning.py`` prints the same figures with every mistake.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from index.chunking import split_sentences
from index.clean import clean_text, normalize_text
from rag.settings import PROJECT_ROOT
from tests.conftest import MULTIHOP, SEEDS
from tests.test_clean import SEED_FURNITURE, SEED_OFFER_FROM

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))

import cleaning  # noqa: E402

CORPUS = MULTIHOP / "corpus.json"
pytestmark = pytest.mark.skipif(
    not CORPUS.exists(),
    reason="MultiHop-RAG corpus not found at ../shared/data/multihop-rag/corpus.json "
    "(kept outside the repository)",
)

# Furniture removed must be furniture: the bar, and what losing article text costs.
MIN_PRECISION = 0.95
# Measured with clean-2 (.venv/bin/python benchmarks/cleaning.py): 21 of 21 furniture
# paragraphs removed, recall 1.00 (0.95 before the embed-consent cues, which this sample's
# one miss prompted; the line rules of clean-1 alone: 7 of 21, 0.33). The margin allows
# three misses of 21 before the test fails.
MIN_RECALL = 1.00 - 0.15


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    rows = cleaning.load_corpus(CORPUS)
    return cleaning.score(cleaning.load_labels(), rows, clean_text)


def test_every_label_points_at_a_paragraph_of_the_corpus(result: dict[str, Any]) -> None:
    assert result["missing"] == []
    assert sum(r["furniture"] + r["article"] for k, r in result["strata"].items()
               if k != "total") == 100


def test_precision_and_recall_of_furniture_removal(result: dict[str, Any]) -> None:
    total = result["strata"]["total"]
    assert total["precision"] is not None and total["precision"] >= MIN_PRECISION, result
    assert total["recall"] is not None and total["recall"] >= MIN_RECALL, result
    # no article paragraph of the uniform stratum is touched
    assert result["strata"]["random"]["fp"] == 0
    assert not [m for m in result["mistakes"] if m["kind"] == "lost text"]


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_seed_sentences_stay(path: Path) -> None:
    """Every sentence of a seed that is not one of its furniture lines (see
    tests/test_clean.py for the list) is in the cleaned text."""
    raw = path.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    lines = normalize_text(raw).split("\n")
    marker = SEED_OFFER_FROM.get(path.stem)
    if marker:
        lines = lines[: next(i for i, x in enumerate(lines) if x.startswith(marker))]
    for line in lines:
        if line and line not in SEED_FURNITURE.get(path.stem, set()):
            for a, b in split_sentences(line):
                assert line[a:b] in cleaned, line[a:b]
