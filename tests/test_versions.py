"""Updated articles: the same document indexed again with changed text is a new version.
Retrieval sees only the new text; the catalog keeps every version's date and hash;
source lines say "updated ... (first published ...)"; ``rag docs --history`` lists them;
a catalog from before versions is migrated when opened."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from index.catalog import Catalog
from index.documents import Article
from rag.cli import cli
from rag.container import Services
from rag.grounding.passages import Passage, date_label, number_passages

FIRST = (
    "The Kettleby ferry will stop running on Sundays from November, the operator said, "
    "because too few passengers use the late crossings. Weekday sailings are unchanged.\n\n"
    "The operator said the Sunday timetable carried an average of 31 passengers a day "
    "last winter."
)
SECOND = (
    "The Kettleby ferry will keep its Sunday crossings after all, the operator said, "
    "following a petition signed by 2,400 residents. Weekday sailings are unchanged.\n\n"
    "The operator said it would review the Sunday timetable again next spring."
)


def article_file(folder: Path, body: str, day: str = "2023-10-03") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ferry.md"
    path.write_text(
        f"---\ntitle: Kettleby ferry Sunday service\nsource: Harbour News\ndate: {day}\n"
        f"---\n\n{body}\n",
        encoding="utf-8",
    )
    return path


def rag_docs(services: Services, *args: str) -> Result:
    index_dir = services.settings.index_dir
    services.close()
    return CliRunner().invoke(cli, ["--index-dir", str(index_dir), "docs", *args])


@pytest.fixture
def fakes_by_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its own services: the hash embedder, chosen through settings."""
    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_EMBED_BACKEND", "hash")


def test_changed_text_is_a_new_version_that_replaces_the_old(
    fake_services: Services, tmp_path: Path, fakes_by_settings: None
) -> None:
    folder = tmp_path / "articles"
    article_file(folder, FIRST)
    fake_services.indexer().run([folder])
    article_file(folder, SECOND)
    report = fake_services.indexer().run([folder])
    assert report.updated == 1
    catalog = fake_services.store.catalog
    versions = catalog.versions("ferry")
    assert [v.seq for v in versions] == [1, 2]
    assert versions[0].content_hash != versions[1].content_hash
    assert all(v.indexed_at and v.indexed_at.endswith("+00:00") for v in versions)
    # retrieval returns the new text only
    nodes = fake_services.retriever.search("Kettleby ferry Sunday crossings passengers", k=5)
    text = " ".join(n.node.get_content() for n in nodes)
    assert "petition signed by 2,400 residents" in text and "31 passengers" not in text
    # the same date in both versions: not an update to show
    assert number_passages(nodes)[0].source_line() == "Harbour News, 3 October 2023"

    result = rag_docs(fake_services, "--history", "ferry")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ferry: 2 versions"
    assert [line.split()[0] for line in lines[1:]] == ["1", "2"]
    for line, v in zip(lines[1:], versions, strict=True):
        assert "published 2023-10-03" in line and v.content_hash[:12] in line
        assert "Kettleby ferry Sunday service" in line
    as_json = json.loads(rag_docs(fake_services, "--history", "ferry", "--json").stdout)
    assert [v["content_hash"] for v in as_json] == [v.content_hash for v in versions]


def test_unchanged_reindex_adds_no_version(fake_services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    article_file(folder, FIRST)
    fake_services.indexer().run([folder])
    fake_services.indexer().run([folder])
    assert len(fake_services.store.catalog.versions("ferry")) == 1


def test_a_later_date_reads_as_an_update(fake_services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    article_file(folder, FIRST, day="2023-10-03")
    fake_services.indexer().run([folder])
    article_file(folder, SECOND, day="2023-10-05")
    fake_services.indexer().run([folder])
    nodes = fake_services.retriever.search("Kettleby ferry Sunday crossings", k=3)
    [passage, *_] = number_passages(nodes)
    assert passage.source_line() == (
        "Harbour News, updated 5 October 2023 (first published 3 October 2023)")
    assert passage.published_at == "2023-10-05"  # filters and ordering use the current date


def test_updated_at_later_than_first_publication(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    article = Article("d1", "Title", "Text of the article.", "/x", "h1",
                      published_at="2023-10-03", updated_at="2023-10-06T09:30:00+00:00")
    with catalog.transaction() as conn:
        catalog.put_document(conn, article, [])
    assert catalog.updated_documents() == {"d1": ("2023-10-03", "2023-10-06")}
    assert catalog.documents()["d1"].updated_at == "2023-10-06T09:30:00+00:00"
    catalog.close()


@pytest.mark.parametrize(
    ("published", "first", "updated", "expected"),
    [
        ("2023-10-03", None, None, "3 October 2023"),
        (None, None, None, None),
        ("2023-10-05", "2023-10-03", "2023-10-05",
         "updated 5 October 2023 (first published 3 October 2023)"),
        ("2023-10-03", "2023-10-03", "2023-10-03", "3 October 2023"),
    ],
)
def test_date_label(published: str | None, first: str | None, updated: str | None,
                    expected: str | None) -> None:
    assert date_label(published, first, updated) == expected
    passage = Passage(1, "d", "d:0", "T", "x", source="S", published_at=published,
                      first_published_at=first, updated_at=updated)
    assert passage.when() == expected


def test_history_of_an_unknown_id_is_one_line(
    fake_services: Services, tmp_path: Path, fakes_by_settings: None
) -> None:
    article_file(tmp_path / "articles", FIRST)
    fake_services.indexer().run([tmp_path / "articles"])
    result = rag_docs(fake_services, "--history", "nope")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no indexed article has the id 'nope' (see `rag docs`)"


def test_docs_lists_a_story_together_with_its_story_id(
    fake_services: Services, tmp_path: Path, fakes_by_settings: None
) -> None:
    from tests.test_stories import write_articles

    fake_services.indexer().run([write_articles(tmp_path / "articles")])
    result = rag_docs(fake_services)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("courier "))
    assert {lines[first + 1].split()[1], lines[first + 2].split()[1]} == {"ledger", "valley"}
    assert lines[first + 1].startswith("  + ")
    assert lines[-1] == "5 documents, 3 stories (1 carried by more than one article, listed together)"
    rows = json.loads(rag_docs(fake_services, "--json").stdout)
    assert {r["doc_id"]: r["story_id"] for r in rows}["valley"] == "courier"


OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, published_at TEXT, source TEXT, url TEXT,
    author TEXT, origin TEXT NOT NULL, content_hash TEXT NOT NULL, n_chunks INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    embed_text TEXT NOT NULL
);
CREATE TABLE embed_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
INSERT INTO meta VALUES ('generation', '4');
INSERT INTO documents VALUES ('old', 'Old article', '2020-03-16', 'Gazette', NULL, NULL,
    '/x/old.txt', 'abc123', 0, 'Text of an article indexed before versions.');
"""


def test_a_catalog_from_before_versions_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
    catalog = Catalog(path)
    [doc] = catalog.documents().values()
    assert (doc.doc_id, doc.story_id, doc.updated_at) == ("old", "old", None)
    [version] = catalog.versions("old")
    assert (version.seq, version.content_hash, version.published_at, version.indexed_at) == (
        1, "abc123", "2020-03-16", None)
    assert not catalog.stories_current()  # the next indexing run groups its stories
    catalog.close()
    again = Catalog(path)  # opening it again changes nothing
    assert len(again.versions("old")) == 1
    changed = Article("old", "Old article", "New text.", "/x/old.txt", "def456",
                      published_at="2020-03-17")
    with again.transaction() as conn:
        again.put_document(conn, changed, [])
    assert [v.content_hash for v in again.versions("old")] == ["abc123", "def456"]
    assert again.updated_documents() == {"old": ("2020-03-16", "2020-03-17")}
    again.close()


def test_a_document_dropped_by_crash_recovery_keeps_its_history(
    fake_services: Services, tmp_path: Path
) -> None:
    """Reconcile drops a document whose vectors went missing so the run indexes it again;
    that is the same version, not a new one, and its history stays."""
    folder = tmp_path / "articles"
    article_file(folder, FIRST)
    fake_services.indexer().run([folder])
    article_file(folder, SECOND)
    fake_services.indexer().run([folder])
    store = fake_services.store
    store.vectors.delete(store.catalog.chunk_ids("ferry"))
    store.catalog.set_meta("dirty", "1")
    report = fake_services.indexer().run([folder])
    assert report.added == 1
    assert [v.seq for v in store.catalog.versions("ferry")] == [1, 2]
