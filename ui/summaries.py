"""The Summaries tab: a cited summary of a topic, an article, a date range or an outlet,
streamed with its progress, rendered (escaped) as answers are; and the ``/summarize`` API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import gradio as gr

from rag.answer import Token
from rag.container import Services
from rag.errors import RagError
from rag.export import ExportItem, filters_label
from rag.summary.result import SummaryResult
from rag.summary.scope import MAX_TOPIC_CHARS
from rag.summary.service import Progress, SummaryDone
from ui import render
from ui.api import calls
from ui.api.calls import SummaryReply
from ui.downloads import ExportFiles
from ui.errors import api_error, error_message
from ui.events import SKIP, Lane, Skip, components, download

ALL_OUTLETS = "All outlets"
EMPTY = ('<div class="rag-sources"><p class="rag-empty">Give a topic (or an article id, '
         "dates or an outlet) and press Summarize: every sentence of the summary cites the "
         "passages it comes from.</p></div>")


class SummaryUpdate(NamedTuple):
    """What the Summarize button changes, as it goes: the summary (its progress until it
    is done), the sources, the last summary (the one the brief pins), its downloads."""

    summary: str
    sources: str | Skip = SKIP
    last: ExportItem | Skip = SKIP
    as_html: gr.DownloadButton | Skip = SKIP
    as_md: gr.DownloadButton | Skip = SKIP


class SummariesUI:
    """The handlers of the Summaries tab, bound to one :class:`Services`."""

    HTML_LABEL = "Download the summary (.html)"
    MD_LABEL = "Download the summary (.md)"

    def __init__(self, services: Services, files: ExportFiles | None = None) -> None:
        self.services = services
        self.files = files or ExportFiles(services.store.catalog)
        self.state: gr.State  # the last summary, as the brief pins it (set by build_tab)


    def run(self, topic: str, doc: str, since: str, until: str, outlet: str | None,
            timeline: bool, mode: str) -> Iterator[SummaryUpdate]:
        """Summarise, streaming: the progress and the draft as they come, then the checked
        summary with its sources and downloads."""
        draft = ""
        try:
            scope = calls.summary_scope(topic, doc, since, until, outlet)
            yield SummaryUpdate(render.pending_html(searching=True))
            chosen = calls.summary_mode_of(self.services, mode)
            for event in self.services.summarizer.stream(scope, mode=chosen,
                                                         timeline=bool(timeline)):
                if isinstance(event, Progress) and event.stage == "map":
                    label = f"Reading batch {event.done + 1} of {event.total}…"
                    yield SummaryUpdate(_progress_html(label, draft))
                elif isinstance(event, Token):
                    draft += event.text
                    yield SummaryUpdate(_progress_html(
                        "Draft — the citations are being checked…", draft))
                elif isinstance(event, SummaryDone):
                    yield self._done(event.result, since, until, outlet)
        except Exception as exc:  # noqa: BLE001 - the page must stay usable
            yield SummaryUpdate(render.error_html(error_message(exc, "Summarizing")))

    def _done(self, result: SummaryResult, since: str, until: str,
              outlet: str | None) -> SummaryUpdate:
        item = ExportItem(result.as_answer(), filters_label(
            since, until, [outlet] if outlet and outlet != ALL_OUTLETS else [],
            result.scope.doc_id), kind="Summary")
        paths = self.files.write([item], "summary")
        return SummaryUpdate(render.summary_html(result, self.services.backend),
                             render.summary_sources(result), item,
                             download(paths and paths[0], self.HTML_LABEL),
                             download(paths and paths[1], self.MD_LABEL))

    def summarize(self, topic: str = "", doc: str = "", since: str = "", until: str = "",
                  outlet: str = "", timeline: bool = False, mode: str = "") -> SummaryReply:
        """A cited summary of ``topic`` (or of the article ``doc``, the dates, the outlet).

        Returns the ``rag summarize --json`` object: summary, covered, reason, citations
        (as in ``/ask``), sentences (with their dates and, for disagreements, both sides).
        """
        try:
            scope = calls.summary_scope(topic, doc, since, until, outlet)
            return calls.summary_json(calls.summarize(self.services, scope, mode, timeline))
        except RagError as exc:
            raise api_error(exc, "summarizing") from exc


def _progress_html(label: str, draft: str) -> str:
    body = f'<div class="rag-draft-text">{render.esc(draft)}</div>' if draft else ""
    return (f'<div class="rag-draft"><div class="rag-draft-label">{render.esc(label)}</div>'
            f"{body}</div>")


def build_tab(services: Services, outlets: list[str], backend_group: Lane,
              files: ExportFiles) -> SummariesUI:
    """The Summaries tab (call inside ``gr.Tabs()`` of the app's Blocks); register
    ``SummariesUI.summarize`` as the ``/summarize`` API outside the tabs."""
    ui = SummariesUI(services, files)
    with gr.Tab("Summaries", id="summaries"), gr.Row():
        ui.state = gr.State(None)
        with gr.Column(scale=3):
            topic = gr.Textbox(label="Topic", elem_id="rag-sum-topic", lines=1,
                               max_length=MAX_TOPIC_CHARS,
                               placeholder="e.g. attacks on US forces in Iraq (empty: the "
                                           "whole scope)")
            with gr.Row():
                doc = gr.Textbox(label="Article id", elem_id="rag-sum-doc", max_length=200,
                                 placeholder="only this article (see the Corpus tab)")
                since = gr.Textbox(label="Since", placeholder="YYYY-MM-DD", max_length=10,
                                   elem_id="rag-sum-since")
                until = gr.Textbox(label="Until", placeholder="YYYY-MM-DD", max_length=10,
                                   elem_id="rag-sum-until")
                outlet = gr.Dropdown(choices=[ALL_OUTLETS, *outlets], value=ALL_OUTLETS,
                                     label="Outlet", elem_id="rag-sum-outlet")
            with gr.Row():
                timeline = gr.Checkbox(label="Timeline (by the dates of the events)",
                                       elem_id="rag-sum-timeline")
                mode = gr.Radio(["auto", "extractive", "generative"], value="auto",
                                label="Mode", elem_id="rag-sum-mode",
                                info="auto: the LLM with Ollama, quotes with the small "
                                     "embedded model")
                go = gr.Button("Summarize", variant="primary", elem_id="rag-summarize")
            summary = gr.HTML("", elem_id="rag-summary")
            with gr.Row():
                as_html = gr.DownloadButton(SummariesUI.HTML_LABEL, interactive=False,
                                            elem_id="rag-sum-html")
                as_md = gr.DownloadButton(SummariesUI.MD_LABEL, interactive=False,
                                          elem_id="rag-sum-md")
        with gr.Column(scale=2):
            sources = gr.HTML(EMPTY, elem_id="rag-sum-sources", label="Sources")
    inputs = [topic, doc, since, until, outlet, timeline, mode]
    outputs = components(SummaryUpdate._fields, summary=summary, sources=sources,
                         last=ui.state, as_html=as_html, as_md=as_md)
    for trigger in (go.click, topic.submit):
        trigger(ui.run, inputs, outputs, api_visibility="private",
                show_progress="hidden", **backend_group)
    return ui
