"""``rag index``, ``rag docs`` and ``rag remove``: what is in the index."""

from __future__ import annotations

import json
from pathlib import Path

import click

from index.formats import describe as describe_formats
from rag.cli.common import Context, friendly_errors, print_report, progress_bar


@click.command("index", help=f"Index articles: files or folders of them. Formats read: "
                                f"{describe_formats()}.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Remove documents whose source file is gone.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Start from an empty index (e.g. after changing the embedding model).",
)
@click.option(
    "--wait",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for another indexer to finish.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
@friendly_errors
def index_cmd(
    obj: Context, paths: tuple[Path, ...], prune: bool, rebuild: bool, wait: float, quiet: bool
) -> None:
    services = obj.services()
    with progress_bar(quiet) as progress:
        report = services.ingestion.add(
            list(paths), progress=progress, prune=prune, rebuild=rebuild, wait=wait
        )
    print_report(report)


@click.command("docs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@friendly_errors
def docs_cmd(obj: Context, as_json: bool) -> None:
    """List the indexed articles."""
    docs = obj.services().store.catalog.documents()
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in docs.values()], ensure_ascii=False, indent=2))
        return
    for d in docs.values():
        click.echo(
            f"{d.doc_id}  {d.published_at or 'undated':10}  {d.source or '-':20.20}  "
            f"{d.n_chunks:3} chunks  {d.title[:70]}"
        )
    click.echo(f"{len(docs)} documents")


@click.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for another writer.")
@click.pass_obj
@friendly_errors
def remove_cmd(obj: Context, doc_ids: tuple[str, ...], wait: float) -> None:
    """Remove articles from the index by document id."""
    removed = obj.services().ingestion.remove(list(doc_ids), wait=wait)
    click.echo(f"{removed} removed, {len(doc_ids) - removed} not found")
