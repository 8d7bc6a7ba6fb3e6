"""Indexing: seeds end to end, incremental runs, pruning, failures, model mismatch."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from index.chunking import split_sentences
from index.clean import normalize_text
from rag.container import Services, build_services
from rag.errors import IndexMismatchError
from tests.conftest import SEEDS, make_settings
from tests.support.fakes import HashEmbedding

FURNITURE_WORDS = re.compile(
    r"subscri|reached your limit|akismet|leave a reply|share:|facebook|pinterest|₹|renews automatically|"
    r"^#\w+ #\w+|disclaimer|email address|published under|^video:",
    re.I | re.M,
)


def all_chunk_texts(services: Services) -> list[str]:
    return [row.text for row in services.store.catalog.iter_chunks()]


def article_sentences(raw: str) -> list[str]:
    """Sentences of a raw seed that are article prose by an independent, simple rule:
    from lines that end like prose and hold no furniture words, sentences of 6+ words."""
    out = []
    for line in normalize_text(raw).split("\n"):
        if FURNITURE_WORDS.search(line) or not re.search(r"[.!?\"”]$", line):
            continue
        line = re.sub(r"^date \d{4}-\d{2}-\d{2}\s+", "", line)
        for a, b in split_sentences(line):
            if len(line[a:b].split()) >= 6:
                out.append(line[a:b])
    return out


def test_seed_chunks_hold_no_furniture(seed_index: Services) -> None:
    texts = all_chunk_texts(seed_index)
    assert len(texts) >= 10
    for text in texts:
        assert not FURNITURE_WORDS.search(text), text
        assert not re.search(r"\d+ (Months?|Years?)\n", text)


def test_every_seed_sentence_is_retrievable(seed_index: Services) -> None:
    joined = "\n".join(all_chunk_texts(seed_index))
    flat = " ".join(joined.split())
    checked = 0
    for path in sorted(SEEDS.glob("*.txt")):
        for sentence in article_sentences(path.read_text()):
            assert " ".join(sentence.split()) in flat, (path.name, sentence)
            checked += 1
    assert checked > 60


def test_katyusha_question_ranks_that_passage_first(seed_index: Services) -> None:
    [top, *_] = seed_index.retriever.search("How many Katyusha rockets were aimed at the embassy?")
    assert top.node.metadata["doc_id"] == "003_4d07f30f24df0013"
    assert "three Katyusha rockets" in top.node.get_content()


def test_no_retrieved_passage_is_furniture(seed_index: Services) -> None:
    for q in [
        "Subscribe now price per month",
        "Leave a Reply comment email",
        "Share Facebook Twitter",
    ]:
        for hit in seed_index.retriever.search(q, k=10):
            assert not FURNITURE_WORDS.search(hit.node.get_content())


def copy_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


def consistent(services: Services) -> None:
    """Catalog, vectors and keyword index agree; no duplicate chunks."""
    catalog_ids = services.store.catalog.chunk_ids()
    assert len(catalog_ids) == len(set(catalog_ids))
    assert set(catalog_ids) == services.store.vectors.ids()
    kw = services.store.keyword()
    assert sorted(kw.live_ids()) == sorted(catalog_ids)
    assert kw.generation == services.store.catalog.generation()


def test_reindexing_unchanged_inputs_changes_nothing(
    fake_services: Services, tmp_path: Path
) -> None:
    folder = copy_seeds(tmp_path)
    first = fake_services.indexer().run([folder])
    assert (first.added, first.failed) == (5, 0)
    generation = fake_services.store.catalog.generation()
    second = fake_services.indexer().run([folder])
    assert (second.added, second.updated, second.unchanged, second.embedded, second.chunks) == (
        0,
        0,
        5,
        0,
        0,
    )
    assert fake_services.store.catalog.generation() == generation
    consistent(fake_services)


def test_changed_document_has_its_chunks_replaced(fake_services: Services, tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path)
    fake_services.indexer().run([folder])
    path = folder / "002_56d4c4de09e552c3.txt"
    before = set(fake_services.store.catalog.chunk_ids("002_56d4c4de09e552c3"))
    path.write_text(path.read_text().replace("Baghdad embassy", "Baghdad consulate"))
    report = fake_services.indexer().run([folder])
    assert (report.updated, report.unchanged) == (1, 4)
    # only chunks whose text changed needed the embedding model
    assert 0 < report.embedded < report.chunks
    after = set(fake_services.store.catalog.chunk_ids("002_56d4c4de09e552c3"))
    assert before.isdisjoint(after)
    consistent(fake_services)
    texts = " ".join(all_chunk_texts(fake_services))
    assert "Baghdad consulate" in texts and "close its Baghdad embassy" not in texts


def test_prune_removes_documents_whose_file_is_gone(
    fake_services: Services, tmp_path: Path
) -> None:
    folder = copy_seeds(tmp_path)
    fake_services.indexer().run([folder])
    (folder / "001_111dba048a61c606.txt").unlink()
    kept = fake_services.indexer().run([folder])
    assert kept.removed == 0 and "001_111dba048a61c606" in fake_services.store.catalog.documents()
    pruned = fake_services.indexer().run([folder], prune=True)
    assert pruned.removed == 1
    assert "001_111dba048a61c606" not in fake_services.store.catalog.documents()
    consistent(fake_services)


def test_bad_file_is_reported_and_the_rest_indexed(fake_services: Services, tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path)
    (folder / "broken.json").write_text("{not json")
    (folder / "empty.txt").write_text("")
    report = fake_services.indexer().run([folder])
    assert report.added == 5 and report.failed == 2
    assert {Path(e.path).name for e in report.errors} == {"broken.json", "empty.txt"}


def test_failed_reindex_keeps_what_was_indexed(fake_services: Services, tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path)
    fake_services.indexer().run([folder])
    (folder / "003_4d07f30f24df0013.txt").write_bytes(b"\x00\x01" * 100)
    report = fake_services.indexer().run([folder])
    assert report.failed == 1
    assert "003_4d07f30f24df0013" in fake_services.store.catalog.documents()


def test_another_embedding_model_is_refused_with_rebuild_hint(
    tmp_path: Path, onnx_embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path / "index")
    first = build_services(settings, embedder=HashEmbedding())
    first.indexer().run([copy_seeds(tmp_path)])
    first.close()
    other = build_services(settings, embedder=onnx_embedder)
    with pytest.raises(IndexMismatchError, match="rag index --rebuild"):
        _ = other.store
    other.reset_index()
    report = other.indexer().run([tmp_path / "articles"])
    assert report.added == 5
    other.close()


def test_interrupted_run_is_reconciled(fake_services: Services, tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path)
    fake_services.indexer().run([folder])
    # simulate a crash after vectors were written but before the catalog commit
    store = fake_services.store
    store.vectors.add(
        ["000_835005947637d3a7:99:deadbeef"], [[0.1] * 256], ["orphan"], [{"doc_id": "x", "seq": 0}]
    )
    store.catalog.set_meta("dirty", "1")
    fake_services.indexer().run([folder])
    consistent(fake_services)
