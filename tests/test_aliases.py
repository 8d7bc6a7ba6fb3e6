"""A name's other forms: the initials articles write for it, and back."""

from __future__ import annotations

import pytest

from rag.grounding.aliases import abbreviated, initials, other_forms


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Sam Bankman-Fried", "SBF"), ("Federal Trade Commission", "FTC"),
     ("Bank of America", "BA"), ("Sam Altman", "SA")],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


@pytest.mark.parametrize(
    ("question", "texts", "expected"),
    [
        # A short form asked: the long name the passages write.
        ("What happened to SBF?", ["Sam Bankman-Fried, the founder of FTX, was tried."],
         {"SBF": "Sam Bankman-Fried"}),
        # A long name asked: the short form the passages write.
        ("What happened to Sam Bankman-Fried?", ["SBF, as he is known, pleaded not guilty."],
         {"Sam Bankman-Fried": "SBF"}),
        # Nothing new: the form is the question's own, or no name matches.
        ("What happened to SBF and Sam Bankman-Fried?", ["SBF and Sam Bankman-Fried"], {}),
        ("What happened to SBF?", ["Sam Altman was fired by the board."], {}),
        ("What is going on at OpenAI?", ["The NFL fined the team."], {}),
    ],
)
def test_other_forms(question: str, texts: list[str], expected: dict[str, str]) -> None:
    assert other_forms(question, texts) == expected


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # From any word of the name on, the commonest name with those initials.
        (["Then Sam Bankman-Fried testified."], {"SBF": "Then Sam Bankman-Fried"}),
        (["the Federal Commission and the Federal Commission", "Football Club"],
         {"FC": "Federal Commission"}),
    ],
)
def test_abbreviated(texts: list[str], expected: dict[str, str]) -> None:
    found = abbreviated(texts)
    assert {k: found.get(k) for k in expected} == expected


def test_no_long_name_abbreviates_nothing() -> None:
    assert abbreviated(["No long name here."]) == {}
