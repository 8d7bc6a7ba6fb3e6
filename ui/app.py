"""The web UI (Gradio 6), built from already-built :class:`Services` (the UI never builds
backends itself): the Chat (:mod:`ui.chat`, with :mod:`ui.feedback`), Summaries
(:mod:`ui.summaries`), Brief (:mod:`ui.brief`) and Corpus (:mod:`ui.corpus`) tabs;
:mod:`ui.serving` serves it. ``rag serve`` does both.

Safety: everything from documents, the model or the user is escaped (``ui.render.esc``)
before it goes into markup. The chat renders no Markdown (``render_markdown=False``) and
sanitizes HTML, keeps no custom tags and renders no LaTeX, so the only markup is the UI's
own; the sources panel is our own escaped HTML too. Who may reach the page: :mod:`ui.serving`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import gradio as gr
from gradio.events import api as served_api

from rag.answer import MAX_QUESTION_CHARS
from rag.container import Services
from ui import corpus as corpus_tab
from ui import render
from ui.brief import build_tab as build_brief_tab
from ui.chat import ChatUI, ChatUpdate, LinkedInputs, answer_concurrency, new_state
from ui.corpus import ALL_OUTLETS, CorpusUI, CorpusView
from ui.downloads import ExportFiles
from ui.events import Lane, components
from ui.feedback import FeedbackUI
from ui.feedback import build_row as build_feedback_row
from ui.guard import checked_api
from ui.summaries import build_tab as build_summaries_tab


@dataclass
class ChatTab:
    """The Chat tab's components, by name."""

    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    stop: gr.Button
    clear: gr.Button
    feedback_row: gr.Column
    conv_html: gr.DownloadButton
    conv_md: gr.DownloadButton
    since: gr.Textbox
    until: gr.Textbox
    as_of: gr.Textbox
    outlet: gr.Dropdown
    k: gr.Slider
    mode: gr.Radio
    sources: gr.HTML


def chat_tab(services: Services, outlets: list[str]) -> ChatTab:
    """The Chat tab's layout (call inside ``gr.Tabs()``): the chat and its controls, the
    filters, the sources panel."""
    with gr.Tab("Chat", id="chat"), gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                elem_id="rag-chat", label="Chat", height=560,
                render_markdown=False, sanitize_html=True, allow_tags=False,
                latex_delimiters=[], feedback_options=("Like", "Dislike"),
                group_consecutive_messages=False, buttons=[],
                placeholder="Ask a question about the indexed news articles. Every sentence "
                            "of the answer is checked against the passages it cites.",
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
            feedback_row = gr.Column()
            with gr.Row():
                conv_html = gr.DownloadButton(ChatUI.CONVERSATION_HTML, interactive=False,
                                              elem_id="rag-conv-html")
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
                outlet = gr.Dropdown(choices=[ALL_OUTLETS, *outlets], value=ALL_OUTLETS,
                                     label="Outlet", elem_id="rag-outlet")
                k = gr.Slider(1, 12, value=services.settings.retrieval.k, step=1,
                              label="Passages", elem_id="rag-k")
                mode = gr.Radio(["generative", "extractive"], value=services.answer_mode(),
                                label="Answer", elem_id="rag-mode",
                                info="extractive: quotes only, no LLM")
        with gr.Column(scale=2):
            sources = gr.HTML(render.EMPTY_SOURCES, elem_id="rag-sources", label="Sources",
                              js_on_load=None)
    return ChatTab(chatbot, question, send, stop, clear, feedback_row, conv_html, conv_md,
                   since, until, as_of, outlet, k, mode, sources)


def wire_chat(app: gr.Blocks, tab: ChatTab, ui: ChatUI, state: gr.State,
              answer_group: Lane) -> None:
    """The chat's events: ask (and ask a permalink's question on load), stop, start a new
    conversation, rate an answer."""
    inputs = [tab.question, tab.chatbot, state, tab.since, tab.until, tab.outlet, tab.k,
              tab.mode, tab.as_of]
    outputs = components(ChatUpdate._fields, question=tab.question, chatbot=tab.chatbot,
                         sources=tab.sources, state=state, conv_html=tab.conv_html,
                         conv_md=tab.conv_md)
    asked: list[dict[str, object]] = [
        trigger(ui.chat, inputs, outputs, api_visibility="private", show_progress="hidden",
                **answer_group)
        for trigger in (tab.question.submit, tab.send.click)
    ]
    # Cancel first, then mark the answer as stopped: the mark goes through the queue,
    # so it arrives after anything the cancelled answer had already sent.
    tab.stop.click(None, None, None, cancels=asked, queue=False,
                   api_visibility="private").then(
        ui.stopped, [tab.chatbot, state], outputs, concurrency_limit=None,
        api_visibility="private", show_progress="hidden")
    tab.clear.click(None, None, None, cancels=asked, queue=False,
                    api_visibility="private").then(
        ui.new_conversation, None, outputs,
        concurrency_limit=None, api_visibility="private", show_progress="hidden")
    tab.chatbot.clear(ui.chat_cleared, None, outputs, cancels=asked, queue=False,
                      api_visibility="private")
    # 👍/👎 under an answer, and a comment to go with the last one (their own lane).
    with tab.feedback_row:
        build_feedback_row(FeedbackUI(ui.services), tab.chatbot, state,
                           [tab.clear.click, tab.chatbot.clear])
    # A permalink (?q=...&since=...) fills the chat's inputs, then asks.
    # (Through a State, not the question box: what the reader types meanwhile is theirs.)
    linked = gr.State("")
    app.load(ui.from_link, None,
             components(LinkedInputs._fields, question=linked, since=tab.since,
                        until=tab.until, outlet=tab.outlet, as_of=tab.as_of),
             queue=False, api_visibility="private").then(
        ui.chat, [linked, *inputs[1:]], outputs, api_visibility="private",
        show_progress="hidden", **answer_group)


def build_app(services: Services) -> gr.Blocks:
    """The web UI over ``services`` (Chat, Summaries, Brief and Corpus tabs)."""
    files = ExportFiles(services.store.catalog)
    ui = ChatUI(services, files)
    corpus = CorpusUI(services)
    backend_group = Lane(concurrency_id="backend", concurrency_limit=1)
    answer_group = Lane(concurrency_id="answer",
                        concurrency_limit=answer_concurrency(ui.backend, services.settings))
    # Served files (uploads, the exports under each answer) are kept a day, checked hourly.
    app = gr.Blocks(title="News RAG", analytics_enabled=False, delete_cache=(3600, 86400))
    with app:
        status = gr.HTML(corpus.status(), elem_id="rag-status")
        state = gr.State(new_state())
        with gr.Tabs():
            chat = chat_tab(services, corpus.outlets())
            summaries = build_summaries_tab(services, corpus.outlets(), backend_group, files)
            brief = build_brief_tab(files)
            docs = corpus_tab.build_tab(services, corpus, status, chat.outlet, backend_group)
        wire_chat(app, chat, ui, state, answer_group)
        # The page's action links (pin, move, remove; see app.js) reach the brief through
        # these (queued, so that its notice shows; its own lane, never behind an answer).
        action = gr.Textbox(visible="hidden", elem_id="rag-action", max_length=80)
        action_go = gr.Button(visible="hidden", elem_id="rag-action-go")
        action_go.click(brief.act, [action, state, summaries.state, brief.state], brief.outputs,
                        concurrency_limit=None, api_visibility="private",
                        show_progress="hidden")
        app.load(corpus.refresh, None,
                 components(CorpusView._fields, docs=docs, outlet=chat.outlet, status=status),
                 api_visibility="private", **backend_group)
        # A feed sync (rag serve --sync-every, or rag sync elsewhere) changes the corpus
        # behind the page: the status line is read again every minute.
        gr.Timer(60).tick(corpus.status, None, [status], queue=False, api_visibility="private",
                          show_progress="hidden")
        served_api(checked_api(ui.ask), api_name="ask", **answer_group)
        served_api(checked_api(summaries.summarize), api_name="summarize", **backend_group)
    return app
