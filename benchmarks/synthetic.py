"""A larger synthetic corpus built from an existing index, without re-embedding.

Copy 0 is the source index itself. Every further copy takes each source article
with a new document id, a date shifted by up to a year, about 15 % of its words
replaced by other corpus words of the same length (so chunk spans stay valid and
the keyword statistics stay natural), and each chunk vector perturbed by Gaussian
noise and renormalised (cosine about 0.96 to the original). Everything is written
through the real store: catalog, Chroma collection and keyword index.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from harness import services_for

from index.catalog import Catalog, ChunkRow
from index.chunking import embed_header
from index.documents import Article, Chunk
from index.indexer import chunk_metadata

_WORD = re.compile(r"[A-Za-z]{4,}")
REPLACE_SHARE = 0.15
NOISE = 0.3  # norm of the noise relative to the unit vector


def vocabulary(texts: list[str]) -> dict[int, list[str]]:
    """Corpus words (4+ letters) by length."""
    by_len: dict[int, set[str]] = defaultdict(set)
    for text in texts:
        for word in _WORD.findall(text):
            by_len[len(word)].add(word)
    return {n: sorted(words) for n, words in by_len.items()}


def vary(text: str, vocab: dict[int, list[str]], rng: random.Random) -> str:
    """``text`` with some words replaced by words of the same length (spans unchanged)."""

    def swap(m: re.Match[str]) -> str:
        pool = vocab.get(len(m.group()))
        return rng.choice(pool) if pool and rng.random() < REPLACE_SHARE else m.group()

    return _WORD.sub(swap, text)


def perturb(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors near ``vectors``."""
    noise = rng.normal(size=vectors.shape).astype(np.float32) * NOISE / np.sqrt(vectors.shape[1])
    out = vectors + noise
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def shift_date(iso: str | None, days: int) -> str | None:
    """An ISO date moved by ``days`` (None stays None)."""
    if not iso:
        return iso
    return (date.fromisoformat(iso[:10]) + timedelta(days=days)).isoformat()


def build(
    source_dir: Path, target_dir: Path, target_chunks: int, seed: int = 7, keyword: bool = True
) -> dict[str, Any]:
    """Write a synthetic index of about ``target_chunks`` chunks into ``target_dir`` (the
    keyword index too, unless ``keyword`` is false: the first open builds it)."""
    t0 = time.perf_counter()
    src = services_for(source_dir)
    catalog = src.store.catalog
    docs = catalog.documents()
    rows: dict[str, list[ChunkRow]] = defaultdict(list)
    for row in catalog.iter_chunks():
        rows[row.doc_id].append(row)
    texts = {d: catalog.document_text(d) or "" for d in docs}
    ids = [r.chunk_id for d in docs for r in rows[d]]
    stored = src.store.vectors.get_vectors(ids)
    matrix = np.asarray([stored[cid] for cid in ids], dtype=np.float32)
    position = {cid: i for i, cid in enumerate(ids)}
    vocab = vocabulary(list(texts.values()))

    dst = services_for(target_dir)
    store = dst.store
    store.catalog.set_meta("embed_model", store.embed_model)
    store.catalog.set_meta("pipeline", catalog.get_meta("pipeline") or "")
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    written = 0
    copy = 0
    while written < target_chunks:
        vectors = matrix if copy == 0 else perturb(matrix, nrng)
        batch_articles: list[tuple[Article, list[Chunk], list[ChunkRow]]] = []
        for doc_id, doc in docs.items():
            if written >= target_chunks:
                break
            text = texts[doc_id] if copy == 0 else vary(texts[doc_id], vocab, rng)
            title = doc.title if copy == 0 else vary(doc.title, vocab, rng)
            new_id = doc_id if copy == 0 else f"{doc_id}~{copy}"
            published = doc.published_at if copy == 0 else shift_date(
                doc.published_at, rng.randint(-365, 365)
            )
            digest = hashlib.sha1(f"{new_id}\x00{title}\x00{text}".encode()).hexdigest()
            article = Article(
                new_id, title, text, f"synthetic:{doc.origin}", digest, published,
                doc.source, doc.url, doc.author,
            )
            header = embed_header(title, doc.source, published)
            chunks = [
                Chunk(
                    r.chunk_id if copy == 0 else f"{new_id}:{r.seq}:{digest[:8]}",
                    new_id, r.seq, r.start, r.end, text[r.start : r.end],
                    f"{header}\n{text[r.start : r.end]}" if header else text[r.start : r.end],
                )
                for r in rows[doc_id]
            ]
            batch_articles.append((article, chunks, rows[doc_id]))
            written += len(chunks)
        all_chunks = [
            (a, c, r) for a, cs, rs in batch_articles for c, r in zip(cs, rs, strict=True)
        ]
        store.vectors.add(
            ids=[c.chunk_id for _, c, _ in all_chunks],
            vectors=vectors[[position[r.chunk_id] for _, _, r in all_chunks]],
            documents=[c.text for _, c, _ in all_chunks],
            metadatas=[chunk_metadata(c, a) for a, c, _ in all_chunks],
        )
        store.catalog.cache_vectors(
            (Catalog.cache_key(store.embed_model, c.embed_text), vectors[position[r.chunk_id]])
            for _, c, r in all_chunks
        )
        with store.catalog.transaction() as conn:
            for article, chunks, _ in batch_articles:
                store.catalog.put_document(conn, article, chunks)
        copy += 1
        print(f"  synthetic copy {copy}: {written} chunks", flush=True)
    if keyword:
        store.rebuild_keyword()
    store.catalog.set_meta("dirty", "0")
    dst.close()
    src.close()
    return {"chunks": written, "copies": copy, "build_s": round(time.perf_counter() - t0, 1)}
