"""``rag eval``: run question sets, report, compare with a baseline, draft new cases."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rag.cli.common import Context, friendly_errors
from rag.errors import UserError
from rag.evaluation.baseline import DEFAULT_TOLERANCE

if TYPE_CHECKING:
    from rag.container import Services
    from rag.evaluation.history import RunRecord
    from rag.evaluation.results import Totals
    from rag.evaluation.runner import RunOptions
    from rag.evaluation.sets import EvalSet

REGRESSION_EXIT = 1


class _DefaultGroup(click.Group):
    """``rag eval SET...`` runs sets; ``rag eval generate|corpus ...`` are subcommands."""

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group("eval", cls=_DefaultGroup)
def eval_group() -> None:
    """Regression question sets: `rag eval SET...` runs them (see `rag eval run --help`);
    `rag eval generate` drafts new cases; `rag eval corpus SET` lists a set's corpus."""


def _stderr(message: str) -> None:
    click.echo(message, err=True)


@eval_group.command("run")
@click.argument("sets", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--retrieval-only", is_flag=True, help="Only retrieval metrics; no LLM.")
@click.option(
    "--mode",
    type=click.Choice(["generative", "extractive"]),
    default=None,
    help="Answer mode of full runs (default: the answer_mode setting).",
)
@click.option(
    "--hits-at",
    "hit_ks",
    type=click.IntRange(1),
    multiple=True,
    default=(1, 4, 10),
    show_default=True,
    help="Report hit@K for these K (repeatable); MRR is taken at the largest.",
)
@click.option("--per-doc", type=click.IntRange(1), default=None,
              help="At most N chunks of one article in the retrieval metrics (default: setting).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N cases.")
@click.option("--oracle", is_flag=True,
              help="Answer each question from its gold evidence passages instead of retrieved "
                   "ones (sets with evidence facts: MultiHop-RAG), to split the answer gap "
                   "into retrieval and answering.")
@click.option("--json", "as_json", is_flag=True, help="Print the run record as JSON.")
@click.option("--summary", is_flag=True, help="Totals only, no per-case table.")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Compare with this saved run; exit 1 when a metric drops too much.")
@click.option("--tolerance", type=click.FloatRange(0), default=DEFAULT_TOLERANCE,
              show_default=True, help="Largest accepted drop of a metric below the baseline.")
@click.option("--save-baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Write this run to FILE as a baseline.")
@click.option("--history-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where runs, reports and charts go (default: INDEX_DIR/eval).")
@click.pass_obj
@friendly_errors
def run_cmd(
    obj: Context,
    sets: tuple[Path, ...],
    retrieval_only: bool,
    mode: str | None,
    hit_ks: tuple[int, ...],
    per_doc: int | None,
    limit: int | None,
    oracle: bool,
    as_json: bool,
    summary: bool,
    baseline: Path | None,
    tolerance: float,
    save_baseline: Path | None,
    history_dir: Path | None,
) -> None:
    """Run question SETs (YAML, or MultiHop-RAG JSON) against the index and score them."""
    from rag.evaluation import baseline as baselines
    from rag.evaluation.history import append_run, comparable, load_runs, read_record, save_record
    from rag.evaluation.report import write_report
    from rag.evaluation.runner import RETRIEVAL_ONLY, RunOptions

    if (baseline or save_baseline) and len(sets) > 1:
        raise UserError("--baseline and --save-baseline take one SET")
    if oracle and retrieval_only:
        raise UserError("--oracle answers from the gold passages: it needs a full run")
    services = obj.services()
    options = RunOptions(
        mode=RETRIEVAL_ONLY if retrieval_only else services.answer_mode(mode),
        hit_ks=tuple(sorted(set(hit_ks))),
        per_doc=per_doc,
        oracle=oracle,
    )
    base = read_record(baseline) if baseline else None
    history_dir = history_dir or services.settings.index_dir / "eval"
    regressed = False
    for path in sets:
        eval_set = _prepared(services, path, limit)
        record = _run_set(services, eval_set, options)
        beside = _bm25_beside(services, eval_set, options) if retrieval_only else None
        comparison_lines: list[str] = []
        if base is not None:
            comparison = baselines.compare(record, base, tolerance)
            comparison_lines = baselines.describe(comparison)
            regressed = regressed or comparison.failed
        append_run(history_dir, record)
        history = comparable(load_runs(history_dir), record.set_name, record.mode)
        report = write_report(record, history, history_dir, comparison_lines)
        _show(record, comparison_lines if base is not None else None, as_json,
              one=len(sets) == 1, per_case=not summary, bm25=beside)
        _stderr(f"report: {report} (history: {history_dir / 'runs.jsonl'})")
        if save_baseline:
            save_record(save_baseline, record)
            _stderr(f"baseline written to {save_baseline}")
    if regressed:
        sys.exit(REGRESSION_EXIT)


def _show(record: RunRecord, comparison: list[str] | None, as_json: bool, one: bool,
          per_case: bool, bm25: Totals | None = None) -> None:
    """A run on stdout: its JSON record (with the baseline comparison and the BM25 figures,
    when there are) or its table, the BM25 comparison and the baseline comparison's
    lines."""
    from rag.evaluation.table import beside_lines, render_run

    if as_json:
        data = record.to_json()
        if comparison is not None:
            data["baseline_comparison"] = comparison
        if bm25 is not None:
            data["bm25_totals"] = bm25
        # One set: a readable object; several: one object per line.
        click.echo(json.dumps(data, ensure_ascii=False, indent=1 if one else None))
        return
    click.echo(render_run(record, per_case=per_case))
    if bm25 is not None:
        click.echo("")
        click.echo("against BM25 alone over the same chunks (no dense side, no hints, "
                   "no per-article cap):")
        for line in beside_lines(record.totals, bm25):
            click.echo(line)
    for line in comparison or ():
        click.echo(line)


def _bm25_beside(services: Services, eval_set: EvalSet, options: RunOptions) -> Totals:
    """The retrieval totals of BM25 alone over the same chunks and cases."""
    from dataclasses import replace

    from rag.evaluation.results import totals
    from rag.evaluation.runner import run_cases

    bm25 = replace(options, search="bm25")
    return totals(run_cases(eval_set.cases, services.retriever, None, bm25), bm25.hit_ks,
                  bm25.depth)


def _prepared(services: Services, path: Path, limit: int | None) -> EvalSet:
    """The set with evidence titles mapped to doc ids; warns about sources not indexed."""
    from dataclasses import replace

    from rag.evaluation.sets import load_set, missing_sources, resolve_titles

    eval_set = load_set(path)
    if limit:
        eval_set = replace(eval_set, cases=eval_set.cases[:limit])
    docs = services.store.catalog.documents()
    if any(c.evidence_titles for c in eval_set.cases):
        eval_set = resolve_titles(eval_set, {d.doc_id: d.title for d in docs.values()})
        if eval_set.unresolved_titles:
            _stderr(
                f"warning: {path}: {len(eval_set.unresolved_titles)} evidence titles match no "
                f"indexed document (e.g. {eval_set.unresolved_titles[0]!r})"
            )
    missing = missing_sources(eval_set, set(docs))
    if missing:
        corpus = f" (index its corpus: {', '.join(map(str, eval_set.corpus))})" if (
            eval_set.corpus
        ) else ""
        _stderr(
            f"warning: {path}: {len(missing)} expected sources are not in the index: "
            f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}{corpus}"
        )
    return eval_set


def _run_set(services: Services, eval_set: EvalSet, options: RunOptions) -> RunRecord:
    """Run one set and build its record."""
    from rag.evaluation.history import RunRecord, corpus_fingerprint, git_info, now_iso
    from rag.evaluation.results import CaseResult, by_type, totals
    from rag.evaluation.runner import RETRIEVAL_ONLY, run_cases
    from rag.settings import PROJECT_ROOT

    started = now_iso()
    full = options.mode != RETRIEVAL_ONLY
    show = sys.stderr.isatty()

    def progress(done: int, total: int, result: CaseResult) -> None:
        if show:
            click.echo(f"\r{eval_set.name}: {done}/{total} {result.id[:40]:40}", err=True, nl=False)
            if done == total:
                click.echo("", err=True)

    gold = None
    if options.oracle:
        from rag.evaluation.oracle import GoldPassages

        if not any(c.evidence_facts for c in eval_set.cases):
            raise UserError(f"{eval_set.path}: --oracle needs cases with evidence facts "
                            "(a MultiHop-RAG question file)")
        gold = GoldPassages(services.retriever)
    results = run_cases(
        eval_set.cases,
        services.retriever,
        services.answerer if full else None,
        options,
        progress,
        gold,
    )
    if gold is not None and gold.missing:
        _stderr(f"warning: {gold.missing} evidence facts are in no indexed chunk")
    llm = None
    if full and options.mode == "generative":
        llm = {"backend": services.backend.backend, "model": services.backend.model}
    docs = services.store.catalog.documents()
    settings = services.settings.model_dump(mode="json", exclude={"index_dir"})
    return RunRecord(
        set_name=eval_set.name,
        set_path=str(eval_set.path),
        mode=f"{options.mode}+oracle" if options.oracle else options.mode,
        started_at=started,
        git=git_info(PROJECT_ROOT),
        settings=settings,
        embed_model=services.embed_model_id,
        llm=llm,
        corpus=corpus_fingerprint((d.doc_id, d.content_hash) for d in docs.values()),
        options={"hits_at": list(options.hit_ks), "per_doc": options.per_doc,
                 "cases": len(eval_set.cases), "oracle": options.oracle},
        totals=totals(results, options.hit_ks, options.depth),
        by_type=by_type(results, options.hit_ks, options.depth),
        by_answer_type=by_type(results, options.hit_ks, options.depth,
                               key=lambda r: r.answer_type),
        cases=results,
    )


@eval_group.command("corpus")
@click.argument("set_file", type=click.Path(path_type=Path, dir_okay=False))
@friendly_errors
def corpus_cmd(set_file: Path) -> None:
    """Print the corpus paths SET_FILE names (one per line), to index them."""
    from rag.evaluation.sets import load_set

    eval_set = load_set(set_file)
    if not eval_set.corpus:
        raise UserError(f"{set_file}: the set names no corpus (add a top-level 'corpus:' list)")
    for path in eval_set.corpus:
        click.echo(str(path))


@eval_group.command("generate")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="File for the drafts (a new file unless --append).")
@click.option("--n", "count", type=click.IntRange(1), default=10, show_default=True,
              help="Passages to draft from.")
@click.option("--seed", type=int, default=0, show_default=True, help="Sampling seed.")
@click.option("--append", is_flag=True, help="Add the drafts to OUT even when it exists.")
@click.pass_obj
@friendly_errors
def generate_cmd(obj: Context, out: Path, count: int, seed: int, append: bool) -> None:
    """Draft cases from sampled indexed passages with the LLM, for a person to review."""
    from rag.evaluation.generate import (
        MAX_DRAFT_TOKENS,
        STOP,
        SourceChunk,
        draft_cases,
        sample_chunks,
        write_drafts,
    )
    from rag.evaluation.sets import load_set
    from rag.llms.generate import stream_text

    if out.exists() and not append:
        raise UserError(f"{out} exists: pass --append to add the drafts to it, or another --out")
    services = obj.services()
    chunks = [
        SourceChunk(c.doc_id, c.seq, c.title, c.text)
        for c in services.store.catalog.iter_chunks()
    ]
    if not chunks:
        raise UserError("the index is empty: run `rag index PATH...` first")
    llm = services.llm
    taken = {c.id for c in load_set(out).cases} if out.exists() else set()

    def complete(prompt: str) -> str:
        return "".join(stream_text(llm, prompt, STOP, MAX_DRAFT_TOKENS))

    drafts = []
    for chunk, draft in draft_cases(sample_chunks(chunks, count, seed), complete, taken):
        where = f"{chunk.doc_id} #{chunk.seq}"
        if draft is None:
            _stderr(f"rejected {where}: no question with an answer found in the passage")
        else:
            drafts.append(draft)
            _stderr(f"drafted  {where}: {draft.question} -> {draft.answer}")
    if not drafts:
        raise UserError("the model drafted no usable case; nothing written")
    write_drafts(out, drafts, append)
    click.echo(f"{len(drafts)} draft cases written to {out}: review them before use")
