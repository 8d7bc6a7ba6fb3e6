"""When to say the articles do not answer. Pure (given a similarity function).

Evidence is weak when the question names something no passage mentions: a
year or other number, or most of its proper names; or when no passage
sentence is close to the question in words and meaning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rag.grounding.aliases import named_terms
from rag.grounding.passages import Passage, human_date
from rag.grounding.quotes import PASSAGE_TERMS, Candidate, coverage, question_terms
from rag.grounding.text import content_terms, numbers
from rag.grounding.when import day_of, event_days

MIN_SENTENCE_SCORE = 0.42
MIN_COVERAGE = 0.5
_CALENDAR = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
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
    found = {m.group(1) for m in _PROPER.finditer(question.strip())} - _CALENDAR
    return {t for name in found for t in content_terms(name)}


def missing_specifics(question: str, passages: Sequence[Passage]) -> str | None:
    """Why the passages cannot be about the question: they leave out more than half of
    the figures and proper names it states (None when they do not)."""
    # "Bankman-Fried" in a passage is the question's "Bankman" and "Fried" as well, and
    # "SBF" its "Sam Bankman-Fried" (and back).
    corpus_terms = named_terms(
        (text for p in passages
         for text in (p.title or "", p.source or "", human_date(p.published_at) or "", p.text)),
        question)
    for p in passages:
        # "Oct. 17" in a report of August 2024 is a day of 2023: the year is mentioned.
        corpus_terms.update(str(date.fromordinal(a).year) for a, _ in event_days(
            p.text, day_of(p.published_at), relative=False))
    figures = numbers(question)
    names = proper_names(question) - figures
    missing_figures = figures - corpus_terms
    years = {f for f in missing_figures if len(f) == 4 and f[:2] in ("19", "20")}
    if years or (figures and not names and missing_figures):
        # A year the question names is a time it asks about; no passage of it, no answer.
        return f"no passage mentions {', '.join(sorted(years or missing_figures))}"
    specific = names | figures
    missing = specific - corpus_terms
    if specific and len(missing) * 2 > len(specific):
        if missing_figures and not missing - missing_figures:
            return f"no passage mentions {', '.join(sorted(missing_figures))}"
        return "the passages do not mention the names in the question"
    return None


def judge_evidence(
    question: str,
    passages: Sequence[Passage],
    ranked: Sequence[Candidate],
    specifics: bool = True,
    covering: Sequence[Passage] | None = None,
    wanted: set[str] | None = None,
) -> Evidence:
    """Decide whether the passages hold enough to answer ``question`` (``specifics``:
    also require the figures and names it states; ``covering``: the passages whose words
    must cover the question, when not these; ``wanted``: the terms to cover, when not
    the question's)."""
    if not passages:
        return Evidence(True, "nothing was retrieved", 0.0, 0.0)
    reason = missing_specifics(question, passages) if specifics else None
    if reason:
        return Evidence(True, reason, 0.0, 0.0)
    wanted = question_terms(question) if wanted is None else wanted
    # A claim of several facets is borne out by several passages together.
    together: set[str] = set()
    for p in passages if covering is None else covering:
        together.update(content_terms(f"{p.title} {p.text}"))
    best_cov = coverage(wanted, together, PASSAGE_TERMS)
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
