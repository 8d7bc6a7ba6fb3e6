"""The Chat tab's handlers: a question answered with checked citations, streamed into the
chat with its sources beside it; follow-ups, permalinks, stopping; and the ``/ask`` API."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

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
from ui.corpus import ALL_OUTLETS
from ui.downloads import ExportFiles
from ui.errors import api_error
from ui.events import SKIP, Skip, download
from ui.links import Link, read_link

log = logging.getLogger(__name__)

# Answers have their own worker, apart from indexing (the catalog has a connection per
# thread), so an upload never holds up the chat. One worker: on 2 cores, 2 or 4 parallel
# answers gave less throughput and client timeouts (tests/test_load.py, 20 sessions).
# At most ``ui_queue_size`` requests wait; one more is refused at once with Gradio's "Queue is
# full" message instead of waiting minutes.
ANSWER_CONCURRENCY = 1

Message = dict[str, str]


@dataclass(frozen=True)
class ChatState:
    """A conversation (a session's ``gr.State``): the answered turns, the history for
    follow-ups, the sources sections (newest first), and each turn's checked answer (for
    its exports and the brief)."""

    turn: int = 0
    history: tuple[tuple[str, str], ...] = ()
    sections: tuple[str, ...] = ()
    answers: Mapping[int, ExportItem] = field(default_factory=dict)


def new_state() -> ChatState:
    """A new conversation."""
    return ChatState()


class ChatUpdate(NamedTuple):
    """What a chat event changes, a field an output component: the question box, the chat,
    the sources panel, the conversation's state, its two downloads. ``SKIP``: unchanged."""

    question: str | Skip = SKIP
    chatbot: list[Message] | Skip = SKIP
    sources: str | Skip = SKIP
    state: ChatState | Skip = SKIP
    conv_html: gr.DownloadButton | Skip = SKIP
    conv_md: gr.DownloadButton | Skip = SKIP


class LinkedInputs(NamedTuple):
    """A permalink's question, filters and as-of day, for the chat's inputs."""

    question: str | Skip = SKIP
    since: str | Skip = SKIP
    until: str | Skip = SKIP
    outlet: str | Skip = SKIP
    as_of: str | Skip = SKIP


def _message_text(message: Mapping[str, object]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


def plain(messages: Sequence[Mapping[str, object]] | None) -> list[Message]:
    """Chat messages (as the chatbot gives them) as ``{"role", "content"}`` with string
    content."""
    return [{"role": str(m["role"]), "content": _message_text(m)} for m in (messages or [])]


@dataclass
class _Turn:
    """One question being answered: the chat with its pending answer last, the state it
    was asked in, and what has come so far (the passages, the draft)."""

    number: int
    question: str
    chat: list[Message]
    state: ChatState
    passages: list[Passage] = field(default_factory=list)
    draft: str = ""

    def show(self, content: str) -> list[Message]:
        """The chat with ``content`` as the pending answer (a copy for Gradio)."""
        self.chat[-1]["content"] = content
        return [dict(m) for m in self.chat]


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
        self, question: str, messages: Sequence[Mapping[str, object]] | None,
        state: ChatState | None, since: str, until: str, outlet: str | None, k: float,
        mode: str, as_of: str = "",
    ) -> Iterator[ChatUpdate]:
        """Answer one question, streaming: the question into the chat, then what the
        answer's events show (:meth:`_stream`); a failure is shown in the chat, with the
        passages found when there are some (search-only)."""
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        if not question:
            yield ChatUpdate()
            return
        state = state or new_state()
        turn = _Turn(state.turn + 1, question, plain(messages), state)
        turn.chat += [{"role": "user", "content": render.user_html(question)},
                      {"role": "assistant", "content": render.pending_html(searching=True)}]
        yield ChatUpdate(question="", chatbot=[dict(m) for m in turn.chat])
        try:
            yield from self._stream(turn, since, until, outlet, k, mode, as_of)
        except UserError as exc:
            yield ChatUpdate(chatbot=turn.show(render.error_html(str(exc))))
        except Exception as exc:  # noqa: BLE001 - the chat must go on search-only
            if not isinstance(exc, RagError):
                log.exception("answering failed")
            yield self._search_only(turn, str(exc) or type(exc).__name__)

    def _stream(self, turn: _Turn, since: str, until: str, outlet: str | None, k: float,
                mode: str, as_of: str) -> Iterator[ChatUpdate]:
        """The answer's events as the chat shows them: the sources found (being checked),
        the draft as it grows, the checked answer (:meth:`_finish`)."""
        filters = self.filters(since, until, outlet)
        day = parse_day(as_of)
        for event in self.services.answerer.stream(
            turn.question, mode="extractive" if mode == "extractive" else "generative",
            filters=filters, k=int(k) if k else None, history=list(turn.state.history),
            as_of=day,
        ):
            if isinstance(event, Retrieved):
                turn.passages = event.passages
                preview = render.sources_section(turn.number, turn.question, turn.passages,
                                                 checking=True)
                yield ChatUpdate(chatbot=turn.show(render.pending_html()),
                                 sources=render.sources_panel([preview, *turn.state.sections]))
            elif isinstance(event, Token):
                turn.draft += event.text
                yield ChatUpdate(chatbot=turn.show(render.pending_html(turn.draft)))
            elif isinstance(event, Done):
                link = Link(event.result.standalone or turn.question, since, until,
                            outlet if outlet and outlet != ALL_OUTLETS else "", as_of)
                item = ExportItem(event.result, filters_label(
                    since, until, filters.sources), day_label(day))
                yield self._finish(item, turn, link)
                return

    def _finish(self, item: ExportItem, turn: _Turn, link: Link) -> ChatUpdate:
        """The checked answer in the chat, with its exports under it, the conversation's
        exports refreshed."""
        result = item.result
        section = render.sources_section(turn.number, result.question, result.passages,
                                         result.sentences)
        answers = {**turn.state.answers, turn.number: item}
        state = ChatState(turn=turn.number,
                          history=(*turn.state.history, (result.standalone, result.answer)),
                          sections=(section, *turn.state.sections), answers=answers)
        exports = self.files.write([item], f"answer-{turn.number}")
        whole = self.files.write([answers[t] for t in sorted(answers)], "conversation",
                                 title="Conversation")
        shown = render.answer_html(result, turn.number, self.backend, render.answer_actions(
            turn.number, link.query(), exports or ()))
        return ChatUpdate(chatbot=turn.show(shown), sources=render.sources_panel(state.sections),
                          state=state,
                          conv_html=download(whole and whole[0], self.CONVERSATION_HTML),
                          conv_md=download(whole and whole[1], self.CONVERSATION_MD))

    def _search_only(self, turn: _Turn, reason: str) -> ChatUpdate:
        """A failed answer: the passages found, if any, with why there is no answer."""
        if not turn.passages:
            return ChatUpdate(chatbot=turn.show(render.error_html(f"Search failed: {reason}")))
        state = replace(turn.state, turn=turn.number, sections=(
            render.sources_section(turn.number, turn.question, turn.passages),
            *turn.state.sections))
        return ChatUpdate(chatbot=turn.show(render.search_only_html(
            turn.passages, reason, turn.number, self.backend)),
            sources=render.sources_panel(state.sections), state=state)

    def from_link(self, request: gr.Request) -> LinkedInputs:
        """The question, filters and as-of day of a permalink (``?q=...``) into the
        chat's inputs (nothing changes without ``q``)."""
        link = read_link(dict(request.query_params) if request else {})
        if not link.q:
            return LinkedInputs()
        outlet = (link.outlet if link.outlet in self.services.store.catalog.outlets()
                  else ALL_OUTLETS)
        return LinkedInputs(link.q, link.since, link.until, outlet, link.as_of)

    def stopped(self, messages: Sequence[Mapping[str, object]] | None,
                state: ChatState | None) -> ChatUpdate:
        """Mark the answer being produced as stopped (its sources preview goes away)."""
        chat = plain(messages)
        if chat and chat[-1]["role"] == "assistant" and "rag-draft" in chat[-1]["content"]:
            chat[-1]["content"] = render.stopped_html(chat[-1]["content"])
        return ChatUpdate(chatbot=chat,
                          sources=render.sources_panel((state or new_state()).sections))

    def new_conversation(self) -> ChatUpdate:
        """Everything of the conversation emptied: the chat, the sources, the state, the
        question box and the conversation's downloads."""
        return ChatUpdate(question="", chatbot=[], sources=render.EMPTY_SOURCES,
                          state=new_state(),
                          conv_html=download(None, self.CONVERSATION_HTML),
                          conv_md=download(None, self.CONVERSATION_MD))

    def chat_cleared(self) -> ChatUpdate:
        """The chat emptied by its own clear button: the sources and the state follow."""
        return ChatUpdate(sources=render.EMPTY_SOURCES, state=new_state())

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


