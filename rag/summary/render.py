"""The terminal view of a summary: the checked sentences, what was left out, and the
numbered sources with the cited sentences highlighted (as answers show them)."""

from __future__ import annotations

import click

from rag.render import highlighted
from rag.summary.result import SummaryResult


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
