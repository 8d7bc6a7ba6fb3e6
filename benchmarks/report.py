"""The Markdown table of a benchmark-suite run: every figure beside its target."""

from __future__ import annotations

import math
from typing import Any


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...`` or None when any step is missing."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    """A number for the table ("–" when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"


def verdict(ok: bool | None) -> str:
    """Whether a target was met."""
    return "–" if ok is None else ("yes" if ok else "**no**")


def _ratio(a: Any, b: Any) -> float | None:
    return a / b if isinstance(a, int | float) and isinstance(b, int | float) and b else None


def _rows(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    b = report["benchmarks"]
    rows: list[tuple[str, str, str, str]] = []
    ing = dig(b, "ingestion", "result")
    if ing:
        ratio = ing["ratio_pipeline_to_raw"]
        stages = ing["pipeline"]["stages_s"]
        other = ing["pipeline"]["seconds"] - stages.get("embed", 0.0)
        rows += [
            (
                f"Ingestion, {ing['articles']} MultiHop articles → {ing['chunks']} chunks: "
                "`rag index` pipeline vs raw embedding model",
                "≥ 0.90 of the model",
                f"{fmt(ing['pipeline']['chunks_per_s'])} vs "
                f"{fmt(ing['raw_model']['chunks_per_s'])} chunks/s = {ratio:.2f}",
                verdict(ratio >= 0.90),
            ),
            (
                "Ingestion time outside the embedding model (load, clean, chunk, cache, "
                "Chroma, catalog, keyword)",
                "≤ 10 % of the run",
                f"{other:.1f} s of {ing['pipeline']['seconds']:.1f} s = "
                f"{100 * other / ing['pipeline']['seconds']:.1f} % ("
                + ", ".join(f"{k} {v:.2f}" for k, v in stages.items() if k != "embed")
                + ")",
                verdict(other / ing["pipeline"]["seconds"] <= 0.10),
            ),
        ]
        re = ing["reindex_unchanged"]
        rows.append(
            (
                "Re-index unchanged inputs (in-process; `rag index` command wall time)",
                "< 3 % of the first run",
                f"{re['seconds']:.3f} s = {100 * re['share_of_first_run']:.2f} %; "
                f"command {re['cli_wall_s']:.1f} s = {100 * re['cli_share_of_first_run']:.1f} %",
                verdict(re["share_of_first_run"] < 0.03),
            )
        )
        for key, label in (
            ("changed_middle_word", "a word replaced mid-article"),
            ("changed_appended_sentence", "a sentence appended"),
        ):
            ch = ing[key]
            rows.append(
                (
                    f"Changed documents ({label}): chunks re-embedded",
                    "only the changed chunks",
                    f"{ch['chunks_reembedded']} of {ch['chunks_of_changed_documents']} chunks "
                    f"of {ch['documents_changed']} documents",
                    "–",
                )
            )
    for bench, store in (("retrieval", "embedded"), ("retrieval_server", "server")):
        res = dig(b, bench, "result")
        if not res:
            continue
        label = "embedded Chroma" if store == "embedded" else "Chroma server"
        if store == "embedded":
            q = res["query_embedding"]
            rows.append(
                (
                    "Query embedding (MiniLM int8, one question)",
                    "reported apart",
                    f"p50 {fmt(q['p50_ms'])} ms, p95 {fmt(q['p95_ms'])} ms",
                    "–",
                )
            )
        for level, data in (res.get(store) or {}).items():
            h, d, k = data["hybrid"], data["dense"], data["keyword"]
            big = level == "synthetic"
            rows.append(
                (
                    f"Hybrid retrieval, {label}, {fmt(data['chunks'])} chunks "
                    f"({'synthetic' if big else 'MultiHop-RAG'}), excl. query embedding",
                    "p95 < 50 ms at 100k" if big else "reported",
                    f"p50 {fmt(h['p50_ms'])} / p95 {fmt(h['p95_ms'])} ms (dense only "
                    f"{fmt(d['p50_ms'])} / {fmt(d['p95_ms'])}, keyword only "
                    f"{fmt(k['p50_ms'])} / {fmt(k['p95_ms'])})",
                    verdict(h["p95_ms"] < 50) if big and data["chunks"] >= 90_000 else "–",
                )
            )
    for name in ("llm", "llm_all_cores"):
        rows += _llm_rows(name, dig(b, name, "result"))
    return rows + _memory_rows(b)


def _llm_rows(name: str, res: dict[str, Any] | None) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    llm = dig(res, "summary")
    threads = f"{dig(res, 'threads')} generation / {dig(res, 'batch_threads')} prompt threads"
    if llm:
        for call in ("cold", "warm"):
            r, o = llm["raw"][call], llm["ours"][call]
            ttft = _ratio(o["ttft_ms"], r["ttft_ms"])
            speed = _ratio(o["decode_tok_s"], r["decode_tok_s"])
            rows.append(
                (
                    f"Embedded LLM vs raw llama.cpp, {call} prompt"
                    + (" (prompt cache reused)" if call == "warm" else "")
                    + f", {threads}",
                    "TTFT ≤ 1.10×, tok/s ≥ 0.90×",
                    f"TTFT {fmt(o['ttft_ms'], ' ms', 0)} vs {fmt(r['ttft_ms'], ' ms', 0)} "
                    f"(×{fmt(ttft, '', 2)}); {fmt(o['decode_tok_s'])} vs "
                    f"{fmt(r['decode_tok_s'])} tok/s (×{fmt(speed, '', 2)})",
                    verdict(ttft is not None and speed is not None and ttft <= 1.10
                            and speed >= 0.90),
                )
            )
    return rows


def _memory_rows(b: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for name, data in b.items():
        extra = ""
        server = dig(data, "result", "server_peak_rss_mib")
        if server:
            extra = f" (+ Chroma server {fmt(server, ' MiB', 0)})"
        rows.append(
            (
                f"Peak memory, {name} benchmark process",
                "reported",
                f"{fmt(data.get('process_peak_rss_mib'), ' MiB', 0)}{extra}; "
                f"wall {fmt(data.get('wall_s'), ' s', 0)}"
                + ("" if data.get("exit_code") == 0 else f"; **exit {data.get('exit_code')}**"),
                "–",
            )
        )
    return rows


def markdown(report: dict[str, Any]) -> str:
    """The whole Markdown report: machine, then the table."""
    m = report["machine"]
    pkgs = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    lines = [
        f"Benchmark run {report['timestamp']}"
        f"{'' if report['size'] == 'full' else ' (' + report['size'] + ' run)'}: "
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}; {pkgs}. Load average before/after: "
        f"{report['load_average_before'][0]} / {report['load_average_after'][0]}; "
        f"total {report['total_wall_s']:.0f} s.",
        "",
        "| figure | target | measured | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in _rows(report)]
    return "\n".join(lines) + "\n"
