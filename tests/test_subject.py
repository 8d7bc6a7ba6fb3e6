"""The subject of a question that describes it part by part (rag.answer.subject)."""

from __future__ import annotations

import pytest

from rag.answer.lead import alias_key
from rag.answer.subject import SUBJECT_MARGIN, named_in, subject_lead
from rag.grounding.quotes import Candidate
from tests.support.ranked import ranked_sentences

TRIAL = "Is Sam Bankman-Fried a bad man? Lawyers swap opening statements"
PARTS = [
    [f"{TRIAL}\nAfter he left Jane Street, he persuaded Yedidia to join him, Bankman-Fried's "
     "friends said.", "Matt Huang testified about Paradigm."],
    ["SBF trial: prosecutors say SBF committed fraud for wealth.", "Matt Huang said no."],
    ["Caroline Ellison said Sam Bankman-Fried told her to take the money."],
]


def _scored(*pairs: tuple[str, float]) -> list[tuple[str, float, list[Candidate]]]:
    ranked = ranked_sentences(["s"])
    return [(value, conf, ranked) for value, conf in pairs]


def _any(value: str) -> bool:
    return True


@pytest.mark.parametrize(
    ("candidates", "parts", "subject"),
    [
        # Named by every part (once by its initials), though a part's best sentence is
        # about someone else and more confident.
        ([("Matt Huang", 0.3), ("Bankman-Fried", 0.14)], PARTS, "Bankman-Fried"),
        # A part that does not name it: no subject.
        ([("Matt Huang", 0.3), ("Bankman-Fried", 0.14)], PARTS + [["Nothing here."]], None),
        # Two named by every part, nearly as confident: no subject.
        ([("Bankman-Fried", 0.30), ("Caroline Ellison", 0.30 - SUBJECT_MARGIN / 2)],
         [p + ["Caroline Ellison testified."] for p in PARTS], None),
        # ... and when one is clearly the likelier, it.
        ([("Bankman-Fried", 0.40), ("Caroline Ellison", 0.35 - SUBJECT_MARGIN)],
         [p + ["Caroline Ellison testified."] for p in PARTS], "Bankman-Fried"),
        # A question of one part has no subject here.
        ([("Bankman-Fried", 0.14)], PARTS[:1], None),
    ],
)
def test_the_subject_is_what_every_part_names(
    candidates: list[tuple[str, float]], parts: list[list[str]], subject: str | None
) -> None:
    choice = subject_lead(_scored(*candidates), parts, _any)
    assert choice.value == subject, choice.note


def test_a_value_not_of_the_asked_kind_is_no_subject() -> None:
    choice = subject_lead(_scored(("Bankman-Fried", 0.14)), PARTS,
                          lambda value: value != "Bankman-Fried")
    assert choice.value is None


def test_an_ordinary_word_capitalised_is_no_subject() -> None:
    parts = [["Search ads pay. Google said search is free."], ["Search is how Google earns."]]
    assert subject_lead(_scored(("Search", 0.5)), parts, _any).value is None
    assert subject_lead(_scored(("Google", 0.5)), parts, _any).value == "Google"


def test_a_person_is_shown_by_the_commonest_name_with_the_surname() -> None:
    parts = [["Sam Bankman-Fried testified.", "Gabe Bankman-Fried, his brother, watched."],
             ["Sam Bankman-Fried was convicted."]]
    choice = subject_lead(_scored(("Gabe Bankman-Fried", 0.3)), parts, _any, person=True)
    assert choice.value == "Sam Bankman-Fried"


def test_a_person_is_named_in_full_somewhere() -> None:
    parts = [["The board of OpenAI fired Sam Altman."], ["OpenAI said Altman left."]]
    for value in ("OpenAI", "Altman"):
        choice = subject_lead(_scored((value, 0.3)), parts, _any, person=True)
        assert choice.value == (None if value == "OpenAI" else "Sam Altman"), value
    assert subject_lead(_scored(("OpenAI", 0.3)), parts, _any).value == "OpenAI"


@pytest.mark.parametrize(
    ("value", "text", "named"),
    [
        ("Sam Bankman-Fried", "Bankman-Fried's lawyers objected.", True),
        ("Sam Bankman-Fried", "SBF denied it.", True),  # the texts abbreviate him so
        ("Google", "Alphabet's Google said.", True),
        ("Google", "Googlers said.", False),
        # A last word the articles also write in lower case is no name on its own.
        ("DraftKings Sportsbook", "Caesars Sportsbook offers a bonus.", False),
        ("DraftKings Sportsbook", "DraftKings Sportsbook offers a bonus.", True),
    ],
)
def test_a_text_names_a_value_in_full_or_by_its_name(value: str, text: str, named: bool) -> None:
    texts = [text, "Sam Bankman-Fried (SBF) spoke.", "every sportsbook pays"]
    assert named_in(value, text, alias_key(texts), {"sportsbook", "every", "pays"}) is named
