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


@pytest.mark.parametrize(("texts", "asked", "named", "not_named"), [
    # A hyphenated word is its parts too.
    (["Prosecutors connected the transfers to Bankman-Fried."], "", "Bankman Fried", ""),
    # A long name names its short form ...
    (["Sam Bankman-Fried took the stand."], "What happened to SBF?", "SBF", ""),
    # ... and a short form names the asked long name whose initials it is, not another's.
    (["SBF took the stand."], "What happened to Sam Bankman-Fried?", "Sam Bankman Fried", ""),
    (["SBF took the stand."], "What happened to Caroline Ellison?", "", "Caroline Ellison"),
])
def test_named_terms(texts: list[str], asked: str, named: str, not_named: str) -> None:
    from rag.grounding.aliases import named_terms
    from rag.grounding.text import content_terms

    have = named_terms(texts, asked)
    assert set(content_terms(named)) <= have and not have & set(content_terms(not_named))


@pytest.mark.parametrize(("text", "asked", "name", "named"), [
    # Only a word with a capital names: "crowning" does not name "The Crown".
    ("The championship game crowns the country's best team.", "Tell me about The Crown",
     "Crown", False),
    ("The Crown returns to Netflix for its final season.", "Tell me about The Crown",
     "Crown", True),
    # A short form still names the asked long name whose initials it is.
    ("SBF took the stand.", "What happened to Sam Bankman-Fried?", "Fried", True),
])
def test_named_terms_by_capitalized_words(text: str, asked: str, name: str,
                                          named: bool) -> None:
    from rag.grounding.aliases import named_terms
    from rag.grounding.text import content_terms

    [term] = content_terms(name)
    assert (term in named_terms([text], asked, capitalized=True)) is named
