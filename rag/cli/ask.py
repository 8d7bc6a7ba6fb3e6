"""``rag retrieve``, ``rag ask`` and ``rag chat``: passages and answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from index.dates import parse_day
from rag.cli.common import (
    Context,
    as_of_option,
    drain,
    error_line,
    friendly_errors,
    read_queries,
    retrieval_options,
)
from rag.errors import RagError, UserError

if TYPE_CHECKING:

    from rag.answer import AnswerResult, Mode
    from rag.retrieval import Filters


@click.command("retrieve")
@click.argument("query", required=False)
@retrieval_options
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
    from rag.grounding.passages import search_json
    from rag.retrieval import Filters

    if not query and not queries_file:
        raise UserError("give a QUERY or --queries FILE")
    filters = Filters.parse(since, until, sources)
    retriever = obj.services().retriever
    if queries_file:
        for item in read_queries(queries_file):
            nodes = retriever.search(
                item["query"], k=k, filters=filters, max_per_doc=per_doc, mode=mode
            )
            click.echo(json.dumps(search_json(item["query"], nodes), ensure_ascii=False))
        return
    assert query is not None
    nodes = retriever.search(query, k=k, filters=filters, max_per_doc=per_doc, mode=mode)
    if as_json:
        click.echo(json.dumps(search_json(query, nodes), ensure_ascii=False, indent=2))
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


def _answer_mode(obj: Context, mode: str | None) -> Mode:
    """``--mode`` (else the setting) with ``auto`` resolved for the backend in use."""
    chosen = obj.services().answer_mode(mode)
    return "generative" if chosen == "generative" else "extractive"


def _ask_one(
    obj: Context,
    question: str,
    mode: Mode,
    filters: Filters | None,
    k: int | None,
    history: list[tuple[str, str]],
    as_json: bool,
    color: bool = True,
    explain: bool = False,
    as_of: date | None = None,
    per_doc: int | None = None,
) -> AnswerResult:
    from rag.answer import Done, Request
    from rag.cli.render import print_answer, print_plan

    answerer = obj.services().answerer
    request = Request.of(question, mode, filters, k, per_doc, history, as_of)
    result, streamed = drain(
        answerer.run(request),
        lambda e: e.result if isinstance(e, Done) else None,
        show_tokens=not as_json,
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print_answer(result, streamed, color)
        if explain:
            click.echo()
            print_plan(result)
    return result


@click.command("ask")
@click.argument("question", required=False)
@retrieval_options
@click.option(
    "--mode",
    type=click.Choice(["generative", "extractive"]),
    default=None,
    help="generative: the LLM answers, citations are checked, unsupported sentences "
    "fall back to quotes. extractive: quotes only (the LLM only reads a short answer again).",
)
@click.option(
    "--questions",
    "questions_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Answer every question of a file (one JSON object per line).",
)
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--explain",
    is_flag=True,
    help="Also show the query plan: the answer type, the parts with their filters, and "
    "what each part retrieved.",
)
@click.option(
    "--export",
    "export_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the checked answer with footnotes to FILE (.md or .html).",
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
    as_of: str | None,
    as_json: bool,
    explain: bool,
    export_path: Path | None,
) -> None:
    """Answer QUESTION from the indexed articles, citing the passages."""
    from rag.export import (
        ExportItem,
        context_for,
        day_label,
        export_format,
        filters_label,
        write_export,
    )
    from rag.retrieval import Filters

    if not question and not questions_file:
        raise UserError("give a QUESTION or --questions FILE")
    if export_path is not None:
        if questions_file:
            raise UserError("--export takes one QUESTION, not --questions")
        export_format(export_path)  # a wrong suffix stops before any work
    filters = Filters.parse(since, until, sources)
    chosen = _answer_mode(obj, mode)
    if questions_file:
        for item in read_queries(questions_file):
            _ask_one(obj, item["query"], chosen, filters, k, [], as_json=True,
                     as_of=parse_day(as_of), per_doc=per_doc)
        return
    assert question is not None
    result = _ask_one(obj, question, chosen, filters, k, [], as_json, explain=explain,
                      as_of=parse_day(as_of), per_doc=per_doc)
    if export_path is not None:
        export = ExportItem(result, filters_label(since, until, sources),
                            day_label(parse_day(as_of)))
        write_export([export], context_for(obj.services().store.catalog), export_path)
        click.echo(f"Exported to {export_path}", err=as_json)


@click.command("chat")
@click.option("--mode", type=click.Choice(["generative", "extractive"]), default=None)
@as_of_option
@click.pass_obj
@friendly_errors
def chat_cmd(obj: Context, mode: str | None, as_of: str | None) -> None:
    """A conversation in the terminal; follow-up questions use the history."""
    chosen = _answer_mode(obj, mode)
    day = parse_day(as_of)
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
            result = _ask_one(obj, question, chosen, None, None, history, as_json=False,
                              as_of=day)
        except RagError as exc:
            # A question the user can rephrase, or a failure (a backend that stopped
            # mid-answer) that may be gone by the next one: report it, keep the session.
            click.echo(error_line(exc), err=True)
            continue
        history.append((result.standalone, result.answer))
