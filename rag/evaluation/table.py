"""The terminal view of a run: one row per case, then the totals."""

from __future__ import annotations

from rag.evaluation.history import RunRecord
from rag.evaluation.results import CaseResult, Totals

MAX_ANSWER = 60


def fmt(value: object) -> str:
    """A metric value for people: 3 decimals, whole milliseconds, '–' when undefined."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def fmt_metric(name: str, value: object) -> str:
    """A total for people: latencies in whole milliseconds, the rest by :func:`fmt`."""
    if name.endswith("_ms") and isinstance(value, float):
        return f"{value:.0f}"
    return fmt(value)


def type_metrics(table: dict[str, Totals]) -> list[str]:
    """The metric names of a per-type table, in the order they first appear."""
    return list(dict.fromkeys(m for row in table.values() for m in row))


def _mark(value: bool | None) -> str:
    return "–" if value is None else ("✓" if value else "✗")


def _rank(result: CaseResult) -> str:
    if result.rr is None:
        return "–"
    return str(round(1 / result.rr)) if result.rr else ">"


def case_rows(record: RunRecord) -> list[list[str]]:
    """Header and one row per case."""
    hit_keys = next((list(c.hits) for c in record.cases if c.hits), [])
    answered = any(c.answer is not None for c in record.cases)
    header = ["case", *hit_keys, "rank"]
    if answered:
        header += ["facts", "correct", "lead", "cites ok", "canary", "answer"]
    header.append("ms")
    rows = [header]
    for c in record.cases:
        row = [c.id, *(_mark(c.hits.get(k)) for k in hit_keys), _rank(c)]
        if answered:
            answer = (c.answer or "").replace("\n", " ")
            if c.abstained:
                answer = "(abstained)"
            row += [
                fmt(c.fact_recall) if c.fact_recall is not None else "–",
                _mark(c.correct),
                "·" if c.lead is None else _mark(c.lead_correct),
                f"{c.supported_citations}/{c.citations}" if c.citations else "–",
                _mark(not c.forbidden_found) if c.forbidden else "–",
                answer[:MAX_ANSWER] + ("…" if len(answer) > MAX_ANSWER else ""),
            ]
        row.append(f"{c.latency_ms:.0f}")
        rows.append(row)
    return rows


def align(rows: list[list[str]]) -> list[str]:
    """Rows as left-aligned columns."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


def totals_lines(record: RunRecord) -> list[str]:
    """The totals, one metric per line, then the per-type table if there is one."""
    lines = [f"{name:26} {fmt_metric(name, value)}" for name, value in record.totals.items()]
    for title, table in grouped_tables(record):
        lines += ["", f"{title}:", *("  " + line for line in align(table))]
    return lines


def beside_lines(ours: Totals, other: Totals) -> list[str]:
    """The retrieval metrics of two runs side by side (hits, MRR, evidence), with the
    difference; the header row first."""
    rows = [["metric", "this run", "BM25", "difference"]]
    for name, value in ours.items():
        if not any(key in name for key in ("hit@", "mrr@", "evidence")):
            continue
        theirs = other.get(name)
        if isinstance(value, float) and isinstance(theirs, float):
            rows.append([name, fmt(value), fmt(theirs), f"{value - theirs:+.3f}"])
    return align(rows)


def grouped_tables(record: RunRecord) -> list[tuple[str, list[list[str]]]]:
    """The per-question-type and per-answer-type tables (header row first), where the
    run has them."""
    out = []
    for title, groups in (("per question type", record.by_type),
                          ("per answer type", record.by_answer_type)):
        if groups:
            metrics = type_metrics(groups)
            rows = [["type", *metrics]]
            rows += [[t, *(fmt(row.get(m)) for m in metrics)] for t, row in groups.items()]
            out.append((title, rows))
    return out


def render_run(record: RunRecord, per_case: bool = True) -> str:
    """The whole terminal report of a run."""
    llm = f"{record.llm['backend']} ({record.llm['model']})" if record.llm else "none"
    head = [
        f"set {record.set_name} · mode {record.mode} · {len(record.cases)} cases · LLM {llm}",
        f"embeddings {record.embed_model} · corpus {record.corpus.get('documents')} documents "
        f"({record.corpus.get('fingerprint')}) · commit {record.run_id.split(' ')[-1]}",
    ]
    body = align(case_rows(record)) + [""] if per_case and record.cases else []
    return "\n".join([*head, "", *body, *totals_lines(record)])
