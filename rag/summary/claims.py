"""What the map step produces and the reduce step merges: claims tied to passages."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage
from rag.summary.dating import SentenceDate


@dataclass(frozen=True)
class Claim:
    """One checked sentence of a summary-to-be and what it rests on.

    ``sentence.citations`` are global passage numbers; ``order`` is the reading
    position (passage number, character offset) of the claim's first evidence, so
    claims can be put back in the order the articles tell them.
    """

    sentence: CheckedSentence
    doc_ids: tuple[str, ...]
    salience: float
    order: tuple[int, int]
    when: SentenceDate | None = None
    # A disagreement: the other side (a claim from another article on the same point).
    contrast: Claim | None = None
    kind: str = "claim"  # "claim" | "figures" | "denial"
    pinned: bool = False
    # The stories of ``doc_ids`` (one wire story carried by several outlets is one), in
    # the same order; empty when unknown. A summary spreads over stories.
    stories: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def citations(self) -> list[int]:
        return self.sentence.citations


@dataclass
class MapOutput:
    """The claims of one batch, and the model's sentences the check rejected."""

    claims: list[Claim] = field(default_factory=list)
    rejected: list[CheckedSentence] = field(default_factory=list)
    draft: str = ""


def claim_from(
    sentence: CheckedSentence, passages: dict[int, Passage], salience: float
) -> Claim:
    """A claim for a checked sentence (its documents and reading position from its evidence)."""
    cited = [passages[n] for n in sentence.citations if n in passages]
    first = min(sentence.citations, default=0)
    offset = sentence.evidence.get(first, (0, 0))[0]
    return Claim(
        sentence=sentence,
        doc_ids=tuple(dict.fromkeys(p.doc_id for p in cited)),
        salience=salience,
        order=(first, offset),
        when=None,
        stories=tuple(dict.fromkeys(p.story for p in cited)),
    )


def with_citations(claim: Claim, other: Claim) -> Claim:
    """``claim`` also citing the passages ``other`` cites (a duplicate of it)."""
    s = claim.sentence
    cites = list(dict.fromkeys([*s.citations, *other.citations]))
    evidence = {**other.sentence.evidence, **s.evidence}
    return replace(
        claim,
        sentence=replace(s, citations=cites, evidence=evidence),
        doc_ids=tuple(dict.fromkeys([*claim.doc_ids, *other.doc_ids])),
        stories=tuple(dict.fromkeys([*claim.stories, *other.stories])),
        salience=max(claim.salience, other.salience),
        order=min(claim.order, other.order),
        pinned=claim.pinned or other.pinned,
    )
