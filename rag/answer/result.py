"""What answering produces: the checked answer, and the events it streams."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypedDict, TypeVar

from rag.answer.plan import QuestionPlan
from rag.grounding.citations import CheckedSentence, Origin
from rag.grounding.passages import Passage, PassageJson


class Citation(PassageJson):
    """A passage an answer cites (or that the model cited and the check rejected), as
    :meth:`AnswerResult.citations` gives it."""

    n: int
    supported: bool
    story_id: str
    also_carried_by: list[str]
    first_published_at: str | None
    updated_at: str | None
    source_line: str


class SentenceJson(TypedDict):
    """A sentence of an answer in ``rag ask --json``."""

    text: str
    citations: list[int]
    supported: bool | None
    origin: Origin
    score: float
    note: str


class AnswerJson(TypedDict):
    """The ``rag ask --json`` object (:meth:`AnswerResult.to_json`)."""

    question: str
    standalone_question: str
    answer: str
    abstained: bool
    reason: str
    answer_type: str | None
    lead: str | None
    verdict: str | None
    time_frame: str | None
    parts: list[dict[str, object]]
    citations: list[Citation]
    sentences: list[SentenceJson]
    mode: str
    backend: str
    model: str
    timings: dict[str, float]


@dataclass
class PartReport:
    """One part of the query plan: its filters, what it retrieved, how it was judged."""

    text: str
    sources: list[str]
    dates: list[str]
    passages: list[int]  # numbers of the passages it retrieved
    supported: bool
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class AnswerResult:
    """A checked answer and everything needed to show or grade it."""

    question: str
    standalone: str
    answer: str
    abstained: bool
    reason: str
    sentences: list[CheckedSentence]
    passages: list[Passage]
    mode: str
    backend: str
    model: str
    draft: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    llm_error: str | None = None
    plan: QuestionPlan | None = None
    parts: list[PartReport] = field(default_factory=list)
    verdict: str | None = None
    time_frame: str | None = None  # relative dates read ("last week = ... (as of ...)")
    lead: str | None = None  # the short answer or verdict stated first (None: a quote leads)
    lead_note: str = ""  # why the lead was stated or withheld

    @property
    def answer_type(self) -> str | None:
        """The kind of answer the question was read as wanting."""
        return self.plan.answer_type.value if self.plan else None

    def cited_numbers(self) -> list[int]:
        """Passage numbers cited by supported sentences, in order of first citation."""
        seen: dict[int, None] = {}
        for s in self.sentences:
            if s.supported:
                for n in s.citations:
                    seen.setdefault(n, None)
        return list(seen)

    def quotes(self) -> dict[int, str]:
        """For each cited passage number, the passage sentence the answer rests on (the
        first supported sentence citing it)."""
        by_n = {p.n: p for p in self.passages}
        quoted: dict[int, str] = {}
        for s in self.sentences:
            if s.supported:
                for n, (a, b) in s.evidence.items():
                    if n in by_n:
                        quoted.setdefault(n, " ".join(by_n[n].text[a:b].split()))
        return quoted

    def left_out(self) -> list[CheckedSentence]:
        """Sentences of the draft that were left out of the answer, with the reason."""
        return [s for s in self.sentences if s.supported is False]

    def citations(self) -> list[Citation]:
        """Cited passages (and passages the model cited that the check rejected)."""
        kept = set(self.cited_numbers())
        claimed = {n for s in self.sentences for n in s.claimed}
        by_n = {p.n: p for p in self.passages}
        out: list[Citation] = []
        for n in sorted(kept | (claimed & set(by_n))):
            p = by_n[n]
            out.append(
                {
                    "n": n,
                    "doc_id": p.doc_id,
                    "chunk_id": p.chunk_id,
                    "title": p.title,
                    "source": p.source,
                    "published_at": p.published_at,
                    "url": p.url,
                    "text": p.text,
                    "supported": n in kept,
                    "story_id": p.story,
                    "also_carried_by": list(p.also_carried_by),
                    "first_published_at": p.first_published_at,
                    "updated_at": p.updated_at,
                    "source_line": p.source_line(),
                }
            )
        return out

    def explain(self) -> list[str]:
        """The query plan and what each part retrieved, as lines (``rag ask --explain``)."""
        lines = [f"standalone question: {self.standalone}"]
        if self.time_frame:
            lines.append(f"dates: {self.time_frame}")
        if self.plan is not None:
            lines.append(f"answer type: {self.plan.answer_type.value}")
            if self.verdict:
                lines.append(f"verdict: {self.verdict} ({self.plan.relation.value})")
            if self.lead_note:
                stated = "stated" if self.lead is not None else "withheld"
                lines.append(f"lead {stated}: {self.lead_note}")
        for i, part in enumerate(self.parts, 1):
            limits = [f"outlet {' or '.join(part.sources)}"] if part.sources else []
            limits += [f"dates {d}" for d in part.dates]
            tail = f" [{'; '.join(limits)}]" if limits else ""
            judged = "supported" if part.supported else f"not supported ({part.reason})"
            got = ", ".join(f"[{n}]" for n in part.passages) or "nothing"
            lines.append(f"part {i}: {part.text}{tail}")
            lines.append(f"  retrieved {got}; {judged}")
        for s in self.left_out():
            lines.append(f"left out: {s.text} ({s.note or 'not supported'})")
        return lines

    def to_json(self) -> AnswerJson:
        """The ``rag ask --json`` object."""
        return {
            "question": self.question,
            "standalone_question": self.standalone,
            "answer": self.answer,
            "abstained": self.abstained,
            "reason": self.reason,
            "answer_type": self.answer_type,
            "lead": self.lead,
            "verdict": self.verdict,
            "time_frame": self.time_frame,
            "parts": [p.to_json() for p in self.parts],
            "citations": self.citations(),
            "sentences": [
                {
                    "text": s.text,
                    "citations": s.citations,
                    "supported": s.supported,
                    "origin": s.origin,
                    "score": round(s.score, 3),
                    "note": s.note,
                }
                for s in self.sentences
            ],
            "mode": self.mode,
            "backend": self.backend,
            "model": self.model,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class Token:
    """A piece of the model's draft, as it streams."""

    text: str


@dataclass(frozen=True)
class Retrieved:
    """The passages the answer will be built from (sent before generation starts)."""

    passages: list[Passage]


@dataclass(frozen=True)
class Done:
    """The final, checked answer."""

    result: AnswerResult


Event = Token | Retrieved | Done


D = TypeVar("D")


def run_to_end(events: Iterable[object], done: type[D]) -> D:
    """Run a stream of events (an answer's, a summary's) to its end and return its
    ``done`` event, the one that carries the result."""
    for event in events:
        if isinstance(event, done):
            return event
    raise AssertionError("stream ended without a result")  # pragma: no cover
