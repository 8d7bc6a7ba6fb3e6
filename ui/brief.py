"""The Brief tab: answers and summary sentences pinned while working, in the reader's
order, exported as one document whose footnotes are merged (a source cited twice is
one footnote).

Pins and moves come from links in the page (``<a class="rag-act" href="#pin-answer-3">``,
see ``ui/assets/app.js``): a click puts the link's action in a hidden text box and presses a
hidden button, whose handler is :meth:`BriefUI.act`. Parsing and editing a brief are
pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import gradio as gr
from gradio.components import Component

from rag.export import ExportItem, footnotes, sentence_only
from ui import render
from ui.chat import ChatState
from ui.downloads import ExportFiles
from ui.events import SKIP, Skip, components, download

_ACTION = re.compile(r"(pin-answer|pin-summary|pin-sentence|up|down|remove)(?:-(\d{1,6}))?")
EMPTY = ('<div class="rag-brief"><p class="rag-empty">Nothing pinned yet. Pin an answer '
         "(“Pin to brief” under it) or a sentence of a summary (“+ brief” after it): the "
         "brief keeps them in order, with their sources, to export as one document.</p></div>")


@dataclass(frozen=True)
class Action:
    """A click in the page: what to do, and to which answer, sentence or brief item."""

    verb: str
    number: int | None = None


def parse_action(text: str) -> Action | None:
    """The action of a link (``pin-answer-3``, ``pin-summary``, ``pin-sentence-0``,
    ``up-2``, ``down-2``, ``remove-2``); None for anything else."""
    words = (text or "").split()  # the page adds a timestamp after the action
    match = _ACTION.fullmatch(words[0].lstrip("#")) if words else None
    if match is None:
        return None
    verb, number = match.group(1), match.group(2)
    if (number is None) != (verb == "pin-summary"):
        return None
    return Action(verb, int(number) if number is not None else None)


def pin(brief: Sequence[ExportItem], item: ExportItem) -> list[ExportItem]:
    """The brief with ``item`` added at the end (once: pinning it again changes nothing)."""
    return list(brief) if item in brief else [*brief, item]


def move(brief: Sequence[ExportItem], number: int, delta: int) -> list[ExportItem]:
    """The brief with item ``number`` (from 1) moved ``delta`` places (kept within it)."""
    items = list(brief)
    i = number - 1
    j = min(max(i + delta, 0), len(items) - 1)
    if 0 <= i < len(items) and i != j:
        items.insert(j, items.pop(i))
    return items


def remove(brief: Sequence[ExportItem], number: int) -> list[ExportItem]:
    """The brief without item ``number`` (from 1)."""
    return [item for i, item in enumerate(brief, 1) if i != number]


def apply(action: Action, brief: Sequence[ExportItem], answers: Mapping[int, ExportItem],
          summary: ExportItem | None) -> tuple[list[ExportItem], str]:
    """The brief after ``action``, and what to tell the reader."""
    n = action.number
    if action.verb == "pin-answer":
        item = answers.get(n or 0)
        if item is None:
            return list(brief), "That answer is no longer in this conversation."
        return _pinned(brief, item)
    if action.verb in ("pin-summary", "pin-sentence"):
        if summary is None:
            return list(brief), "Make a summary first."
        if action.verb == "pin-summary":
            return _pinned(brief, summary)
        sentences = summary.result.sentences
        if n is None or not 0 <= n < len(sentences) or sentences[n].supported is False:
            return list(brief), "That sentence is not in the summary."
        return _pinned(brief, ExportItem(sentence_only(summary.result, n), summary.filters,
                                         summary.as_of, kind="Summary sentence"))
    if action.verb == "remove":
        return remove(brief, n or 0), "Removed from the brief."
    return move(brief, n or 0, -1 if action.verb == "up" else 1), ""


def _pinned(brief: Sequence[ExportItem], item: ExportItem) -> tuple[list[ExportItem], str]:
    after = pin(brief, item)
    if len(after) == len(brief):
        return after, "Already in the brief."
    return after, f"Pinned to the brief ({len(after)} item{'s' if len(after) > 1 else ''})."


def _tools(number: int, total: int) -> str:
    links = []
    if number > 1:
        links.append(f'<a class="rag-act" href="#up-{number}" title="Move up">↑ up</a>')
    if number < total:
        links.append(f'<a class="rag-act" href="#down-{number}" title="Move down">↓ down</a>')
    links.append(f'<a class="rag-act" href="#remove-{number}" title="Remove">✕ remove</a>')
    return f'<span class="rag-brief-tools">{" ".join(links)}</span>'


def brief_html(brief: Sequence[ExportItem]) -> str:
    """The brief as the tab shows it: its items in order, with the footnote numbers of
    the export, then the footnotes (escaped, as everything from articles is)."""
    if not brief:
        return EMPTY
    sections, notes = footnotes(brief)
    items = []
    for i, section in enumerate(sections, 1):
        text = " ".join(
            render.esc(s.text) + "".join(f"<sup>[{n}]</sup>" for n in s.footnotes)
            for s in section.kept) or '<em class="rag-empty">(no answer)</em>'
        head = f"{section.item.kind}: {section.item.result.question}"
        items.append(f'<li class="rag-brief-item" id="brief-{i}"><div class="rag-brief-head">'
                     f"{render.esc(head)} {_tools(i, len(sections))}</div>"
                     f'<div class="rag-brief-text">{text}</div></li>')
    sources = "".join(
        f'<li id="brief-fn{f.number}">“{render.esc(f.quote)}” — '
        f'{render.esc(f.passage.header())}</li>' for f in notes)
    return (f'<div class="rag-brief"><ol class="rag-brief-items">{"".join(items)}</ol>'
            f'<div class="rag-brief-notes"><div class="rag-turn-head">Sources</div>'
            f"<ol>{sources}</ol></div></div>")


class BriefUpdate(NamedTuple):
    """What a change of the brief changes: its state (the items), its view, its
    downloads. ``SKIP``: unchanged."""

    state: list[ExportItem] | Skip = SKIP
    view: str | Skip = SKIP
    as_html: gr.DownloadButton | Skip = SKIP
    as_md: gr.DownloadButton | Skip = SKIP


class BriefUI:
    """The handlers of the Brief tab; ``state`` and ``outputs`` (the components a change
    of the brief updates) are set by :func:`build_tab`."""

    HTML_LABEL = "Download the brief (.html)"
    MD_LABEL = "Download the brief (.md)"

    def __init__(self, files: ExportFiles) -> None:
        self.files = files
        self.state: gr.State
        self.outputs: list[Component] = []

    def act(self, action: str, chat: ChatState | None, summary: ExportItem | None,
            brief: list[ExportItem] | None) -> BriefUpdate:
        """Carry out a pin, move or remove clicked in the page."""
        parsed = parse_action(action)
        if parsed is None:
            return BriefUpdate()
        after, message = apply(parsed, brief or [], chat.answers if chat else {}, summary)
        if message:
            gr.Info(message)
        return self.shown(after)

    def shown(self, brief: list[ExportItem]) -> BriefUpdate:
        """The state, view and downloads of ``brief``."""
        paths = self.files.write(brief, "brief", title="Brief") if brief else None
        return BriefUpdate(brief, brief_html(brief), download(paths and paths[0], self.HTML_LABEL),
                           download(paths and paths[1], self.MD_LABEL))


def build_tab(files: ExportFiles) -> BriefUI:
    """The Brief tab (call inside ``gr.Tabs()``); wire :meth:`BriefUI.act` to the page's
    action links outside the tabs."""
    ui = BriefUI(files)
    with gr.Tab("Brief", id="brief"):
        ui.state = gr.State([])
        view = gr.HTML(EMPTY, elem_id="rag-brief")
        with gr.Row():
            as_html = gr.DownloadButton(BriefUI.HTML_LABEL, interactive=False,
                                        elem_id="rag-brief-html")
            as_md = gr.DownloadButton(BriefUI.MD_LABEL, interactive=False,
                                      elem_id="rag-brief-md")
            clear = gr.Button("Clear the brief", elem_id="rag-brief-clear")
    ui.outputs = components(BriefUpdate._fields, state=ui.state, view=view, as_html=as_html,
                            as_md=as_md)
    clear.click(lambda: ui.shown([]), None, ui.outputs, queue=False, api_visibility="private")
    return ui
