"""What a question asks for, as data: the answer type, how a yes/no question joins its
parts, the parts, and the plan that carries them. No logic beyond describing itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class AnswerType(StrEnum):
    """The kind of answer a question asks for."""

    ENTITY = "person or organisation"
    NUMBER = "number"
    DATE = "date"
    PLACE = "place"
    YES_NO = "yes/no"
    ORDER = "order in time"
    DESCRIPTION = "explanation or description"
    OVERVIEW = "overview"


class Relation(StrEnum):
    """How a yes/no question joins its parts."""

    ALL = "every part holds"
    BEFORE = "the first part happened before the second"
    CONSISTENT = "the parts agree"
    CHANGED = "the parts differ"


@dataclass(frozen=True)
class Part:
    """One claim of a question, with the constraints that belong to it."""

    text: str
    sources: tuple[str, ...] = ()  # normalised outlet names the part names
    date_ranges: tuple[tuple[int, int], ...] = ()  # day numbers, inclusive
    names: tuple[str, ...] = ()  # proper names and quoted phrases


@dataclass(frozen=True)
class QuestionPlan:
    """What the question asks for and how it is answered: the query plan."""

    question: str
    answer_type: AnswerType
    relation: Relation
    parts: tuple[Part, ...]
    names: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=())

    def describe(self) -> list[str]:
        """The plan as lines a reader can follow (``rag ask --explain``)."""
        lines = [f"answer type: {self.answer_type.value}"]
        if self.answer_type in (AnswerType.YES_NO, AnswerType.ORDER):
            lines.append(f"verdict: yes when {self.relation.value}")
        for i, part in enumerate(self.parts, 1):
            limits = []
            if part.sources:
                limits.append("outlet " + " or ".join(part.sources))
            if part.date_ranges:
                limits.append("dates " + ", ".join(day_range(a, b) for a, b in part.date_ranges))
            tail = f" [{'; '.join(limits)}]" if limits else ""
            lines.append(f"part {i}: {part.text}{tail}")
        return lines


def day_range(a: int, b: int) -> str:
    """Day numbers as ``2023-10-03..2023-10-05``."""
    return f"{date.fromordinal(a).isoformat()}..{date.fromordinal(b).isoformat()}"
