"""The citation check, extractive answers and the abstention rule, on made-up passages."""

from __future__ import annotations

import re

import pytest

from rag.grounding.abstain import judge_evidence, missing_specifics, proper_names
from rag.grounding.citations import check_sentences, parse_cited_sentences
from rag.grounding.passages import Passage
from rag.grounding.quotes import (
    CONTEXT_WEIGHT,
    FOLLOW_WEIGHT,
    HEADING_PENALTY,
    QUESTION_PENALTY,
    quote,
    rank_sentences,
    sentence_coverage,
)
from rag.grounding.similarity import CachedSimilarity
from rag.grounding.text import content_terms
from tests.support.fakes import HashEmbedding

PASSAGES = [
    Passage(
        1,
        "d1",
        "d1:0:a",
        "Rockets fall near embassy",
        "Three Katyusha rockets, aimed at the American embassy, fell near the Green Zone. "
        "No casualties were reported.",
        source="Wire",
        published_at="2023-12-08",
    ),
    Passage(
        2,
        "d2",
        "d2:0:b",
        "Strikes on militia bases",
        "The strikes killed 25 fighters and wounded 51, according to the Hashed. "
        "The attack followed the death of a US civilian contractor in Kirkuk.",
        source="Daily",
        published_at="2019-12-30",
    ),
    Passage(
        3,
        "d3",
        "d3:0:c",
        "Port reopens",
        "The harbour reopened on Monday after the dock workers ended their strike.",
        published_at="2021-05-04",
    ),
]


@pytest.fixture
def sim() -> CachedSimilarity:
    return CachedSimilarity(HashEmbedding())


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            "Three rockets fell [1]. Nobody died. [2]",
            [("Three rockets fell.", [1]), ("Nobody died.", [2])],
        ),
        ("It killed 25 [1, 2].", [("It killed 25.", [1, 2])]),
        ("It killed 25 [1][3] and more.", [("It killed 25 and more.", [1, 3])]),
        ("No citation here.", [("No citation here.", [])]),
        ("Fell near the zone.\n[1]", [("Fell near the zone.", [1])]),
    ],
)
def test_parse_cited_sentences(answer: str, expected: list[tuple[str, list[int]]]) -> None:
    assert parse_cited_sentences(answer) == expected


def check(answer: str, sim: CachedSimilarity):  # type: ignore[no-untyped-def]
    return check_sentences(parse_cited_sentences(answer), PASSAGES, sim)


def test_correct_citation_is_kept(sim: CachedSimilarity) -> None:
    [s] = check(
        "Three Katyusha rockets aimed at the American embassy fell near the Green Zone [1].", sim
    )
    assert s.supported and s.citations == [1] and 1 in s.evidence


def test_citation_to_a_passage_not_retrieved_is_removed(sim: CachedSimilarity) -> None:
    [s] = check("Three Katyusha rockets fell near the Green Zone [7].", sim)
    assert s.citations == [1] and s.claimed == [7]


def test_wrong_citation_moves_to_the_supporting_passage(sim: CachedSimilarity) -> None:
    [s] = check("The strikes killed 25 fighters and wounded 51 [3].", sim)
    assert s.supported and s.citations == [2]


def test_uncited_sentence_is_attributed(sim: CachedSimilarity) -> None:
    [s] = check("The harbour reopened on Monday after the strike ended.", sim)
    assert s.supported and s.citations == [3]


@pytest.mark.parametrize(
    "claim",
    [
        "One hundred Katyusha rockets fell near the Green Zone [1].",  # wrong figure, words
        "100 Katyusha rockets fell near the Green Zone [1].",  # wrong figure, digits
        "The strikes killed 40 fighters [2].",
        "The president resigned after the election in Brazil [1].",  # nothing like it
    ],
)
def test_unsupported_sentence_is_marked(claim: str, sim: CachedSimilarity) -> None:
    [s] = check(claim, sim)
    assert s.supported is False and s.citations == []


def test_sentence_without_content_is_neutral(sim: CachedSimilarity) -> None:
    [s] = check("Yes.", sim)
    assert s.supported is None


def test_a_quote_of_the_best_sentence_carries_its_outlet_and_date(sim: CachedSimilarity) -> None:
    best = rank_sentences("How many Katyusha rockets were aimed at the embassy?", PASSAGES, sim)
    first = quote(best[0])
    assert first.origin == "quoted" and first.citations == [1]
    assert "Three Katyusha rockets" in first.text
    assert re.match(r".+ \(\d+ December 2023\) reported: “", first.text), first.text
    a, b = first.evidence[1]
    assert PASSAGES[0].text[a:b].startswith("Three Katyusha rockets")


@pytest.mark.parametrize(
    ("sentence", "reads_on"),
    [
        ("It was set by Jorgen Juve in 1937.", True),  # points back: read with the one before
        ("The change was attributed to shorter daylight hours.", True),
        ("Jorgen Juve ended his career in 1937.", True),  # read on, at a lower weight
    ],
)
def test_a_sentence_is_read_with_the_one_before_it(sentence: str, reads_on: bool) -> None:
    wanted = set(content_terms("Norway goalscoring record"))
    before = set(content_terms("Haaland is six goals from Norway's goalscoring record."))
    own, alone = sentence_coverage(wanted, set(content_terms(sentence)), None, sentence)
    read, paired = sentence_coverage(wanted, set(content_terms(sentence)), before, sentence)
    assert (read > own) is reads_on and paired is reads_on and not alone
    weight = FOLLOW_WEIGHT if sentence.startswith("Jorgen") else CONTEXT_WEIGHT
    assert read == pytest.approx(weight)


def test_the_sentence_after_the_one_naming_the_subject_can_answer(sim: CachedSimilarity) -> None:
    passage = Passage(1, "d9", "d9:0:a", "Haaland nears record",
                      "Erling Haaland is six goals away from Norway's goalscoring record. "
                      "It was set by Jorgen Juve, who ended his international career in 1937. "
                      "Haaland scored twice for Manchester City on Saturday.")
    ranked = rank_sentences("Who holds Norway's goalscoring record?", [passage], sim)
    order = [c.text for c in ranked]
    juve = next(t for t in order if "Juve" in t)
    assert order.index(juve) < order.index(next(t for t in order if "Saturday" in t))
    # Quoted with the sentence it points back to, so that a reader knows what "it" is.
    assert juve.startswith("Erling Haaland is six goals away") and juve.endswith("in 1937.")


@pytest.mark.parametrize(
    ("line", "penalty"),
    [
        ("Is Purdy known as Mr. Irrelevant because he was the final pick?", QUESTION_PENALTY),
        ("Purdy is known as Mr. Irrelevant because he was the final pick", HEADING_PENALTY),
        ("Purdy is known as Mr. Irrelevant because he was the final pick!", 0.0),
    ],
)
def test_questions_and_headings_rank_below_the_same_words_stated(
    line: str, penalty: float, sim: CachedSimilarity
) -> None:
    stated = re.sub(r"\W*$", ".", line)
    question = "Why is Purdy called Mr. Irrelevant?"
    [mine] = rank_sentences(question, [Passage(1, "d8", "d8:0:a", "t", line)], sim)
    [plain] = rank_sentences(question, [Passage(1, "d8", "d8:0:a", "t", stated)], sim)
    assert plain.score - mine.score == pytest.approx(penalty)


def test_how_many_questions_prefer_sentences_with_numbers(sim: CachedSimilarity) -> None:
    ranked = rank_sentences("How many fighters did the strikes kill?", PASSAGES, sim)
    assert "25" in ranked[0].text


@pytest.mark.parametrize(
    ("question", "weak"),
    [
        ("How many Katyusha rockets fell near the Green Zone?", False),
        ("How many fighters were killed by the strikes?", False),
        ("What happened at the embassy in 2026?", True),  # a year no passage mentions
        ("What did Angela Merkel say about the rockets?", True),  # names no passage mentions
        ("How much does a premium subscription cost per month?", True),
        ("Who won the football championship final?", True),
    ],
)
def test_abstention_rule(question: str, weak: bool, sim: CachedSimilarity) -> None:
    ranked = rank_sentences(question, PASSAGES, sim)
    assert judge_evidence(question, PASSAGES, ranked).weak is weak


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # A month is a date the passages' publication dates can meet, not a name.
        ("Did the Wire report on December 8, 2023 mention the Green Zone?", None),
        ("Did the Wire report in 2023 mention the Green Zone?", None),
        ("Did the Wire report in 2022 mention the Green Zone?", "no passage mentions 2022"),
        ("Did Angela Merkel and Olaf Scholz visit the Green Zone?",
         "the passages do not mention the names in the question"),
    ],
)
def test_missing_specifics(question: str, missing: str | None) -> None:
    assert missing_specifics(question, PASSAGES) == missing


HYPHENATED = [Passage(1, "d9", "d9:0:a", "The trial is bigger than Sam Bankman-Fried",
                      "Prosecutors have to connect those transactions to Bankman-Fried.",
                      source="Verge", published_at="2023-09-28")]


@pytest.mark.parametrize(("question", "missing"), [
    ("What happened to Bankman-Fried?", None),
    ("What happened to Sam Bankman-Fried?", None),
    ("What happened to Sam Bankman Fried?", None),  # written without the hyphen
    ("What happened to SBF?", None),  # initials are no name a passage must hold
    ("What happened to Caroline Ellison-Smith?",
     "the passages do not mention the names in the question"),
])
def test_a_hyphenated_name_is_found_however_it_is_written(
    question: str, missing: str | None
) -> None:
    assert missing_specifics(question, HYPHENATED) == missing


SHORT_FORM = [Passage(1, "t1", "t1:0:a", "SBF's trial starts soon",
                      "SBF, as he is known, has pleaded not guilty to seven charges.",
                      source="TechCrunch", published_at="2023-10-01")]


@pytest.mark.parametrize(("question", "missing"), [
    ("What happened to Sam Bankman-Fried?", None),  # the passages write "SBF"
    ("What happened to Sam Altman?", "the passages do not mention the names in the question"),
])
def test_a_name_the_passages_write_by_its_initials_is_found(
    question: str, missing: str | None
) -> None:
    assert missing_specifics(question, SHORT_FORM) == missing


def test_months_and_weekdays_are_not_proper_names() -> None:
    assert proper_names("Did the Wire on Monday, December 8 name Green Zone?") == {
        "wire", "green", "zone"}


def test_no_passages_is_weak_evidence() -> None:
    assert judge_evidence("Anything?", [], []).weak


def test_a_bare_figure_is_not_supported(sim: CachedSimilarity) -> None:
    [s] = check("25 [2].", sim)
    assert s.supported is False


def test_a_weak_citation_moves_to_a_clearly_better_passage(sim: CachedSimilarity) -> None:
    # [2] shares some words ("attack", "US") but [1] holds the fact
    [s] = check("Three Katyusha rockets were aimed at the American embassy [2].", sim)
    assert s.citations == [1]
