"""The vector store's two collections: small writes to the recent one, queries over both."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import vectors as vectors_module
from index.vectors import VectorStore, drop_collections, make_client, recent_name
from rag.container import Services
from tests.test_indexing import consistent, copy_seeds

DIM = 8


def unit(seed: int) -> list[float]:
    v = np.random.default_rng(seed).normal(size=DIM)
    return [float(x) for x in v / np.linalg.norm(v)]


def write(store: VectorStore, ids: list[str], recent: bool) -> None:
    store.add(ids, [unit(int(c.split("-")[1])) for c in ids], ids,
              [{"doc_id": c, "seq": 0} for c in ids], recent=recent)


@pytest.fixture
def store(tmp_path: Path) -> VectorStore:
    return VectorStore(make_client(tmp_path / "chroma", None), "articles", "test-model", None)


def test_small_write_goes_to_the_recent_collection_and_queries_see_both(
    store: VectorStore,
) -> None:
    write(store, [f"c-{i}" for i in range(10)], recent=False)
    write(store, ["c-10", "c-11"], recent=True)
    assert (store.count(), store.recent_count()) == (12, 2)
    for target in ("c-3", "c-11"):
        hits = store.query(unit(int(target.split("-")[1])), 3)
        assert hits[0].chunk_id == target and hits[0].score == pytest.approx(1.0, abs=1e-4)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(store.query(unit(0), 20)) == 12
    assert store.ids() == {f"c-{i}" for i in range(12)}
    assert set(store.get_vectors(["c-1", "c-11", "c-99"])) == {"c-1", "c-11"}


def test_a_large_write_moves_the_recent_vectors_into_the_main_collection(
    store: VectorStore,
) -> None:
    write(store, ["c-1", "c-2"], recent=True)
    write(store, ["c-3"], recent=False)
    assert (store.count(), store.recent_count()) == (3, 0)
    assert store.query(unit(2), 1)[0].chunk_id == "c-2"


def test_the_recent_collection_stays_small(
    store: VectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors_module, "RECENT_LIMIT", 3)
    write(store, ["c-1", "c-2"], recent=True)
    write(store, ["c-3", "c-4"], recent=True)  # would pass the limit: all go to main
    assert (store.count(), store.recent_count()) == (4, 0)
    write(store, ["c-5"], recent=True)
    assert store.recent_count() == 1


@pytest.mark.parametrize(
    ("removed", "left"),
    [(["c-1"], {"c-0", "c-2"}), (["c-2"], {"c-0", "c-1"}), (["c-1", "c-2", "c-9"], {"c-0"})],
)
def test_delete_finds_ids_in_either_collection(
    store: VectorStore, removed: list[str], left: set[str]
) -> None:
    write(store, ["c-0", "c-1"], recent=False)
    write(store, ["c-2"], recent=True)
    store.delete(removed)
    assert store.ids() == left
    assert {h.chunk_id for h in store.query(unit(0), 5)} == left


def test_dropping_removes_both_collections(tmp_path: Path) -> None:
    client = make_client(tmp_path / "chroma", None)
    store = VectorStore(client, "articles", "test-model", None)
    write(store, ["c-1"], recent=True)
    drop_collections(client, "articles")
    assert {c.name for c in client.list_collections()} == set()
    assert VectorStore(client, "articles", "test-model", None).count() == 0
    assert {c.name for c in client.list_collections()} == {"articles", recent_name("articles")}


def test_new_articles_go_to_the_recent_collection_and_an_update_to_the_main_one(
    fake_services: Services, tmp_path: Path
) -> None:
    folder = copy_seeds(tmp_path)
    report = fake_services.indexer().run([folder])
    vectors = fake_services.store.vectors
    assert vectors.recent_count() == report.chunks > 0
    seed = sorted(folder.glob("*.txt"))[0]
    seed.write_text(seed.read_text() + "\n\nThis article was updated with more reporting.\n")
    report = fake_services.indexer().run([folder])
    assert report.updated == 1
    # an update may rewrite chunk ids the main collection holds: it is written there
    assert vectors.recent_count() == 0
    consistent(fake_services)
