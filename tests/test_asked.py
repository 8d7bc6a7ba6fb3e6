"""What a "which X" / "what X" question asks for, read by the shape of its noun phrase,
and whether it asks for a person."""

from __future__ import annotations

import pytest

from rag.answer.asked import asked_phrase
from rag.answer.compose import asks_person


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("Which team did the Warriors trade Jordan Poole to?", "team"),
        # Names and abbreviations before the noun modify it, and stay with it.
        ("Which Apple executive negotiated the search deal?", "Apple executive"),
        ("Which former U.S. ambassador to NATO told CNBC about aid?", "former U.S. ambassador"),
        ("Which New York Jets linebacker was player of the month?", "New York Jets linebacker"),
        # The phrase ends at its verb, with or without -ed.
        ("Which Browns player caught the Hail Mary?", "Browns player"),
        ("Which ETF provider agreed to buy the business?", "ETF provider"),
        ("Which IPL team bought Pat Cummins?", "IPL team"),
        ("Which stadium hosts the Holiday Bowl?", "stadium"),
        # A possessive takes the word it owns, which passages write after the answer.
        ("Which famous investor's decision to invest helped?", "famous investor's decision"),
        ("What tax-free investment scheme does Japan plan to expand?", "tax-free investment scheme"),
        ("Which market analyst at IG commented on the ASX?", "market analyst"),
        ("Which Seahawks running back should you sit?", "Seahawks running back"),
        ("Which VTuber is the most subscribed?", "VTuber"),
        # Not a question of this form.
        ("What is the name of the bill?", None),
        ("What did Pompeo say about the attacks?", None),
        ("What replaced Inter Miami's tour of China?", None),
        ("Who fired the rockets?", None),
    ],
)
def test_asked_phrase(question: str, phrase: str | None) -> None:
    assert asked_phrase(question) == phrase


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Which Browns player caught the Hail Mary?", True),
        ("Who fired the head coach?", True),
        # The noun asked for decides, not a person named further on.
        ("What team, which would be under its ninth manager since 2013, is out?", False),
        ("Which company hired the former CEO?", False),
        ("Which pop star kept her demos in a phone folder?", True),
        ("Which start-up raised the most this year?", False),
        # a player by his position, as a whole word
        ("Which Diamondbacks pitcher got the last two outs?", True),
        ("Which NASCAR driver won at Phoenix?", True),
        ("Where had Cruise launched driverless operations?", False),
        ("Which firm went into receivership?", False),
    ],
)
def test_asks_person(question: str, person: bool) -> None:
    assert asks_person(question) is person
