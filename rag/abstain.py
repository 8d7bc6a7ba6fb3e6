"""When to say the articles do not answer. Pure (given a similarity function).

Evidence is weak when the question names something no passage mentions: a
year or other number, or most of its proper names; or when no passage
sentence is close to the question in words and meaning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.extractive import Candidate, question_terms
from rag.passages import Passage
from rag.text import content_terms, numbers

MIN_SENTENCE_SCORE = 0.42
MIN_COVERAGE = 0.5
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:[A-Z][a-z]+)*)\b")


@dataclass(frozen=True)
class Evidence:
    """The verdict on the evidence for a question."""

    weak: bool
    reason: str
    coverage: float
    best_sentence: float


def proper_names(question: str) -> set[str]:
    """Capitalised words inside the question (not the first word), stemmed."""
    found = {m.group(1) for m in _PROPER.finditer(question.strip())}
    return {t for name in found for t in content_terms(name)}


def judge_evidence(
    question: str, passages: Sequence[Passage], ranked: Sequence[Candidate]
) -> Evidence:
    """Decide whether the passages hold enough to answer ``question``."""
    if not passages:
        return Evidence(True, "nothing was retrieved", 0.0, 0.0)
    corpus_terms: set[str] = set()
    corpus_numbers: set[str] = set()
    for p in passages:
        text = f"{p.title} {p.source or ''} {p.published_at or ''} {p.text}"
        corpus_terms.update(content_terms(text))
        corpus_numbers.update(numbers(text))
    missing = numbers(question) - corpus_numbers
    if missing:
        return Evidence(True, f"no passage mentions {', '.join(sorted(missing))}", 0.0, 0.0)
    names = proper_names(question)
    if names and len(names - corpus_terms) * 2 > len(names):
        return Evidence(True, "the passages do not mention the names in the question", 0.0, 0.0)
    wanted = question_terms(question)
    best_cov = 0.0
    for p in passages:
        terms = set(content_terms(f"{p.title} {p.text}"))
        if wanted:
            best_cov = max(best_cov, len(wanted & terms) / len(wanted))
    best_sentence = ranked[0].score if ranked else 0.0
    if best_cov < MIN_COVERAGE:
        return Evidence(
            True, "the passages share too few words with the question", best_cov, best_sentence
        )
    if best_sentence < MIN_SENTENCE_SCORE:
        return Evidence(
            True, "no passage sentence is close to the question", best_cov, best_sentence
        )
    return Evidence(False, "", best_cov, best_sentence)
