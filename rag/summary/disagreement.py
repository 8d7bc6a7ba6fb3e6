"""Where articles disagree: two claims from different articles on the same point that
state different figures, or where one denies what the other states. Pure, given a
similarity function.

"On the same point" means close in meaning (embedding similarity) and sharing most
of their content words, figures and denial words aside; "different figures" means
both state figures (dates left out) and no figure is common to both; a denial is a
negation or denial word in one claim and not in the other, the two otherwise saying
nearly the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from index.dates import MONTHS
from rag.citations import Similarity
from rag.summary.claims import Claim
from rag.text import content_terms, numbers

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


@dataclass(frozen=True)
class Disagreement:
    """Two claims from different articles that disagree, and how."""

    first: Claim
    second: Claim
    kind: Kind
    similarity: float


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


def find_disagreements(claims: Sequence[Claim], similarity: Similarity) -> list[Disagreement]:
    """Pairs of claims from different articles that disagree, closest pairs first; a claim
    is in at most one pair."""
    if len(claims) < 2:
        return []
    texts = [c.text for c in claims]
    sims = similarity(texts, texts)
    found: list[Disagreement] = []
    for i in range(len(claims)):
        for j in range(i + 1, len(claims)):
            a, b = claims[i], claims[j]
            if set(a.doc_ids) & set(b.doc_ids):
                continue
            kind = disagreement_kind(a.text, b.text, float(sims[i, j]))
            if kind is not None:
                first, second = (a, b) if a.order <= b.order else (b, a)
                found.append(Disagreement(first, second, kind, float(sims[i, j])))
    found.sort(key=lambda d: -d.similarity)
    used: set[int] = set()
    out = []
    for d in found:
        if id(d.first) in used or id(d.second) in used:
            continue
        used.update((id(d.first), id(d.second)))
        out.append(d)
    return out


def fold_disagreements(claims: Sequence[Claim], similarity: Similarity) -> list[Claim]:
    """The claims with each disagreeing pair made one pinned claim that holds both sides
    (``contrast``), so the summary says where reports differ and cites both."""
    pairs = find_disagreements(claims, similarity)
    if not pairs:
        return list(claims)
    second = {id(d.second) for d in pairs}
    by_first = {id(d.first): d for d in pairs}
    out = []
    for c in claims:
        if id(c) in second:
            continue
        d = by_first.get(id(c))
        if d is None:
            out.append(c)
        else:
            out.append(replace(c, contrast=d.second, kind=d.kind, pinned=True,
                               salience=max(c.salience, d.second.salience)))
    return out
