"""Plain-text rendering of answers, summaries and their sources for the terminal (the
cited sentences highlighted in the numbered sources)."""

from __future__ import annotations

import sys

import click

from rag.answer import AnswerResult
from rag.grounding.passages import Passage
from rag.summary.result import SummaryResult


def echo_draft(text: str, started: bool, label: str = "Draft") -> bool:
    """Print a streamed draft token (dim, under a one-time header); returns ``True``."""
    if not started:
        click.secho(f"{label} (citations being checked):", dim=True)
    click.secho(text, nl=False, dim=True)
    sys.stdout.flush()
    return True


def highlighted(passage: Passage, spans: list[tuple[int, int]], color: bool = True) -> str:
    """The passage text with the cited sentences in bold (or between » « without color)."""
    text = passage.text
    out, pos = [], 0
    for a, b in sorted(set(spans)):
        if a < pos:
            continue
        out.append(text[pos:a])
        out.append(click.style(text[a:b], bold=True, fg="green") if color else f"»{text[a:b]}«")
        pos = b
    out.append(text[pos:])
    return "".join(out)


def print_plan(result: AnswerResult) -> None:
    """The query plan and what each part retrieved (``rag ask --explain``)."""
    click.secho("How this was answered:", bold=True)
    for line in result.explain():
        click.echo(f"  {line}")
    click.echo()


def print_answer(result: AnswerResult, streamed_draft: bool, color: bool = True) -> None:
    """The checked answer, what was removed, and the numbered sources."""
    if streamed_draft:
        click.echo("\n")
    if result.llm_error:
        click.secho(
            f"LLM failed: {result.llm_error} (answer built from the passages)",
            fg="yellow",
            err=True,
        )
    label = "Answer" if not result.abstained else "No answer"
    click.secho(f"{label}:", bold=True)
    click.echo(result.answer)
    if result.time_frame:
        click.secho(f"Dates read: {result.time_frame}", dim=True)
    if result.abstained and result.reason:
        click.secho(f"({result.reason})", dim=True)
    dropped = [s for s in result.sentences if s.supported is False]
    if dropped:
        click.secho("Left out (unsupported, or not an answer):", fg="yellow")
        for s in dropped:
            click.secho(f"  ✗ {s.text}" + (f"  ({s.note})" if s.note else ""), fg="yellow")
    cited = set(result.cited_numbers())
    shown = [p for p in result.passages if p.n in cited] if cited else result.passages
    click.echo()
    click.secho("Sources:" if cited else "Closest passages:", bold=True)
    for p in shown:
        spans = [
            span
            for s in result.sentences
            if s.supported
            for n, span in s.evidence.items()
            if n == p.n
        ]
        click.secho(f"[{p.n}] {p.header()}  ({p.doc_id})", bold=True)
        if p.url:
            click.secho(f"    {p.url}", dim=True)
        body = highlighted(p, spans, color)
        click.echo("    " + body.replace("\n", "\n    "))


def print_summary(result: SummaryResult, streamed_draft: bool, color: bool = True) -> None:
    """The checked summary, the sentences left out, and the numbered sources."""
    if streamed_draft:
        click.echo("\n")
    if result.llm_error:
        click.secho(f"LLM failed: {result.llm_error} (summary built from the passages)",
                    fg="yellow", err=True)
    for note in result.notes:
        click.secho(f"Note: {note}.", dim=True, err=True)
    click.secho(f"Summary of {result.scope.describe()}:", bold=True)
    if not result.covered:
        click.echo(result.summary)
        if result.reason:
            click.secho(f"({result.reason})", dim=True)
        return
    for s in result.sentences:
        click.echo(f"{'' if result.timeline else '• '}{s.render()}")
    if result.rejected:
        click.secho("Not supported by the articles (left out):", fg="yellow")
        for s in result.rejected:
            click.secho(f"  ✗ {s.text}", fg="yellow")
    cited = set(result.cited_numbers())
    click.echo()
    click.secho("Sources:", bold=True)
    for p in result.passages:
        if p.n not in cited:
            continue
        spans = [span for s in result.sentences for n, span in s.evidence.items() if n == p.n]
        click.secho(f"[{p.n}] {p.header()}  ({p.doc_id})", bold=True)
        click.echo("    " + highlighted(p, spans, color).replace("\n", "\n    "))
