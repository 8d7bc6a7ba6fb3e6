"""A checked answer to take away: Markdown or a self-contained HTML file with footnotes.

Everything comes from the checked answer (never the model's raw draft): each sentence
of the answer with footnote markers; each footnote with the passage sentence that
supports it, the article's title, outlet, date (and update), URL and document id; the
sentences that were left out, marked as such; and a footer with the question as asked
and as made standalone, the filters and as-of date, the backend and model, the time
and the corpus fingerprint (so a reader can tell whether the corpus changed since). A
source cited by several sentences is one footnote. Article text is escaped: in HTML as
on the page, in Markdown so that no link or image of an article becomes live.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from index.catalog import Catalog
from rag.answer import AnswerResult
from rag.citations import CheckedSentence
from rag.errors import UserError
from rag.evaluation.history import corpus_fingerprint
from rag.passages import Passage

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
# What can make Markdown live or change its shape: with brackets escaped, "(url)" is text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#!~])")
QUOTE_CHARS = 400  # a footnote without a supporting sentence quotes the passage's start


@dataclass(frozen=True)
class ExportContext:
    """What the footer says besides the answer: filters, as-of date, time, corpus."""

    filters: str = "none"
    as_of: str | None = None
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
    """A sentence of the answer and the footnotes it cites."""

    text: str
    footnotes: tuple[int, ...]


def footnotes(result: AnswerResult) -> tuple[list[ExportedSentence], list[Footnote],
                                             list[CheckedSentence]]:
    """The answer's sentences with footnote numbers, the footnotes (one per distinct
    supporting passage sentence, numbered in order of first citation) and the
    sentences left out."""
    by_n = {p.n: p for p in result.passages}
    notes: dict[tuple[str, int, int], Footnote] = {}
    kept: list[ExportedSentence] = []
    for s in result.sentences:
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
    left_out = [s for s in result.sentences if s.supported is False]
    return kept, list(notes.values()), left_out


def _facts(result: AnswerResult, ctx: ExportContext) -> list[tuple[str, str]]:
    rows = [("Question", result.question)]
    if result.standalone and result.standalone != result.question:
        rows.append(("Standalone question", result.standalone))
    rows += [("Filters", ctx.filters)]
    if result.time_frame:
        rows.append(("Dates read", result.time_frame))
    rows += [
        ("As of", ctx.as_of or "today"),
        ("Answered by", "quotes from the passages, no LLM" if result.backend == "none"
         else f"{result.backend} ({result.model}), {result.mode} mode"),
        ("Exported", ctx.made_at),
        ("Corpus", f"{ctx.corpus_documents} articles, fingerprint {ctx.corpus_fingerprint}"),
    ]
    return rows


def _source(p: Passage) -> str:
    parts = [p.title, p.source_line() or "unknown outlet"]
    return " — ".join(x for x in parts if x)


def md_text(text: str) -> str:
    """Article or model text as literal Markdown (links, images and markup stay text)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_markdown(result: AnswerResult, ctx: ExportContext) -> str:
    """The answer as Markdown with footnotes (``[^1]``)."""
    kept, notes, left_out = footnotes(result)
    lines = [f"# {md_text(result.question)}", ""]
    if result.abstained and not kept:
        lines.append(f"*No answer: {md_text(result.reason)}*" if result.reason else
                     "*No answer.*")
    body = " ".join(
        md_text(s.text) + "".join(f"[^{n}]" for n in s.footnotes) for s in kept
    )
    lines += [body, ""]
    if left_out:
        lines += ["**Left out** (not supported by the passages):", ""]
        lines += [f"- ~~{md_text(s.text)}~~" + (f" ({md_text(s.note)})" if s.note else "")
                  for s in left_out]
        lines.append("")
    lines += ["---", ""]
    lines += [f"- **{k}:** {md_text(v)}" for k, v in _facts(result, ctx)]
    lines.append("")
    for f in notes:
        p = f.passage
        extra = f"; {md_text(p.url)}" if p.url else ""
        lines.append(f"[^{f.number}]: “{md_text(f.quote)}” — {md_text(_source(p))}"
                     f"{extra}; document `{p.doc_id.replace('`', '')}`")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;
line-height:1.55;color:#111}h1{font-size:1.3em}.answer{font-size:1.05em}sup a{text-decoration:
none}.left-out li{color:#92400e;text-decoration:line-through}.facts{font-size:.9em;color:#444}
.facts th{text-align:left;padding-right:1em;vertical-align:top}.notes{font-size:.92em}
.notes blockquote{margin:.2em 0 .2em 1em;font-style:italic}.url,.doc{font-family:monospace;
font-size:.9em;word-break:break-all}"""


def to_html(result: AnswerResult, ctx: ExportContext) -> str:
    """The answer as one self-contained HTML page (no script, no outside resource;
    article text escaped as on the page, URLs shown as text)."""
    e = html.escape
    kept, notes, left_out = footnotes(result)
    sentences = " ".join(
        e(s.text) + "".join(f'<sup><a href="#fn{n}" id="ref{n}-{i}">[{n}]</a></sup>'
                            for n in s.footnotes)
        for i, s in enumerate(kept)
    )
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'">',
        f"<title>{e(result.question)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(result.question)}</h1>",
    ]
    if result.abstained and not kept:
        parts.append(f"<p><em>No answer: {e(result.reason)}</em></p>")
    parts.append(f'<p class="answer">{sentences}</p>')
    if left_out:
        parts.append('<div class="left-out"><p><strong>Left out</strong> (not supported by '
                     "the passages):</p><ul>")
        parts += [f"<li>{e(s.text)}</li>" + (f" <small>({e(s.note)})</small>" if s.note else "")
                  for s in left_out]
        parts.append("</ul></div>")
    parts.append('<ol class="notes">')
    for f in notes:
        p = f.passage
        url = f'<div class="url">{e(p.url)}</div>' if p.url else ""
        parts.append(
            f'<li id="fn{f.number}"><blockquote>“{e(f.quote)}”</blockquote>'
            f"<div>{e(_source(p))}</div>{url}"
            f'<div class="doc">document {e(p.doc_id)}</div></li>'
        )
    parts.append('</ol><hr><table class="facts">')
    parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _facts(result, ctx)]
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"


def export_format(path: Path) -> str:
    """``markdown`` or ``html`` by the file's suffix (a misuse otherwise)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UserError(f"cannot export to {path.name}: use a .md or .html file name")
    return kind


def write_export(result: AnswerResult, ctx: ExportContext, path: Path) -> Path:
    """Write the answer to ``path`` as Markdown or HTML (by its suffix)."""
    kind = export_format(path)
    text = to_markdown(result, ctx) if kind == "markdown" else to_html(result, ctx)
    path.write_text(text, encoding="utf-8")
    return path


def filters_label(since: str | None, until: str | None, sources: Iterable[str]) -> str:
    """The filters as the footer says them."""
    parts = [f"since {since}"] if since else []
    parts += [f"until {until}"] if until else []
    outlets = list(sources)
    parts += [f"outlets {', '.join(outlets)}"] if outlets else []
    return "; ".join(parts) or "none"


def context_for(catalog: Catalog, filters: str, as_of: date | None) -> ExportContext:
    """The footer's facts for an answer exported now from this catalog."""
    corpus = corpus_fingerprint((d.doc_id, d.content_hash) for d in catalog.documents().values())
    return ExportContext(
        filters=filters,
        as_of=as_of.isoformat() if as_of else None,
        made_at=datetime.now(UTC).isoformat(timespec="seconds"),
        corpus_documents=int(corpus["documents"]),
        corpus_fingerprint=str(corpus["fingerprint"]),
    )
