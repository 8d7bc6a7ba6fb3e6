"""Summaries of the seed articles with the real embedding model (the issue's must-show),
and ``rag summarize`` run as a command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rag.container import Services
from rag.grounding.citations import check_sentences
from rag.grounding.similarity import CachedSimilarity
from rag.summary.result import NOT_COVERED_TEXT
from rag.summary.scope import Scope
from tests.test_cli import RAG, SEEDS, ok, one_error_line, rag

TOPIC = "attacks on US forces in Iraq and the US response"
SEED_DOCS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_topic_summary_cites_three_articles_and_every_citation_passes(
    seed_index: Services,
) -> None:
    result = seed_index.summarizer.summarize(Scope(topic=TOPIC), mode="extractive")
    assert result.covered and len(result.claims) >= 3
    articles = {p.doc_id for p in result.passages if p.n in result.cited_numbers()}
    assert len(articles) >= 3
    sides = [c for claim in result.claims for c in (claim, claim.contrast) if c is not None]
    recheck = check_sentences([(c.text, list(c.citations)) for c in sides], result.passages,
                              CachedSimilarity(seed_index.embedder))
    for side, checked in zip(sides, recheck, strict=True):
        assert checked.supported, side.text
        assert checked.citations == side.citations, side.text
    assert result.rejected == []


def test_timeline_puts_december_2019_before_march_2020(seed_index: Services) -> None:
    result = seed_index.summarizer.summarize(Scope(topic=TOPIC), mode="extractive",
                                             timeline=True)
    months = [(c.when.day.year, c.when.day.month) if c.when else None for c in result.claims]
    assert (2019, 12) in months and (2020, 3) in months
    assert months.index((2019, 12)) < min(i for i, m in enumerate(months) if m == (2020, 3))
    december = result.sentences[months.index((2019, 12))]
    assert december.text.startswith("December 2019 — ")
    # Dated claims in date order, undated ones last.
    dated = [c.when.day for c in result.claims if c.when]
    assert dated == sorted(dated)
    assert all(c.when is None for c in result.claims[len(dated):])


@pytest.mark.parametrize("doc_id", [SEED_DOCS[0], SEED_DOCS[3]])
def test_doc_scope_cites_only_that_article(seed_index: Services, doc_id: str) -> None:
    result = seed_index.summarizer.summarize(Scope(doc_id=doc_id))
    assert result.covered and result.claims
    cited = {p.doc_id for p in result.passages if p.n in result.cited_numbers()}
    assert cited == {doc_id}


def test_a_topic_the_seeds_do_not_cover(seed_index: Services) -> None:
    result = seed_index.summarizer.summarize(Scope(topic="football transfers"))
    assert not result.covered
    assert result.summary == NOT_COVERED_TEXT and result.claims == []


@pytest.mark.subprocess
def test_rag_summarize_command(tmp_path: Path) -> None:
    index = tmp_path / "index"
    ok(rag(index, "index", "-q", str(SEEDS)))
    proc = ok(rag(index, "summarize", TOPIC, "--timeline", "--json", "--mode", "extractive"))
    out = json.loads(proc.stdout)
    assert out["covered"] and out["timeline"] and out["mode"] == "extractive"
    assert len({c["doc_id"] for c in out["citations"] if c["supported"]}) >= 3
    assert all(s["supported"] and s["citations"] for s in out["sentences"])
    assert "map 3/3" in proc.stderr
    assert "no indexed article has the id 'nosuch'" in one_error_line(
        rag(index, "summarize", "--doc", "nosuch"))
    assert "not a date" in one_error_line(rag(index, "summarize", "--since", "yesterday"))
    shown = ok(rag(index, "summarize", "--doc", SEED_DOCS[2])).stdout
    assert shown.startswith(f"Summary of article {SEED_DOCS[2]}:") and "[1]" in shown
    assert f"({SEED_DOCS[2]})" in shown


def test_summarize_help_lists_the_scope_options() -> None:
    proc = subprocess.run([str(RAG), "summarize", "--help"],
                          capture_output=True, text=True, timeout=60, check=True)
    for option in ("--doc", "--since", "--until", "--outlet", "--timeline", "--json", "--mode"):
        assert option in proc.stdout
