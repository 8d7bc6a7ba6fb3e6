"""The web UI (Gradio 6): a chat with verified citations, and the corpus.

``build_app(services)`` builds the page from already-built :class:`Services`
(the UI never builds backends itself); ``launch(app, ...)`` serves it with the
safety settings below. ``rag serve`` does both.

Safety:

* Everything from documents, the model or the user is escaped (``ui.render.esc``)
  before it goes into markup. The chat renders no Markdown (``render_markdown=False``)
  and sanitizes HTML, keeps no custom tags and renders no LaTeX, so the only markup
  is the UI's own; the sources panel is our own escaped HTML too.
* The server binds 127.0.0.1 by default; :func:`check_exposure` refuses another
  address (or a share link) without a login unless forced. The login comes from
  ``ui_auth`` setting (``RAG_UI_AUTH=user:password``).
* No extra paths are served (``allowed_paths=[]``), uploads are limited to
  :data:`UPLOAD_TYPES` and ``settings.ui_max_upload_mb``, no run history is kept in
  the browser, no analytics, no share link unless asked.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from index import formats
from index.dates import parse_day
from rag.answer import MAX_QUESTION_CHARS, Done, Retrieved, Token
from rag.container import Services
from rag.errors import RagError, UserError
from rag.export import ExportItem, day_label, filters_label
from rag.feedback import MAX_COMMENT_CHARS, feedback_from_result, rating_label, record_feedback
from rag.grounding.passages import Passage
from rag.ingestion import safe_filename as safe_filename  # (re-exported)
from rag.llms.select import BackendChoice
from rag.retrieval import Filters
from rag.settings import Settings
from ui import render
from ui.api import Api, calls
from ui.brief import build_tab as build_brief_tab
from ui.brief import download
from ui.downloads import ExportFiles
from ui.errors import api_error
from ui.links import Link, read_link
from ui.summaries import build_tab as build_summaries_tab

log = logging.getLogger(__name__)

# Every suffix a registered format reads (index.formats): a new format is uploadable as is.
UPLOAD_TYPES = formats.suffixes()
ALL_OUTLETS = "All outlets"
# Answers have their own worker, apart from indexing (the catalog has a connection per
# thread), so an upload never holds up the chat. One worker: on 2 cores, 2 or 4 parallel
# answers gave less throughput and client timeouts (tests/test_load.py, 20 sessions).
# At most ``ui_queue_size`` requests wait; one more is refused at once with Gradio's "Queue is
# full" message instead of waiting minutes.
ANSWER_CONCURRENCY = 1
AUTH_ENV = "RAG_UI_AUTH"
MB = 1024 * 1024

CSS = """
#rag-status .rag-status { font-size: 0.9em; padding: 6px 10px; border-radius: 6px;
  background: var(--block-background-fill); border: 1px solid var(--block-border-color); }
.rag-status-hint { margin-top: 4px; color: #92400e; }
.rag-question { white-space: pre-wrap; }
.rag-answer-text { line-height: 1.6; }
.rag-sent.rag-quoted { font-style: italic; }
.rag-sent.rag-composed { font-weight: 600; }
.rag-plan { margin-top: .4em; font-size: .9em; }
a.rag-cite { font-weight: 600; text-decoration: none; color: #1d4ed8; margin-left: 1px;
  font-size: 0.85em; vertical-align: super; }
a.rag-cite:hover { text-decoration: underline; }
a.rag-cite + a.rag-cite { margin-left: 3px; }
.rag-draft { color: var(--body-text-color-subdued); }
.rag-draft-label { font-size: 0.8em; font-weight: 600; margin-bottom: 4px; }
.rag-draft-text { white-space: pre-wrap; font-style: italic; }
.rag-abstain { background: #fef3c7; color: #78350f; border-left: 4px solid #d97706;
  padding: 8px 12px; border-radius: 6px; }
.rag-abstain-title { font-weight: 700; }
.rag-reason, .rag-closest { margin-top: 4px; font-size: 0.9em; }
.rag-removed { margin-top: 8px; padding: 6px 10px; border-radius: 6px; background: #f3f4f6;
  color: #374151; font-size: 0.9em; }
.rag-removed ul { margin: 4px 0 0 0; padding-left: 18px; }
.rag-unsupported del { color: #991b1b; text-decoration: line-through; }
.rag-flag { display: inline-block; font-size: 0.75em; font-weight: 700; color: #fff;
  background: #b91c1c; border-radius: 4px; padding: 0 5px; margin-left: 4px; }
.rag-notice { padding: 6px 10px; border-radius: 6px; margin-bottom: 6px; font-size: 0.9em;
  background: #fff7ed; color: #7c2d12; border-left: 4px solid #ea580c; }
.rag-notice.rag-error { background: #fef2f2; color: #7f1d1d; border-left-color: #dc2626; }
.rag-meta { margin-top: 6px; font-size: 0.75em; color: var(--body-text-color-subdued); }
#rag-sources { max-height: 75vh; overflow-y: auto !important; }
.rag-turn { margin-bottom: 14px; }
.rag-turn-head { font-weight: 700; margin: 4px 0 6px 0; }
.rag-turn-q { font-weight: 400; font-style: italic; }
.rag-src { border: 1px solid var(--block-border-color); border-radius: 8px;
  padding: 8px 10px; margin-bottom: 8px; scroll-margin-top: 12px;
  transition: box-shadow 0.3s, background 0.3s; }
.rag-src:target, .rag-src.rag-focus { box-shadow: 0 0 0 3px #f59e0b;
  background: rgba(245, 158, 11, 0.08); }
.rag-src-n { font-weight: 700; color: #1d4ed8; }
.rag-src-title { font-weight: 600; }
.rag-src-meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin: 2px 0 6px 0; }
.rag-src-text { white-space: pre-wrap; font-size: 0.88em; line-height: 1.5; }
mark.rag-hl { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.rag-other summary { cursor: pointer; font-size: 0.85em; margin-bottom: 6px; }
.rag-empty { color: var(--body-text-color-subdued); font-size: 0.9em; }
.rag-summary-timeline .rag-sent { display: block; margin-bottom: 4px; }
.rag-actions { margin-top: 6px; font-size: 0.85em; }
.rag-actions a, a.rag-pin-s, .rag-brief-tools a { text-decoration: none; color: #1d4ed8;
  border: 1px solid var(--block-border-color); border-radius: 4px; padding: 1px 6px;
  margin-right: 6px; white-space: nowrap; }
a.rag-pin-s { font-size: 0.75em; padding: 0 4px; margin-left: 2px; }
.rag-brief-item { margin-bottom: 12px; }
.rag-brief-head { font-weight: 600; margin-bottom: 4px; }
.rag-brief-tools { font-weight: 400; font-size: 0.8em; margin-left: 8px; }
.rag-brief-notes { font-size: 0.88em; margin-top: 12px; }
.rag-feedback { font-size: 0.9em; margin-top: 2px; }
.rag-feedback-saved { color: #166534; }
.rag-feedback-hint { color: #92400e; }
"""

# Bring a cited source into view when its marker is clicked, even inside the
# scrolled sources panel (the browser's own jump to #id does this too; this also
# works when the id is already the current location hash).
JS = """
() => {
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a.rag-cite');
    if (!a) return;
    const id = (a.getAttribute('href') || '').slice(1);
    const el = document.getElementById(id);
    if (!el) return;
    ev.preventDefault();
    const box = el.closest('details');
    if (box) box.open = true;
    el.scrollIntoView({behavior: 'smooth', block: 'start'});
    document.querySelectorAll('.rag-src.rag-focus').forEach(e => e.classList.remove('rag-focus'));
    el.classList.add('rag-focus');
    history.replaceState(null, '', '#' + id);
  }, true);
  // An action link (pin, move, remove): its action goes to the hidden box, then the
  // hidden button sends it to the server (ui.brief.BriefUI.act).
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a.rag-act');
    if (!a) return;
    ev.preventDefault();
    const box = document.querySelector('#rag-action textarea, #rag-action input');
    const go = document.querySelector('#rag-action-go');
    if (!box || !go) return;
    box.value = (a.getAttribute('href') || '').slice(1) + ' ' + Date.now();
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => go.click(), 0);
  }, true);
  // "Link to this question": the permalink goes to the address bar and the clipboard.
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a.rag-link');
    if (!a) return;
    ev.preventDefault();
    const url = new URL(a.getAttribute('href') || '', window.location.href);
    history.replaceState(null, '', url.href);
    if (navigator.clipboard) navigator.clipboard.writeText(url.href).catch(() => {});
    a.textContent = 'Link copied (it is in the address bar too)';
  }, true);
}
"""


def new_state() -> dict[str, Any]:
    """A conversation: answered turns, the history for follow-ups, the sources sections,
    and each turn's checked answer (for its exports and the brief)."""
    return {"turn": 0, "history": [], "sections": [], "answers": {}}


def new_rated() -> dict[str, Any]:
    """The 👍/👎 of a conversation: per turn its stored feedback (id, rating), and the
    last one given (the one a comment goes with)."""
    return {"turns": {}, "last": None}


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


def _plain(messages: list[Any] | None) -> list[Message]:
    """Chat messages as ``{"role", "content"}`` with string content."""
    return [{"role": m["role"], "content": _message_text(m)} for m in (messages or [])]


class ChatUI:
    """The event handlers of the page, bound to one :class:`Services`."""

    CONVERSATION_HTML = "Download the conversation (.html)"
    CONVERSATION_MD = "Download the conversation (.md)"

    def __init__(self, services: Services, files: ExportFiles | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.backend = services.backend
        self.files = files or ExportFiles(services.store.catalog)

    # -- chat -----------------------------------------------------------------

    def filters(self, since: str | None, until: str | None, outlet: str | None) -> Filters:
        sources = (outlet,) if outlet and outlet != ALL_OUTLETS else ()
        return Filters.parse(since, until, sources)

    def chat(
        self, question: str, messages: list[Any] | None, state: dict[str, Any] | None,
        since: str, until: str, outlet: str | None, k: float, mode: str, as_of: str = "",
    ) -> Iterator[tuple[Any, ...]]:
        """Answer one question, streaming: yields (question box, chat, sources, state,
        conversation HTML download, conversation Markdown download)."""
        skip = gr.skip()
        state = state or new_state()
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        chat = _plain(messages)
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
        outlet = link.outlet if link.outlet in self.outlets() else ALL_OUTLETS
        return link.q, link.since, link.until, outlet, link.as_of

    # -- feedback ---------------------------------------------------------------

    def rate(
        self, messages: list[Any] | None, state: dict[str, Any] | None, comment: str,
        rated: dict[str, Any] | None, data: gr.LikeData,
    ) -> tuple[Any, ...]:
        """A 👍 or 👎 on a chat answer (the same thumb again takes it back), stored in the
        catalog with the question, its filters, the answer, its citations and the comment
        typed so far; another thumb on the same answer changes it. Returns (feedback line,
        comment box, the conversation's ratings)."""
        rated = rated or new_rated()
        chat = _plain(messages)
        index = data.index if isinstance(data.index, int) else data.index[0]
        ref = render.answer_ref(chat[index]["content"]) if 0 <= index < len(chat) else None
        item = (state or new_state())["answers"].get(ref[0]) if ref else None
        if ref is None or item is None:
            return (render.feedback_html("Only a checked answer can be rated.", saved=False),
                    gr.skip(), rated)
        turn, link = ref
        catalog = self.services.store.catalog
        known = rated["turns"].get(turn)
        if data.liked == "":
            if known:
                catalog.delete_feedback(known["id"])
            last = rated["last"]
            if known and last and last["id"] == known["id"]:
                last = None
            turns = {t: v for t, v in rated["turns"].items() if t != turn}
            return (render.feedback_html(f"Your rating of answer {turn} is taken back."),
                    gr.skip(), {"turns": turns, "last": last})
        rating = "up" if data.liked is True else "down"
        text = " ".join((comment or "").split())[:MAX_COMMENT_CHARS]
        if known and catalog.update_feedback(known["id"], rating, text or None):
            feedback_id = known["id"]
        else:
            try:
                filters = self.filters(link.get("since"), link.get("until"), link.get("outlet"))
                day = parse_day(link.get("as_of"))
            except UserError:  # (the answer was asked with these: not expected)
                filters, day = None, None
            feedback_id = record_feedback(catalog, feedback_from_result(
                item.result, filters, rating, text, day)).id
        entry = {"id": feedback_id, "turn": turn, "rating": rating}
        more = "" if text else " You may add a comment and send it."
        return (render.feedback_html(f"{rating_label(rating).capitalize()} on answer {turn}. "
                                     f"{render.FEEDBACK_SAVED}{more}"),
                "" if text else gr.skip(),
                {"turns": {**rated["turns"], turn: entry}, "last": entry})

    def send_comment(self, comment: str, rated: dict[str, Any] | None) -> tuple[Any, ...]:
        """The comment box's text goes with the last 👍 or 👎 of the conversation.
        Returns (feedback line, comment box, the conversation's ratings)."""
        rated = rated or new_rated()
        text = " ".join((comment or "").split())[:MAX_COMMENT_CHARS]
        last = rated["last"]
        if not text:
            note = "Write a comment first, then send it."
        elif last is None:
            note = "Rate an answer with the thumbs under it first: the comment goes with it."
        elif not self.services.store.catalog.update_feedback(last["id"], comment=text):
            note = "That rating is no longer stored: rate the answer again."
        else:
            return (render.feedback_html(
                f"Comment saved with your {rating_label(last['rating'])} on answer "
                f"{last['turn']}. {render.FEEDBACK_SAVED}"), "", rated)
        return render.feedback_html(note, saved=False), gr.skip(), rated

    def stopped(self, messages: list[Any] | None,
                state: dict[str, Any] | None) -> tuple[list[Message], str]:
        """Mark the answer being produced as stopped (its sources preview goes away)."""
        chat = _plain(messages)
        if chat and chat[-1]["role"] == "assistant" and "rag-draft" in chat[-1]["content"]:
            chat[-1]["content"] = render.stopped_html(chat[-1]["content"])
        return chat, render.sources_panel((state or new_state())["sections"])

    def ask(
        self, question: str, since: str = "", until: str = "", outlet: str = "",
        k: int = 0, mode: str = "", history: list[list[str]] | None = None,
        as_of: str = "",
    ) -> dict[str, Any]:
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

    # -- corpus ---------------------------------------------------------------

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded articles are kept (they are the source of indexed documents)."""
        return self.services.ingestion.uploads_dir

    def outlets(self) -> list[str]:
        return self.services.store.catalog.outlets()

    def status(self) -> str:
        catalog = self.services.store.catalog
        return render.status_html(self.backend, catalog.count_documents(),
                                  catalog.count_chunks(), self.services.embed_model_id,
                                  self.services.settings.ollama_model,
                                  self.services.ingestion.feeds(), catalog.running_import())

    def refresh(self) -> tuple[Any, ...]:
        """The corpus table, the outlet choices and the status line, from the catalog."""
        rows = render.document_rows(self.services.store.catalog.documents().values())
        outlets = gr.Dropdown(choices=[ALL_OUTLETS, *self.outlets()])
        return rows, outlets, self.status()

    def index_files(
        self, files: list[str] | None, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> tuple[Any, ...]:
        """Index uploaded files (incrementally, under the writer lock)."""
        if not files:
            return ("Choose one or more files first.", *self.refresh(), gr.skip())

        def update(done: int, total: int, label: str) -> None:
            progress((done, total), desc=f"Indexing {label}", unit="articles")

        result = self.services.ingestion.add_uploads(
            files, progress=update, wait=self.settings.ui_lock_wait_s,
            max_bytes=self.settings.ui_max_upload_mb * MB,
            waiting=lambda: progress(0, desc="Waiting for the index"),
        )
        lines = [f"skipped {e}" for e in result.refused]
        if result.error is not None:
            lines.append(f"not indexed: {result.error}")
        elif result.report is not None:
            lines += [f"skipped {e}" for e in result.report.errors]
            lines.append(result.report.summary())
        return ("\n".join(lines), *self.refresh(), None)

    def remove(self, text: str) -> tuple[Any, ...]:
        """Remove articles by document id (and the uploaded files they came from)."""
        ids = [t for t in re.split(r"[\s,]+", text or "") if t]
        if not ids:
            return ("Give the id of an article to remove (click a row of the table).",
                    *self.refresh(), gr.skip())
        try:
            removed = self.services.ingestion.remove(ids, wait=self.settings.ui_lock_wait_s)
        except RagError as exc:
            return (f"not removed: {exc}", *self.refresh(), gr.skip())
        return (f"{removed} removed, {len(ids) - removed} not found", *self.refresh(), "")


def upload_label(settings: Settings) -> str:
    """The upload box's label: what the registered formats read, and the size limit."""
    return f"Add articles: {formats.describe()}; up to {settings.ui_max_upload_mb} MB each"


def _pick_row(evt: gr.SelectData) -> str:
    row = evt.row_value or []
    return str(row[0]) if row else gr.skip()


def answer_concurrency(backend: BackendChoice, settings: Settings) -> int:
    """How many answers run at once: ``ollama_concurrency`` when Ollama generates them
    (its server runs requests in parallel), else one (the embedded model has one slot;
    quote-only answers are quick enough to wait their turn)."""
    return settings.ollama_concurrency if backend.backend == "ollama" else ANSWER_CONCURRENCY


def build_app(services: Services) -> gr.Blocks:
    """The web UI over ``services`` (Chat, Summaries, Brief and Corpus tabs)."""
    files = ExportFiles(services.store.catalog)
    ui = ChatUI(services, files)
    k_default = services.settings.retrieval.k
    mode_default = services.answer_mode()
    # Served files (uploads, the exports under each answer) are kept a day, checked hourly.
    with gr.Blocks(title="News RAG", analytics_enabled=False,
                   delete_cache=(3600, 86400)) as app:
        status = gr.HTML(ui.status(), elem_id="rag-status")
        state = gr.State(new_state())
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        elem_id="rag-chat", label="Chat", height=560,
                        render_markdown=False, sanitize_html=True, allow_tags=False,
                        latex_delimiters=[], feedback_options=("Like", "Dislike"),
                        group_consecutive_messages=False, buttons=[],
                        placeholder="Ask a question about the indexed news articles. "
                                    "Every sentence of the answer is checked against the "
                                    "passages it cites.",
                    )
                    question = gr.Textbox(
                        elem_id="rag-question", show_label=False, lines=1,
                        max_length=MAX_QUESTION_CHARS, autofocus=True,
                        placeholder="e.g. How many rockets were fired at the US embassy?",
                    )
                    with gr.Row():
                        send = gr.Button("Ask", variant="primary", elem_id="rag-ask")
                        stop = gr.Button("Stop", variant="stop", elem_id="rag-stop")
                        clear = gr.Button("New conversation", elem_id="rag-clear")
                    with gr.Row(equal_height=True):
                        fb_comment = gr.Textbox(
                            elem_id="rag-feedback-comment", show_label=False, lines=1,
                            max_length=MAX_COMMENT_CHARS, scale=4, container=False,
                            placeholder="Optional comment: rate an answer with the thumbs "
                                        "under it, then say why")
                        fb_send = gr.Button("Send feedback", elem_id="rag-feedback-send",
                                            scale=1)
                    fb_status = gr.HTML("", elem_id="rag-feedback-status")
                    rated = gr.State(new_rated())
                    with gr.Row():
                        conv_html = gr.DownloadButton(ChatUI.CONVERSATION_HTML,
                                                      interactive=False, elem_id="rag-conv-html")
                        conv_md = gr.DownloadButton(ChatUI.CONVERSATION_MD, interactive=False,
                                                    elem_id="rag-conv-md")
                    with gr.Accordion("Filters", open=False, elem_id="rag-filters"), gr.Row():
                        since = gr.Textbox(label="Since", placeholder="YYYY-MM-DD",
                                           elem_id="rag-since", max_length=10)
                        until = gr.Textbox(label="Until", placeholder="YYYY-MM-DD",
                                           elem_id="rag-until", max_length=10)
                        as_of = gr.Textbox(
                            label="As of", elem_id="rag-as-of", max_length=10,
                            value=str(services.settings.as_of or ""),
                            placeholder=f"today ({date.today().isoformat()})",
                            info="the day 'last week' or 'the latest' is read against")
                        outlet = gr.Dropdown(choices=[ALL_OUTLETS, *ui.outlets()],
                                             value=ALL_OUTLETS, label="Outlet",
                                             elem_id="rag-outlet")
                        k = gr.Slider(1, 12, value=k_default, step=1, label="Passages",
                                      elem_id="rag-k")
                        mode = gr.Radio(["generative", "extractive"], value=mode_default,
                                        label="Answer", elem_id="rag-mode",
                                        info="extractive: quotes only, no LLM")
                with gr.Column(scale=2):
                    sources = gr.HTML(render.EMPTY_SOURCES, elem_id="rag-sources",
                                      label="Sources", js_on_load=None)
            summaries = build_summaries_tab(
                services, ui.outlets(), {"concurrency_id": "backend", "concurrency_limit": 1},
                files)
            brief = build_brief_tab(files)
            with gr.Tab("Corpus", id="corpus"):
                docs = gr.Dataframe(
                    value=render.document_rows(services.store.catalog.documents().values()),
                    headers=render.DOC_HEADERS, datatype=["str", "str", "str", "str", "number"],
                    interactive=False, wrap=True, latex_delimiters=[], show_search="search",
                    label="Indexed articles (click a row to pick it for removal)",
                    elem_id="rag-docs", column_widths=["18%", "50%", "10%", "14%", "8%"],
                )
                with gr.Row():
                    with gr.Column():
                        upload = gr.File(
                            label=upload_label(services.settings), file_count="multiple",
                            file_types=list(UPLOAD_TYPES),
                            elem_id="rag-upload",
                        )
                        index_btn = gr.Button("Index the uploaded files", variant="primary",
                                              elem_id="rag-index")
                    with gr.Column():
                        remove_ids = gr.Textbox(label="Remove articles by id",
                                                placeholder="document id (several: separate by "
                                                            "spaces)", elem_id="rag-remove-ids")
                        remove_btn = gr.Button("Remove", variant="stop", elem_id="rag-remove")
                corpus_log = gr.Textbox(label="Result", interactive=False, lines=3,
                                        elem_id="rag-corpus-log")

        chat_inputs = [question, chatbot, state, since, until, outlet, k, mode, as_of]
        chat_outputs = [question, chatbot, sources, state, conv_html, conv_md]
        backend_group: dict[str, Any] = {"concurrency_id": "backend", "concurrency_limit": 1}
        answer_group: dict[str, Any] = {"concurrency_id": "answer",
                                        "concurrency_limit": answer_concurrency(ui.backend,
                                                                                services.settings)}
        asked: list[dict[str, Any]] = [
            question.submit(ui.chat, chat_inputs, chat_outputs, api_visibility="private",
                            show_progress="hidden", **answer_group),
            send.click(ui.chat, chat_inputs, chat_outputs, api_visibility="private",
                       show_progress="hidden", **answer_group),
        ]
        # Cancel first, then mark the answer as stopped: the mark goes through the queue,
        # so it arrives after anything the cancelled answer had already sent.
        stop.click(None, None, None, cancels=asked, queue=False, api_visibility="private").then(
            ui.stopped, [chatbot, state], [chatbot, sources], concurrency_limit=None,
            api_visibility="private", show_progress="hidden")
        clear.click(None, None, None, cancels=asked, queue=False, api_visibility="private").then(
            lambda: ([], render.EMPTY_SOURCES, new_state(), "",
                     download(None, ChatUI.CONVERSATION_HTML),
                     download(None, ChatUI.CONVERSATION_MD)), None,
            [chatbot, sources, state, question, conv_html, conv_md], concurrency_limit=None,
            api_visibility="private", show_progress="hidden")
        chatbot.clear(lambda: (render.EMPTY_SOURCES, new_state()), None, [sources, state],
                      cancels=asked, queue=False, api_visibility="private")

        # 👍/👎 under an answer, and a comment to go with the last one (their own lane).
        feedback_outputs = [fb_status, fb_comment, rated]
        chatbot.like(ui.rate, [chatbot, state, fb_comment, rated], feedback_outputs,
                     concurrency_limit=None, api_visibility="private", show_progress="hidden")
        for sent in (fb_send.click, fb_comment.submit):
            sent(ui.send_comment, [fb_comment, rated], feedback_outputs, concurrency_limit=None,
                 api_visibility="private", show_progress="hidden")
        for cleared in (clear.click, chatbot.clear):
            cleared(lambda: ("", new_rated()), None, [fb_status, rated], queue=False,
                    api_visibility="private")

        # The page's action links (pin, move, remove; see JS) reach the brief through these.
        action = gr.Textbox(visible="hidden", elem_id="rag-action", max_length=80)
        action_go = gr.Button(visible="hidden", elem_id="rag-action-go")
        # (Queued, so that its notice shows; its own lane, never behind an answer.)
        action_go.click(brief.act, [action, state, summaries.state, brief.state], brief.outputs,
                        concurrency_limit=None, api_visibility="private",
                        show_progress="hidden")
        # A permalink (?q=...&since=...) fills the chat's inputs, then asks.
        # (Through a State, not the question box: what the reader types meanwhile is theirs.)
        linked = gr.State("")
        app.load(ui.from_link, None, [linked, since, until, outlet, as_of], queue=False,
                 api_visibility="private").then(
            ui.chat, [linked, *chat_inputs[1:]], chat_outputs, api_visibility="private",
            show_progress="hidden", **answer_group)

        corpus_outputs = [corpus_log, docs, outlet, status]
        index_btn.click(ui.index_files, [upload], [*corpus_outputs, upload],
                        api_visibility="private", **backend_group)
        remove_btn.click(ui.remove, [remove_ids], [*corpus_outputs, remove_ids],
                         api_visibility="private", **backend_group)
        docs.select(_pick_row, None, [remove_ids], queue=False, api_visibility="private")
        app.load(ui.refresh, None, [docs, outlet, status], api_visibility="private",
                 **backend_group)
        # A feed sync (rag serve --sync-every, or rag sync elsewhere) changes the corpus
        # behind the page: the status line is read again every minute.
        gr.Timer(60).tick(ui.status, None, [status], queue=False, api_visibility="private",
                          show_progress="hidden")
        gr.api(ui.ask, api_name="ask", **answer_group)
        gr.api(summaries.summarize, api_name="summarize", **backend_group)
    return app


# -- serving ------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_from_env(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The login from ``RAG_UI_AUTH=user:password`` in ``env`` (None when unset)."""
    return parse_auth((os.environ if env is None else env).get(AUTH_ENV, ""))


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` (the ``ui_auth`` setting) as a login; None when empty."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UserError(f"{AUTH_ENV} must be user:password")
    return user, password


def check_exposure(host: str, auth: tuple[str, str] | None, share: bool, force: bool) -> None:
    """Refuse to serve beyond this machine without a login, unless forced."""
    if auth is not None or force:
        return
    if share:
        raise UserError(f"a share link makes the app public: set {AUTH_ENV}=user:password "
                        "for a login, or pass --force")
    if not is_loopback(host):
        raise UserError(f"refusing to listen on {host} without a login: set "
                        f"{AUTH_ENV}=user:password, or pass --force")


def launch(
    app: gr.Blocks, *, host: str = "127.0.0.1", port: int | None = 7860,
    auth: tuple[str, str] | None = None, share: bool = False, force: bool = False,
    prevent_thread_lock: bool = False, quiet: bool = False, settings: Settings | None = None,
    api: Api | None = None,
) -> Any:
    """Serve the app (blocks until interrupted unless ``prevent_thread_lock``); the
    queue size and upload limit come from ``settings`` (the defaults without). ``api``
    (:func:`ui.api.build_api`) is served on the same port, before the chat's routes."""
    s = settings or Settings()
    check_exposure(host, auth, share, force)
    app.queue(default_concurrency_limit=1, max_size=s.ui_queue_size)
    return app.launch(
        app_kwargs={"routes": api.routes, "lifespan": api.lifespan} if api else None,
        server_name=host, server_port=port, auth=auth, share=share,
        auth_message="News RAG: log in (see RAG_UI_AUTH)." if auth else None,
        css=CSS, js=JS, max_file_size=s.ui_max_upload_mb * MB, allowed_paths=[], show_error=False,
        ssr_mode=False, mcp_server=False, pwa=False, enable_monitoring=False,
        run_history=False, footer_links=["api"], inbrowser=False,
        prevent_thread_lock=prevent_thread_lock, quiet=quiet,
    )
