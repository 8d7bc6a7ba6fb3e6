"""Follow-up questions made standalone before retrieval. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.grounding.text import content_terms

_FOLLOW_UP = re.compile(
    r"^\s*(and|but|also|so|what about|how about|then)\b|\b(it|its|they|them|their|that|those|"
    r"this|these|he|she|his|her|there)\b",
    re.I,
)


def is_follow_up(question: str) -> bool:
    """A question that leans on the conversation: starts with "and", uses a pronoun, or
    has almost no content words of its own."""
    return bool(_FOLLOW_UP.search(question)) or len(content_terms(question)) <= 2


def standalone_question(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The question to retrieve with: a follow-up carries the previous question's words
    ("and how many were injured?" after a question about an attack)."""
    if not history or not is_follow_up(question):
        return question
    previous = history[-1][0]
    return f"{question} ({previous})"
