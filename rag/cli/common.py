"""What every command module of :mod:`rag.cli` shares: the ``rag`` click group, the
:class:`Context` it passes to the commands, the one-line error handling, and the options
and helpers more than one command uses."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypedDict, TypeVar

import click

from rag.errors import RagError, UserError

if TYPE_CHECKING:
    from index.catalog import Catalog
    from index.indexer import IndexReport
    from rag.container import Services

F = TypeVar("F", bound=Callable[..., object])
P = ParamSpec("P")
T = TypeVar("T")


class Context:
    """What every subcommand gets: settings overrides and the built services."""

    def __init__(self, config: Path | None, index_dir: Path | None) -> None:
        self.config = config
        self.index_dir = index_dir
        self._services: Services | None = None
        self._catalog: Catalog | None = None

    def services(self, **overrides: object) -> Services:
        """The services, built on first use (from the settings and ``overrides``)."""
        from rag.container import build_services
        from rag.settings import load_settings

        if self._services is None:
            settings = load_settings(self.config, index_dir=self.index_dir, **overrides)
            self._services = build_services(settings)
        return self._services

    def catalog(self) -> Catalog:
        """The index's catalog alone, for commands that only list what is indexed: no
        model, no vector store, none of their imports (``rag docs`` answers at once)."""
        from index.catalog import Catalog
        from rag.settings import load_settings

        if self._services is not None:
            return self._services.store.catalog
        if self._catalog is None:
            settings = load_settings(self.config, index_dir=self.index_dir)
            self._catalog = Catalog.in_index(settings.index_dir)
        return self._catalog

    def close(self) -> None:
        """Free the services (or the catalog), if they were opened."""
        if self._services is not None:
            self._services.close()
        if self._catalog is not None:
            self._catalog.close()


def error_line(exc: RagError) -> str:
    """The one line a domain error is reported as."""
    return f"Error: {exc}"


def crash_line(exc: BaseException) -> str:
    """One line for an unforeseen failure; its traceback goes to a log file named in it
    (under $XDG_STATE_HOME/newsrag, else ~/.local/state/newsrag, else the temp folder)."""
    import os
    import tempfile
    import time
    import traceback

    detail = " ".join(str(exc).split())[:200]
    text = "".join(traceback.format_exception(exc))
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    for folder in (Path(state) / "newsrag", Path(tempfile.gettempdir())):
        log = folder / f"rag-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log.write_text(f"rag {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
        except OSError:
            continue
        return f"Error: {type(exc).__name__}: {detail} (details in {log})"
    return f"Error: {type(exc).__name__}: {detail}"


def friendly_errors(func: Callable[P, T]) -> Callable[P, T]:
    """Turn domain errors into one line on stderr and exit status 1 (2 for user errors)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(error_line(exc), err=True)
            sys.exit(2)
        except RagError as exc:
            click.echo(error_line(exc), err=True)
            sys.exit(1)

    return wrapper


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
    obj = Context(config, index_dir)
    ctx.obj = obj
    ctx.call_on_close(obj.close)


R = TypeVar("R")

MAX_K = 100  # passages asked for at once: more is no answer's context


def check_day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: ``value`` is a day :func:`index.dates.parse_day` takes."""
    from index.dates import parse_day

    try:
        parse_day(value)
    except UserError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


as_of_option = click.option(
    "--as-of",
    "as_of",
    default=None,
    callback=check_day,
    help="Read 'last week', 'yesterday', 'the latest' as of this date (YYYY-MM-DD; "
    "default: the as_of setting, else today).",
)


def drain(
    events: Iterable[object],
    done: Callable[[object], R | None],
    show_tokens: bool = True,
    label: str = "Draft",
    progress: bool = False,
) -> tuple[R, bool]:
    """Run a stream of answer or summary events to its end: tokens echoed as a dim draft,
    progress steps on stderr; returns the final result (what ``done`` takes from the last
    event) and whether a draft was shown."""
    from rag.answer import Token
    from rag.cli.render import echo_draft
    from rag.summary.service import Progress

    streamed = False
    result: R | None = None
    for event in events:
        if isinstance(event, Progress):
            if progress and event.total > 1:
                click.echo(f"{event.stage} {event.done}/{event.total}", err=True)
        elif isinstance(event, Token):
            if show_tokens:
                streamed = echo_draft(event.text, streamed, label)
        elif (final := done(event)) is not None:
            result = final
    if result is None:
        raise RuntimeError("the stream ended without a result")
    return result, streamed


# Exit codes of `rag index` and `rag sync` (README, "Exit codes"); every command exits 2
# for a usage or user error and 1 for a runtime failure.
EXIT_SOME_FAILED = 3  # some inputs failed (one line each); the rest was indexed
EXIT_NONE_READ = 4  # inputs were given and none of them could be read


def print_report(report: IndexReport, err: bool = False, verbose: bool = False) -> None:
    """An indexing run's skipped inputs (one line each, on stderr), with ``verbose`` what
    folder walks passed over, and its summary."""
    for error in report.errors:
        click.echo(f"skipped {error}", err=True)
    if verbose:
        for ignored in report.ignored:
            click.echo(f"ignored {ignored}", err=True)
    click.echo(report.summary(), err=err)


def report_exit_code(report: IndexReport) -> int:
    """0 when every input was indexed or unchanged, :data:`EXIT_SOME_FAILED` when some
    failed, :data:`EXIT_NONE_READ` when all of them did."""
    if not report.failed:
        return 0
    done = report.added + report.updated + report.unchanged + report.removed
    return EXIT_SOME_FAILED if done else EXIT_NONE_READ


verbose_option = click.option(
    "--verbose", "-v", is_flag=True,
    help="Also name what folder walks ignored (hidden entries, types no format reads).")


class Bar(Protocol):
    """What is used of a tqdm bar (tqdm ships no types)."""

    n: int

    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


class progress_bar:
    """A tqdm bar on stderr, fed by the indexer's progress callback."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Bar | None = None
        self.stage = ""

    def __enter__(self) -> Callable[[int, int, str], None] | None:
        if self.quiet:
            return None

        def update(done: int, total: int, label: str) -> None:
            from index.indexer import EMBEDDING  # loaded already: the indexer calls this

            embedding = label == EMBEDDING
            if self.bar is not None and embedding and self.stage != label:
                self.bar.close()  # a large import: read, then a second bar while it embeds
                self.bar = None
            if self.bar is None:
                from tqdm import tqdm

                self.stage = EMBEDDING if embedding else ""
                self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True,
                                desc="embedding" if embedding else None)
            self.bar.update(done - self.bar.n)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def retrieval_options(func: F) -> F:
    """``--k``, ``--since``, ``--until``, ``--source`` and ``--per-doc``."""
    options = [
        click.option("--k", "k", type=click.IntRange(1, MAX_K), default=None,
                     help="Passages to return (default 5)."),
        click.option("--since", callback=check_day,
                     help="Only articles published on or after (YYYY[-MM[-DD]])."),
        click.option("--until", callback=check_day,
                     help="Only articles published on or before (YYYY[-MM[-DD]])."),
        click.option("--source", "sources", multiple=True, help="Only this outlet (repeatable)."),
        click.option(
            "--per-doc",
            type=click.IntRange(1, MAX_K),
            default=None,
            help="At most this many passages from one article, or from one story that "
            "several outlets carried (default 2).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class Query(TypedDict):
    """One entry of a queries file: its query (an object's other keys ride along)."""

    query: str


def read_queries(path: Path) -> Iterator[Query]:
    """Queries from a file: a JSON list (of strings or objects with ``query``/``question``),
    JSON lines, or plain text with one query per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (a question file is JSON or text)") from None
    stripped = text.lstrip()
    items: list[object]
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
        except (ValueError, RecursionError) as exc:
            raise UserError(f"{path}: invalid JSON ({type(exc).__name__})") from exc
    elif stripped.startswith("{"):
        try:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: invalid JSON lines ({exc.msg})") from exc
        except (ValueError, RecursionError) as exc:
            raise UserError(f"{path}: invalid JSON lines ({type(exc).__name__})") from exc
    else:
        items = [line.strip() for line in text.splitlines() if line.strip()]
    for item in items:
        fields = item if isinstance(item, dict) else {}
        query = item if isinstance(item, str) else fields.get("query") or fields.get("question")
        if not isinstance(query, str):
            raise UserError(f"{path}: each entry needs a 'query' string")
        yield {**fields, "query": query}
