"""Names read from a sentence, and whether a value says something the question does not."""

from __future__ import annotations

import pytest

from rag.answer.values import entities_in, new_to


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("Using Caroline Ellison as a witness, prosecutors argued.", ["Caroline Ellison"]),
        ("Though India won, Kenya played well.", ["India", "Kenya"]),
        ("However, Peyton Manning threw.", ["Peyton Manning"]),
        # Only the sentence's opening verb goes: inside, the words are the name's own.
        ("He joined Reading FC in 2019.", ["Reading FC"]),
    ],
)
def test_entities_in(sentence: str, names: list[str]) -> None:
    assert entities_in(sentence) == names


@pytest.mark.parametrize(
    ("value", "question", "new"),
    [
        ("CEO Caroline Ellison", "Who told Caroline Ellison to take the money?", False),
        ("Sam Bankman-Fried", "Who told Caroline Ellison to take the money?", True),
        ("Caroline Ellison", "Who testified against Sam Bankman-Fried?", True),
        ("CEO", "Who is the CEO of Alameda?", False),
    ],
)
def test_new_to(value: str, question: str, new: bool) -> None:
    assert new_to(value, question) is new


@pytest.mark.parametrize(
    ("value", "after", "label"),
    [
        ("Published", " 27 October", True),
        ("Updated", " March 5, 2023", True),
        ("Ahmed", " said on Monday", False),
        ("Jones", " 27 October", False),  # a name is not a past tense
    ],
)
def test_dateline(value: str, after: str, label: bool) -> None:
    from rag.answer.values import dateline

    assert dateline(value, after) is label
