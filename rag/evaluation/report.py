"""The Markdown report of a run and a PNG chart of each metric over past runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rag.evaluation.history import RunRecord
from rag.evaluation.table import case_rows, fmt_metric, grouped_tables

MAX_CHART_RUNS = 50


def chart_name(set_name: str, mode: str, metric: str) -> str:
    """The file name of one metric's chart (``seeds-retrieval-only-hit-4.png``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{set_name}-{mode}-{metric}") + ".png"


def chartable(runs: Sequence[RunRecord]) -> list[str]:
    """Metrics with a value in at least one run, in the order the last run lists them."""
    names: dict[str, None] = {}
    for run in reversed(runs):
        for name, value in run.totals.items():
            if name != "cases" and isinstance(value, int | float):
                names.setdefault(name, None)
    return list(names)


def write_charts(runs: Sequence[RunRecord], out_dir: Path) -> list[Path]:
    """One PNG per metric: its value in each of the runs (oldest left). Returns the files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = list(runs)[-MAX_CHART_RUNS:]
    if not runs:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = [r.run_id for r in runs]
    written = []
    for metric in chartable(runs):
        values = [r.totals.get(metric) for r in runs]
        xs = [i for i, v in enumerate(values) if v is not None]
        ys = [float(v) for v in values if v is not None]
        fig, ax = plt.subplots(figsize=(max(4.0, 0.5 * len(runs) + 2), 2.6), dpi=100)
        ax.plot(xs, ys, marker="o")
        ax.set_title(f"{runs[-1].set_name} · {runs[-1].mode} · {metric}", fontsize=9)
        ax.set_xticks(range(len(runs)))
        ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=6)
        if not metric.startswith("latency"):
            ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = out_dir / chart_name(runs[-1].set_name, runs[-1].mode, metric)
        fig.savefig(path, format="png")
        plt.close(fig)
        written.append(path)
    return written


def _md_table(rows: list[list[str]]) -> list[str]:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|")

    out = ["| " + " | ".join(esc(c) for c in rows[0]) + " |"]
    out.append("|" + "---|" * len(rows[0]))
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows[1:]]
    return out


def markdown_report(
    record: RunRecord,
    history: Sequence[RunRecord],
    charts: Sequence[Path],
    comparison_lines: Sequence[str] = (),
) -> str:
    """The report: conditions, totals (with the previous runs beside), per type, per case."""
    llm = f"{record.llm['backend']} / {record.llm['model']}" if record.llm else "none"
    lines = [
        f"# Eval report: {record.set_name} ({record.mode})",
        "",
        f"- run: {record.started_at}",
        f"- commit: {record.commit or 'not in git'}"
        + (" (uncommitted changes)" if record.dirty else ""),
        f"- set: {record.set_path} ({len(record.cases)} cases)",
        f"- embedding model: {record.embed_model}",
        f"- LLM: {llm}",
        f"- corpus: {record.corpus.get('documents')} documents, "
        f"fingerprint {record.corpus.get('fingerprint')}",
        f"- options: {', '.join(f'{k}={v}' for k, v in record.options.items())}",
        "",
        "## Totals",
        "",
    ]
    previous = list(history)[-4:-1]  # the three runs before this one
    header = ["metric", *(r.run_id for r in previous), "this run"]
    rows = [header] + [
        [name, *(fmt_metric(name, r.totals.get(name)) for r in previous), fmt_metric(name, value)]
        for name, value in record.totals.items()
    ]
    lines += _md_table(rows)
    if comparison_lines:
        lines += ["", "## Against the baseline", "", *(f"- {line}" for line in comparison_lines)]
    for title, table in grouped_tables(record):
        lines += ["", f"## {title[:1].upper()}{title[1:]}", "", *_md_table(table)]
    if charts:
        lines += ["", "## Over past runs", ""]
        lines += [f"![{c.stem}]({c.name})" for c in charts]
    lines += ["", "## Cases", "", *_md_table(case_rows(record))]
    return "\n".join(lines) + "\n"


def write_report(
    record: RunRecord,
    history: Sequence[RunRecord],
    out_dir: Path,
    comparison_lines: Sequence[str] = (),
) -> Path:
    """Write the charts and ``<set>-<mode>.md`` into ``out_dir``; returns the report file."""
    charts = write_charts(history, out_dir)
    path = out_dir / (chart_name(record.set_name, record.mode, "report")[: -len(".png")] + ".md")
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        markdown_report(record, history, charts, comparison_lines), encoding="utf-8"
    )
    return path

