"""The metric functions and the scoring of one case (pure, parametrized)."""

from __future__ import annotations

import pytest

from rag.evaluation import metrics
from rag.evaluation.results import CaseResult, by_type, totals
from rag.evaluation.runner import RunOptions, is_correct, score_answer, score_retrieval
from rag.evaluation.sets import Case


@pytest.mark.parametrize(
    ("text", "needle", "whole", "expected"),
    [
        ("Three rockets fell", "three", False, True),
        ("THREE rockets", "Three", False, True),
        ("It was not", "no", False, True),
        ("It was not", "no", True, False),
        ("No, it did not.", "no", True, True),
        ("Sam Bankman-Fried was tried", "Sam Bankman-Fried", True, True),
        ("paid 3 times", "3 ", False, True),
        ("anything", "   ", False, False),
        ("Insufficient information.", "Insufficient information.", True, True),
    ],
)
def test_contains(text: str, needle: str, whole: bool, expected: bool) -> None:
    assert metrics.contains(text, needle, whole_words=whole) is expected


@pytest.mark.parametrize(
    ("answer", "facts", "expected"),
    [
        ("Protesters torched flags in Basra and Najaf.", [["Basra"], ["Najaf"]], 1.0),
        ("Protesters torched flags in Basra.", [["Basra"], ["Najaf"]], 0.5),
        ("Nothing relevant.", [["Basra"], ["Najaf"]], 0.0),
        ("Three rockets.", [["three", "3 "]], 1.0),
        ("anything", [], 1.0),
    ],
)
def test_fact_recall(answer: str, facts: list[list[str]], expected: float) -> None:
    assert metrics.fact_recall(answer, facts) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("flags", "k", "hit", "rr"),
    [
        ([False, True, False], 1, False, 0.0),
        ([False, True, False], 2, True, 0.5),
        ([False, False, False, True], 10, True, 0.25),
        ([], 4, False, 0.0),
        ([True], 4, True, 1.0),
    ],
)
def test_hit_and_reciprocal_rank(flags: list[bool], k: int, hit: bool, rr: float) -> None:
    assert metrics.hit_at(flags, k) is hit
    assert metrics.reciprocal_rank(flags, k) == pytest.approx(rr)


@pytest.mark.parametrize(
    ("doc_ids", "texts", "sources", "facts", "expected"),
    [
        (["a1", "b2"], ["x", "y"], ["a"], [], [True, False]),
        (["a1", "b2"], ["x", "y"], ["a1"], [], [True, False]),
        (["z", "w"], ["the fact  is\nhere", "no"], [], ["thefact is here"], [True, False]),
        (["z"], ["unrelated"], ["a"], ["missing fact"], [False]),
    ],
)
def test_relevant_flags(
    doc_ids: list[str], texts: list[str], sources: list[str], facts: list[str], expected: list[bool]
) -> None:
    assert metrics.relevant_flags(doc_ids, texts, sources, facts) == expected


@pytest.mark.parametrize(
    ("doc_ids", "sources", "k", "expected"),
    [
        (["a", "b", "c"], ["a", "c"], 3, True),
        (["a", "b", "c"], ["a", "c"], 2, False),
        (["a", "b"], [], 2, False),
    ],
)
def test_all_sources_at(doc_ids: list[str], sources: list[str], k: int, expected: bool) -> None:
    assert metrics.all_sources_at(doc_ids, sources, k) is expected


@pytest.mark.parametrize(
    ("abstained", "answerable", "precision", "recall"),
    [
        ([True, False, True], [False, True, True], 0.5, 1.0),
        ([False, False], [True, True], None, None),
        ([True, True], [False, False], 1.0, 1.0),
        ([False, True], [False, False], 1.0, 0.5),
    ],
)
def test_abstention_scores(
    abstained: list[bool], answerable: list[bool], precision: float | None, recall: float | None
) -> None:
    assert metrics.abstention_scores(abstained, answerable) == (precision, recall)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([1.0, 2.0, 3.0], 50, 2.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.5), ([5.0], 95, 5.0),
     ([0.0, 10.0], 95, 9.5), ([], 50, None)],
)
def test_percentile(values: list[float], q: float, expected: float | None) -> None:
    assert metrics.percentile(values, q) == (pytest.approx(expected) if expected else None)


def test_forbidden_found_is_case_insensitive() -> None:
    assert metrics.forbidden_found("access granted.", ["ACCESS GRANTED", "BANANAPHONE"]) == [
        "ACCESS GRANTED"
    ]


OPTS = RunOptions(hit_ks=(1, 4))


@pytest.mark.parametrize(
    ("case", "doc_ids", "texts", "hits", "rr"),
    [
        (Case("a", "q?", sources=("d2",)), ["d1", "d2"], ["x", "y"], {"hit@1": False, "hit@4": True}, 0.5),
        (Case("b", "q?", sources=("d1", "d2"), all_sources=True), ["d1", "d3", "d2"], ["", "", ""],
         {"hit@1": False, "hit@4": True}, 1.0),
        (Case("c", "q?", answerable=False), ["d1"], ["x"], {}, None),
        (Case("d", "q?", evidence_facts=("a fact",)), ["d9"], ["has a  fact."], {"hit@1": True, "hit@4": True}, 1.0),
    ],
)
def test_score_retrieval(
    case: Case, doc_ids: list[str], texts: list[str], hits: dict[str, bool], rr: float | None
) -> None:
    result = score_retrieval(case, doc_ids, texts, OPTS)
    assert result.hits == hits
    assert result.rr == rr


@pytest.mark.parametrize(
    ("case", "answer", "abstained", "expected"),
    [
        (Case("u", "q?", answerable=False), "The indexed articles do not answer this question.", True, True),
        (Case("u", "q?", answerable=False), "Some answer.", False, False),
        (Case("g", "q?", gold_answer="no"), "It is not known.", False, False),
        (Case("g", "q?", gold_answer="no"), "No, it was not.", False, True),
        (Case("f", "q?", facts=(("Basra",), ("Najaf",))), "Basra and Najaf.", False, True),
        (Case("f", "q?", facts=(("Basra",), ("Najaf",))), "Basra.", False, False),
        (Case("f", "q?", facts=(("Basra",),)), "Basra.", True, False),
        (Case("n", "q?"), "Anything.", False, None),
    ],
)
def test_is_correct(case: Case, answer: str, abstained: bool, expected: bool | None) -> None:
    assert is_correct(case, answer, abstained) is expected


def test_score_answer_citations_and_canary() -> None:
    case = Case("c", "q?", facts=(("oven",),), sources=("bakery",), forbidden=("ACCESS GRANTED",))
    result = score_retrieval(case, ["bakery-1"], ["x"], OPTS)
    citations = [
        {"doc_id": "bakery-1", "supported": True},
        {"doc_id": "other", "supported": True},
        {"doc_id": "bakery-1", "supported": False},
    ]
    score_answer(result, case, "A second oven [1]. ACCESS GRANTED", False, citations)
    assert (result.citations, result.supported_citations, result.on_source_citations) == (3, 2, 1)
    assert result.fact_recall == 1.0
    assert result.forbidden_found == ["ACCESS GRANTED"]
    assert result.checks()["canary"] is False


def _result(case_id: str, **kw: object) -> CaseResult:
    base: dict[str, object] = dict(
        id=case_id, question="q?", question_type=None, answerable=True, retrieved=[],
        hits={"hit@1": True}, rr=1.0,
    )
    base.update(kw)
    return CaseResult(**base)  # type: ignore[arg-type]


def test_totals_pool_citations_and_score_abstention() -> None:
    results = [
        _result("a", answer="x", abstained=False, correct=True, fact_recall=1.0, citations=2,
                supported_citations=1, on_source_citations=1, checked_sources=True, latency_ms=10.0),
        _result("b", answer="y", abstained=True, correct=False, fact_recall=0.0, citations=0,
                checked_sources=True, latency_ms=30.0),
        _result("u", answerable=False, hits={}, rr=None, answer="z", abstained=True, correct=True,
                forbidden=["BAD"], latency_ms=20.0),
    ]
    t = totals(results, (1,), 1)
    assert t["hit@1"] == 1.0
    assert t["fact_recall"] == 0.5
    assert t["accuracy"] == pytest.approx(2 / 3)
    assert t["citation_precision"] == 0.5
    assert t["citation_source_accuracy"] == 1.0
    assert (t["abstention_precision"], t["abstention_recall"]) == (0.5, 1.0)
    assert t["canary_pass_rate"] == 1.0
    assert t["latency_p50_ms"] == 20.0


def test_overviews_are_scored_on_facts_sources_abstentions_and_length() -> None:
    results = [
        _result("a", answer="w " * 120, abstained=False, fact_recall=1.0, answer_type="overview",
                cited_articles=3, expected_articles=2, words=120),
        _result("b", answer="x", abstained=False, fact_recall=0.5, answer_type="overview",
                cited_articles=1, expected_articles=2, words=160),
        _result("c", answer="y", abstained=True, fact_recall=0.0, answer_type="overview",
                expected_articles=1),
        _result("d", answer="z", abstained=False, fact_recall=1.0, answer_type="number"),
    ]
    t = totals(results, (1,), 1)
    assert t["overviews"] == 3
    assert t["overview_fact_recall"] == 0.5
    assert t["overview_two_sources"] == 0.5  # of the answered cases that name two articles
    assert t["overview_abstained"] == pytest.approx(1 / 3)
    assert t["overview_words_p50"] == 140.0
    assert "overviews" not in totals(results[3:], (1,), 1)


def test_retrieval_only_totals_have_no_answer_metrics() -> None:
    t = totals([_result("a"), _result("b", hits={"hit@1": False}, rr=0.5)], (1,), 4)
    assert t["hit@1"] == 0.5
    assert t["mrr@4"] == 0.75
    assert "fact_recall" not in t and "canary_pass_rate" not in t


def test_by_type_groups_hits_and_accuracy() -> None:
    results = [
        _result("a", question_type="comparison", answer="x", correct=True),
        _result("b", question_type="comparison", hits={"hit@1": False}, answer="y", correct=False),
        _result("c", question_type="null_query", hits={}, rr=None, answer="z", correct=True),
    ]
    table = by_type(results, (1,), 1)
    assert table["comparison"] == {"cases": 2, "hit@1": 0.5, "accuracy": 0.5}
    assert table["null_query"]["hit@1"] is None
    assert table["null_query"]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("answer", "gold", "ok"),
    [
        ("Yes. TechCrunch reported ...", "Yes", True),
        ("No. No indexed article from The Verge bears out ...", "no", True),
        ("No. The reports differ.", "Yes", False),
        ("Yes. The reports agree.", "Consistent", True),
        ("Yes.", "True", True),
        ("Sam Bankman-Fried [1]. TechCrunch reported ...", "Sam Bankman-Fried", True),
        ("Bankman-Fried [1].", "Sam Bankman-Fried", False),
        ("Sam Altman [2].", "Sam Altman.", True),
        ("The answer mentions yes somewhere", "Yes", False),
    ],
)
def test_gold_correct_follows_multihop_rules(answer: str, gold: str, ok: bool) -> None:
    from rag.evaluation.metrics import gold_correct

    assert gold_correct(answer, gold) is ok
