"""Thumbs up / down under each chat answer, and a comment to go with the last one: stored
in the catalog (:mod:`rag.feedback`) for ``rag feedback export``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import gradio as gr

from index.dates import parse_day
from rag.container import Services
from rag.errors import UserError
from rag.feedback import (
    MAX_COMMENT_CHARS,
    Rating,
    feedback_from_result,
    rating_label,
    record_feedback,
)
from rag.retrieval import Filters
from ui import render
from ui.api.calls import outlet_list
from ui.chat import ChatState, new_state, plain
from ui.events import SKIP, Skip, components


@dataclass(frozen=True)
class Ratings:
    """The 👍/👎 of a conversation (a session's ``gr.State``): per turn its stored
    feedback, and the last one given (the one a comment goes with)."""

    turns: Mapping[int, Rated] = field(default_factory=dict)
    last: Rated | None = None


class Rated(NamedTuple):
    """A 👍 or 👎 given in the chat: its stored feedback, the answer it rates."""

    id: int
    turn: int
    rating: Rating


def new_rated() -> Ratings:
    """No rating yet."""
    return Ratings()


class FeedbackUpdate(NamedTuple):
    """What a thumb or a comment changes: the feedback line, the comment box (``SKIP``:
    left as typed), the conversation's ratings."""

    line: str
    comment: str | Skip
    rated: Ratings


class FeedbackUI:
    """The handlers of the thumbs and the comment box, bound to one :class:`Services`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def rate(
        self, messages: Sequence[Mapping[str, object]] | None, state: ChatState | None,
        comment: str, rated: Ratings | None, data: gr.LikeData,
    ) -> FeedbackUpdate:
        """A 👍 or 👎 on a chat answer (the same thumb again takes it back), stored in the
        catalog with the question, its filters, the answer, its citations and the comment
        typed so far; another thumb on the same answer changes it."""
        rated = rated or new_rated()
        chat = plain(messages)
        index = data.index if isinstance(data.index, int) else data.index[0]
        ref = render.answer_ref(chat[index]["content"]) if 0 <= index < len(chat) else None
        item = (state or new_state()).answers.get(ref[0]) if ref else None
        if ref is None or item is None:
            return FeedbackUpdate(render.feedback_html("Only a checked answer can be rated.",
                                                       saved=False), SKIP, rated)
        turn, link = ref
        catalog = self.services.store.catalog
        known = rated.turns.get(turn)
        if data.liked == "":
            if known:
                catalog.delete_feedback(known.id)
            last = None if known and rated.last and rated.last.id == known.id else rated.last
            turns = {t: v for t, v in rated.turns.items() if t != turn}
            return FeedbackUpdate(render.feedback_html(
                f"Your rating of answer {turn} is taken back."), SKIP, Ratings(turns, last))
        rating: Rating = "up" if data.liked is True else "down"
        text = " ".join((comment or "").split())[:MAX_COMMENT_CHARS]
        if known and catalog.update_feedback(known.id, rating, text or None):
            feedback_id = known.id
        else:
            try:
                filters = Filters.parse(link.get("since"), link.get("until"),
                                        outlet_list(link.get("outlet")))
                day = parse_day(link.get("as_of"))
            except UserError:  # (the answer was asked with these: not expected)
                filters, day = None, None
            saved = record_feedback(catalog, feedback_from_result(
                item.result, filters, rating, text, day))
            assert saved.id is not None  # (stored: it has its id)
            feedback_id = saved.id
        entry = Rated(feedback_id, turn, rating)
        more = "" if text else " You may add a comment and send it."
        return FeedbackUpdate(
            render.feedback_html(f"{rating_label(rating).capitalize()} on answer {turn}. "
                                 f"{render.FEEDBACK_SAVED}{more}"),
            "" if text else SKIP, Ratings({**rated.turns, turn: entry}, entry))

    def send_comment(self, comment: str, rated: Ratings | None) -> FeedbackUpdate:
        """The comment box's text goes with the last 👍 or 👎 of the conversation."""
        rated = rated or new_rated()
        text = " ".join((comment or "").split())[:MAX_COMMENT_CHARS]
        last = rated.last
        if not text:
            note = "Write a comment first, then send it."
        elif last is None:
            note = "Rate an answer with the thumbs under it first: the comment goes with it."
        elif not self.services.store.catalog.update_feedback(last.id, comment=text):
            note = "That rating is no longer stored: rate the answer again."
        else:
            return FeedbackUpdate(render.feedback_html(
                f"Comment saved with your {rating_label(last.rating)} on answer "
                f"{last.turn}. {render.FEEDBACK_SAVED}"), "", rated)
        return FeedbackUpdate(render.feedback_html(note, saved=False), SKIP, rated)


def cleared() -> FeedbackUpdate:
    """A new conversation: no feedback line, no ratings (the comment box is left)."""
    return FeedbackUpdate("", SKIP, new_rated())


def build_row(feedback: FeedbackUI, chatbot: gr.Chatbot, state: gr.State,
              clears: Sequence[Callable[..., object]]) -> None:
    """The comment box and the feedback line under the chat (call inside the chat's
    column), wired to the chat's thumbs; ``clears`` (a new conversation) reset them."""
    with gr.Row(equal_height=True):
        comment = gr.Textbox(
            elem_id="rag-feedback-comment", show_label=False, lines=1,
            max_length=MAX_COMMENT_CHARS, scale=4, container=False,
            placeholder="Optional comment: rate an answer with the thumbs under it, "
                        "then say why")
        send = gr.Button("Send feedback", elem_id="rag-feedback-send", scale=1)
    line = gr.HTML("", elem_id="rag-feedback-status")
    rated = gr.State(new_rated())
    outputs = components(FeedbackUpdate._fields, line=line, comment=comment, rated=rated)
    chatbot.like(feedback.rate, [chatbot, state, comment, rated], outputs,
                 concurrency_limit=None, api_visibility="private", show_progress="hidden")
    for sent in (send.click, comment.submit):
        sent(feedback.send_comment, [comment, rated], outputs, concurrency_limit=None,
             api_visibility="private", show_progress="hidden")
    for cleared_by in clears:
        cleared_by(cleared, None, outputs, queue=False, api_visibility="private")
