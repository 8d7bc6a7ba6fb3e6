"""The mechanism behind fast filtered retrieval: an exact scan of the keyword index's vectors.

Filtered dense searches (an outlet named in the question, ``--source``, dates) scan the
matching rows of the keyword index's vectors instead of sending Chroma a ``where``
query; on a small index Chroma's filtered search is exact, so both must agree.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from index.catalog import ChunkRow
from index.keyword import KeywordIndex, unit_rows
from index.outlets import normalize_source
from index.vectors import chroma_where
from rag.container import Services
from rag.retrieval import Filters
from tests.conftest import SEEDS


def _index(n: int, dim: int, seed: int) -> KeywordIndex:
    rng = np.random.default_rng(seed)
    rows = [ChunkRow(f"c{i}", f"d{i}", 0, 0, 4, "text", "text", "T", None, "x", None)
            for i in range(n)]
    return KeywordIndex.build(rows, 1, rng.normal(size=(n, dim)))


def _vectors(kw: KeywordIndex) -> np.ndarray:
    return np.concatenate([np.asarray(s.vectors) for s in kw.segments])


@pytest.mark.parametrize(("n_rows", "n", "masked"), [(50, 5, False), (50, 10, True), (7, 20, True),
                                                      (1, 1, False)])
def test_nearest_is_the_exact_top_n(n_rows: int, n: int, masked: bool) -> None:
    kw = _index(n_rows, 16, seed=n_rows + n)
    rng = np.random.default_rng(99)
    query = rng.normal(size=16).astype(np.float32)
    mask = rng.random(n_rows) < 0.5 if masked else None
    got = kw.nearest(query * 3.0, n, mask)  # the query's scale does not matter
    sims = _vectors(kw) @ (query / np.linalg.norm(query))
    allowed = np.arange(n_rows) if mask is None else np.flatnonzero(mask)
    expected = sorted(allowed, key=lambda i: -sims[i])[:n]
    assert [row for row, _ in got] == list(expected)
    assert [s for _, s in got] == pytest.approx([float(sims[i]) for i in expected], abs=1e-5)


def test_nearest_with_an_empty_mask_finds_nothing() -> None:
    kw = _index(10, 8, seed=1)
    assert kw.nearest(np.ones(8, dtype=np.float32), 5, np.zeros(10, dtype=bool)) == []


def test_unit_rows_leaves_zero_rows_alone() -> None:
    out = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.ravel().tolist() == pytest.approx([0.6, 0.8, 0.0, 0.0])


OUTLETS = ["Reuters", "The Verge", "TechCrunch"]
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike " \
    "november oscar papa quebec romeo".split()
TOPICS = [
    "Rockets were fired at the embassy compound late on Sunday, officials said.",
    "The council approved a new tram line to the airport after a long debate.",
    "A startup raised fresh funding to build batteries for electric trucks.",
    "Regulators opened an inquiry into the merger of two chip makers.",
]


@pytest.fixture
def indexed(fake_services: Services, tmp_path: Path) -> Services:
    """The seeds plus short articles from three outlets over two months."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    records = [
        {
            "id": f"a{i}",
            "title": f"Story {i}",
            "source": OUTLETS[i % 3],
            "published_at": f"2023-{10 + i % 2}-{1 + i:02d}",
            "body": " ".join(TOPICS[(i + j) % 4] for j in range(1 + i % 4))
            + f" Witness {WORDS[i]} counted {i * 7 + 3} {WORDS[(i * 5) % 18]} vehicles.",
        }
        for i in range(18)
    ]
    (folder / "records.json").write_text(json.dumps(records))
    report = fake_services.indexer().run([folder])
    assert report.failed == 0
    return fake_services


def test_keyword_index_keeps_every_chunk_vector(indexed: Services) -> None:
    store = indexed.store
    kw = store.keyword()
    vectors = _vectors(kw)
    assert kw.has_vectors and vectors.shape[0] == len(kw) > 0
    stored = store.vectors.get_vectors(kw.chunk_ids)
    for row, cid in enumerate(kw.chunk_ids):
        want = np.asarray(stored[cid], dtype=np.float32)
        assert np.allclose(vectors[row], want / np.linalg.norm(want), atol=1e-5)


def test_filtered_scan_agrees_with_chromas_filtered_query(indexed: Services) -> None:
    store = indexed.store
    kw = store.keyword()
    assert kw.sources, "the seeds name their outlets"
    vector = indexed.embedder.get_query_embedding("rockets fired at the embassy")
    for source in kw.sources:
        where = chroma_where(None, None, [source])
        chroma = [(h.chunk_id, h.score) for h in store.vectors.query(vector, 8, where)]
        mask = kw.mask(None, None, [source])
        scan = [(kw.chunk_ids[r], s) for r, s in kw.nearest(np.asarray(vector), 8, mask)]
        # same chunks, same similarities (Chroma may order exact ties differently)
        assert {c for c, _ in scan} == {c for c, _ in chroma}, source
        assert [s for _, s in scan] == pytest.approx([s for _, s in chroma], abs=1e-4)


def test_filtered_search_returns_only_matching_chunks(indexed: Services) -> None:
    kw = indexed.store.keyword()
    source = kw.sources[0]
    nodes = indexed.retriever.search(
        "embassy rockets", k=5, filters=Filters(sources=(source,)), mode="dense"
    )
    assert nodes
    rows = indexed.store.catalog.chunks([n.node.node_id for n in nodes])
    assert {normalize_source(r.source) for r in rows.values()} == {source}


def test_date_filtered_dense_search_matches_chroma(indexed: Services) -> None:
    store = indexed.store
    kw = store.keyword()
    since, until = Filters(since=date(2023, 11, 1)).since_day, date(2023, 11, 30).toordinal()
    vector = indexed.embedder.get_query_embedding("tram line to the airport")
    chroma = store.vectors.query(vector, 6, chroma_where(since, until, None))
    mask = kw.mask(since, until, None)
    scan = kw.nearest(np.asarray(vector), 6, mask)
    assert len(scan) == 6
    assert {kw.chunk_ids[r] for r, _ in scan} == {h.chunk_id for h in chroma}
    assert [s for _, s in scan] == pytest.approx([h.score for h in chroma], abs=1e-4)


def test_a_keyword_index_of_an_older_layout_is_rebuilt(indexed: Services) -> None:
    store = indexed.store
    expected = sorted(store.keyword().live_ids())
    (store.keyword_dir / "manifest.json").unlink()  # what a version-1 index directory lacks
    (store.keyword_dir / "columns.json").write_text("{}")
    store._keyword = None
    assert KeywordIndex.load(store.keyword_dir) is None
    rebuilt = store.keyword()
    assert sorted(rebuilt.live_ids()) == expected and rebuilt.has_vectors
    assert (store.keyword_dir / "manifest.json").exists()


def test_nearest_by_outlet_equals_the_masked_scan() -> None:
    rng = np.random.default_rng(5)
    start = date(2023, 1, 1)
    rows = [
        ChunkRow(f"c{i}", f"d{i}", 0, 0, 4, "text", "text", "T",
                 (start + timedelta(days=i)).isoformat(), "abc"[i % 3], None)
        for i in range(60)
    ]
    # three segments, one row of each deleted: outlets and deletions span segments
    kw = KeywordIndex.build(rows[:20], 1, rng.normal(size=(20, 8)))
    kw = kw.with_changes(rows[20:45], rng.normal(size=(25, 8)), [], 2)
    kw = kw.with_changes(rows[45:], rng.normal(size=(15, 8)), ["c3", "c30"], 3)
    assert len(kw.segments) == 3 and len(kw) == 58
    query = rng.normal(size=8).astype(np.float32)
    for sources in (["a"], ["b", "c"], ["zzz"]):
        for since in (None, (start + timedelta(days=30)).toordinal()):
            by_outlet = kw.nearest(query, 7, kw.mask(since, None), sources)
            masked = kw.nearest(query, 7, kw.mask(since, None, sources))
            assert [r for r, _ in by_outlet] == [r for r, _ in masked]
            assert [s for _, s in by_outlet] == pytest.approx([s for _, s in masked], abs=1e-6)
            assert not {kw.chunk_ids[r] for r, _ in by_outlet} & {"c3", "c30"}


def test_an_index_without_available_vectors_falls_back_and_is_not_rebuilt(
    tmp_path: Path,
) -> None:
    rows = [
        ChunkRow(f"c{i}", f"d{i}", 0, 0, 9, f"text {w}", f"text {w}", "t", None, None, None)
        for i, w in enumerate(["tram", "rockets", "funding"])
    ]
    KeywordIndex.build(rows, generation=1, vectors=None).save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded is not None and not loaded.has_vectors  # recorded as unavailable
    with pytest.raises(ValueError):
        loaded.nearest(np.ones(4, dtype=np.float32), 2)
