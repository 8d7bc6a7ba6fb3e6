"""Ingestion: the whole indexing pipeline against the raw embedding model, same chunks, same run.

    python benchmarks/ingest_bench.py [--articles N | --all] [--json OUT] [--work DIR]

1. The raw model: the exact ``embed_text`` of every chunk the pipeline will write
   (computed beforehand with the pipeline's own cleaning and chunking), sorted by
   token count and fed to ``OnnxMiniLMEmbedding.encode`` in batches of the
   configured size — the best the model does on these inputs.
2. The pipeline: ``Indexer.run`` on a JSON file of the same articles into an empty
   index (load, clean, chunk, embed, Chroma, catalog, keyword index), with its
   stage breakdown. The raw pass runs before and after it and is averaged, so a
   change of background load hits both sides alike.
3. Re-indexing the unchanged file (in-process, and the ``rag index`` command's wall
   time, which includes starting Python), as a share of the first run.
4. Changed documents: a word replaced in the middle of some articles, then a
   sentence appended to others: chunks re-embedded vs those articles' chunks.

The model is loaded (and warmed) before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import ROOT, load_records, peak_rss_mib, services_for, write_json

from index.chunking import chunk_article
from index.embedding import OnnxMiniLMEmbedding
from index.indexer import IMPORT_SIZE
from index.loaders import read_file, to_article


def pipeline_texts(path: Path, embedder: OnnxMiniLMEmbedding, settings: Any) -> list[str]:
    """The embed_text of every chunk the indexer will make from ``path``."""
    texts: list[str] = []
    c = settings.chunking
    for rec in read_file(path):
        if isinstance(rec, Exception):
            continue
        article = to_article(rec)
        chunks = chunk_article(article, embedder.count_tokens, c.chunk_tokens, c.overlap_tokens)
        texts.extend(ch.embed_text for ch in chunks)
    return texts


def raw_embed_seconds(embedder: OnnxMiniLMEmbedding, texts: list[str], batch: int) -> float:
    """Seconds the model alone takes for ``texts``, sorted by token count, in batches."""
    t0 = time.perf_counter()
    counts = embedder.count_tokens(texts)
    ordered = [texts[i] for i in sorted(range(len(texts)), key=counts.__getitem__)]
    for i in range(0, len(ordered), batch):
        embedder.encode(ordered[i : i + batch])
    return time.perf_counter() - t0


def edit_middle(body: str) -> str:
    """Replace the word nearest the middle of ``body`` by another word."""
    mid = len(body) // 2
    start = body.rfind(" ", 0, mid) + 1
    end = body.find(" ", mid)
    end = len(body) if end < 0 else end
    return body[:start] + "meanwhile" + body[end:]


def append_sentence(body: str) -> str:
    """Add a closing sentence to ``body``."""
    return body.rstrip() + "\n\nThis article was updated with additional reporting."


def write_corpus(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write records as one JSON file, as ``rag index`` reads them."""
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def changed_run(
    services: Any, path: Path, rows: list[dict[str, Any]], picks: list[int], edit: Any
) -> dict[str, Any]:
    """Edit ``picks`` of ``rows``, re-index, and count what was re-embedded."""
    edited = [dict(r) for r in rows]
    for i in picks:
        edited[i]["body"] = edit(edited[i]["body"])
    write_corpus(path, edited)
    catalog = services.store.catalog
    before = sum(d.n_chunks for d in catalog.documents().values())
    report = services.indexer().run([path])
    rows[:] = edited
    return {
        "documents_changed": report.updated,
        "chunks_of_changed_documents": report.chunks,
        "chunks_reembedded": report.embedded,
        "reembedded_share": round(report.embedded / report.chunks, 3) if report.chunks else None,
        "seconds": round(report.seconds, 3),
        "chunks_in_index_before": before,
    }


def first_run(services: Any, embedder: OnnxMiniLMEmbedding, path: Path) -> tuple[Any, float | None]:
    """Index ``path`` into the empty index: the report, and the seconds until every
    article was searchable by keyword (the first call to the model, when a large import
    has written all its text; None when the run embedded as it went)."""
    encode = embedder.encode
    started = time.perf_counter()
    first_call: list[float] = []

    def timed(texts: Any) -> Any:
        if not first_call:
            first_call.append(time.perf_counter() - started)
        return encode(texts)

    embedder.encode = timed  # type: ignore[method-assign]
    try:
        report = services.indexer().run([path])
    finally:
        del embedder.encode  # the class's method again
    return report, first_call[0] if first_call and report.added >= IMPORT_SIZE else None


def cli_wall_seconds(index_dir: Path, path: Path) -> float:
    """Wall time of ``rag index PATH`` (a new process: imports, catalog, hashing)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir))
    rag = Path(sys.executable).parent / "rag"
    t0 = time.perf_counter()
    subprocess.run(
        [str(rag), "index", str(path)], env=env, cwd=ROOT, check=True, capture_output=True
    )
    return time.perf_counter() - t0


def run(articles: int | None, work: Path) -> dict[str, Any]:
    """The whole ingestion benchmark; returns its result."""
    rows = load_records(articles)
    path = work / "articles.json"
    write_corpus(path, rows)
    embedder = OnnxMiniLMEmbedding()
    t0 = time.perf_counter()
    embedder.encode(["warm-up"] * 4)
    model_load_s = time.perf_counter() - t0
    services = services_for(work / "index", embedder=embedder)
    settings = services.settings
    texts = pipeline_texts(path, embedder, settings)
    batch = settings.embed_batch_size
    print(f"{len(rows)} articles -> {len(texts)} chunks; embed batch {batch}", flush=True)

    raw_a = raw_embed_seconds(embedder, texts, batch)
    print(f"raw model (before): {len(texts) / raw_a:.1f} chunks/s", flush=True)
    first, keyword_s = first_run(services, embedder, path)
    print(f"pipeline: {first.summary()}", flush=True)
    if keyword_s is not None:
        print(f"all {len(rows)} articles searchable by keyword after {keyword_s:.1f} s, "
              f"by meaning too after {first.seconds:.1f} s", flush=True)
    raw_b = raw_embed_seconds(embedder, texts, batch)
    print(f"raw model (after): {len(texts) / raw_b:.1f} chunks/s", flush=True)
    assert first.chunks == len(texts), (first.chunks, len(texts))
    raw_rate = 2 * len(texts) / (raw_a + raw_b)
    pipe_rate = first.chunks / first.seconds
    rss_after_first = peak_rss_mib()

    again = services.indexer().run([path])
    wall = cli_wall_seconds(work / "index", path)
    print(f"unchanged re-index: {again.seconds:.3f} s in-process, {wall:.2f} s `rag index`")

    n_edit = max(1, len(rows) // 20)
    middle = changed_run(services, path, rows, list(range(0, n_edit)), edit_middle)
    print(f"middle word edited: {middle}", flush=True)
    appended = changed_run(
        services, path, rows, list(range(n_edit, 2 * n_edit)), append_sentence
    )
    print(f"sentence appended: {appended}", flush=True)
    services.close()

    return {
        "articles": len(rows),
        "chunks": len(texts),
        "embed_batch_size": batch,
        "model_load_s": round(model_load_s, 2),
        "raw_model": {
            "seconds_before": round(raw_a, 2),
            "seconds_after": round(raw_b, 2),
            "chunks_per_s": round(raw_rate, 2),
        },
        "pipeline": {
            "seconds": round(first.seconds, 2),
            # a large import writes every article's text before it embeds any
            "all_searchable_by_keyword_s": None if keyword_s is None else round(keyword_s, 2),
            "chunks_per_s": round(pipe_rate, 2),
            "stages_s": {k: round(v, 3) for k, v in sorted(first.stages.items())},
        },
        "ratio_pipeline_to_raw": round(pipe_rate / raw_rate, 3),
        "reindex_unchanged": {
            "seconds": round(again.seconds, 3),
            "share_of_first_run": round(again.seconds / first.seconds, 4),
            "cli_wall_s": round(wall, 2),
            "cli_share_of_first_run": round(wall / first.seconds, 4),
            "stages_s": {k: round(v, 3) for k, v in sorted(again.stages.items())},
        },
        "changed_middle_word": middle,
        "changed_appended_sentence": appended,
        "peak_rss_mib_after_first_run": rss_after_first,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, print and write the result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=80, help="MultiHop articles to index")
    parser.add_argument("--all", action="store_true", help="the whole corpus (609 articles)")
    parser.add_argument("--work", type=Path, help="scratch directory (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write the result here")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="rag-ingest-"))
    try:
        result = run(None if args.all else args.articles, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    write_json(args.json, result)
    print(json.dumps({k: result[k] for k in ("ratio_pipeline_to_raw", "reindex_unchanged")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
