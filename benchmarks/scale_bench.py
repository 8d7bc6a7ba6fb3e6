"""How the index behaves as it grows: ~9k chunks (MultiHop-RAG), 100k and 1M (synthetic).

    python benchmarks/scale_bench.py [--mh-index DIR] [--sizes 100000,1000000]
                                     [--queries 200] [--adds 5] [--json OUT] [--charts DIR]

Per corpus size: opening the index (catalog, Chroma, keyword segments) and its first
query; hybrid retrieval p50/p95 with precomputed query vectors (so the query embedding
is excluded), after one untimed pass (the first pass is reported apart); adding one new
article with ``rag index`` (the real embedding model, so embedding is included) and
removing it again; peak memory of the process; disk. Each size is measured in its own
process (its peak memory is its own). The synthetic corpora are built as
``retrieval_bench.py``'s (``synthetic.py``, without re-embedding) and cached; before the
first measurement of one, a process of its own groups its stories and writes its keyword
index (reported as ``prepare_s``). A PNG chart of each figure against corpus size goes
into ``--charts`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import synthetic
from harness import ROOT, load_queries, load_records, peak_rss_mib, write_json
from harness import services_for as open_services
from retrieval_bench import embed_queries, measure, multihop_index, synthetic_index

from index import stories
from index.keyword import FORMAT

PREPARED = f"{stories.BAND_KIND};keyword{FORMAT}"


def _disk_mib(path: Path) -> float:
    if not path.exists():
        return 0.0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def prepare(index_dir: Path) -> float:
    """Group the stories and write the keyword index of a synthetic index (once)."""
    services = open_services(index_dir)
    catalog = services.store.catalog
    if catalog.get_meta("scale_prepared") == PREPARED:
        services.close()
        return 0.0
    t0 = time.perf_counter()
    services.store.regroup_stories()
    services.store.rebuild_keyword()
    catalog.set_meta("dirty", "0")
    catalog.set_meta("scale_prepared", PREPARED)
    services.close()
    return round(time.perf_counter() - t0, 1)


def new_article(
    folder: Path, record: dict[str, Any], rng: random.Random, vocab: dict[int, list[str]]
) -> tuple[Path, str]:
    """A MultiHop article with some of its words swapped, under a new id."""
    doc_id = f"scale-{uuid.uuid4().hex[:10]}"
    body = synthetic.vary(record["body"], vocab, rng)
    title = synthetic.vary(record["title"], vocab, rng)
    path = folder / f"{doc_id}.md"
    path.write_text(
        f"---\ntitle: \"{title}\"\nsource: {record.get('source', 'Wire')}\n"
        f"date: {str(record.get('published_at', '2023-10-01'))[:10]}\n---\n\n{body}\n",
        encoding="utf-8",
    )
    return path, doc_id


def level(index_dir: Path, vectors_file: Path, adds: int, prepare_s: float) -> dict[str, Any]:
    """Every figure for one index (run in a process of its own, after :func:`prepare`)."""
    vectors: dict[str, list[float]] = json.loads(vectors_file.read_text())
    queries = list(vectors)
    t0 = time.perf_counter()
    services = open_services(index_dir)
    kw = services.store.keyword()
    opened = time.perf_counter() - t0
    chunks = services.store.catalog.count_chunks()
    retrieval = measure(index_dir, queries, vectors, warm=True)
    # The same articles at every size (so the figures compare), their words varied anew
    # each run (so nothing is in the embedding cache).
    records = random.Random(11).sample(load_records(200), adds)
    rng = random.Random()
    vocab = synthetic.vocabulary([r["body"] for r in load_records(100)])
    add_s: list[float] = []
    outside_s: list[float] = []  # the add without the embedding model's own time
    new_chunks: list[int] = []
    remove_s: list[float] = []
    stages: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        indexer = services.indexer()
        indexer.run([])  # the embedding model loaded, as in a running app
        services.embedder.get_text_embedding("warm-up")
        for record in records:
            path, doc_id = new_article(Path(tmp), record, rng, vocab)
            t0 = time.perf_counter()
            report = indexer.run([path])
            add_s.append(time.perf_counter() - t0)
            assert report.added == 1, report.summary()
            outside_s.append(add_s[-1] - report.stages.get("embed", 0.0))
            new_chunks.append(report.chunks)
            stages.append({k: round(v, 3) for k, v in report.stages.items()})
            kw = services.store.keyword()
            assert doc_id in kw.doc_ids, "the new article is in the keyword index"
            t0 = time.perf_counter()
            assert indexer.remove([doc_id]) == 1
            remove_s.append(time.perf_counter() - t0)
            path.unlink()
    kw = services.store.keyword()
    out = {
        "index": str(index_dir),
        "chunks": chunks,
        "prepare_s": prepare_s,
        "open_s": round(opened, 2),
        "hybrid": retrieval["hybrid"],
        "dense": retrieval["dense"],
        "keyword": retrieval["keyword"],
        "first_query_ms": retrieval["first_query_ms"],
        "hybrid_first_pass": retrieval["first_pass"],
        "add_one_s": _seconds(add_s),
        "add_one_outside_model_s": _seconds(outside_s),
        "add_one_chunks": new_chunks,
        "add_one_stages": stages,
        "remove_one_s": _seconds(remove_s),
        "segments": len(kw.segments),
        "disk_mib": {
            "catalog": _disk_mib(index_dir / "catalog.sqlite3"),
            "chroma": _disk_mib(index_dir / "chroma"),
            "keyword": _disk_mib(index_dir / "keyword"),
        },
        "peak_rss_mib": peak_rss_mib(),
    }
    services.close()
    return out


def _seconds(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"median": round(statistics.median(values), 3), "max": round(max(values), 3),
            "n": len(values)}


def charts(results: list[dict[str, Any]], folder: Path) -> list[Path]:
    """One PNG per figure against corpus size (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in results]
    figures: dict[str, tuple[str, dict[str, list[float]], float | None]] = {
        "retrieval": ("hybrid retrieval, ms (excl. query embedding)", {
            "p50": [r["hybrid"]["p50_ms"] for r in results],
            "p95": [r["hybrid"]["p95_ms"] for r in results],
        }, 50.0),
        "add-one": ("add one article with rag index, s (the same 5 articles at each size)", {
            "median": [r["add_one_s"]["median"] for r in results],
            "max": [r["add_one_s"]["max"] for r in results],
            "median outside the embedding model": [
                r["add_one_outside_model_s"]["median"] for r in results],
        }, 1.0),
        "remove-one": ("remove one article, s", {
            "median": [r["remove_one_s"]["median"] for r in results],
            "max": [r["remove_one_s"]["max"] for r in results],
        }, None),
        "open": ("open the index and load the keyword segments, s", {
            "open": [r["open_s"] for r in results],
        }, None),
        "memory": ("peak memory of the process, MiB", {
            "peak RSS": [r["peak_rss_mib"] for r in results],
        }, None),
        "disk": ("disk, MiB", {
            part: [r["disk_mib"][part] for r in results]
            for part in ("catalog", "chroma", "keyword")
        }, None),
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (title, series, target) in figures.items():
        fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
        for label, values in series.items():
            ax.plot(sizes, values, marker="o", label=label)
        if target is not None:
            ax.axhline(target, color="#b91c1c", linestyle="--", linewidth=1, label="target")
        ax.set_xscale("log")
        ax.set_xlabel("chunks in the index")
        ax.set_title(title, fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = folder / f"scale-{name}.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Parse options; measure each size in a child process; print, chart, write."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mh-index", type=Path, help="existing MultiHop index (copied)")
    parser.add_argument("--sizes", default="100000,1000000", help="synthetic sizes (chunks)")
    parser.add_argument("--queries", type=int, default=200, help="dev questions to time")
    parser.add_argument("--adds", type=int, default=5, help="articles added (and removed)")
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--charts", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--level", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare is not None:
        args.json.write_text(json.dumps(prepare(args.prepare)))
        return 0
    if args.level is not None:
        write_json(args.json, level(args.level, args.vectors, args.adds,
                                    json.loads(args.json.read_text())))
        return 0
    source = multihop_index(args.mh_index, None)
    indexes = [source] + [
        synthetic_index(source, int(n))[0] for n in args.sizes.split(",") if n.strip()
    ]
    vectors, embed_ms = embed_queries(load_queries(args.queries))
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        vectors_file = Path(tmp) / "vectors.json"
        vectors_file.write_text(json.dumps(vectors))
        for index_dir in indexes:
            out = Path(tmp) / "level.json"
            # Preparing (once) runs in a process of its own, so as not to count in the
            # measured process's peak memory.
            subprocess.run([sys.executable, __file__, "--prepare", str(index_dir), "--json",
                            str(out)], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(
                [sys.executable, __file__, "--level", str(index_dir), "--vectors",
                 str(vectors_file), "--adds", str(args.adds), "--json", str(out)],
                check=True, stdout=subprocess.DEVNULL,
            )
            result = json.loads(out.read_text())
            results.append(result)
            print(f"{result['chunks']:>9,} chunks: hybrid p50/p95 "
                  f"{result['hybrid']['p50_ms']}/{result['hybrid']['p95_ms']} ms (first pass "
                  f"{result['hybrid_first_pass']['p95_ms']}); add one "
                  f"{result['add_one_s']['median']} s (max {result['add_one_s']['max']}; "
                  f"outside the model {result['add_one_outside_model_s']['median']} s); "
                  f"remove one {result['remove_one_s']['median']} s; open {result['open_s']} s;"
                  f" peak {result['peak_rss_mib']} MiB; disk {result['disk_mib']}", flush=True)
    paths = charts(results, args.charts)
    print("charts: " + ", ".join(str(p) for p in paths))
    write_json(args.json, {"query_embedding": embed_ms, "levels": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
