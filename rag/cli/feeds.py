"""``rag feeds add|list|remove`` (subscriptions) and ``rag sync`` (fetch what is new)."""

from __future__ import annotations

import sys

import click

from rag.cli.common import (
    Context,
    friendly_errors,
    print_report,
    progress_bar,
    report_exit_code,
)
from rag.errors import UserError


@click.group("feeds")
def feeds_group() -> None:
    """Subscribe to RSS and Atom feeds; ``rag sync`` indexes what they bring."""


@feeds_group.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
@friendly_errors
def feeds_add(obj: Context, urls: tuple[str, ...]) -> None:
    """Subscribe to feeds by URL (indexed by the next ``rag sync``)."""
    for url in urls:
        from index.web.sources import is_url

        if not is_url(url):
            raise UserError(f"{url}: not an http or https URL")
        obj.services().ingestion.subscribe(url)
        click.echo(f"subscribed to {url}")


@feeds_group.command("list")
@click.pass_obj
@friendly_errors
def feeds_list(obj: Context) -> None:
    """The subscribed feeds, when each last synced and whether it failed."""
    feeds = obj.services().ingestion.feeds()
    for f in feeds:
        state = f"failing: {f.last_error}" if f.last_error else "ok"
        click.echo(f"{f.url}  {f.title or '-'}  last sync {f.last_sync or 'never'}  "
                   f"{len(f.items)} items  {state}")
    click.echo(f"{len(feeds)} feeds")


@feeds_group.command("remove")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
@friendly_errors
def feeds_remove(obj: Context, urls: tuple[str, ...]) -> None:
    """Unsubscribe (the articles already indexed stay; ``rag remove`` drops them)."""
    for url in urls:
        found = obj.services().ingestion.unsubscribe(url)
        click.echo(f"unsubscribed from {url}" if found else f"{url}: not subscribed")


@click.command("sync")
@click.option("--wait", type=click.FloatRange(0, 86400), default=0.0, show_default=True,
              help="Seconds to wait for another indexer to finish.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
@friendly_errors
def sync_cmd(obj: Context, wait: float, quiet: bool) -> None:
    """Fetch every subscribed feed (conditional requests) and index new or changed items.

    Exit status as for `rag index`: 0 when all went well, 3 when some feeds or items
    failed, 4 when none could be read."""
    with progress_bar(quiet) as progress:
        out = obj.services().ingestion.sync(progress=progress, wait=wait)
    if out.report is None:
        click.echo("no feeds: subscribe with `rag feeds add URL`", err=True)
        return
    for line in out.lines():
        click.echo(line, err=True)
    print_report(out.report)
    sys.exit(report_exit_code(out.report))
