"""Indexes that grow: the keyword index takes new chunks as new segments and removed
ones as deletions, scoring exactly as an index built from scratch; stories are
regrouped only where a change can reach, with the result a whole regrouping gives; a
run killed between its catalog commit and its keyword commit leaves an index that
readers catch up in memory and the next run repairs."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import pytest

from index import segments, stories
from index.catalog import ChunkRow, ImportState
from index.embedding import NewsEmbedding
from index.indexer import EMBEDDING, IMPORT_SIZE
from index.keyword import KeywordIndex, tokenize
from index.store import IndexStore
from index.vectors import VectorStore
from rag.container import Services
from rag.llms.select import BackendChoice
from tests.support.reliability import (
    article_record,
    assert_committed_documents_complete,
    assert_consistent,
    embedded_documents,
    read_store,
    write_jsonl,
)
from tests.test_stories import ARTICLES, write_articles
from ui import render

WORDS = ("flood barrier council vote harbour estuary gates storm surge mayor ferry "
         "library children workshop garden printers budget tram airport rockets").split()


def _rows(rng: random.Random, start: int, n: int) -> list[ChunkRow]:
    out = []
    for i in range(start, start + n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 25)))
        out.append(ChunkRow(f"d{i}:0:x", f"d{i}", 0, 0, len(text), text, text, "T",
                            f"2023-0{1 + i % 9}-01", rng.choice(["Reuters", "Verge", None]),
                            None))
    return out


def _reference(rows: list[ChunkRow], query: str) -> dict[str, float]:
    """bm25s over ``rows`` built in one go: the scores a segmented index must give."""
    bm25 = bm25s.BM25()
    bm25.index(tokenize([r.embed_text for r in rows]), show_progress=False)
    ids = bm25.get_tokens_ids(tokenize([query])[0])
    scores = bm25.get_scores_from_ids(ids) if ids else np.zeros(len(rows))
    return {r.chunk_id: float(s) for r, s in zip(rows, scores, strict=True)}


def _scores(kw: KeywordIndex, query: str) -> dict[str, float]:
    scores = kw.scores(query)
    live = set(kw.live_ids())
    return {c: float(s) for c, s in zip(kw.chunk_ids, scores, strict=True) if c in live}


QUERIES = ["flood barrier", "storm storm surge ferry", "rockets at the airport", "unknownword"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_segmented_index_scores_as_one_built_from_scratch(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    live = _rows(rng, 0, 40)
    kw = KeywordIndex.build(live, 1)
    next_id = 40
    for step in range(2, 30):  # enough small segments for merges to happen
        added = _rows(rng, next_id, rng.randint(0, 6))
        next_id += len(added)
        gone = {r.chunk_id for r in rng.sample(live, k=min(len(live), rng.randint(0, 3)))}
        kw = kw.with_changes(added, None, gone, step).merged()
        live = [r for r in live if r.chunk_id not in gone] + added
        if step % 7 == 0:  # through the disk now and then
            kw.save(tmp_path / "kw")
            loaded = KeywordIndex.load(tmp_path / "kw", reuse=kw)
            assert loaded is not None
            kw = loaded
        assert sorted(kw.live_ids()) == sorted(r.chunk_id for r in live)
        for query in QUERIES:
            got, want = _scores(kw, query), _reference(live, query)
            assert got.keys() == want.keys()
            assert all(got[c] == pytest.approx(want[c], rel=segments.AVG_TOLERANCE, abs=1e-6)
                       for c in want)
        if kw.live is not None:  # deleted rows never score
            assert not kw.scores("flood")[~kw.live].any()
    assert len(kw.segments) < segments.MERGE_FACTOR * 3


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([(5, 0)] * 9, []),  # nine small ones wait for a tenth
        ([(5, 0)] * 10, [list(range(10))]),
        ([(1000, 0)] + [(5, 0)] * 10, [list(range(1, 11))]),  # the big one is left alone
        ([(10, 0)] * 3 + [(3, 0)] * 10, [list(range(3, 13))]),
        ([(100, 40)], [[0]]),  # too much of it deleted: rewritten
        ([(100, 20)], []),
        ([(segments.MAX_SEGMENT_ROWS // 5, 0)] * 10, []),  # would grow past the cap
    ],
)
def test_merge_plan(sizes: list[tuple[int, int]], expected: list[list[int]]) -> None:
    assert segments.merge_plan(sizes) == expected


def test_an_added_article_is_a_new_segment_beside_the_old_ones(
    fake_services: Services, tmp_path: Path
) -> None:
    folder = write_articles(tmp_path / "articles", ["courier", "reaction"])
    fake_services.indexer().run([folder])
    store = fake_services.store
    before = {s.name for s in store.keyword().segments}
    write_articles(folder, ["library"])
    report = fake_services.indexer().run([folder])
    assert report.added == 1
    kw = store.keyword()
    assert before < {s.name for s in kw.segments}, "the old segments are kept as they were"
    assert kw.generation == store.catalog.generation()
    top = kw.top(kw.scores("Bramblecote library rooftop garden"), 3)
    assert kw.doc_ids[top[0][0]] == "library"
    # a reader that held the old index keeps its segments and loads only the new one
    reader = IndexStore(store.index_dir, store.embed_model)
    try:
        held = reader.keyword()
        fake_services.indexer().remove(["reaction"])
        again = reader.keyword()
        kept = {id(s) for s in held.segments} & {id(s) for s in again.segments}
        assert kept and "reaction" not in {again.doc_ids[r] for r, _ in
                                            again.top(again.scores("fishing crews"), 5)}
    finally:
        reader.close()


def test_a_run_killed_before_its_keyword_commit_is_caught_up(
    fake_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_articles(tmp_path / "articles", ["courier", "library"])
    fake_services.indexer().run([folder])
    store = fake_services.store
    write_articles(folder, ["reaction", "ledger"])

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies right after the catalog commit

    with monkeypatch.context() as patch:
        patch.setattr(IndexStore, "commit_keyword", killed)
        with pytest.raises(KeyboardInterrupt):
            fake_services.indexer().run([folder])
    state = read_store(store.index_dir)
    assert state.keyword is not None and state.dirty == "1"
    on_disk = set(state.keyword.live_ids())
    assert on_disk < set(state.catalog_ids), "the manifest is behind the catalog"
    # A reader catches up in memory (and writes nothing) ...
    reader = IndexStore(store.index_dir, store.embed_model)
    try:
        assert sorted(reader.keyword().live_ids()) == sorted(state.catalog_ids)
    finally:
        reader.close()
    assert set(read_store(store.index_dir).keyword.live_ids()) == on_disk  # type: ignore[union-attr]
    # ... and the next run repairs the index for good.
    fake_services.indexer().run([folder])
    assert_consistent(read_store(store.index_dir))


def _full_grouping(services: Services) -> dict[str, str]:
    catalog = services.store.catalog
    docs = catalog.documents()
    return stories.group([
        stories.StoryDoc(d.doc_id, d.published_at, stories.signature(catalog.document_text(d.doc_id) or ""))
        for d in docs.values()
    ])


def test_incremental_story_grouping_equals_a_whole_regrouping(
    fake_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    whole: list[int] = []
    original = IndexStore._regroup_all

    def counting(self: IndexStore) -> int:
        whole.append(1)
        return original(self)

    monkeypatch.setattr(IndexStore, "_regroup_all", counting)
    indexer = fake_services.indexer
    catalog = fake_services.store.catalog

    def check() -> None:
        recorded = {d.doc_id: d.story_id or d.doc_id for d in catalog.documents().values()}
        assert recorded == _full_grouping(fake_services)
        # the chunk count kept beside the writes is the count
        assert catalog.count_chunks() == len(catalog.chunk_ids()) > 0

    indexer().run([write_articles(folder, ["library", "reaction"])])  # first: grouped whole
    assert whole == [1]
    check()
    indexer().run([write_articles(folder, ["ledger"])])
    check()
    indexer().run([write_articles(folder, ["courier", "valley"])])  # joins; renames the story
    check()
    assert catalog.documents()["valley"].story_id == "courier"
    (folder / "ledger.md").write_text((folder / "ledger.md").read_text().split("\n\n")[0]
                                      + "\n\n" + ARTICLES["library"][3])
    indexer().run([folder])  # an update takes a copy out of the story
    check()
    indexer().remove(["courier"])  # the story's name goes with its first member
    check()
    assert catalog.documents()["valley"].story_id != "courier"
    assert whole == [1], "no later run regrouped everything"


def test_the_status_line_says_how_far_an_import_is(
    fake_services: Services, tmp_path: Path
) -> None:
    catalog = fake_services.store.catalog
    corpus = write_jsonl(tmp_path / "corpus.jsonl", 400)
    seen: list[ImportState | None] = []
    indexer = fake_services.indexer()
    indexer.run([corpus], progress=lambda done, total, _: seen.append(catalog.running_import()))
    during = [s for s in seen if s is not None]
    reading = [s for s in during if s.done < s.total]
    embedding = [s for s in during if s.done == s.total]
    assert reading and all(s.total == 400 and s.done > 0 == s.embedded for s in reading)
    assert embedding and all(s.total == 400 for s in embedding)
    assert [s.embedded for s in embedding] == sorted(s.embedded for s in embedding)
    assert (embedding[0].embedded, embedding[-1].embedded) == (0, 400)
    assert catalog.running_import() is None, "cleared when the run ends"
    # ... and when it stops on an error (this process, still alive, would look importing)
    calls = {"n": 0}
    original = type(indexer)._write

    def failing(self: object, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(28, "No space left on device")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(indexer), "_write", failing)
        with pytest.raises(OSError):
            indexer.run([write_jsonl(tmp_path / "more.jsonl", 400, seed=1)])
    assert calls["n"] > 1 and catalog.running_import() is None
    catalog.set_import(1200, 100_000)
    html = render.status_html(BackendChoice("embedded", "gemma.gguf", "no Ollama"), 5, 17, "minilm", running=catalog.running_import())
    assert "Importing: 1,200 of 100,000 articles indexed so far" in html
    catalog.set_import(100_000, 100_000, embedded=1200)
    html = render.import_status(catalog.running_import())
    assert "100,000 of 100,000 articles searchable by keyword so far, 1,200 of them" in html
    # the record of a killed import is ignored
    gone = subprocess.Popen(["true"])
    gone.wait()
    record = json.loads(catalog.get_meta("import") or "{}")
    catalog.set_meta("import", json.dumps({**record, "pid": gone.pid}))
    assert catalog.running_import() is None


def test_a_large_import_is_searchable_by_keyword_before_it_is_embedded(
    fake_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = IMPORT_SIZE + 50
    corpus = write_jsonl(tmp_path / "corpus.jsonl", n)
    last = article_record(n - 1)
    indexer = fake_services.indexer()
    store = fake_services.store
    original = type(indexer.embedder).encode
    seen: list[tuple[int, set[str], list[str], ImportState | None, int]] = []

    def watching(self: NewsEmbedding, texts: Sequence[str]) -> np.ndarray:
        if not seen:  # the first article to embed: what a reader finds at that moment
            reader = IndexStore(store.index_dir, store.embed_model)
            try:
                kw = reader.keyword()
                query = last["body"].splitlines()[0]
                top = [kw.chunk_ids[row] for row, _ in kw.top(kw.scores(query), 3)]
                seen.append((reader.catalog.count_documents(), set(kw.live_ids()), top,
                             reader.catalog.running_import(), len(reader.vectors.ids())))
            finally:
                reader.close()
        return original(self, texts)

    monkeypatch.setattr(type(indexer.embedder), "encode", watching)
    labels: list[tuple[int, str]] = []
    report = indexer.run([corpus], progress=lambda done, _, label: labels.append((done, label)))
    assert report.added == n and report.embedded == report.chunks
    docs, live, top, running, vectors = seen[0]
    assert docs == n and vectors == 0, "every article read and written before any embedding"
    assert live == set(store.catalog.chunk_ids()), "all of them searchable by keyword"
    assert top and top[0].startswith(f"{last['id']}:"), "the last article is found by its words"
    assert running is not None and running.done == running.total == n and running.embedded == 0
    embedding = [done for done, label in labels if label == EMBEDDING]
    assert embedding == sorted(embedding) and embedding[-1] == n
    assert [label for _, label in labels].index(EMBEDDING) == n, "read first, then embedded"
    # Afterwards every chunk has its vector in the store and in the keyword index.
    state = read_store(store.index_dir)
    assert_consistent(state)
    assert state.keyword is not None and state.keyword.has_vectors


def test_a_large_import_killed_while_it_embeds_is_finished_by_the_next_run(
    fake_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = IMPORT_SIZE + 50
    corpus = write_jsonl(tmp_path / "corpus.jsonl", n, sentences=40)  # batches of 256 chunks
    original = VectorStore.add
    calls = {"n": 0}

    def failing(self: VectorStore, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(28, "No space left on device")
        original(self, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(VectorStore, "add", failing)
        with pytest.raises(OSError):
            fake_services.indexer().run([corpus])
    state = read_store(fake_services.store.index_dir)
    assert len(state.documents) == n and state.dirty == "1"
    assert_committed_documents_complete(state, unembedded_ok=True)
    embedded = embedded_documents(state)
    assert 0 < len(embedded) < n
    report = fake_services.indexer().run([corpus])
    assert (report.added, report.unchanged) == (n - len(embedded), len(embedded))
    assert 0 < report.embedded < report.chunks, "what was embedded before is in the cache"
    assert_consistent(read_store(fake_services.store.index_dir))
