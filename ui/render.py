"""HTML for the web UI: answers with citation markers, the sources panel, the status line.

Pure functions. Everything that comes from a document, the model or the user is
passed through :func:`esc` before it is put into markup, so article text is shown
as text: no tag, image, link or template expression from a document reaches the
page. The only markup on the page is the markup written here.

Citation markers are in-page links (``<a href="#src-2-3">[3]</a>``) to the
element of the sources panel with that id (``<div id="src-2-3">``): turn 2 of the
conversation, passage 3, so markers of earlier answers keep pointing to their
own sources.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from urllib.parse import parse_qsl, quote

from index.catalog import DocumentRow, ImportState
from index.web.subscriptions import Subscription
from rag.answer import ABSTAIN_TEXT, AnswerResult
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage
from rag.llms.select import BackendChoice
from rag.summary.result import SummaryResult

# Characters with a meaning in Markdown, in JavaScript template literals or in
# LaTeX delimiters: encoded as character references too, so that text stays inert
# even where a component would parse Markdown or templates.
_EXTRA = str.maketrans({
    "`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;",
    "(": "&#40;", ")": "&#41;", "!": "&#33;", "\\": "&#92;", "*": "&#42;", "_": "&#95;",
    "~": "&#126;", "|": "&#124;",
})

DRAFT_LABEL = "Draft — the citations are being checked…"
EMPTY_SOURCES = (
    '<div class="rag-sources"><p class="rag-empty">The sources of each answer appear here: '
    "article, outlet, date and the passage, with the cited sentence highlighted.</p></div>"
)


def esc(text: object) -> str:
    """``text`` as inert HTML text (HTML-escaped, Markdown and template characters encoded)."""
    if text is None:
        return ""
    return html.escape(str(text), quote=True).translate(_EXTRA)


def src_id(turn: int, n: int) -> str:
    """The element id of passage ``n`` of answer ``turn`` in the sources panel."""
    return f"src-{turn}-{n}"


def marker(turn: int, n: int, passage: Passage | None = None) -> str:
    """A citation marker: a link that brings the source into view."""
    title = f' title="{esc(passage.header())}"' if passage is not None else ""
    return f'<a class="rag-cite" href="#{src_id(turn, n)}"{title}>[{n}]</a>'


def _markers(turn: int, numbers: Iterable[int], by_n: dict[int, Passage]) -> str:
    return "".join(marker(turn, n, by_n.get(n)) for n in numbers)


def user_html(question: str) -> str:
    """The user's question as a chat message."""
    return f'<div class="rag-question">{esc(question)}</div>'


def pending_html(draft: str = "", searching: bool = False) -> str:
    """The message shown while an answer is produced: the draft as it streams."""
    if searching:
        label = "Searching the articles…"
    elif draft:
        label = DRAFT_LABEL
    else:
        label = "Reading the passages…"
    body = f'<div class="rag-draft-text">{esc(draft)}</div>' if draft else ""
    return f'<div class="rag-draft"><div class="rag-draft-label">{label}</div>{body}</div>'


def stopped_html(previous: str) -> str:
    """The message of an answer the user stopped (``previous``: its pending message)."""
    previous = previous.replace(DRAFT_LABEL, "Draft (stopped; its citations were not checked)")
    return f'<div class="rag-stopped">{previous}<div class="rag-notice">Stopped.</div></div>'


def _sentence(s: CheckedSentence, turn: int, by_n: dict[int, Passage],
              pin: int | None = None) -> str:
    text = esc(s.text)
    if s.supported is None:
        return f'<span class="rag-sent rag-neutral">{text}</span>'
    kind = {"quoted": "rag-quoted", "composed": "rag-composed"}.get(s.origin, "rag-generated")
    stop = "." if s.origin == "composed" and s.citations and not s.text.endswith(
        (".", "!", "?")) else ""
    pin_link = ("" if pin is None else f' <a class="rag-act rag-pin-s" href="#pin-sentence-{pin}"'
                ' title="Pin this sentence to the brief">+ brief</a>')
    return (f'<span class="rag-sent rag-supported {kind}">{text}'
            f'{" " if s.citations else ""}{_markers(turn, s.citations, by_n)}{stop}'
            f"{pin_link}</span>")


def actions_html(links: Sequence[tuple[str, str, str]], before: str = "") -> str:
    """A row of action links under an answer: ``before`` (markup of ours), then
    ``(class, href, label)`` each (the page's script turns a click on ``rag-act`` into
    its action, on ``rag-link`` into a copy)."""
    parts = [before] if before else []
    parts += [f'<a class="{cls}" href="{esc(href)}">{esc(label)}</a>' for cls, href, label in links]
    return f'<div class="rag-actions">{" ".join(parts)}</div>'


def file_url(path: str) -> str:
    """The page-relative URL at which Gradio serves a file of its upload folder."""
    return "gradio_api/file=" + quote(path)


def downloads_html(paths: Sequence[str]) -> str:
    """Download links for export files (as attachments: Gradio serves HTML that way)."""
    links = []
    for path in paths:
        name = PurePath(path).name
        links.append(f'<a class="rag-dl" href="{esc(file_url(path))}" download="{esc(name)}">'
                     f"⤓ {esc(PurePath(path).suffix.lstrip('.').upper() or name)}</a>")
    return " ".join(links)


def answer_actions(turn: int, link: str, exports: Sequence[str] = ()) -> str:
    """Under a chat answer: its exports (``exports``: file paths), pin it to the brief,
    and its permalink (``link``: ``?q=...``)."""
    return actions_html([("rag-act", f"#pin-answer-{turn}", "Pin to brief"),
                         ("rag-link", link, "Link to this question")], downloads_html(exports))


_PIN_ANSWER = re.compile(r'href="#pin-answer-(\d+)"')
_PERMALINK = re.compile(r'class="rag-link" href="([^"]*)"')


def answer_ref(message: str) -> tuple[int, dict[str, str]] | None:
    """The turn and the permalink's fields (``q``, ``since``, ``until``, ``outlet``,
    ``as_of``) of a chat answer as :func:`answer_actions` marks it: what a 👍 or 👎 on
    that message rates. None for any other message (an error, a stopped answer)."""
    turn = _PIN_ANSWER.search(message)
    if turn is None:
        return None
    link = _PERMALINK.search(message)
    query = html.unescape(link.group(1)).lstrip("?") if link else ""
    return int(turn.group(1)), dict(parse_qsl(query))


FEEDBACK_SAVED = "Thanks — saved as a case for `rag feedback export`."
_BACKTICKED = re.compile("&#96;(.+?)&#96;")  # `code` in our own message, once escaped


def feedback_html(message: str, saved: bool = True) -> str:
    """The line under the chat that says what became of a 👍, 👎 or comment (our own
    message: a `command` in it is shown as code)."""
    kind = "rag-feedback-saved" if saved else "rag-feedback-hint"
    text = _BACKTICKED.sub(r"<code>\1</code>", esc(message))
    return f'<div class="rag-feedback {kind}">{text}</div>'


def _unsupported_block(sentences: Sequence[CheckedSentence]) -> str:
    dropped = [s for s in sentences if s.supported is False]
    if not dropped:
        return ""
    items = "".join(
        f'<li class="rag-unsupported"><del>{esc(s.text)}</del> '
        f'<span class="rag-flag">{esc(s.note or "not supported by the articles")}</span></li>'
        for s in dropped
    )
    return (
        '<div class="rag-removed"><div class="rag-removed-title">Left out of the answer: '
        f"the model wrote it, and it is unsupported or does not answer.</div><ul>{items}</ul></div>"
    )


def plan_html(result: AnswerResult) -> str:
    """The "How this was answered" disclosure: the query plan and what each part found."""
    if result.plan is None:
        return ""
    lines = "".join(f"<li>{esc(line)}</li>" for line in result.explain())
    return (f'<details class="rag-plan"><summary>How this was answered</summary>'
            f"<ul>{lines}</ul></details>")


def llm_failure_notice(reason: str, backend: BackendChoice | None = None) -> str:
    """The notice shown when the language model failed: the chat goes on search-only."""
    hint = ""
    if backend is not None and backend.backend == "ollama":
        hint = (" Is Ollama running? Start it with <code>ollama serve</code> (and "
                f"<code>ollama pull {esc(backend.model)}</code>), or set "
                "<code>llm_backend = &quot;embedded&quot;</code> and restart.")
    return (
        '<div class="rag-notice rag-llm-error"><strong>The language model failed</strong>: '
        f"{esc(reason)}. Search-only answer: sentences quoted from the passages, "
        f"and the matching passages in the sources panel.{hint}</div>"
    )


def answer_html(result: AnswerResult, turn: int, backend: BackendChoice | None = None,
                actions: str = "", pin_sentences: bool = False) -> str:
    """A checked answer as a chat message: supported sentences with their markers,
    an abstention box, the sentences that were left out, and any LLM failure; then
    ``actions`` (see :func:`answer_actions`). With ``pin_sentences`` each sentence has
    a link that pins it to the brief."""
    by_n = {p.n: p for p in result.passages}
    parts = ['<div class="rag-answer">']
    if result.llm_error:
        parts.append(llm_failure_notice(result.llm_error, backend))
    if result.abstained:
        closest = _markers(turn, [p.n for p in result.passages], by_n)
        reason = (f'<div class="rag-reason">Why: {esc(result.reason)}.</div>'
                  if result.reason else "")
        closest_html = (f'<div class="rag-closest">Closest passages: {closest}</div>'
                        if closest else '<div class="rag-closest">No passage matched.</div>')
        parts.append(
            f'<div class="rag-abstain"><div class="rag-abstain-title">'
            f"{esc(result.answer or ABSTAIN_TEXT)}"
            f"</div>{reason}{closest_html}</div>"
        )
    else:
        body = " ".join(_sentence(s, turn, by_n, i if pin_sentences else None)
                        for i, s in enumerate(result.sentences) if s.supported is not False)
        parts.append(f'<div class="rag-answer-text">{body}</div>')
    parts.append(_unsupported_block(result.sentences))
    parts.append(plan_html(result))
    parts.append(actions)
    meta = [result.mode]
    if result.mode != "extractive":
        meta.append(f"{result.backend} {result.model}")
    if "total_ms" in result.timings:
        meta.append(f"{result.timings['total_ms'] / 1000:.1f} s")
    parts.append(f'<div class="rag-meta">{esc(" · ".join(meta))}</div>')
    parts.append("</div>")
    return "".join(parts)


SUMMARY_TURN = 0  # the chat's answers are turns 1, 2, ...: the summary's markers stay apart


def summary_html(result: SummaryResult, backend: BackendChoice | None = None) -> str:
    """A checked summary: its scope, notes, the sentences with their markers (one per line
    for a timeline), what was left out, and the not-covered box, as answers show them."""
    kind = "rag-summary rag-summary-timeline" if result.timeline else "rag-summary"
    notes = "".join(f'<div class="rag-notice">{esc(n)}.</div>' for n in result.notes)
    pin_actions = actions_html([("rag-act", "#pin-summary", "Pin the summary to brief")])
    return (f'<div class="{kind}"><div class="rag-turn-head">Summary of '
            f"{esc(result.scope.describe())}</div>{notes}"
            f"{answer_html(result.as_answer(), SUMMARY_TURN, backend, pin_actions, True)}</div>")


def summary_sources(result: SummaryResult) -> str:
    """The sources panel of a summary: cited passages first, cited sentences highlighted."""
    section = sources_section(SUMMARY_TURN, result.scope.describe(), result.passages,
                              result.sentences)
    return sources_panel([section])


def search_only_html(passages: Sequence[Passage], reason: str, turn: int,
                     backend: BackendChoice | None = None) -> str:
    """The chat message when answering failed after retrieval: the passages, and why."""
    by_n = {p.n: p for p in passages}
    closest = _markers(turn, [p.n for p in passages], by_n)
    listing = (f'<div class="rag-closest">Matching passages: {closest}</div>' if closest
               else '<div class="rag-closest">No passage matched.</div>')
    return f'<div class="rag-answer">{llm_failure_notice(reason, backend)}{listing}</div>'


def error_html(message: str) -> str:
    """A problem the user can fix (empty index, bad date, ...) as a chat message."""
    return f'<div class="rag-notice rag-error">{esc(message)}</div>'


def highlighted(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped, with the character spans in ``<mark>``."""
    out: list[str] = []
    pos = 0
    for a, b in sorted(set(spans)):
        a, b = max(a, pos), min(b, len(text))
        if b <= a:
            continue
        out.append(esc(text[pos:a]))
        out.append(f'<mark class="rag-hl">{esc(text[a:b])}</mark>')
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


def _source_card(p: Passage, turn: int, spans: list[tuple[int, int]], cited: bool) -> str:
    # "updated 5 October 2023 (first published 3 October 2023)" for an updated article
    when = p.when()
    outlet = p.source or "unknown outlet"
    parts = [
        f'<span class="rag-src-outlet">{esc("reported by " if p.also_carried_by else "")}'
        f"{esc(outlet)}</span>",
        f'<span class="rag-src-date">{esc(when or "undated")}</span>',
    ]
    if p.also_carried_by:  # one story, several outlets
        parts.append(f'<span class="rag-src-also">also carried by '
                     f"{esc(', '.join(p.also_carried_by))}</span>")
    parts.append(f'<code class="rag-src-doc">{esc(p.doc_id)}</code>')
    if p.url and p.url.lower().startswith(("http://", "https://")):
        # The canonical URL as text to copy, never a live link: it comes from the page.
        parts.append(f'<span class="rag-src-url">{esc(p.url)}</span>')
    meta = " · ".join(parts)
    kind = "rag-src-cited" if cited else "rag-src-other"
    return (
        f'<div class="rag-src {kind}" id="{src_id(turn, p.n)}">'
        f'<div class="rag-src-head"><span class="rag-src-n">[{p.n}]</span> '
        f'<span class="rag-src-title">{esc(p.title or "(untitled)")}</span></div>'
        f'<div class="rag-src-meta">{meta}</div>'
        f'<div class="rag-src-text">{highlighted(p.text, spans)}</div></div>'
    )


def sources_section(turn: int, question: str, passages: Sequence[Passage],
                    sentences: Sequence[CheckedSentence] = (), checking: bool = False) -> str:
    """The sources of one answer: cited passages first, cited sentences highlighted."""
    cited: dict[int, list[tuple[int, int]]] = {}
    for s in sentences:
        if s.supported:
            for n in s.citations:
                cited.setdefault(n, [])
                if n in s.evidence:
                    cited[n].append(s.evidence[n])
    head = "Retrieved passages (checking…)" if checking else (
        "Sources" if cited else "Closest passages")
    parts = [f'<section class="rag-turn" id="turn-{turn}">'
             f'<div class="rag-turn-head">{head} — <span class="rag-turn-q">{esc(question)}'
             "</span></div>"]
    main = [p for p in passages if p.n in cited] if cited else list(passages)
    rest = [p for p in passages if p.n not in cited] if cited else []
    parts += [_source_card(p, turn, cited.get(p.n, []), bool(cited)) for p in main]
    if rest:
        parts.append(f'<details class="rag-other"><summary>Other retrieved passages '
                     f"({len(rest)})</summary>")
        parts += [_source_card(p, turn, [], False) for p in rest]
        parts.append("</details>")
    if not passages:
        parts.append('<p class="rag-empty">No passage matched.</p>')
    parts.append("</section>")
    return "".join(parts)


def sources_panel(sections: Sequence[str]) -> str:
    """The sources panel: one section per answer, newest first."""
    if not sections:
        return EMPTY_SOURCES
    return '<div class="rag-sources">' + "".join(sections) + "</div>"


def feeds_status(feeds: Sequence[Subscription]) -> str:
    """The feeds part of the status line: how many, the last sync, the failing ones."""
    if not feeds:
        return ""
    synced = [f.last_sync for f in feeds if f.last_sync]
    last = max(synced).replace("T", " ").replace("+00:00", " UTC") if synced else "never"
    failing = [f for f in feeds if f.last_error]
    fail = "".join(
        f'<div class="rag-status-hint">Feed failing: {esc(f.url)}: {esc(f.last_error or "")}'
        "</div>" for f in failing)
    return f" · Feeds: {len(feeds)}, last sync {esc(last)}{fail}"


def import_status(running: ImportState | None) -> str:
    """The status line's part on an import under way: how much is searchable yet."""
    if running is None:
        return ""
    done, total, embedded = running
    if embedded >= done:
        said = (f"{done:,} of {total:,} articles indexed so far; those are searchable by "
                "keyword and by meaning, the rest are not yet")
    else:  # a large import is read and keyword-indexed first, then embedded
        said = (f"{done:,} of {total:,} articles searchable by keyword so far, {embedded:,} "
                "of them by meaning too; the rest are being embedded")
    return f'<div class="rag-status-import">Importing: {said}.</div>'


def status_html(backend: BackendChoice, n_docs: int, n_chunks: int, embed_model: str,
                ollama_model: str = "llama3.2", feeds: Sequence[Subscription] = (),
                running: ImportState | None = None) -> str:
    """The status line: backend and model in use and why, the index (and an import under
    way), the feeds' last sync and failing feeds, what to do if Ollama is down."""
    hint = ""
    if backend.backend == "embedded" and "Ollama not used" in backend.reason:
        hint = (
            '<div class="rag-status-hint">Ollama is not available, so the small embedded '
            "model answers (slower, plainer). To use Ollama: start it "
            "(<code>ollama serve</code>), pull the model "
            f"(<code>ollama pull {esc(ollama_model)}</code>) and restart <code>rag serve</code>. "
            "Citations are checked either way; if the model fails, answers are quoted from "
            "the passages.</div>"
        )
    elif backend.backend == "ollama":
        hint = (
            '<div class="rag-status-hint">If Ollama stops, answers fall back to quotes from '
            "the passages; start it again with <code>ollama serve</code>.</div>"
        )
    return (
        '<div class="rag-status"><span class="rag-status-llm">LLM: '
        f"<strong>{esc(backend.backend)}</strong> ({esc(backend.model)})</span> — "
        f'<span class="rag-status-why">{esc(backend.reason)}</span> · '
        f"Index: {n_docs} articles, {n_chunks} passages · Embeddings: {esc(embed_model)}"
        f"{import_status(running)}{feeds_status(feeds)}{hint}</div>"
    )


DOC_HEADERS = ["id", "title", "date", "outlet", "chunks"]


def document_rows(docs: Iterable[DocumentRow]) -> list[list[str | int]]:
    """Rows of the corpus table (plain strings: the table shows them as text)."""
    return [[d.doc_id, d.title, d.published_at or "", d.source or "", d.n_chunks]
            for d in docs]



