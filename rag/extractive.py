"""Extractive answers: the passage sentences that best answer the question, quoted
and cited. Pure (given a similarity function)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.chunking import split_sentences
from rag.citations import CheckedSentence, Similarity
from rag.passages import Passage, human_date
from rag.text import QUESTION_WORDS, content_terms, numbers

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
    question: str, passages: Sequence[Passage], similarity: Similarity
) -> list[Candidate]:
    """Every passage sentence scored against the question, best first.

    Score: half embedding similarity, half the share of the question's content
    terms the sentence (with its article's title) covers, plus the answer-type bonus.
    """
    wanted = question_terms(question)
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
        coverage = len(wanted & terms) / len(wanted) if wanted else 0.0
        score = 0.5 * float(sim) + 0.5 * coverage + answer_type_bonus(question, sentence)
        out.append(Candidate(p, (a, b), score))
    out.sort(key=lambda c: -c.score)
    return out


def quote(candidate: Candidate) -> CheckedSentence:
    """A passage sentence as a quoted, cited answer sentence, dated by its article."""
    when = human_date(candidate.passage.published_at, month_only=True)
    text = candidate.text.strip().strip('“”"')
    lead = (
        f"As of {when}, {candidate.passage.source or 'the article'} reported: "
        if when
        else (f"{candidate.passage.source or 'The article'} reported: ")
    )
    return CheckedSentence(
        text=f"{lead}“{text}”",
        citations=[candidate.passage.n],
        supported=True,
        score=candidate.score,
        origin="quoted",
        evidence={candidate.passage.n: candidate.span},
    )


def extract_answer(
    question: str,
    passages: Sequence[Passage],
    similarity: Similarity,
    max_sentences: int = 2,
    relative_floor: float = 0.85,
    ranked: Sequence[Candidate] | None = None,
) -> list[CheckedSentence]:
    """Up to ``max_sentences`` quoted sentences: the best one, and others nearly as good
    from other places (no sentence twice). ``ranked`` reuses a ranking already made."""
    if ranked is None:
        ranked = rank_sentences(question, passages, similarity)
    if not ranked:
        return []
    chosen: list[Candidate] = [ranked[0]]
    for cand in ranked[1:]:
        if len(chosen) >= max_sentences or cand.score < relative_floor * ranked[0].score:
            break
        if any(c.text.strip() == cand.text.strip() for c in chosen):
            continue
        chosen.append(cand)
    return [quote(c) for c in chosen]
