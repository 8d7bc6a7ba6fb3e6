"""The ``rag`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from rag.errors import RagError, UserError
from rag.settings import load_settings

F = TypeVar("F", bound=Callable[..., Any])


def _parse_day(value: str | None, end: bool = False) -> date | None:
    """A ``--since``/``--until`` value as a date (see :func:`index.dates.parse_day`)."""
    from index.dates import parse_day

    return parse_day(value, end)


class Context:
    """What every subcommand gets: settings overrides and the built services."""

    def __init__(self, config: Path | None, index_dir: Path | None) -> None:
        self.config = config
        self.index_dir = index_dir
        self._services: Any = None

    def services(self, **overrides: Any) -> Any:
        from rag.container import build_services

        if self._services is None:
            settings = load_settings(self.config, index_dir=self.index_dir, **overrides)
            self._services = build_services(settings)
        return self._services


def friendly_errors(func: F) -> F:
    """Turn domain errors into one line on stderr and exit status 1 (2 for user errors)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except RagError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (TOML). Default: $RAG_CONFIG, else rag.toml in the project.",
)
@click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the index lives (default $RAG_INDEX_DIR, else data/index).",
)
@click.version_option(package_name="newsrag")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, index_dir: Path | None) -> None:
    """Question answering over news articles, with citations to the exact passages."""
    ctx.obj = Context(config, index_dir)
    ctx.call_on_close(lambda: ctx.obj._services and ctx.obj._services.close())


@cli.command("index")
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
    """Index articles: .txt, .md, .html files, .json/.jsonl records, or folders of them."""
    from index.lock import writer_lock

    services = obj.services()
    with writer_lock(services.settings.index_dir, wait=wait):
        if rebuild:
            services.reset_index()
        indexer = services.indexer()
        with _progress_bar(quiet) as progress:
            report = indexer.run(list(paths), prune=prune, progress=progress)
    for err in report.errors:
        click.echo(f"skipped {err}", err=True)
    click.echo(report.summary())


class _progress_bar:
    """A tqdm bar on stderr, fed by the indexer's progress callback."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def __enter__(self) -> Callable[[int, int, str], None] | None:
        if self.quiet:
            return None

        def update(done: int, total: int, label: str) -> None:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True)
            self.bar.update(done - self.bar.n)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _retrieval_options(func: F) -> F:
    options = [
        click.option("--k", "k", type=int, default=None, help="Passages to return (default 5)."),
        click.option("--since", help="Only articles published on or after (YYYY[-MM[-DD]])."),
        click.option("--until", help="Only articles published on or before (YYYY[-MM[-DD]])."),
        click.option("--source", "sources", multiple=True, help="Only this outlet (repeatable)."),
        click.option(
            "--per-doc",
            type=int,
            default=None,
            help="At most this many passages from one article (default 2).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def read_queries(path: Path) -> Iterator[dict[str, Any]]:
    """Queries from a file: a JSON list (of strings or objects with ``query``/``question``),
    JSON lines, or plain text with one query per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from exc
    stripped = text.lstrip()
    items: list[Any]
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    elif stripped.startswith("{"):
        try:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: invalid JSON lines ({exc.msg})") from exc
    else:
        items = [line.strip() for line in text.splitlines() if line.strip()]
    for item in items:
        if isinstance(item, str):
            yield {"query": item}
        elif isinstance(item, dict) and isinstance(item.get("query") or item.get("question"), str):
            yield {**item, "query": item.get("query") or item.get("question")}
        else:
            raise UserError(f"{path}: each entry needs a 'query' string")


def _result_json(query: str, nodes: list[Any]) -> dict[str, Any]:
    return {
        "query": query,
        "results": [
            {
                "rank": i,
                "score": round(float(n.score or 0.0), 6),
                "doc_id": n.node.metadata["doc_id"],
                "chunk_id": n.node.node_id,
                "title": n.node.metadata["title"],
                "source": n.node.metadata.get("source"),
                "published_at": n.node.metadata.get("published_at"),
                "text": n.node.get_content(),
            }
            for i, n in enumerate(nodes, 1)
        ],
    }


@cli.command("retrieve")
@click.argument("query", required=False)
@_retrieval_options
@click.option(
    "--queries",
    "queries_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Run every query of a file; prints one JSON object per line.",
)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "keyword"]),
    default="hybrid",
    show_default=True,
    help="Retriever to use (dense/keyword alone for comparison).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@friendly_errors
def retrieve_cmd(
    obj: Context,
    query: str | None,
    k: int | None,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    per_doc: int | None,
    queries_file: Path | None,
    mode: str,
    as_json: bool,
) -> None:
    """Find the passages that best match QUERY."""
    from rag.retrieval import Filters

    if not query and not queries_file:
        raise UserError("give a QUERY or --queries FILE")
    filters = Filters(_parse_day(since), _parse_day(until, end=True), tuple(sources))
    retriever = obj.services().retriever
    if queries_file:
        for item in read_queries(queries_file):
            nodes = retriever.search(
                item["query"], k=k, filters=filters, max_per_doc=per_doc, mode=mode
            )
            click.echo(json.dumps(_result_json(item["query"], nodes), ensure_ascii=False))
        return
    assert query is not None
    nodes = retriever.search(query, k=k, filters=filters, max_per_doc=per_doc, mode=mode)
    if as_json:
        click.echo(json.dumps(_result_json(query, nodes), ensure_ascii=False, indent=2))
        return
    if not nodes:
        click.echo("No passage matches.")
    for i, n in enumerate(nodes, 1):
        m = n.node.metadata
        click.secho(f"[{i}] {m['title']}", bold=True)
        click.echo(
            f"    {m.get('source') or 'unknown outlet'} · {m.get('published_at') or 'undated'}"
            f" · {m['doc_id']} · score {n.score:.3f}"
        )
        click.echo("    " + n.node.get_content().replace("\n", "\n    "))


@cli.command("docs")
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


@cli.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for another writer.")
@click.pass_obj
@friendly_errors
def remove_cmd(obj: Context, doc_ids: tuple[str, ...], wait: float) -> None:
    """Remove articles from the index by document id."""
    from index.lock import writer_lock

    services = obj.services()
    with writer_lock(services.settings.index_dir, wait=wait):
        removed = services.indexer().remove(list(doc_ids))
    click.echo(f"{removed} removed, {len(doc_ids) - removed} not found")


def _answer_mode(obj: Context, mode: str | None) -> str:
    return str(obj.services().answer_mode(mode))


def _ask_one(
    obj: Context,
    question: str,
    mode: str,
    filters: Any,
    k: int | None,
    history: list[tuple[str, str]],
    as_json: bool,
    color: bool = True,
    explain: bool = False,
) -> Any:
    from rag.answer import Done, Token
    from rag.render import echo_draft, print_answer, print_plan

    answerer = obj.services().answerer
    streamed = False
    result = None
    for event in answerer.stream(
        question,
        mode=mode,
        filters=filters,
        k=k,  # type: ignore[arg-type]
        history=history,
    ):
        if isinstance(event, Token) and not as_json:
            streamed = echo_draft(event.text, streamed)
        elif isinstance(event, Done):
            result = event.result
    assert result is not None
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print_answer(result, streamed, color)
        if explain:
            click.echo()
            print_plan(result)
    return result


@cli.command("ask")
@click.argument("question", required=False)
@_retrieval_options
@click.option(
    "--mode",
    type=click.Choice(["generative", "extractive"]),
    default=None,
    help="generative: the LLM answers, citations are checked, unsupported sentences "
    "fall back to quotes. extractive: quotes only, no LLM.",
)
@click.option(
    "--questions",
    "questions_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Answer every question of a file (one JSON object per line).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--explain",
    is_flag=True,
    help="Also show the query plan: the answer type, the parts with their filters, and "
    "what each part retrieved.",
)
@click.pass_obj
@friendly_errors
def ask_cmd(
    obj: Context,
    question: str | None,
    k: int | None,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    per_doc: int | None,
    mode: str | None,
    questions_file: Path | None,
    as_json: bool,
    explain: bool,
) -> None:
    """Answer QUESTION from the indexed articles, citing the passages."""
    from rag.retrieval import Filters

    if not question and not questions_file:
        raise UserError("give a QUESTION or --questions FILE")
    filters = Filters(_parse_day(since), _parse_day(until, end=True), tuple(sources))
    chosen = _answer_mode(obj, mode)
    if questions_file:
        for item in read_queries(questions_file):
            _ask_one(obj, item["query"], chosen, filters, k, [], as_json=True)
        return
    assert question is not None
    _ask_one(obj, question, chosen, filters, k, [], as_json, explain=explain)


@cli.command("chat")
@click.option("--mode", type=click.Choice(["generative", "extractive"]), default=None)
@click.pass_obj
@friendly_errors
def chat_cmd(obj: Context, mode: str | None) -> None:
    """A conversation in the terminal; follow-up questions use the history."""
    chosen = _answer_mode(obj, mode)
    history: list[tuple[str, str]] = []
    click.secho("Ask about the indexed articles. An empty line or Ctrl-D quits.", dim=True)
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        try:
            result = _ask_one(obj, question, chosen, None, None, history, as_json=False)
        except UserError as exc:
            click.echo(f"Error: {exc}", err=True)
            continue
        history.append((result.standalone, result.answer))


@cli.command("doctor")
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


@cli.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; a non-loopback one needs RAG_UI_AUTH or --force.",
)
@click.option("--port", type=int, default=7860, show_default=True, help="Port to listen on.")
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
@click.pass_obj
@friendly_errors
def serve_cmd(
    obj: Context, host: str, port: int, index_if_empty: tuple[Path, ...], share: bool, force: bool
) -> None:
    """Start the web UI (chat with checked citations, corpus management).

    Log in is required when RAG_UI_AUTH=user:password is set. The chat is also an
    API: gradio_client.Client(URL).predict("question", api_name="/ask").
    """
    from index.lock import writer_lock
    from ui.app import auth_from_env, build_app, check_exposure, launch

    auth = auth_from_env()
    check_exposure(host, auth, share, force)
    services = obj.services()
    if index_if_empty and not services.store.catalog.documents():
        click.echo(f"The index is empty: indexing {', '.join(map(str, index_if_empty))}", err=True)
        with writer_lock(services.settings.index_dir, wait=60.0), _progress_bar(False) as progress:
            report = services.indexer().run(list(index_if_empty), progress=progress)
        for err in report.errors:
            click.echo(f"skipped {err}", err=True)
        click.echo(report.summary(), err=True)
    choice = services.backend
    click.echo(f"LLM backend: {choice.backend} ({choice.model}): {choice.reason}", err=True)
    launch(build_app(services), host=host, port=port, auth=auth, share=share, force=force)


from rag.evaluation.command import eval_group  # noqa: E402  (it uses the names above)

cli.add_command(eval_group)

from rag.summary.cli import summarize_cmd  # noqa: E402

cli.add_command(summarize_cmd)


def main() -> None:
    """Entry point of the ``rag`` console script."""
    cli(prog_name="rag")


if __name__ == "__main__":
    main()
