"""The Chat tab's handlers: a question answered with checked citations, streamed into the
chat with its sources beside it; follow-ups, permalinks, stopping; and the ``/ask`` API."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import gradio as gr

from index.dates import parse_day
from rag.answer import MAX_QUESTION_CHARS, Done, Retrieved, Token
from rag.container import Services
from rag.errors import RagError, UserError
from rag.export import ExportItem, day_label, filters_label
from rag.grounding.passages import Passage
from rag.llms.select import BackendChoice
from rag.retrieval import Filters
from rag.settings import Settings
from ui import render
from ui.api import calls
from ui.api.calls import AnswerReply
from ui.brief import download
from ui.corpus import ALL_OUTLETS
from ui.downloads import ExportFiles
from ui.errors import api_error
from ui.links import Link, read_link

log = logging.getLogger(__name__)

# Answers have their own worker, apart from indexing (the catalog has a connection per
# thread), so an upload never holds up the chat. One worker: on 2 cores, 2 or 4 parallel
# answers gave less throughput and client timeouts (tests/test_load.py, 20 sessions).
# At most ``ui_queue_size`` requests wait; one more is refused at once with Gradio's "Queue is
# full" message instead of waiting minutes.
ANSWER_CONCURRENCY = 1


def new_state() -> dict[str, Any]:
    """A conversation: answered turns, the history for follow-ups, the sources sections,
    and each turn's checked answer (for its exports and the brief)."""
    return {"turn": 0, "history": [], "sections": [], "answers": {}}


def _message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


Message = dict[str, str]


def _copy(chat: list[Message]) -> list[Message]:
    return [dict(m) for m in chat]


def plain(messages: list[Any] | None) -> list[Message]:
    """Chat messages as ``{"role", "content"}`` with string content."""
    return [{"role": m["role"], "content": _message_text(m)} for m in (messages or [])]


class ChatUI:
    """The handlers of the Chat tab, bound to one :class:`Services`."""

    CONVERSATION_HTML = "Download the conversation (.html)"
    CONVERSATION_MD = "Download the conversation (.md)"

    def __init__(self, services: Services, files: ExportFiles | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.backend = services.backend
        self.files = files or ExportFiles(services.store.catalog)

    # -- chat -----------------------------------------------------------------

    def filters(self, since: str | None, until: str | None, outlet: str | None) -> Filters:
        return Filters.parse(since, until, calls.outlet_list(outlet))

    def chat(
        self, question: str, messages: list[Any] | None, state: dict[str, Any] | None,
        since: str, until: str, outlet: str | None, k: float, mode: str, as_of: str = "",
    ) -> Iterator[tuple[Any, ...]]:
        """Answer one question, streaming: yields (question box, chat, sources, state,
        conversation HTML download, conversation Markdown download)."""
        skip = gr.skip()
        state = state or new_state()
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        chat = plain(messages)
        if not question:
            yield (skip,) * 6
            return
        turn = state["turn"] + 1
        chat += [{"role": "user", "content": render.user_html(question)},
                 {"role": "assistant", "content": render.pending_html(searching=True)}]
        yield "", _copy(chat), skip, skip, skip, skip

        passages: list[Passage] = []
        draft = ""
        try:
            filters = self.filters(since, until, outlet)
            day = parse_day(as_of)
            for event in self.services.answerer.stream(
                question, mode="extractive" if mode == "extractive" else "generative",
                filters=filters, k=int(k) if k else None, history=list(state["history"]),
                as_of=day,
            ):
                if isinstance(event, Retrieved):
                    passages = event.passages
                    preview = render.sources_section(turn, question, passages, checking=True)
                    chat[-1]["content"] = render.pending_html()
                    yield skip, _copy(chat), render.sources_panel(
                        [preview, *state["sections"]]), skip, skip, skip
                elif isinstance(event, Token):
                    draft += event.text
                    chat[-1]["content"] = render.pending_html(draft)
                    yield skip, _copy(chat), skip, skip, skip, skip
                elif isinstance(event, Done):
                    link = Link(event.result.standalone or question, since, until,
                                outlet if outlet and outlet != ALL_OUTLETS else "", as_of)
                    item = ExportItem(event.result, filters_label(
                        since, until, filters.sources), day_label(day))
                    yield self._finish(item, turn, chat, state, link)
                    return
        except UserError as exc:
            chat[-1]["content"] = render.error_html(str(exc))
            yield skip, _copy(chat), skip, skip, skip, skip
        except Exception as exc:  # noqa: BLE001 - the chat must go on search-only
            if not isinstance(exc, RagError):
                log.exception("answering failed")
            reason = str(exc) or type(exc).__name__
            if not passages:
                chat[-1]["content"] = render.error_html(f"Search failed: {reason}")
                yield skip, _copy(chat), skip, skip, skip, skip
                return
            state = {**state, "turn": turn,
                     "sections": [render.sources_section(turn, question, passages),
                                  *state["sections"]]}
            chat[-1]["content"] = render.search_only_html(passages, reason, turn, self.backend)
            yield skip, _copy(chat), render.sources_panel(state["sections"]), state, skip, skip

    def _finish(self, item: ExportItem, turn: int, chat: list[Message],
                state: dict[str, Any], link: Link) -> tuple[Any, ...]:
        """The checked answer in the chat, with its exports under it, the conversation's
        exports refreshed."""
        result = item.result
        section = render.sources_section(turn, result.question, result.passages,
                                         result.sentences)
        answers = {**state.get("answers", {}), turn: item}
        state = {
            "turn": turn,
            "history": [*state["history"], (result.standalone, result.answer)],
            "sections": [section, *state["sections"]],
            "answers": answers,
        }
        exports = self.files.write([item], f"answer-{turn}")
        whole = self.files.write([answers[t] for t in sorted(answers)], "conversation",
                                 title="Conversation")
        chat[-1]["content"] = render.answer_html(
            result, turn, self.backend, render.answer_actions(turn, link.query(), exports or ()))
        return (gr.skip(), _copy(chat), render.sources_panel(state["sections"]), state,
                download(whole and whole[0], self.CONVERSATION_HTML),
                download(whole and whole[1], self.CONVERSATION_MD))

    def from_link(self, request: gr.Request) -> tuple[Any, ...]:
        """The question, filters and as-of day of a permalink (``?q=...``) into the
        chat's inputs (nothing changes without ``q``)."""
        link = read_link(dict(request.query_params) if request else {})
        if not link.q:
            return (gr.skip(),) * 5
        outlet = (link.outlet if link.outlet in self.services.store.catalog.outlets()
                  else ALL_OUTLETS)
        return link.q, link.since, link.until, outlet, link.as_of

    def stopped(self, messages: list[Any] | None,
                state: dict[str, Any] | None) -> tuple[list[Message], str]:
        """Mark the answer being produced as stopped (its sources preview goes away)."""
        chat = plain(messages)
        if chat and chat[-1]["role"] == "assistant" and "rag-draft" in chat[-1]["content"]:
            chat[-1]["content"] = render.stopped_html(chat[-1]["content"])
        return chat, render.sources_panel((state or new_state())["sections"])

    def ask(
        self, question: str, since: str = "", until: str = "", outlet: str = "",
        k: int = 0, mode: str = "", history: list[list[str]] | None = None,
        as_of: str = "",
    ) -> AnswerReply:
        """Answer ``question`` from the indexed articles, with checked citations.

        Returns the ``rag ask --json`` object (answer, abstained, reason, citations,
        sentences, standalone_question, ...) plus ``llm_error``. For a follow-up, pass
        ``history`` as ``[[standalone_question, answer], ...]`` of the earlier turns;
        ``as_of`` (``YYYY-MM-DD``) is the day "last week" is read against (default today);
        ``mode`` (``extractive``, ``generative``, ``auto``) defaults to the server's.
        """
        try:
            request = calls.ask_request(self.services, question, since, until, outlet, k,
                                        mode, history or (), as_of)
            return calls.answer_json(calls.answer(self.services, request))
        except RagError as exc:
            raise api_error(exc, "answering") from exc

def answer_concurrency(backend: BackendChoice, settings: Settings) -> int:
    """How many answers run at once: ``ollama_concurrency`` when Ollama generates them
    (its server runs requests in parallel), else one (the embedded model has one slot;
    quote-only answers are quick enough to wait their turn)."""
    return settings.ollama_concurrency if backend.backend == "ollama" else ANSWER_CONCURRENCY


