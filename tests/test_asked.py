"""What a "which X" / "what X" question asks for, read by the shape of its noun phrase."""

from __future__ import annotations

import pytest

from rag.answer.asked import asked_phrase
from rag.answer.placement import distance, word_spans
from rag.grounding.text import lemma_terms


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
    ("given", "gap"),
    [
        (frozenset(), 5),  # "24-year-old Jordan Poole to the"
        (frozenset(lemma_terms("Jordan Poole")), 3),  # the question's own names do not count
    ],
)
def test_the_names_a_question_gives_are_not_counted_between_predicate_and_value(
    given: frozenset[str], gap: int
) -> None:
    text = "They traded 24-year-old Jordan Poole to the Wizards in a deal."
    a = text.index("Wizards")
    words = word_spans(text)
    assert distance(words, a, a + len("Wizards"), set(lemma_terms("trade")), True, given) == gap


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Which Browns player caught the Hail Mary?", True),
        ("Who fired the head coach?", True),
        # The noun asked for decides, not a person named further on.
        ("What team, which would be under its ninth manager since 2013, is out?", False),
        ("Which company hired the former CEO?", False),
    ],
)
def test_asks_person(question: str, person: bool) -> None:
    from rag.answer.compose import asks_person

    assert asks_person(question) is person


@pytest.mark.parametrize(
    ("value", "person", "fit"),
    [
        ("Sir Alex Ferguson", False, 0.2),  # a titled name is a person, not a team
        ("Sir Alex Ferguson", True, 1.0),
        ("Manchester United", False, 1.0),
    ],
)
def test_a_titled_name_is_no_team_or_firm(value: str, person: bool, fit: float) -> None:
    from rag.answer.kind_fit import kind_fit
    from rag.answer.plan import AnswerType

    assert kind_fit(AnswerType.ENTITY, value, person, set()) == fit


@pytest.mark.parametrize(
    ("question", "names", "title"),
    [
        ("When did MLB suspend Astros general manager Jeff Luhnow?",
         ["MLB", "Astros", "Jeff Luhnow"], {"general", "manager"}),
        # The verb before a title or a name is the predicate, not a title.
        ("Who did the Minnesota Wild name to replace fired head coach Dean Evason?",
         ["Minnesota Wild", "Dean Evason"], {"head", "coach"}),
        ("Who beat Kenya in the semi-final?", ["Kenya"], set()),
        ("Who did Pompeo speak with?", ["Pompeo"], set()),
    ],
)
def test_a_title_before_a_given_name_is_no_predicate_word(
    question: str, names: list[str], title: set[str]
) -> None:
    from rag.answer.placement import predicate_terms, titles
    from rag.grounding.text import lemma_terms

    expected = {t for w in title for t in lemma_terms(w)}
    assert titles(question, names) == expected
    assert not expected & predicate_terms(question, names, set())
