"""``rag index``, ``rag docs`` and ``rag remove``: what is in the index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.formats import describe as describe_formats
from rag.cli.common import (
    Context,
    friendly_errors,
    print_report,
    progress_bar,
    report_exit_code,
    verbose_option,
)
from rag.errors import UserError


@click.command("index", help=f"Index articles: files or folders of them, web pages, feeds and "
                                f"sitemaps by URL, or a text file listing URLs. Formats read: "
                                f"{describe_formats()}.\n\nExit status: 0 when every input "
                                f"was indexed or unchanged, 3 when some failed (one line "
                                f"each; the rest is indexed), 4 when none could be read, 2 "
                                f"for a usage error, 1 when a backend failed.")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--prune", is_flag=True, help="Remove documents whose source file is gone.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Start from an empty index (e.g. after changing the embedding model).",
)
@click.option(
    "--wait",
    type=click.FloatRange(0, 86400),
    default=0.0,
    show_default=True,
    help="Seconds to wait for another indexer to finish.",
)
@click.option("--watch", is_flag=True,
              help="Then keep watching the folders and files, re-indexing as they change "
                   "(deleted files are removed). Stop with Ctrl-C.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@verbose_option
@click.pass_obj
@friendly_errors
def index_cmd(
    obj: Context, inputs: tuple[str, ...], prune: bool, rebuild: bool, wait: float,
    watch: bool, quiet: bool, verbose: bool,
) -> None:
    services = obj.services()
    from index.web.sources import is_url

    urls = [i for i in inputs if is_url(i)]
    paths = [Path(i) for i in inputs if not is_url(i)]
    if watch and not paths:
        raise click.UsageError("--watch needs files or folders to watch")
    with progress_bar(quiet) as progress:
        report = services.ingestion.add(
            paths, progress=progress, prune=prune, rebuild=rebuild, wait=wait, urls=urls
        )
    print_report(report, verbose=verbose)
    if watch:
        click.echo(f"watching {', '.join(map(str, paths))} (Ctrl-C to stop)", err=True)
        for report in services.ingestion.watch(paths, wait=max(wait, 30.0)):
            print_report(report, verbose=verbose)
    sys.exit(report_exit_code(report))


@click.command("docs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--history", "history", metavar="ID",
              help="List the versions of this article (dates, when indexed, hash, title).")
@click.pass_obj
@friendly_errors
def docs_cmd(obj: Context, as_json: bool, history: str | None) -> None:
    """List the indexed articles; copies of one story (near-duplicates from several
    outlets) are listed together, the first one's id is their story_id."""
    from rag.cli.docs_view import history_json, history_lines, listing

    catalog = obj.catalog()
    if history is not None:
        versions = catalog.versions(history)
        if not versions:
            raise UserError(f"no indexed article has the id {history!r} (see `rag docs`)")
        if as_json:
            click.echo(json.dumps(history_json(versions), ensure_ascii=False, indent=2))
        else:
            click.echo("\n".join(history_lines(history, versions)))
        return
    docs = catalog.documents()
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in docs.values()], ensure_ascii=False, indent=2))
        return
    click.echo("\n".join(listing(docs)))


@click.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--wait", type=click.FloatRange(0, 86400), default=0.0,
              help="Seconds to wait for another writer.")
@click.pass_obj
@friendly_errors
def remove_cmd(obj: Context, doc_ids: tuple[str, ...], wait: float) -> None:
    """Remove articles from the index by document id."""
    removed = obj.services().ingestion.remove(list(doc_ids), wait=wait)
    click.echo(f"{removed} removed, {len(doc_ids) - removed} not found")
