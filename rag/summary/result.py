"""A finished summary: its checked sentences, the passages they cite, and how it was made.

The citation fields are those of answers: :meth:`SummaryResult.as_answer` is the
summary as an :class:`~rag.answer.AnswerResult`, whose ``citations()`` and whose
renderers (terminal and web) are reused as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from rag.answer import AnswerResult
from rag.answer.result import Citation
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage, human_date
from rag.summary.claims import Claim
from rag.summary.scope import Scope

NOT_COVERED_TEXT = "The indexed articles do not cover this topic."
EMPTY_SCOPE_TEXT = "No indexed article is inside this scope."


def _who(claim: Claim, passages: dict[int, Passage], fallback: str) -> str:
    p = passages.get(min(claim.citations, default=0))
    name = (p.source if p else None) or fallback
    when = human_date(p.published_at) if p and p.published_at else None
    return f"{name} ({when})" if when else name


def _quoted(text: str) -> str:
    return "“" + text.strip().strip("“”\"").rstrip(".") + "”"


def display_sentence(claim: Claim, passages: dict[int, Passage], timeline: bool) -> CheckedSentence:
    """The sentence as the summary shows it: a disagreement with both sides, a timeline
    sentence led by its date. Citations and evidence are the checked claim's."""
    s = claim.sentence
    text = s.text
    citations = list(s.citations)
    evidence = dict(s.evidence)
    if claim.contrast is not None:
        other = claim.contrast.sentence
        text = (
            f"Reports differ: {_who(claim, passages, 'one article')} reported "
            f"{_quoted(s.text)}, while {_who(claim.contrast, passages, 'another')} reported "
            f"{_quoted(other.text)}."
        )
        citations = list(dict.fromkeys([*citations, *other.citations]))
        evidence = {**other.evidence, **evidence}
    if timeline:
        if claim.when is None:
            lead = "Undated"
        elif claim.when.source == "article":
            lead = f"Reported {claim.when.label()}"
        else:
            lead = claim.when.label()
        text = f"{lead} — {text}"
    return CheckedSentence(
        text=text, citations=citations, supported=True, score=s.score, origin=s.origin,
        evidence=evidence, claimed=list(s.claimed),
    )


class ScopeJson(TypedDict):
    """What a summary covers, in ``rag summarize --json``."""

    topic: str | None
    doc_id: str | None
    since: str | None
    until: str | None
    outlets: list[str]
    description: str


class SummaryJson(TypedDict):
    """The ``rag summarize --json`` object (:meth:`SummaryResult.to_json`)."""

    topic: str | None
    scope: ScopeJson
    summary: str
    covered: bool
    reason: str
    timeline: bool
    citations: list[Citation]
    sentences: list[dict[str, object]]  # the shown ones (with dates), then the rejected
    disagreements: int
    notes: list[str]
    mode: str
    backend: str
    model: str
    batches: int
    reduce_levels: list[int]
    timings: dict[str, float]


@dataclass
class SummaryResult:
    """A checked summary of a scope."""

    scope: Scope
    summary: str
    covered: bool
    reason: str
    claims: list[Claim]
    sentences: list[CheckedSentence]  # as shown, in order
    rejected: list[CheckedSentence]  # the model's sentences no passage supports
    passages: list[Passage]
    mode: str
    backend: str
    model: str
    timeline: bool = False
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    batches: int = 0
    reduce_levels: list[int] = field(default_factory=list)
    llm_error: str | None = None

    def as_answer(self) -> AnswerResult:
        """The summary in the shape of an answer (for the shared citation fields and
        renderers)."""
        topic = self.scope.topic or self.scope.describe()
        return AnswerResult(
            question=topic, standalone=topic, answer=self.summary,
            abstained=not self.covered, reason=self.reason,
            sentences=[*self.sentences, *self.rejected], passages=self.passages,
            mode=self.mode, backend=self.backend, model=self.model, timings=self.timings,
            llm_error=self.llm_error,
        )

    def cited_numbers(self) -> list[int]:
        """Passage numbers the summary cites, in order of first citation."""
        return self.as_answer().cited_numbers()

    def to_json(self) -> SummaryJson:
        """The ``rag summarize --json`` object (citations as in ``rag ask --json``)."""
        answer = self.as_answer().to_json()
        s = self.scope
        sentences: list[dict[str, object]] = []
        for claim, shown in zip(self.claims, self.sentences, strict=True):
            item: dict[str, object] = {
                "text": shown.text,
                "citations": shown.citations,
                "supported": True,
                "origin": shown.origin,
                "score": round(shown.score, 3),
                "date": claim.when.day.isoformat() if claim.when else None,
                "date_precision": claim.when.precision if claim.when else None,
                "date_from": claim.when.source if claim.when else None,
                "kind": claim.kind,
            }
            if claim.contrast is not None:
                item["sides"] = [
                    {"text": c.text, "citations": c.citations}
                    for c in (claim, claim.contrast)
                ]
            sentences.append(item)
        sentences += [
            {"text": r.text, "citations": r.citations, "supported": False, "origin": r.origin,
             "score": round(r.score, 3), "claimed": r.claimed}
            for r in self.rejected
        ]
        return {
            "topic": s.topic,
            "scope": {
                "topic": s.topic, "doc_id": s.doc_id,
                "since": s.since.isoformat() if s.since else None,
                "until": s.until.isoformat() if s.until else None,
                "outlets": list(s.outlets), "description": s.describe(),
            },
            "summary": self.summary,
            "covered": self.covered,
            "reason": self.reason,
            "timeline": self.timeline,
            "citations": answer["citations"],
            "sentences": sentences,
            "disagreements": sum(1 for c in self.claims if c.contrast is not None),
            "notes": self.notes,
            "mode": self.mode,
            "backend": self.backend,
            "model": self.model,
            "batches": self.batches,
            "reduce_levels": self.reduce_levels,
            "timings": answer["timings"],
        }
