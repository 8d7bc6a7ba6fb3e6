"""Benchmark the embedded LLM: raw xllamacpp vs our EmbeddedLLM wrapper.

Usage::

    python benchmarks/llm_bench.py [--prompt-file F] [--runs N] [--json OUT]
                                   [--max-tokens N] [--threads N]

Both backends load the same GGUF with the same llama.cpp parameters and get the
same RAG-style prompt (about 600 tokens) and the same ``max_tokens``:

(a) raw: ``xllamacpp.Server.handle_completions(request, callback)`` called
    directly, timing taken inside the callback;
(b) ours: ``EmbeddedLLM.stream_complete`` (worker thread + queue + llama-index
    callback wrapper), timing taken as the deltas are iterated.

Each run makes two calls with the same prompt: a *cold* one (the prompt starts
with a run tag never seen before, so nothing can be reused from the KV cache)
and a *warm* one (identical prompt, so only the last token is re-evaluated:
the prompt-cache effect). One warm-up call per backend is not counted. Both
backends are loaded side by side (two servers, one model each) and their calls
are interleaved, never concurrent, so a busy machine slows both alike. Peak RSS
comes from ``resource.getrusage``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.llms.embedded import EmbeddedLLM, default_gguf_path, generation_threads  # noqa: E402

CONTEXT_WINDOW = 4096

DEFAULT_PROMPT = """You are a careful news assistant. Answer the question using only the \
numbered sources below. Cite the sources you use in square brackets, like [2]. If the \
sources do not contain the answer, say that you do not know.

[1] Reuters, 3 May 2024, "Lyon approves airport tram line"
The city council of Lyon on Thursday approved a new tram line that will connect \
Saint-Exupery airport to the Part-Dieu business district by 2027. The council voted 52 to \
11 in favour of the project after a debate that lasted more than four hours. Opponents \
argued that the existing Rhonexpress shuttle already serves the route and that the money \
would be better spent on bus lines in the eastern suburbs. The mayor said the tram would \
cut the journey to 25 minutes and cost passengers the price of a normal city ticket.

[2] AFP, 4 May 2024, "Cost of Lyon tram extension put at 420 million euros"
Construction of the Lyon tram extension is expected to cost 420 million euros, according \
to documents presented to the regional transport authority. The state will contribute 90 \
million euros and the European Union 35 million, with the rest financed by the \
metropolitan area through a bond issue. Work on the 14-kilometre line is scheduled to \
begin in the spring of 2025, once the public inquiry has been completed. The authority \
expects 38,000 passengers a day within three years of opening.

[3] Le Progres, 6 May 2024, "Residents of Meyzieu worry about the works"
Residents of Meyzieu, one of the towns crossed by the future line, fear two years of \
disruption. At a public meeting on Monday evening, shopkeepers asked for compensation \
during the works and for the planned depot to be moved away from a primary school. The \
project director promised that traffic would be maintained on the main avenue throughout \
the construction and that a mediator would handle compensation claims.

[4] Reuters, 12 May 2024, "Rhonexpress operator challenges tram plan"
The operator of the Rhonexpress airport shuttle said it would challenge the decision in \
the administrative court, arguing that its concession, which runs until 2038, gives it \
exclusive rights to the airport route. Lawyers for the metropolitan area said the \
concession did not prevent public transport on other alignments and that talks on an \
early termination were under way. Analysts estimated that ending the concession early \
could cost between 60 and 100 million euros.

[5] AFP, 20 May 2024, "Regional elections loom over transport projects"
Several candidates in next year's regional elections have promised to review large \
transport projects, including the Lyon airport tram. One candidate called the line a \
prestige project for frequent flyers, while the outgoing president of the region defended \
it as essential to reduce car traffic on the ring road. Polls suggest that a majority of \
residents of the metropolitan area support the tram, with stronger support among young \
people and commuters.

Question: How much will the Lyon airport tram line cost, and who will pay for it?
Answer:"""


def server_params(
    model_path: str, threads: int, max_tokens: int, batch_threads: int | None = None
) -> Any:
    """The llama.cpp parameters, identical to what EmbeddedLLM uses."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model_path
    params.n_ctx = CONTEXT_WINDOW
    params.n_parallel = 1
    params.n_predict = max_tokens
    params.cache_prompt = True
    params.cache_ram_mib = 256
    params.swa_full = True
    params.fit_params = False
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = batch_threads or threads
    params.sampling.temp = 0.0
    params.verbosity = 1
    params.ui = False
    params.endpoint_slots = False
    params.api_keys = [secrets.token_urlsafe(32)]
    params.n_threads_http = 1
    return params


def _record(
    backend: str, call: str, t0: float, times: list[float], text: str, final: dict[str, Any]
) -> dict[str, Any]:
    usage = final.get("usage", {})
    timings = final.get("timings", {})
    n_tokens = int(usage.get("completion_tokens", len(times)))
    ttft = times[0] - t0 if times else float("nan")
    decode_s = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "backend": backend,
        "call": call,
        "ttft_ms": ttft * 1000,
        "decode_tok_s": (n_tokens - 1) / decode_s if decode_s and n_tokens > 1 else float("nan"),
        "total_s": (times[-1] if times else time.perf_counter()) - t0,
        "completion_tokens": n_tokens,
        "deltas": len(times),
        "prompt_tokens": usage.get("prompt_tokens"),
        "cached_tokens": usage.get("prompt_tokens_details", {}).get("cached_tokens"),
        "server_prompt_ms": timings.get("prompt_ms"),
        "server_gen_tok_s": timings.get("predicted_per_second"),
        "finish_reason": final.get("finish_reason"),
        "text": text,
    }


def run_raw(server: Any, prompt: str, max_tokens: int, call: str) -> dict[str, Any]:
    """One streaming request straight through xllamacpp, timed in the callback."""
    times: list[float] = []
    pieces: list[str] = []
    final: dict[str, Any] = {}

    def on_chunk(chunk: dict[str, Any]) -> bool:
        now = time.perf_counter()
        if "error" in chunk:
            raise SystemExit(f"raw xllamacpp error: {chunk['error']}")
        choice = chunk["choices"][0]
        if choice.get("text"):
            times.append(now)
            pieces.append(choice["text"])
        if choice.get("finish_reason") is not None:
            final.update(chunk, finish_reason=choice["finish_reason"])
        return False

    request = {
        "prompt": prompt,
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "cache_prompt": True,
        "stream": True,
    }
    t0 = time.perf_counter()
    server.handle_completions(request, on_chunk)
    return _record("raw xllamacpp", call, t0, times, "".join(pieces), final)


def run_ours(llm: EmbeddedLLM, prompt: str, max_tokens: int, call: str) -> dict[str, Any]:
    """One EmbeddedLLM.stream_complete call, timed as the deltas are consumed."""
    times: list[float] = []
    pieces: list[str] = []
    final: dict[str, Any] = {}
    t0 = time.perf_counter()
    for response in llm.stream_complete(prompt, max_tokens=max_tokens):
        now = time.perf_counter()
        if response.delta:
            times.append(now)
            pieces.append(response.delta)
        if response.additional_kwargs.get("finish_reason") is not None:
            final = dict(response.additional_kwargs)
    return _record("EmbeddedLLM", call, t0, times, "".join(pieces), final)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench(
    backends: dict[str, Callable[[str, str], dict[str, Any]]],
    prompt: str,
    runs: int,
) -> list[dict[str, Any]]:
    """For each run, a cold then a warm call on the same prompt, backends interleaved.

    Interleaving (and swapping which backend goes first on every run) exposes both
    backends to the same background load, so the ratio stays fair on a busy machine.
    """
    records = []
    names = list(backends)
    for k in range(runs):
        order = names if k % 2 == 0 else names[::-1]
        tagged = f"Run {k + 1}.\n{prompt}"  # new first tokens: nothing cached yet
        for call in ("cold", "warm (cached)"):
            for name in order:
                records.append(backends[name](tagged, call))
    return records


def _median(records: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in records if r[key] is not None]
    return statistics.median(values) if values else float("nan")


def print_table(records: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, float]]:
    """Print medians per backend and call type, and return them."""
    keys = ["ttft_ms", "decode_tok_s", "total_s", "server_prompt_ms", "server_gen_tok_s"]
    summary: dict[tuple[str, str], dict[str, float]] = {}
    for r in records:
        summary.setdefault((r["backend"], r["call"]), {})
    header = (
        f"{'backend':<15} {'call':<14} {'prompt':>6} {'cached':>6} {'out':>4} "
        f"{'TTFT ms':>8} {'tok/s':>7} {'total s':>8} {'srv prompt ms':>13} {'srv tok/s':>9}"
    )
    print(header)
    print("-" * len(header))
    for backend, call in summary:
        group = [r for r in records if r["backend"] == backend and r["call"] == call]
        med = {key: _median(group, key) for key in keys}
        summary[(backend, call)] = med
        print(
            f"{backend:<15} {call:<14} {group[0]['prompt_tokens']:>6} "
            f"{int(_median(group, 'cached_tokens')):>6} "
            f"{int(_median(group, 'completion_tokens')):>4} "
            f"{med['ttft_ms']:>8.1f} {med['decode_tok_s']:>7.1f} {med['total_s']:>8.2f} "
            f"{med['server_prompt_ms']:>13.1f} {med['server_gen_tok_s']:>9.1f}"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; optionally write all records as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompt-file", type=Path, help="prompt text (default: built-in)")
    parser.add_argument("--runs", type=int, default=3, help="cold+warm pairs per backend")
    parser.add_argument("--json", type=Path, help="write the raw records here")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument(
        "--threads", type=int, default=generation_threads(os.cpu_count()),
        help="generation threads (default: EmbeddedLLM's, all cores but one)",
    )
    parser.add_argument(
        "--batch-threads", type=int, default=os.cpu_count() or 1,
        help="prompt-processing threads (default: all cores)",
    )
    args = parser.parse_args(argv)

    import xllamacpp

    prompt = args.prompt_file.read_text(encoding="utf-8") if args.prompt_file else DEFAULT_PROMPT
    model_path = default_gguf_path()
    print(f"model: {model_path}")
    print(
        f"xllamacpp {xllamacpp.__version__}, threads={args.threads} "
        f"(prompt {args.batch_threads}), n_ctx={CONTEXT_WINDOW}, "
        f"max_tokens={args.max_tokens}, runs={args.runs}, greedy"
    )

    # (a) raw xllamacpp, (b) EmbeddedLLM: both loaded, each warmed up once.
    t = time.perf_counter()
    server = xllamacpp.Server(
        server_params(model_path, args.threads, args.max_tokens, args.batch_threads)
    )
    raw_load_s = time.perf_counter() - t
    run_raw(server, "Warm-up.\n" + prompt, args.max_tokens, "warm-up")
    rss_one_model = peak_rss_mib()

    llm = EmbeddedLLM(
        model_path=model_path,
        context_window=CONTEXT_WINDOW,
        n_threads=args.threads,
        n_threads_batch=args.batch_threads,
        max_tokens=args.max_tokens,
        temperature=0.0,
    )
    t = time.perf_counter()
    llm.load()
    ours_load_s = time.perf_counter() - t
    run_ours(llm, "Warm-up.\n" + prompt, args.max_tokens, "warm-up")

    records = bench(
        {
            "raw": lambda p, c: run_raw(server, p, args.max_tokens, c),
            "ours": lambda p, c: run_ours(llm, p, args.max_tokens, c),
        },
        prompt,
        args.runs,
    )
    llm.close()
    rss_end = peak_rss_mib()
    raw = [r for r in records if r["backend"] == "raw xllamacpp"]
    ours = [r for r in records if r["backend"] == "EmbeddedLLM"]

    print(f"model load: raw {raw_load_s:.2f} s, EmbeddedLLM {ours_load_s:.2f} s")
    print("medians over runs; tok/s = decode rate between first and last token (wall clock)")
    summary = print_table(records)

    print()
    for call in ("cold", "warm (cached)"):
        r, o = summary[("raw xllamacpp", call)], summary[("EmbeddedLLM", call)]
        ttft_ratio = o["ttft_ms"] / r["ttft_ms"]
        speed_ratio = o["decode_tok_s"] / r["decode_tok_s"]
        print(
            f"EmbeddedLLM / raw, {call:<13}: TTFT x{ttft_ratio:.3f} "
            f"({o['ttft_ms'] - r['ttft_ms']:+.1f} ms), tok/s x{speed_ratio:.3f}"
        )
    for name in ("raw xllamacpp", "EmbeddedLLM"):
        cold, warm = summary[(name, "cold")], summary[(name, "warm (cached)")]
        print(
            f"prompt cache, {name:<13}: TTFT {cold['ttft_ms']:.0f} ms cold -> "
            f"{warm['ttft_ms']:.0f} ms warm (x{cold['ttft_ms'] / warm['ttft_ms']:.1f} faster)"
        )
    # Same prompt, same parameters, greedy decoding: the two backends must agree
    # call for call. Cold and warm calls may legitimately differ: llama.cpp does not
    # guarantee bit-identical logits when the prompt is evaluated in another batch
    # shape (1 token on top of the cache instead of the whole prompt).
    same_backends = all(
        a["text"] == b["text"] and a["call"] == b["call"] for a, b in zip(raw, ours, strict=True)
    )
    same_cache = all(raw[i]["text"] == raw[i + 1]["text"] for i in range(0, len(raw), 2))
    print(
        f"identical text, raw vs EmbeddedLLM (same call): {'yes' if same_backends else 'NO'}; "
        f"cold vs warm: {'yes' if same_cache else 'no (batch-shape numerics)'}"
    )
    print(
        f"peak RSS (getrusage): {rss_one_model:.0f} MiB with one model loaded and used, "
        f"{rss_end:.0f} MiB with both loaded"
    )

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "model": model_path,
                    "threads": args.threads,
                    "batch_threads": args.batch_threads,
                    "max_tokens": args.max_tokens,
                    "runs": args.runs,
                    "load_s": {"raw": raw_load_s, "ours": ours_load_s},
                    "peak_rss_mib": {"one_model": rss_one_model, "both_models": rss_end},
                    "summary": {
                        "raw" if backend == "raw xllamacpp" else "ours": {
                            "cold" if call == "cold" else "warm": med
                            for (b, call), med in summary.items()
                            if b == backend
                        }
                        for backend in ("raw xllamacpp", "EmbeddedLLM")
                    },
                    "prompt_tokens": raw[0]["prompt_tokens"] if raw else None,
                    "same_text": same_backends,
                    "records": records,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        print(f"records written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
