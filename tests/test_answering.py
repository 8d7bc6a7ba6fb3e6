"""Which sentence answers: the fitted reordering of the ranked sentences puts the one
that holds the asked value before the one that only repeats the question."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from rag.answer.answering import (
    DEPTH,
    answering_features,
    answering_score,
    by_answering,
)
from rag.answer.compose import head_terms
from rag.answer.plan import AnswerType
from rag.grounding.quotes import Candidate
from tests.support.ranked import ranked_sentences

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def _ranked(sentences: list[str]) -> list[Candidate]:
    return ranked_sentences(sentences, sep="\n", top=0.8, step=0.1)


@pytest.mark.parametrize(
    ("kind", "question", "sentences", "answer"),
    [
        # The heading repeats the question; the sentence after it names the stadium.
        (AnswerType.PLACE, "Where is the Military Bowl between Virginia Tech and Tulane played?",
         ["Military Bowl Presented by GoBowling.com: Virginia Tech vs. Tulane",
          "The game will take place at the Navy-Marine Corps Memorial Stadium in "
          "Annapolis, MD."],
         "Navy-Marine Corps"),
        # The developer's sentence repeats the question; the next names the company.
        (AnswerType.ENTITY, "Which company is the first to move into Miki Naimi's new "
         "office park near the Messubim Interchange?",
         ["Property developer Miki Naimi, who is building the large office park near the "
          "Messubim Interchange, does not sound bothered.",
          "The first company to move in as early as January is Audicodes, which has leased "
          "10,500 square meters."],
         "Audicodes"),
    ],
)
def test_the_sentence_holding_the_asked_value_comes_first(
    kind: AnswerType, question: str, sentences: list[str], answer: str
) -> None:
    ranked = _ranked(sentences)
    assert answer not in ranked[0].text  # the rank score puts the repeat first
    order = by_answering(kind, question, (), head_terms(question), ranked)
    assert answer in order[0].text
    assert sorted(c.text for c in order) == sorted(c.text for c in ranked)


def test_features_read_the_value_and_the_neighbours() -> None:
    ranked = _ranked(["Military Bowl: Virginia Tech vs. Tulane",
                      "The game will take place at Navy-Marine Corps Memorial Stadium."])
    heading, stadium = answering_features(
        AnswerType.PLACE, "Where is the Military Bowl played?", (), set(), ranked)
    assert (heading["hasval"], stadium["hasval"]) == (0.0, 1.0)
    assert heading["own"] > stadium["own"] == 0.0
    assert stadium["win"] > 0.0  # the heading beside it covers the question
    assert heading["hrank"] > stadium["hrank"]
    assert answering_features(AnswerType.PLACE, "Where?", (), set(), []) == []


def test_only_the_first_sentences_are_reordered() -> None:
    ranked = _ranked([f"Sentence number {i} says something about the match." for i in
                      range(DEPTH + 5)])
    order = by_answering(AnswerType.NUMBER, "How many goals were scored?", (), set(), ranked)
    assert order[DEPTH:] == ranked[DEPTH:]
    assert all(0.0 < c.score < 1.0 for c in order[:DEPTH])
    assert sum(c.score for c in order[:DEPTH]) == pytest.approx(1.0)
    assert answering_score({}) < answering_score({"hasval": 1.0})


def test_a_question_word_few_sentences_hold_counts_more() -> None:
    # "stadium" is in every sentence; "Holiday" and "Bowl" only in the last.
    ranked = _ranked(["The stadium was full for the rivalry game.",
                      "The stadium roof stayed open in the heat.",
                      "Another stadium sold out, officials said.",
                      "The Holiday Bowl will be played at Petco Park."])
    rows = answering_features(AnswerType.PLACE, "Which stadium hosts the Holiday Bowl?",
                              (), set(), ranked)
    assert rows[3]["rare"] > 3 * rows[0]["rare"] > 0.0
    assert rows[0]["rare"] == rows[1]["rare"] == rows[2]["rare"]


def test_the_fit_counts_the_answer_within_the_first_sentences() -> None:
    from answering_fit import Question, held_within

    questions = [Question("a", [{}, {}, {}], [False, False, True]),
                 Question("b", [{}, {}], [True, False])]
    scores = [np.array([0.9, 0.5, 0.1]), np.array([0.2, 0.8])]
    assert held_within(questions, scores, 1) == 0.0
    assert held_within(questions, scores, 2) == 0.5
    assert held_within(questions, scores, 3) == 1.0
