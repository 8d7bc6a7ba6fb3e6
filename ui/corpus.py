"""The Corpus tab: the indexed articles, uploads to index, removal by id; and the status
line above the tabs (documents, chunks, the backend, feeds, a running import)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import gradio as gr
from gradio.components import Component

from index import formats
from rag.container import Services
from rag.errors import RagError
from rag.settings import Settings
from ui import render
from ui.events import SKIP, Lane, Skip, components
from ui.serving import MB

# Every suffix a registered format reads (index.formats): a new format is uploadable as is.
UPLOAD_TYPES = formats.suffixes()
ALL_OUTLETS = "All outlets"


class CorpusView(NamedTuple):
    """What the catalog shows: the table of articles, the chat's outlet choices, the
    status line."""

    docs: list[list[str | int]]
    outlet: gr.Dropdown
    status: str


class CorpusUpdate(NamedTuple):
    """What an upload or a removal changes: its result, the view of the corpus after it,
    and the box the request came from (emptied once done; ``SKIP``: left)."""

    log: str
    docs: list[list[str | int]]
    outlet: gr.Dropdown
    status: str
    entry: str | None | Skip


class CorpusUI:
    """The handlers of the Corpus tab and the status line, bound to one :class:`Services`."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.backend = services.backend

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

    def refresh(self) -> CorpusView:
        """The corpus table, the outlet choices and the status line, from the catalog."""
        rows = render.document_rows(self.services.store.catalog.documents().values())
        outlets = gr.Dropdown(choices=[ALL_OUTLETS, *self.outlets()])
        return CorpusView(rows, outlets, self.status())

    def _done(self, log: str, entry: str | None | Skip) -> CorpusUpdate:
        """``log`` with the corpus as it is now."""
        view = self.refresh()
        return CorpusUpdate(log, view.docs, view.outlet, view.status, entry)

    def index_files(
        self, files: list[str] | None, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> CorpusUpdate:
        """Index uploaded files (incrementally, under the writer lock)."""
        if not files:
            return self._done("Choose one or more files first.", SKIP)

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
        return self._done("\n".join(lines), None)

    def remove(self, text: str) -> CorpusUpdate:
        """Remove articles by document id (and the uploaded files they came from)."""
        ids = [t for t in re.split(r"[\s,]+", text or "") if t]
        if not ids:
            return self._done("Give the id of an article to remove (click a row of the table).",
                              SKIP)
        try:
            removed = self.services.ingestion.remove(ids, wait=self.settings.ui_lock_wait_s)
        except RagError as exc:
            return self._done(f"not removed: {exc}", SKIP)
        return self._done(f"{removed} removed, {len(ids) - removed} not found", "")


def upload_label(settings: Settings) -> str:
    """The upload box's label: what the registered formats read, and the size limit."""
    return f"Add articles: {formats.describe()}; up to {settings.ui_max_upload_mb} MB each"


def _pick_row(evt: gr.SelectData) -> str | Skip:
    row = evt.row_value or []
    return str(row[0]) if row else SKIP




def build_tab(services: Services, corpus: CorpusUI, status: gr.HTML, outlet: gr.Dropdown,
              backend_group: Lane) -> gr.Dataframe:
    """The Corpus tab (call inside ``gr.Tabs()``), wired to the status line and the chat's
    outlet choices it refreshes; returns the table of articles (refreshed on page load)."""
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
                    file_types=list(UPLOAD_TYPES), elem_id="rag-upload",
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
    def outputs(entry: Component) -> list[Component]:
        return components(CorpusUpdate._fields, log=corpus_log, docs=docs, outlet=outlet,
                          status=status, entry=entry)

    index_btn.click(corpus.index_files, [upload], outputs(upload),
                    api_visibility="private", **backend_group)
    remove_btn.click(corpus.remove, [remove_ids], outputs(remove_ids),
                     api_visibility="private", **backend_group)
    docs.select(_pick_row, None, [remove_ids], queue=False, api_visibility="private")
    return docs
