"""The ingestion service the CLI and the UI share: incremental adds, uploads checked
against the format registry, removal of documents and their uploads, one writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.lock import writer_lock
from rag.container import Services
from rag.errors import IndexBusyError
from rag.ingestion import Ingestion
from tests.support.pdf import make_pdf

BRIDGE = "Bridge reopens\n\nThe Harwick bridge reopened on Monday after a year of work.\n"
FERRY = "Ferry sails again\n\nThe Quillmere ferry resumed service after winter repairs.\n"


@pytest.fixture
def ingestion(fake_services: Services) -> Ingestion:
    return fake_services.ingestion


def corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    (root / "ferry.md").write_text(FERRY, encoding="utf-8")
    return root


def test_the_service_is_built_once_by_the_container(fake_services: Services) -> None:
    assert fake_services.ingestion is fake_services.ingestion
    assert fake_services.ingestion.uploads_dir == fake_services.settings.index_dir / "uploads"


def test_adding_twice_is_incremental(tmp_path: Path, fake_services: Services,
                                     ingestion: Ingestion) -> None:
    folder = corpus(tmp_path / "in")
    seen: list[tuple[int, int, str]] = []
    first = ingestion.add([folder], progress=lambda *a: seen.append(a))
    assert (first.added, first.unchanged, first.failed) == (2, 0, 0)
    assert seen[-1][:2] == (2, 2)
    again = ingestion.add([folder])
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 2, 0)
    (folder / "bridge.txt").write_text(BRIDGE + "Traffic is back to normal.\n", encoding="utf-8")
    changed = ingestion.add([folder])
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 1)
    assert set(fake_services.store.catalog.documents()) == {"bridge", "ferry"}


def test_prune_and_rebuild(tmp_path: Path, fake_services: Services,
                           ingestion: Ingestion) -> None:
    folder = corpus(tmp_path / "in")
    ingestion.add([folder])
    (folder / "ferry.md").unlink()
    pruned = ingestion.add([folder], prune=True)
    assert pruned.removed == 1 and set(fake_services.store.catalog.documents()) == {"bridge"}
    rebuilt = ingestion.add([folder], rebuild=True)
    assert rebuilt.added == 1 and rebuilt.unchanged == 0


def test_a_bad_file_is_a_one_line_error_and_the_rest_is_indexed(
    tmp_path: Path, fake_services: Services, ingestion: Ingestion
) -> None:
    folder = corpus(tmp_path / "in")
    (folder / "noise.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "scan.pdf").write_bytes(make_pdf([[]]))
    report = ingestion.add([folder, tmp_path / "missing.txt"])
    assert report.added == 2 and report.failed == 3
    messages = sorted(str(e) for e in report.errors)
    assert all("\n" not in m for m in messages)
    assert any("missing.txt" in m and "no such file" in m for m in messages)
    assert any("noise.txt" in m and "binary file" in m for m in messages)
    assert any("scan.pdf" in m and "no text layer" in m for m in messages)
    assert set(fake_services.store.catalog.documents()) == {"bridge", "ferry"}


def test_uploads_are_copied_checked_and_indexed(tmp_path: Path, fake_services: Services,
                                               ingestion: Ingestion) -> None:
    src = tmp_path / "browser"
    src.mkdir()
    (src / "ferry report.htm").write_text(
        "<html><head><title>Ferry sails again</title></head><body><article><p>The "
        "Quillmere ferry resumed service after winter repairs to its hull, the harbour "
        "master said on Monday.</p></article></body></html>", encoding="utf-8")
    (src / "bridge.markdown").write_text("---\ntitle: Bridge reopens\n---\n" + BRIDGE,
                                         encoding="utf-8")
    (src / "lighthouse.pdf").write_bytes(make_pdf(
        [["Lighthouse gets a keeper", "The trust appointed Ottoline Varga as keeper."]]))
    (src / "scan.pdf").write_bytes(make_pdf([[]]))
    (src / "tool.exe").write_bytes(b"MZ")
    (src / "big.txt").write_text("Big\n\n" + "words " * 600, encoding="utf-8")
    files = sorted(src.iterdir())
    result = ingestion.add_uploads(files, max_bytes=2000)
    assert result.error is None and result.report is not None
    refused = sorted(str(e) for e in result.refused)
    assert refused[0].startswith("big.txt: ") and "over the 0 MB limit" in refused[0]
    assert refused[1].startswith("tool.exe: only ") and ".pdf" in refused[1]
    assert result.report.added == 3 and result.report.failed == 1
    assert "scan.pdf" in str(result.report.errors[0])
    uploads = ingestion.uploads_dir
    # Kept under a safe name; the upload that failed to index is deleted again.
    assert sorted(p.name for p in uploads.iterdir()) == [
        "bridge.markdown", "ferry report.htm", "lighthouse.pdf"]
    docs = fake_services.store.catalog.documents()
    assert set(docs) == {"bridge", "ferry report", "lighthouse"}
    assert docs["lighthouse"].title == "Lighthouse gets a keeper"
    assert docs["bridge"].title == "Bridge reopens"


def test_removing_deletes_the_document_and_its_upload(tmp_path: Path, fake_services: Services,
                                                      ingestion: Ingestion) -> None:
    src = tmp_path / "lighthouse.pdf"
    src.write_bytes(make_pdf([["Lighthouse gets a keeper", "Ottoline Varga is the keeper."]]))
    records = tmp_path / "lighthouse.jsonl"  # many articles: never deleted with one of them
    records.write_text('{"id": "lighthouse2", "title": "Another", "body": "Text of it."}\n',
                       encoding="utf-8")
    ingestion.add_uploads([src, records])
    assert (ingestion.uploads_dir / "lighthouse.pdf").is_file()
    assert ingestion.remove(["lighthouse", "nosuchdoc"]) == 1
    assert not (ingestion.uploads_dir / "lighthouse.pdf").exists()
    assert (ingestion.uploads_dir / "lighthouse.jsonl").is_file()
    assert set(fake_services.store.catalog.documents()) == {"lighthouse2"}
    assert src.is_file()  # the original is never touched


def test_a_held_writer_lock_gives_the_busy_error(tmp_path: Path, fake_services: Services,
                                                 ingestion: Ingestion) -> None:
    folder = corpus(tmp_path / "in")
    with writer_lock(fake_services.settings.index_dir):
        with pytest.raises(IndexBusyError, match="another `rag index`.*is writing to"):
            ingestion.add([folder])
        with pytest.raises(IndexBusyError):
            ingestion.remove(["bridge"])
        result = ingestion.add_uploads([folder / "bridge.txt"])
        assert isinstance(result.error, IndexBusyError) and result.report is None
        assert (ingestion.uploads_dir / "bridge.txt").is_file()  # kept for the next try
    assert ingestion.add([folder]).added == 2  # free again
