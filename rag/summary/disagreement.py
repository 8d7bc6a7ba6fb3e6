"""Where articles disagree: two claims from different articles on the same point that
state different figures, or where one denies what the other states. Pure, given a
similarity function. The rule for one pair of sentences (:func:`disagreement_kind`) is in
:mod:`rag.grounding.disagreement`, shared with the answer composer.

"On the same point" means close in meaning (embedding similarity) and sharing most
of their content words, figures and denial words aside; "different figures" means
both state figures (dates left out) and no figure is common to both; a denial is a
negation or denial word in one claim and not in the other, the two otherwise saying
nearly the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.grounding.citations import Similarity
from rag.grounding.disagreement import (
    DENIAL_SIMILARITY,
    SAME_POINT_SIMILARITY,
    SHARED_TERMS,
    Kind,
    conflicting,
    denies,
    disagreement_kind,
    figures,
    shared_terms,
)
from rag.summary.claims import Claim

__all__ = [
    "DENIAL_SIMILARITY",
    "SAME_POINT_SIMILARITY",
    "SHARED_TERMS",
    "Disagreement",
    "Kind",
    "conflicting",
    "denies",
    "disagreement_kind",
    "figures",
    "find_disagreements",
    "fold_disagreements",
    "shared_terms",
]


@dataclass(frozen=True)
class Disagreement:
    """Two claims from different articles that disagree, and how."""

    first: Claim
    second: Claim
    kind: Kind
    similarity: float


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
