"""The Corpus tab's handlers over real services: uploads in every registered format are
indexed and removed again, with their size checked and their names made safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.container import Services
from rag.ingestion import safe_filename
from rag.settings import Settings
from ui.corpus import CorpusUI


def test_upload_and_remove(seeded: Services, tmp_path: Path) -> None:
    ui = CorpusUI(seeded)
    article = tmp_path / "in" / "quillmere.txt"
    article.parent.mkdir()
    article.write_text("Quillmere lighthouse gets a keeper\n\nThe Quillmere Lighthouse Trust "
                       "appointed Ottoline Varga as keeper of the 42-metre tower.\n",
                       encoding="utf-8")
    bad = tmp_path / "in" / "notes.exe"
    bad.write_bytes(b"MZ")
    done = ui.index_files([str(article), str(bad)])
    log, rows, status, cleared = done.log, done.docs, done.status, done.entry
    assert "1 added" in log and "skipped notes.exe" in log
    assert cleared is None
    assert any(r[0] == "quillmere" and "Quillmere" in r[1] for r in rows)
    assert "6 articles" in status
    assert (seeded.settings.index_dir / "uploads" / "quillmere.txt").is_file()

    done = ui.remove("quillmere, nosuchdoc")
    log, rows, status = done.log, done.docs, done.status
    assert log == "1 removed, 1 not found"
    assert not any(r[0] == "quillmere" for r in rows)
    assert not (seeded.settings.index_dir / "uploads" / "quillmere.txt").exists()

def test_every_registered_format_is_uploadable(seeded: Services, tmp_path: Path) -> None:
    """The upload types, the label and removal come from the format registry (a PDF
    is accepted with no UI edit), and each upload is indexed by the handler."""
    from index import formats
    from tests.support.pdf import make_pdf
    from ui.corpus import UPLOAD_TYPES, upload_label

    assert set(UPLOAD_TYPES) == set(formats.suffixes())
    assert {".pdf", ".htm", ".markdown"} <= set(UPLOAD_TYPES)
    assert "PDF (.pdf)" in upload_label(Settings()) and ".htm" in upload_label(Settings())
    src = tmp_path / "in"
    src.mkdir()
    (src / "keeper.pdf").write_bytes(make_pdf(
        [["Quillmere lighthouse gets a keeper",
          "The trust appointed Ottoline Varga as keeper of the 42-metre tower."]]))
    (src / "ferry.htm").write_text(
        "<html><head><title>Quillmere ferry sails again</title></head><body><article>"
        "<p>The Quillmere ferry resumed service after winter repairs to its hull, the "
        "harbour master said.</p></article></body></html>", encoding="utf-8")
    (src / "bridge.markdown").write_text(
        "# Harwick bridge reopens\n\nThe **Harwick** bridge reopened after a year.\n",
        encoding="utf-8")
    ui = CorpusUI(seeded)
    done = ui.index_files([str(p) for p in sorted(src.iterdir())])
    log, rows, status, cleared = done.log, done.docs, done.status, done.entry
    assert "3 added" in log and "0 failed" in log and "skipped" not in log, log
    assert cleared is None and "8 articles" in status
    titles = {r[0]: r[1] for r in rows}
    assert titles["keeper"] == "Quillmere lighthouse gets a keeper"
    assert titles["ferry"] == "Quillmere ferry sails again"
    assert titles["bridge"] == "Harwick bridge reopens"
    uploads = seeded.settings.index_dir / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == [
        "bridge.markdown", "ferry.htm", "keeper.pdf"]

    log = ui.remove("keeper ferry bridge").log
    assert log == "3 removed, 0 not found"
    assert not list(uploads.iterdir())  # removal suffixes come from the registry too

def test_the_handler_checks_the_size_too(seeded: Services, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seeded.settings, "ui_max_upload_mb", 1)
    article = tmp_path / "long.txt"
    article.write_text("Long article\n\n" + "words " * 200_000, encoding="utf-8")
    log = CorpusUI(seeded).index_files([str(article)]).log
    assert "skipped long.txt" in log and "limit" in log

def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd.txt") == "passwd.txt"
    assert safe_filename(".hidden.md") == "hidden.md"
    assert safe_filename("a<b>?.txt") == "a_b_.txt"
