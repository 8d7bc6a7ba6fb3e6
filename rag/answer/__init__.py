"""Answering as stages: read the question (:mod:`.question`) → gather evidence per part
(:mod:`.evidence`) → compose by answer type (:mod:`.compose`) → check that each sentence
answers (:mod:`.check`, besides the citation check) → render (:mod:`.render`).
:class:`Answerer` is the short driver that strings them."""

from rag.answer.answerer import ABSTAIN_TEXT, MAX_QUESTION_CHARS, Answerer
from rag.answer.render import render, strip_live_markup
from rag.answer.request import Mode, Request
from rag.answer.result import AnswerResult, Done, Event, PartReport, Retrieved, Token

__all__ = [
    "ABSTAIN_TEXT",
    "MAX_QUESTION_CHARS",
    "AnswerResult",
    "Answerer",
    "Done",
    "Event",
    "Mode",
    "PartReport",
    "Request",
    "Retrieved",
    "Token",
    "render",
    "strip_live_markup",
]
