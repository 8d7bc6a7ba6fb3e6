"""``rag summarize``: a cited summary of a topic, an article, a date range, outlets or
the whole corpus, streamed, with progress on stderr."""

from __future__ import annotations

import json
from typing import Any

import click

from index.dates import parse_day
from rag.errors import UserError

MODES = ["generative", "extractive"]


def summary_mode(chosen: str, backend: Any) -> str:
    """The mode ``auto`` stands for: generative when a capable model (Ollama) answers,
    extractive with the embedded 270M base model, whose summaries do not hold up
    (README, Summaries)."""
    if chosen != "auto":
        return chosen
    return "generative" if backend.backend == "ollama" else "extractive"


@click.command("summarize")
@click.argument("topic", required=False)
@click.option("--doc", "doc_id", help="Summarise this article only (its id, see `rag docs`).")
@click.option("--since", help="Only articles published on or after (YYYY[-MM[-DD]]).")
@click.option("--until", help="Only articles published on or before (YYYY[-MM[-DD]]).")
@click.option("--outlet", "--source", "outlets", multiple=True,
              help="Only this outlet (repeatable).")
@click.option("--timeline", is_flag=True,
              help="Order by the dates of the events and write the dates in.")
@click.option("--mode", type=click.Choice(["auto", *MODES]), default=None,
              help="generative: the LLM summarises each batch, its citations are checked. "
                   "extractive: the most salient sentences, quoted. Default: summary.mode.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def summarize_cmd(
    obj: Any, topic: str | None, doc_id: str | None, since: str | None, until: str | None,
    outlets: tuple[str, ...], timeline: bool, mode: str | None, as_json: bool, quiet: bool,
) -> None:
    """Summarise what the articles say about TOPIC (or about the whole scope without one),
    every sentence citing the passages it comes from."""
    from rag.cli import friendly_errors

    friendly_errors(_run)(obj, topic, doc_id, since, until, outlets, timeline, mode, as_json,
                          quiet)


def _run(
    obj: Any, topic: str | None, doc_id: str | None, since: str | None, until: str | None,
    outlets: tuple[str, ...], timeline: bool, mode: str | None, as_json: bool, quiet: bool,
) -> None:
    from rag.answer import Token
    from rag.render import echo_draft
    from rag.summary.render import print_summary
    from rag.summary.scope import Scope
    from rag.summary.service import Progress, SummaryDone

    if topic is not None and not topic.strip():
        raise UserError("the topic is empty (leave it out to summarise the whole scope)")
    scope = Scope(topic=topic, doc_id=doc_id, since=parse_day(since),
                  until=parse_day(until, end=True), outlets=tuple(outlets))
    services = obj.services()
    chosen = summary_mode(mode or services.settings.summary.mode, services.backend)
    streamed = False
    result = None
    for event in services.summarizer.stream(scope, mode=chosen, timeline=timeline):
        if isinstance(event, Progress) and not quiet and event.total > 1:
            click.echo(f"{event.stage} {event.done}/{event.total}", err=True)
        elif isinstance(event, Token) and not as_json:
            streamed = echo_draft(event.text, streamed, "Drafts")
        elif isinstance(event, SummaryDone):
            result = event.result
    assert result is not None
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print_summary(result, streamed)
