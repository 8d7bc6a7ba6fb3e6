"""A value per name, for a question that joins names with "and" ("How many troops are in
Iraq and Syria?"): :func:`conjuncts` reads the names, :func:`value_per_name` the value
nearest each. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from rag.answer.lead import DEPTH
from rag.answer.placement import NEAR, distance, predicate_terms, word_spans
from rag.answer.plan import AnswerType
from rag.answer.types import value_spans
from rag.grounding.quotes import Candidate
from rag.grounding.text import lemma_terms

WINDOW = 80  # characters of passage text around a value read for what it counts

_CONJUNCTS = re.compile(
    r"\b(?:in|for|at|from|of|between)\s+((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)"
    r"\s+and\s+((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)")


def conjuncts(question: str) -> tuple[str, ...]:
    """The names a question joins with "and" when it asks for a value of each ("How many
    troops are in Iraq and Syria?" -> Iraq, Syria)."""
    m = _CONJUNCTS.search(question)
    return tuple(re.sub(r"^the\s+", "", n) for n in m.groups()) if m else ()


def value_per_name(kind: AnswerType, question: str, ranked: Sequence[Candidate],
                   names: Sequence[str], counted: AbstractSet[str] = frozenset()
                   ) -> list[tuple[str, str, Candidate]] | None:
    """For each name, the value of the asked kind nearest it in the best sentences:
    (name, value, sentence); None unless every name has one within :data:`NEAR` words, and
    None when a best sentence gives one figure of what is counted for all the names
    together ("78 attacks on its forces in Iraq and Syria")."""
    for c in ranked[:DEPTH]:
        if counted and all(n in c.text for n in names):
            words = word_spans(c.text)
            if any((d := distance(words, a, b, counted, None)) is not None and d <= 1
                   for a, b in value_spans(kind, c.text, question)):
                return None
    pred = predicate_terms(question, names, set())
    out = []
    for name in names:
        best: tuple[tuple[bool, int], str, Candidate] | None = None
        for c in ranked[:DEPTH]:
            at = c.text.find(name)
            if at < 0:
                continue
            words = word_spans(c.text)
            own = set(lemma_terms(name))
            for a, b in value_spans(kind, c.text, question):
                gap = distance(words, a, b, own, None)
                if gap is None or gap > NEAR:
                    continue
                # What is counted must be near: in the sentence or the text around it
                # ("about 2.5 thousand are serving in Iraq. US troops, …").
                x = c.span[0] + a
                around = set(lemma_terms(c.passage.text[max(0, x - WINDOW) : x + WINDOW]))
                rank = (not pred & around, gap)
                if best is None or rank < best[0]:
                    best = (rank, c.text[a:b].strip(), c)
        if best is None:
            return None
        out.append((name, best[1], best[2]))
    return out

