"""Checking that a sentence answers, not only that its words appear in a passage. Pure.

The citation check (:func:`rag.grounding.citations.check_sentences`) decides whether a passage
sentence supports an answer sentence. This one decides whether a supported sentence is an
answer at all: an echo of the question, a bare name or title, a copied passage heading or
a repeat is left out and
listed with the reason; for a factual question the sentence must hold a value of the
expected type that the question does not already contain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag.answer.plan import QuestionPlan
from rag.answer.types import spec_of, values_of
from rag.grounding.citations import CheckedSentence
from rag.grounding.text import content_terms
from rag.query.hints import names_in

ECHO_SHARE = 0.8  # a sentence whose words are this much the question's adds nothing
MIN_WORDS = 4


def echoes(sentence: str, question: str) -> bool:
    """The sentence says (almost) nothing the question does not."""
    terms = set(content_terms(sentence))
    if not terms:
        return True
    asked = set(content_terms(question))
    return len(terms & asked) >= ECHO_SHARE * len(terms)


def bare_name(sentence: str) -> bool:
    """A title, a name or a fragment rather than a statement: few words, or nothing
    but names."""
    words = sentence.strip(" .").split()
    if len(words) < MIN_WORDS:
        return True
    named = " ".join(names_in(sentence)).split()
    return len(named) >= len(words) - 1


# What follows a title in a passage heading the prompt shows: " — Outlet, 26 October 2023".
_HEADING_TAIL = re.compile(r"\s*(?:[—–-]\s*[^.!?]*)?[.]?\s*")


def heading(sentence: str, titles: Sequence[str]) -> bool:
    """The sentence is a passage's heading copied (its title, maybe with the outlet and
    date the prompt shows after it), not a statement of the article."""
    text = sentence.strip().casefold()
    return any(
        title.strip() and text.startswith(title.strip().casefold())
        and _HEADING_TAIL.fullmatch(text[len(title.strip()):]) is not None
        for title in titles
    )


def why_not_an_answer(
    sentence: str, plan: QuestionPlan, earlier: Sequence[str] = (), titles: Sequence[str] = ()
) -> str | None:
    """Why a (supported) sentence does not count as an answer to the plan's question, or
    None when it does."""
    if heading(sentence, titles):
        return "a passage's heading"
    if echoes(sentence, plan.question):
        return "echoes the question"
    if bare_name(sentence):
        return "only names, no statement"
    terms = set(content_terms(sentence))
    for prior in earlier:
        if terms <= set(content_terms(prior)):
            return "repeats an earlier sentence"
    if spec_of(plan.answer_type).values is not None and not values_of(
            plan.answer_type, sentence, plan.question):
        return f"holds no {plan.answer_type.value} the question does not already name"
    return None


def keep_answers(
    checked: Sequence[CheckedSentence], plan: QuestionPlan, earlier: Sequence[str] = (),
    titles: Sequence[str] = (),
) -> tuple[list[CheckedSentence], list[CheckedSentence]]:
    """(kept, left out) of checked model sentences: supported sentences that answer are
    kept; the others are left out with the reason in ``note``. ``titles``: the passages'
    titles, whose headings are not answers."""
    kept: list[CheckedSentence] = []
    dropped: list[CheckedSentence] = []
    seen = list(earlier)
    for s in checked:
        if s.supported is not True:
            dropped.append(s if s.note else replace(s, note="no passage sentence supports it"))
            continue
        reason = why_not_an_answer(s.text, plan, seen, titles)
        if reason:
            dropped.append(replace(s, supported=False, note=reason))
        else:
            kept.append(s)
            seen.append(s.text)
    return kept, dropped
