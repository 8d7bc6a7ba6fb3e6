"""Whether two sentences on the same point disagree: they state different figures, or
one denies what the other states. Pure, given their similarity; shared by the answer
composer (:mod:`rag.answer.compose`) and the summarizer (:mod:`rag.summary.disagreement`).

"On the same point" means close in meaning (embedding similarity) and sharing most
of their content words, figures and denial words aside; "different figures" means
both state figures (dates left out) and no figure is common to both; a denial is a
negation or denial word in one claim and not in the other, the two otherwise saying
nearly the same thing.
"""

from __future__ import annotations

import re
from typing import Literal

from index.dates import MONTHS
from rag.grounding.text import content_terms, numbers

Kind = Literal["figures", "denial"]
SAME_POINT_SIMILARITY = 0.6
SHARED_TERMS = 0.5
DENIAL_SIMILARITY = 0.7

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATES = re.compile(
    rf"\b(?:(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)?\s+"
    rf"(?:{_MONTH_RE})\b|(?:19|20)\d{{2}}\b|\d{{4}}-\d{{2}}-\d{{2}})",
    re.I,
)
_DENIAL = re.compile(
    r"\b(?:not|no|never|none|nobody|neither|nor|without|den(?:y|ies|ied|ying|ial)|"
    r"reject(?:s|ed|ing)?|refut(?:e|es|ed|ing)|dismiss(?:es|ed|ing)?|false(?:ly)?|untrue|"
    r"baseless|unfounded)\b|n[’']t\b",
    re.I,
)
_DENIAL_TERMS = frozenset(content_terms("deny denies denied denying denial reject rejected "
                                        "refute refuted dismiss dismissed false untrue baseless "
                                        "unfounded never none nobody neither without"))


def figures(text: str) -> set[str]:
    """The figures a sentence states (digits or number words), dates and years left out."""
    return numbers(_DATES.sub(" ", text))


def denies(text: str) -> bool:
    """Whether the sentence negates or denies something."""
    return bool(_DENIAL.search(text))


def shared_terms(a: str, b: str, of_longer: bool = False) -> float:
    """Share of the shorter (or, with ``of_longer``, the longer) claim's content words,
    figures and denial words aside, that the other claim has too."""
    ta = {t for t in content_terms(a) if not t[0].isdigit()} - _DENIAL_TERMS
    tb = {t for t in content_terms(b) if not t[0].isdigit()} - _DENIAL_TERMS
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / (max if of_longer else min)(len(ta), len(tb))


def disagreement_kind(a: str, b: str, similarity: float) -> Kind | None:
    """How two sentences on the same point disagree, if they do (None: they do not, or
    they are not on the same point)."""
    if similarity < SAME_POINT_SIMILARITY or shared_terms(a, b) < SHARED_TERMS:
        return None
    fa, fb = figures(a), figures(b)
    if fa and fb and fa.isdisjoint(fb):
        return "figures"
    # A negation is common in news sentences; it only denies the other claim when the
    # two say nearly the same thing (not one short claim inside a long sentence).
    if (similarity >= DENIAL_SIMILARITY and denies(a) != denies(b)
            and shared_terms(a, b, of_longer=True) >= SHARED_TERMS):
        return "denial"
    return None


def conflicting(a: str, b: str) -> bool:
    """Whether two near-identical sentences differ in a figure or a denial (never merge
    those as duplicates)."""
    fa, fb = figures(a), figures(b)
    return (bool(fa) and bool(fb) and fa != fb) or denies(a) != denies(b)
