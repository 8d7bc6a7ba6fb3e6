"""``rag summarize``: a cited summary of a topic, an article, a date range, outlets or
the whole corpus, streamed, with progress on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import click

from index.dates import parse_day
from rag.cli.common import Context, check_day, drain, friendly_errors
from rag.errors import UserError
from rag.summary.mode import MODES, summary_mode


@click.command("summarize")
@click.argument("topic", required=False)
@click.option("--doc", "doc_id", help="Summarise this article only (its id, see `rag docs`).")
@click.option("--since", callback=check_day,
              help="Only articles published on or after (YYYY[-MM[-DD]]).")
@click.option("--until", callback=check_day,
              help="Only articles published on or before (YYYY[-MM[-DD]]).")
@click.option("--outlet", "--source", "outlets", multiple=True,
              help="Only this outlet (repeatable).")
@click.option("--timeline", is_flag=True,
              help="Order by the dates of the events and write the dates in.")
@click.option("--mode", type=click.Choice(["auto", *MODES]), default=None,
              help="generative: the LLM summarises each batch, its citations are checked. "
                   "extractive: the most salient sentences, quoted. Default: summary.mode.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--export", "export_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the checked summary with footnotes to FILE (.md or .html).")
@click.pass_obj
@friendly_errors
def summarize_cmd(
    obj: Context, topic: str | None, doc_id: str | None, since: str | None, until: str | None,
    outlets: tuple[str, ...], timeline: bool, mode: str | None, as_json: bool, quiet: bool,
    export_path: Path | None,
) -> None:
    """Summarise what the articles say about TOPIC (or about the whole scope without one),
    every sentence citing the passages it comes from."""
    from rag.cli.render import print_summary
    from rag.export import ExportItem, context_for, export_format, filters_label, write_export
    from rag.summary.scope import Scope
    from rag.summary.service import SummaryDone

    if topic is not None and not topic.strip():
        raise UserError("the topic is empty (leave it out to summarise the whole scope)")
    if export_path is not None:
        export_format(export_path)  # a wrong suffix stops before any work
    scope = Scope(topic=topic, doc_id=doc_id, since=parse_day(since),
                  until=parse_day(until, end=True), outlets=tuple(outlets))
    services = obj.services()
    chosen = summary_mode(mode or services.settings.summary.mode, services.backend)
    result, streamed = drain(
        services.summarizer.stream(scope, mode=chosen, timeline=timeline),
        lambda e: e.result if isinstance(e, SummaryDone) else None,
        show_tokens=not as_json, label="Drafts", progress=not quiet,
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print_summary(result, streamed)
    if export_path is not None:
        item = ExportItem(result.as_answer(), filters_label(since, until, outlets, doc_id),
                          kind="Summary")
        write_export([item], context_for(services.store.catalog), export_path)
        click.echo(f"Exported to {export_path}", err=as_json)
