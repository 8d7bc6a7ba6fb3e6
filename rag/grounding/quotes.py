"""Passage sentences ranked as answers to a question, and quoted with their outlet and
date. Pure (given a similarity function)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.chunking import split_sentences
from rag.grounding.citations import CheckedSentence, Similarity
from rag.grounding.passages import Passage, human_date
from rag.grounding.text import QUESTION_WORDS, content_terms, numbers

_DATE_WORDS = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4})\b",
    re.I,
)


@dataclass(frozen=True)
class Candidate:
    """A passage sentence scored as an answer to the question."""

    passage: Passage
    span: tuple[int, int]
    score: float

    @property
    def text(self) -> str:
        return self.passage.text[self.span[0] : self.span[1]]


# A sentence holds only so much of a long question: coverage counts against at most
# this many of the question's terms (a passage: twice that). Questions with fewer
# terms are scored as before.
SENTENCE_TERMS = 8
PASSAGE_TERMS = 2 * SENTENCE_TERMS


def coverage(wanted: set[str], terms: set[str], most: int = SENTENCE_TERMS) -> float:
    """Share of the question's terms that ``terms`` covers, out of at most ``most``."""
    if not wanted:
        return 0.0
    return min(1.0, len(wanted & terms) / min(len(wanted), most))


def question_terms(question: str) -> set[str]:
    """The question's content terms, question words left out."""
    return {t for t in content_terms(question) if t not in QUESTION_WORDS}


def answer_type_bonus(question: str, sentence: str) -> float:
    """A small bonus when a sentence holds the kind of thing the question asks for."""
    q = question.lower()
    if re.match(r"\s*how (many|much)\b", q) or "number of" in q:
        return 0.1 if numbers(sentence) else -0.1
    if re.match(r"\s*when\b", q) or "what date" in q or "what year" in q:
        return 0.1 if _DATE_WORDS.search(sentence) else 0.0
    return 0.0


def rank_sentences(
    question: str,
    passages: Sequence[Passage],
    similarity: Similarity,
    wanted: set[str] | None = None,
) -> list[Candidate]:
    """Every passage sentence scored against the question, best first.

    Score: half embedding similarity, half the share of the question's content
    terms (or of ``wanted``) the sentence covers, plus the answer-type bonus.
    """
    wanted = question_terms(question) if wanted is None else wanted
    items: list[tuple[Passage, tuple[int, int]]] = [
        (p, span) for p in passages for span in split_sentences(p.text)
    ]
    if not items:
        return []
    sims = similarity([question], [p.text[a:b] for p, (a, b) in items])[0]
    out = []
    for (p, (a, b)), sim in zip(items, sims, strict=True):
        sentence = p.text[a:b]
        if len(sentence.split()) < 4:
            continue
        terms = set(content_terms(sentence))
        covered = coverage(wanted, terms)
        score = 0.5 * float(sim) + 0.5 * covered + answer_type_bonus(question, sentence)
        out.append(Candidate(p, (a, b), score))
    out.sort(key=lambda c: -c.score)
    return out


def quote(c: Candidate) -> CheckedSentence:
    """A passage sentence quoted with its outlet and date: ``TechCrunch (3 October 2023)
    reported: “…”``, cited to its passage."""
    text = c.text.strip().strip('“”"')
    who = c.passage.source or "The article"
    when = human_date(c.passage.published_at)
    lead = f"{who} ({when}) reported: " if when else f"{who} reported: "
    return CheckedSentence(
        text=f"{lead}“{text}”",
        citations=[c.passage.n],
        supported=True,
        score=c.score,
        origin="quoted",
        evidence={c.passage.n: c.span},
    )
