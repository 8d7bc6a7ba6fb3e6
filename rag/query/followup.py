"""Follow-up questions made standalone before retrieval. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.grounding.text import content_terms

_LEADS_ON = re.compile(r"^\s*(and|but|also|so|what about|how about|then)\b", re.I)
# Words that point back to what was said before.
_POINTERS = re.compile(r"\b(them|that|those|this|these|there)\b", re.I)
# Pronouns that may as well stand for a name the question itself gives first: in "What
# did the State Department say it would do?", "it" is the State Department.
_PRONOUNS = re.compile(r"\b(it|its|they|their|he|she|his|her)\b", re.I)
# A name: a capitalised word that does not open the question ("State", "Pompeo").
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’.-]*")


def is_follow_up(question: str) -> bool:
    """A question that leans on the conversation: starts with "and", points back ("that",
    "them", "there"), uses a pronoun before naming anyone, or has almost no content words
    of its own and names nothing ("How many died?", but not "Where was Soleimani
    killed?", which is short and says whom it asks about)."""
    if _LEADS_ON.search(question) or _POINTERS.search(question):
        return True
    pronoun = _PRONOUNS.search(question)
    if pronoun and not _NAME.search(question.strip()[: pronoun.start()]):
        return True
    return len(content_terms(question)) <= 2 and not _NAME.search(question.strip())


def standalone_question(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The question to retrieve with: a follow-up carries the previous question's words
    ("and how many were injured?" after a question about an attack)."""
    if not history or not is_follow_up(question):
        return question
    previous = history[-1][0]
    return f"{question} ({previous})"
