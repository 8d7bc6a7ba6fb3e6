"""Loading question sets: the YAML format and MultiHop-RAG's JSON, into one Case type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.evaluation.sets import load_set, missing_sources, normalize_title, resolve_titles
from rag.settings import PROJECT_ROOT

YAML_SET = """
corpus: [../articles, extra]
cases:
  - id: one
    question: "How many   rockets?"
    facts: [["three", "3 "], "Green Zone"]
    sources: ["003_"]
    forbidden: ["ACCESS GRANTED"]
    type: single
  - id: two
    question: Who won?
    answerable: false
"""

MULTIHOP = [
    {
        "id": "mh-1",
        "query": "Did both outlets report it?",
        "answer": "Yes",
        "question_type": "comparison_query",
        "evidence_list": [
            {"title": "Title\u00a0One ", "fact": "A fact.", "source": "X"},
            {"title": "Title two", "fact": "Another fact.", "source": "Y"},
        ],
    },
    {
        "id": "mh-2",
        "query": "Unanswerable?",
        "answer": "Insufficient information.",
        "question_type": "null_query",
        "evidence_list": [],
    },
]


def test_yaml_set(tmp_path: Path) -> None:
    (tmp_path / "sets").mkdir()
    path = tmp_path / "sets" / "mine.yaml"
    path.write_text(YAML_SET)
    s = load_set(path)
    assert s.name == "mine" and s.kind == "yaml"
    assert s.corpus == ((tmp_path / "articles").resolve(), (tmp_path / "sets" / "extra").resolve())
    one, two = s.cases
    assert one.question == "How many rockets?"
    assert one.facts == (("three", "3 "), ("Green Zone",))
    assert one.sources == ("003_",) and one.forbidden == ("ACCESS GRANTED",)
    assert one.question_type == "single" and one.answerable
    assert not two.answerable and two.facts == ()


def test_multihop_set_and_title_resolution(tmp_path: Path) -> None:
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(MULTIHOP))
    s = load_set(path)
    assert s.kind == "multihop" and [c.id for c in s.cases] == ["mh-1", "mh-2"]
    first, null = s.cases
    assert first.gold_answer == "Yes" and first.question_type == "comparison_query"
    assert first.evidence_facts == ("A fact.", "Another fact.")
    assert not null.answerable and null.gold_answer is None
    resolved = resolve_titles(s, {"h1": "Title One", "h2": "Something else"})
    assert resolved.cases[0].sources == ("h1",)
    assert resolved.unresolved_titles == ("Title two",)
    assert missing_sources(resolved, {"h1"}) == []
    assert missing_sources(resolved, {"h2"}) == ["h1"]


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("cases: [{question: q}]", ".yaml", "needs an 'id'"),
        ("cases: [{id: a}]", ".yaml", "needs a 'question'"),
        ("cases: [{id: a, question: q, facts: [[1]]}]", ".yaml", "list of strings"),
        ("cases: [{id: a, question: q, answr: x}]", ".yaml", "unknown keys"),
        ("cases: [{id: a, question: q}, {id: a, question: r}]", ".yaml", "duplicate case id"),
        ("cases: []", ".yaml", "no cases"),
        ("just text", ".yaml", "'cases' list"),
        ("cases: [", ".yaml", "invalid YAML"),
        ("{\"a\": 1}", ".json", "JSON list"),
        ("[{\"query\": 3}]", ".json", "'query' string"),
        ("[", ".json", "invalid JSON"),
    ],
)
def test_bad_sets_name_file_and_reason(tmp_path: Path, text: str, suffix: str, message: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_set(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_set(tmp_path / "nope.yaml")


@pytest.mark.parametrize(("written", "indexed"), [
    ("  Dissecting\u00a0impact\u00a0", "dissecting impact"),
    ("&#039;Massive intel failure&#039;: Hamas&#039; attack", "'Massive intel failure': Hamas' attack"),
])
def test_a_title_matches_however_it_is_written(written: str, indexed: str) -> None:
    assert normalize_title(written) == normalize_title(indexed)


def test_seed_set_is_well_formed() -> None:
    """The committed regression set keeps its shape: ≥30 cases, 10 unanswerable, canaries,
    and a corpus that exists."""
    s = load_set(PROJECT_ROOT / "eval" / "seeds.yaml")
    assert len(s.cases) >= 30
    assert sum(not c.answerable for c in s.cases) >= 10
    assert sum(bool(c.forbidden) for c in s.cases) >= 3
    assert all(p.exists() for p in s.corpus)
    assert all(c.sources for c in s.cases if c.answerable)


def test_stratified_sample_is_fixed_and_balanced() -> None:
    from collections import Counter

    from rag.evaluation.sets import Case, stratified_sample

    cases = [Case(id=f"q{i}", question="?", question_type=t)
             for i, t in enumerate(["a"] * 10 + ["b"] * 3 + ["c"] * 7)]
    one = stratified_sample(cases, 3, seed=0)
    assert Counter(c.question_type for c in one) == {"a": 3, "b": 3, "c": 3}
    assert one == stratified_sample(list(reversed(cases)), 3, seed=0)[::-1] or [
        c.id for c in one] == [c.id for c in cases if c in one]
    assert stratified_sample(cases, 3, seed=0) == one
    assert stratified_sample(cases, 3, seed=1) != one


def test_the_multihop_sample_set_reads_from_shared() -> None:
    from rag.settings import PROJECT_ROOT

    path = PROJECT_ROOT / "eval" / "multihop-sample.yaml"
    eval_set = load_set(path)
    assert eval_set.kind == "multihop" and len(eval_set.cases) == 100
    assert eval_set.corpus[0].name == "corpus.json"
