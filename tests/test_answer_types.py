"""Answers composed by type over the seeds (real embedding model, no LLM): the short
answer first, verdicts citing both articles, and no first sentence that echoes."""

from __future__ import annotations

import re

import pytest

from rag.answer.check import why_not_an_answer
from rag.answer.question import read_question
from rag.container import Services
from rag.evaluation.sets import load_set
from rag.settings import PROJECT_ROOT

SEEDS_SET = load_set(PROJECT_ROOT / "eval" / "seeds.yaml")


def test_katyusha_answer_begins_with_the_count(seed_index: Services) -> None:
    result = seed_index.answerer.answer(
        "How many Katyusha rockets were aimed at the US embassy?", mode="extractive"
    )
    assert re.match(r"Three \[\d+\]\.", result.answer), result.answer
    lead, quote = result.sentences[:2]
    assert lead.citations == quote.citations
    assert "three Katyusha rockets" in quote.text


def test_a_comparison_over_two_articles_gets_a_verdict_citing_both(
    seed_index: Services,
) -> None:
    result = seed_index.answerer.answer(
        "Did Pompeo warn Iraq's prime minister about attacks before Katyusha rockets were "
        "aimed at the US embassy?",
        mode="extractive",
    )
    assert result.answer.startswith(("Yes.", "No."))
    cited_docs = {c["doc_id"] for c in result.citations() if c["supported"]}
    assert len(cited_docs) >= 2, result.answer
    assert len(result.parts) == 2 and all(p.supported for p in result.parts)


def test_a_part_no_article_bears_out_is_named(seed_index: Services) -> None:
    result = seed_index.answerer.answer(
        "Did Pompeo warn Iraq's prime minister about attacks, while Angela Merkel praised "
        "the bakery's new sourdough oven in Berlin?",
        mode="extractive",
    )
    assert not result.answer.startswith("Yes")
    if not result.abstained:
        assert "No indexed article" in result.answer


def test_explain_shows_the_plan_and_what_each_part_retrieved(seed_index: Services) -> None:
    result = seed_index.answerer.answer(
        "How many Katyusha rockets were aimed at the US embassy?", mode="extractive"
    )
    lines = result.explain()
    assert lines[1] == "answer type: number"
    assert any(line.startswith("part 1:") for line in lines)
    assert any("retrieved [" in line for line in lines)
    assert result.to_json()["answer_type"] == "number"


@pytest.mark.parametrize("case", [c for c in SEEDS_SET.cases if c.answerable], ids=lambda c: c.id)
def test_no_first_sentence_echoes_or_only_names_what_the_question_names(
    seed_index: Services, case  # type: ignore[no-untyped-def]
) -> None:
    result = seed_index.answerer.answer(case.question, mode=seed_index.answer_mode("extractive"))
    if result.abstained:
        return
    first = next(s for s in result.sentences if s.supported is not False)
    plan = read_question(case.question, [])
    if first.origin == "composed":  # a short answer or a verdict: new to the question
        assert first.text.rstrip(".") not in ("",) and (
            first.text.rstrip(".") in ("Yes", "No")
            or not set(first.text.lower().split()) <= set(case.question.lower().split())
        ), first.text
    else:
        assert why_not_an_answer(first.text, plan) in (None,) or first.origin == "quoted", (
            first.text
        )
        assert "echoes" not in (why_not_an_answer(first.text, plan) or "")
