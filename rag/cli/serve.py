"""``rag serve`` (the web UI) and ``rag doctor`` (what the app runs with)."""

from __future__ import annotations

from pathlib import Path

import click

from rag.cli.common import Context, friendly_errors, print_report, progress_bar
from rag.errors import UserError


@click.command("doctor")
@click.pass_obj
@friendly_errors
def doctor_cmd(obj: Context) -> None:
    """Show the backend and model in use and why, the index and the embedding model."""
    services = obj.services()
    s = services.settings
    choice = services.backend
    click.echo(f"LLM backend:     {choice.backend} ({choice.model})")
    click.echo(f"  why:           {choice.reason}")
    click.echo(f"Ollama host:     {s.ollama_host} (model {s.ollama_model})")
    click.echo(f"Embedding model: {services.embed_model_id}")
    click.echo(
        f"Index:           {s.index_dir}"
        + (f" (vectors on {s.chroma_url})" if s.chroma_url else "")
    )
    size = (
        sum(f.stat().st_size for f in s.index_dir.rglob("*") if f.is_file())
        if s.index_dir.exists()
        else 0
    )
    catalog = services.store.catalog
    click.echo(
        f"  contents:      {len(catalog.documents())} documents, {catalog.count_chunks()} chunks, "
        f"{size / 1e6:.1f} MB on disk"
    )
    built = catalog.get_meta("embed_model")
    if built:
        click.echo(f"  built with:    {built}")
    stopped = services.ingestion.interrupted(catalog)
    if stopped:
        click.echo(f"  last build:    {stopped}")


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; a non-loopback one needs RAG_UI_AUTH or --force.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True,
              help="Port to listen on.")
@click.option(
    "--index-if-empty",
    "index_if_empty",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Index these files or folders first when the index is empty (repeatable).",
)
@click.option(
    "--share",
    is_flag=True,
    help="Also serve through a public Gradio share link (needs RAG_UI_AUTH or --force).",
)
@click.option("--force", is_flag=True, help="Serve beyond this machine without a login.")
@click.option("--sync-every", "sync_every", default=None, metavar="DURATION",
              help="Sync the subscribed feeds now and then every DURATION (30m, 2h, 90s).")
@click.pass_obj
@friendly_errors
def serve_cmd(
    obj: Context, host: str, port: int, index_if_empty: tuple[Path, ...], share: bool,
    force: bool, sync_every: str | None,
) -> None:
    """Start the web UI (chat with checked citations, corpus management).

    Log in is required when RAG_UI_AUTH=user:password is set. The chat is also an
    API: gradio_client.Client(URL).predict("question", api_name="/ask"), an
    OpenAI-compatible one at URL/v1 (model "newsrag") and an MCP server at URL/mcp.
    """
    from rag.sync import PeriodicSync, parse_duration
    from ui.api import build_api
    from ui.app import build_app
    from ui.serving import check_exposure, launch, parse_auth

    services = obj.services()
    auth = parse_auth(services.settings.ui_auth)
    check_exposure(host, auth, share, force)
    if index_if_empty and not services.store.catalog.documents():
        click.echo(f"The index is empty: indexing {', '.join(map(str, index_if_empty))}", err=True)
        with progress_bar(False) as progress:
            report = services.ingestion.add(list(index_if_empty), progress=progress, wait=60.0)
        print_report(report, err=True)
    choice = services.backend
    click.echo(f"LLM backend: {choice.backend} ({choice.model}): {choice.reason}", err=True)
    syncing = None
    if sync_every:
        try:
            every = parse_duration(sync_every)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--sync-every") from None
        click.echo(f"Syncing {len(services.ingestion.feeds())} feeds every {sync_every}", err=True)
        syncing = PeriodicSync(services.ingestion, every).start()
    try:
        launch(build_app(services), host=host, port=port, auth=auth, share=share, force=force,
               settings=services.settings, api=build_api(services, auth, host))
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise UserError(f"cannot listen on {host}:{port} (in use, or not an address of this "
                        f"machine): pass another --port or --host") from exc
    finally:
        if syncing is not None:
            syncing.stop()


@click.command("mcp")
@click.pass_obj
@friendly_errors
def mcp_cmd(obj: Context) -> None:
    """Serve the corpus to an assistant over MCP on stdin/stdout (tools ask, search,
    summarize, list_outlets, list_documents). `rag serve` also serves it at URL/mcp."""
    from ui.api.mcp import build_mcp

    build_mcp(obj.services()).run("stdio")
