"""A checked answer to take away: Markdown or a self-contained HTML file with footnotes.

An export holds one or more items (an answer, a summary, a pinned summary sentence: a
whole conversation or a brief is several). Everything comes from the checked answers
(never the model's raw draft): each sentence with footnote markers; each footnote with
the passage sentence that supports it, the article's title, outlet, date (and update),
URL and document id; the sentences that were left out, marked as such; and, for each
item, the question as asked and as made standalone, the filters and as-of date and the
backend and model, then the time and the corpus fingerprint (so a reader can tell
whether the corpus changed since). A source sentence cited several times, by one item
or by several, is one footnote. Article text is escaped: in HTML as on the page, in
Markdown so that no link or image of an article becomes live.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from index.catalog import Catalog
from rag.answer import AnswerResult
from rag.errors import UserError
from rag.evaluation.history import CorpusInfo, corpus_fingerprint
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
# What can make Markdown live or change its shape: with brackets escaped, "(url)" is text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#!~])")
QUOTE_CHARS = 400  # a footnote without a supporting sentence quotes the passage's start


@dataclass(frozen=True)
class ExportItem:
    """One checked answer (or summary) to export, with the filters it was asked under."""

    result: AnswerResult
    filters: str = "none"
    as_of: str | None = None
    kind: str = "Answer"  # "Answer", "Summary", "Summary sentence": a brief says which


@dataclass(frozen=True)
class ExportContext:
    """What the footer says of the whole export: when, and from which corpus."""

    made_at: str = ""
    corpus_documents: int = 0
    corpus_fingerprint: str = ""


@dataclass(frozen=True)
class Footnote:
    """One cited passage sentence and where it comes from."""

    number: int
    quote: str
    passage: Passage


@dataclass(frozen=True)
class ExportedSentence:
    """A sentence of an answer and the footnotes it cites."""

    text: str
    footnotes: tuple[int, ...]


@dataclass(frozen=True)
class Section:
    """One item as exported: its kept sentences (with footnote numbers) and the left out."""

    item: ExportItem
    kept: list[ExportedSentence]
    left_out: list[CheckedSentence]


def footnotes(items: Sequence[ExportItem]) -> tuple[list[Section], list[Footnote]]:
    """Each item's sentences with footnote numbers, and the footnotes: one per distinct
    supporting passage sentence over all the items, numbered in order of first citation."""
    notes: dict[tuple[str, int, int], Footnote] = {}
    sections = []
    for item in items:
        by_n = {p.n: p for p in item.result.passages}
        kept: list[ExportedSentence] = []
        for s in item.result.sentences:
            if s.supported is False:
                continue
            numbers: list[int] = []
            for n in s.citations if s.supported else ():
                passage = by_n.get(n)
                if passage is None:
                    continue
                start, end = s.evidence.get(n, (0, min(len(passage.text), QUOTE_CHARS)))
                key = (passage.chunk_id, start, end)
                if key not in notes:
                    quote = " ".join(passage.text[start:end].split())
                    notes[key] = Footnote(len(notes) + 1, quote, passage)
                if notes[key].number not in numbers:
                    numbers.append(notes[key].number)
            text = s.text
            if s.origin == "composed" and not text.endswith((".", "!", "?")):
                text += "."  # a composed short answer ("Three") as CheckedSentence.render ends it
            kept.append(ExportedSentence(text, tuple(numbers)))
        sections.append(Section(item, kept, item.result.left_out()))
    return sections, list(notes.values())


def sentence_only(result: AnswerResult, index: int) -> AnswerResult:
    """``result`` reduced to its sentence ``index`` (a pinned sentence of a summary)."""
    sentence = result.sentences[index]
    return dataclasses.replace(result, sentences=[sentence], answer=sentence.text,
                               abstained=False, reason="", plan=None, parts=[])


def _item_facts(item: ExportItem) -> list[tuple[str, str]]:
    result = item.result
    rows = [("Question" if item.kind == "Answer" else "Topic", result.question)]
    if result.standalone and result.standalone != result.question:
        rows.append(("Standalone question", result.standalone))
    rows += [("Filters", item.filters)]
    if result.time_frame:
        rows.append(("Dates read", result.time_frame))
    rows += [
        ("As of", item.as_of or "today"),
        ("Answered by", "quotes from the passages, no LLM" if result.backend == "none"
         else f"{result.backend} ({result.model}), {result.mode} mode"),
    ]
    return rows


def _export_facts(ctx: ExportContext) -> list[tuple[str, str]]:
    return [("Exported", ctx.made_at),
            ("Corpus", f"{ctx.corpus_documents} articles, fingerprint {ctx.corpus_fingerprint}")]


def _heading(item: ExportItem) -> str:
    return item.result.question if item.kind == "Answer" else f"{item.kind}: {item.result.question}"


def _title(items: Sequence[ExportItem], title: str | None) -> str:
    if title:
        return title
    return _heading(items[0]) if len(items) == 1 else "Answers"


def _source(p: Passage) -> str:
    parts = [p.title, p.source_line() or "unknown outlet"]
    return " — ".join(x for x in parts if x)


def md_text(text: str) -> str:
    """Article or model text as literal Markdown (links, images and markup stay text)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_section(section: Section, facts: list[tuple[str, str]]) -> list[str]:
    result = section.item.result
    lines = []
    if result.abstained and not section.kept:
        lines.append(f"*No answer: {md_text(result.reason)}*" if result.reason else
                     "*No answer.*")
    lines += [" ".join(md_text(s.text) + "".join(f"[^{n}]" for n in s.footnotes)
                       for s in section.kept), ""]
    if section.left_out:
        lines += ["**Left out** (not supported by the passages):", ""]
        lines += [f"- ~~{md_text(s.text)}~~" + (f" ({md_text(s.note)})" if s.note else "")
                  for s in section.left_out]
        lines.append("")
    lines += [f"- **{k}:** {md_text(v)}" for k, v in facts]
    return [*lines, ""]


def to_markdown(items: Sequence[ExportItem], ctx: ExportContext,
                title: str | None = None) -> str:
    """The items as Markdown with footnotes (``[^1]``): one heading, then a section per
    item (with its own heading when there are several)."""
    sections, notes = footnotes(items)
    lines = [f"# {md_text(_title(items, title))}", ""]
    for i, section in enumerate(sections, 1):
        if len(sections) > 1 or title:
            lines += [f"## {i}. {md_text(_heading(section.item))}", ""]
        lines += _md_section(section, _item_facts(section.item))
    lines += ["---", ""]
    lines += [f"- **{k}:** {md_text(v)}" for k, v in _export_facts(ctx)]
    lines.append("")
    for f in notes:
        p = f.passage
        extra = f"; {md_text(p.url)}" if p.url else ""
        lines.append(f"[^{f.number}]: “{md_text(f.quote)}” — {md_text(_source(p))}"
                     f"{extra}; document `{p.doc_id.replace('`', '')}`")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;
line-height:1.55;color:#111}h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.6em}
.answer{font-size:1.05em}sup a{text-decoration:none}.left-out li{color:#92400e;
text-decoration:line-through}.facts{font-size:.9em;color:#444}.facts th{text-align:left;
padding-right:1em;vertical-align:top}.notes{font-size:.92em}.notes blockquote{margin:.2em 0
.2em 1em;font-style:italic}.url,.doc{font-family:monospace;font-size:.9em;word-break:break-all}"""


def _facts_table(facts: list[tuple[str, str]]) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
    return f'<table class="facts">{rows}</table>'


def _html_section(section: Section, index: int) -> list[str]:
    e = html.escape
    result = section.item.result
    sentences = " ".join(
        e(s.text) + "".join(f'<sup><a href="#fn{n}" id="ref{n}-{index}-{i}">[{n}]</a></sup>'
                            for n in s.footnotes)
        for i, s in enumerate(section.kept)
    )
    parts = []
    if result.abstained and not section.kept:
        parts.append(f"<p><em>No answer: {e(result.reason)}</em></p>")
    parts.append(f'<p class="answer">{sentences}</p>')
    if section.left_out:
        parts.append('<div class="left-out"><p><strong>Left out</strong> (not supported by '
                     "the passages):</p><ul>")
        parts += [f"<li>{e(s.text)}</li>" + (f" <small>({e(s.note)})</small>" if s.note else "")
                  for s in section.left_out]
        parts.append("</ul></div>")
    parts.append(_facts_table(_item_facts(section.item)))
    return parts


def to_html(items: Sequence[ExportItem], ctx: ExportContext, title: str | None = None) -> str:
    """The items as one self-contained HTML page (no script, no outside resource;
    article text escaped as on the page, URLs shown as text)."""
    e = html.escape
    sections, notes = footnotes(items)
    heading = _title(items, title)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'">',
        f"<title>{e(heading)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(heading)}</h1>",
    ]
    for i, section in enumerate(sections, 1):
        if len(sections) > 1 or title:
            parts.append(f'<h2 id="item{i}">{i}. {e(_heading(section.item))}</h2>')
        parts += _html_section(section, i)
    parts.append('<hr><ol class="notes">')
    for f in notes:
        p = f.passage
        url = f'<div class="url">{e(p.url)}</div>' if p.url else ""
        parts.append(
            f'<li id="fn{f.number}"><blockquote>“{e(f.quote)}”</blockquote>'
            f"<div>{e(_source(p))}</div>{url}"
            f'<div class="doc">document {e(p.doc_id)}</div></li>'
        )
    parts.append(f"</ol><hr>{_facts_table(_export_facts(ctx))}</body></html>")
    return "\n".join(parts) + "\n"


def export_format(path: Path) -> str:
    """``markdown`` or ``html`` by the file's suffix (a misuse otherwise, as is a folder
    that does not exist: both are found before any work is done)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UserError(f"cannot export to {path.name}: use a .md or .html file name")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"cannot export to {path}: there is no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot export to {path}: the folder {folder} is not writable")
    return kind


def render(kind: str, items: Sequence[ExportItem], ctx: ExportContext,
           title: str | None = None) -> str:
    """The export as ``markdown`` or ``html``."""
    if not items:
        raise UserError("nothing to export")
    return to_markdown(items, ctx, title) if kind == "markdown" else to_html(items, ctx, title)


def write_export(items: Sequence[ExportItem], ctx: ExportContext, path: Path,
                 title: str | None = None) -> Path:
    """Write the items to ``path`` as Markdown or HTML (by its suffix)."""
    path.write_text(render(export_format(path), items, ctx, title), encoding="utf-8")
    return path


def filters_label(since: str | None, until: str | None, sources: Iterable[str],
                  doc_id: str | None = None) -> str:
    """The filters as the footer says them."""
    parts = [f"article {doc_id}"] if doc_id else []
    parts += [f"since {since}"] if since else []
    parts += [f"until {until}"] if until else []
    outlets = [s for s in sources if s]
    parts += [f"outlets {', '.join(outlets)}"] if outlets else []
    return "; ".join(parts) or "none"


# Per catalog file: the generation its fingerprint was computed at, and the fingerprint.
_FINGERPRINTS: dict[str, tuple[int, CorpusInfo]] = {}


def context_for(catalog: Catalog) -> ExportContext:
    """The footer's facts for an export made now from this catalog (its fingerprint is
    computed once per catalog generation: the chat exports every answer)."""
    generation = catalog.generation()
    cached = _FINGERPRINTS.get(str(catalog.path))
    if cached is not None and cached[0] == generation:
        corpus = cached[1]
    else:
        corpus = corpus_fingerprint(
            (d.doc_id, d.content_hash) for d in catalog.documents().values())
        _FINGERPRINTS[str(catalog.path)] = (generation, corpus)
    return ExportContext(
        made_at=datetime.now(UTC).isoformat(timespec="seconds"),
        corpus_documents=int(corpus["documents"]),
        corpus_fingerprint=str(corpus["fingerprint"]),
    )


def day_label(day: date | None) -> str | None:
    """An as-of day as the footer says it (None: today)."""
    return day.isoformat() if day else None
