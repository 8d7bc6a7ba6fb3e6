"""PDF articles: text page by page, title and date from the metadata, one-line errors
for encrypted, damaged and text-less files (the rest of the batch goes on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import formats
from index.loaders import iter_files, read_file, to_article
from rag.container import Services
from rag.errors import InputError
from tests.support.pdf import encrypt_pdf, make_pdf

FERRY = [
    ["Quillmere ferry sails again", "The Quillmere ferry (Line 4) resumed service on Monday",
     "after a winter of repairs to its hull."],
    ["Ottoline Varga, the harbour master, said 1,200 passengers crossed on the first day."],
]


def load(path: Path):  # type: ignore[no-untyped-def]
    [record] = read_file(path)
    assert not isinstance(record, InputError), record
    return to_article(record)


def test_pdf_is_a_registered_format() -> None:
    fmt = formats.for_suffix(".PDF")
    assert fmt is not None and fmt.name == "pdf" and fmt.single_article
    assert ".pdf" in formats.suffixes() and "PDF (.pdf)" in formats.describe()


def test_text_of_every_page_title_and_date_from_the_metadata(tmp_path: Path) -> None:
    path = tmp_path / "ferry.pdf"
    path.write_bytes(make_pdf(FERRY, title="Ferry back after repairs",
                              creation_date="D:20210305120000Z"))
    article = load(path)
    assert article.doc_id == "ferry" and article.origin == str(path.resolve())
    assert article.title == "Ferry back after repairs"
    assert article.published_at == "2021-03-05"
    assert "resumed service on Monday" in article.text
    assert "1,200 passengers crossed" in article.text  # the second page
    assert article.text.index("Line 4") < article.text.index("harbour master")


def test_without_metadata_the_title_is_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "ferry.pdf"
    path.write_bytes(make_pdf(FERRY))
    article = load(path)
    assert article.title == "Quillmere ferry sails again"
    assert article.published_at is None


def test_an_unchanged_pdf_has_the_same_hash_and_a_changed_one_another(tmp_path: Path) -> None:
    path = tmp_path / "ferry.pdf"
    path.write_bytes(make_pdf(FERRY))
    first = read_file(path)[0]
    assert read_file(path)[0] == first
    path.write_bytes(make_pdf([*FERRY, ["A third page."]]))
    assert read_file(path)[0].content_hash != first.content_hash  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (make_pdf([[]]), "no text layer"),
        (encrypt_pdf(make_pdf(FERRY), "secret"), "encrypted"),
        (make_pdf(FERRY)[:300], "not a valid PDF"),
        (b"<html>not a pdf</html>", "not a valid PDF"),
    ],
    ids=["textless", "encrypted", "truncated", "not-pdf"],
)
def test_a_bad_pdf_is_a_one_line_error_naming_the_file(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        records = read_file(path)
        for record in records:
            if isinstance(record, InputError):
                raise record
            to_article(record)
    message = str(info.value)
    assert "broken.pdf" in message and reason in message and "\n" not in message


def test_pdfs_are_indexed_and_a_bad_one_does_not_stop_the_batch(
    tmp_path: Path, fake_services: Services
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ferry.pdf").write_bytes(make_pdf(FERRY, title="Ferry back after repairs"))
    (folder / "scan.pdf").write_bytes(make_pdf([[], []]))
    (folder / "note.txt").write_text("Bridge reopens\n\nThe bridge reopened on Monday.\n")
    assert sorted(p.name for p in iter_files([folder])) == [  # type: ignore[union-attr]
        "ferry.pdf", "note.txt", "scan.pdf"]
    report = fake_services.indexer().run([folder])
    assert report.added == 2 and report.failed == 1
    [error] = report.errors
    assert "scan.pdf" in str(error) and "no text layer" in str(error)
    docs = fake_services.store.catalog.documents()
    assert docs["ferry"].title == "Ferry back after repairs"
    hits = fake_services.retriever.search("Quillmere ferry passengers harbour master")
    assert hits and hits[0].node.metadata["doc_id"] == "ferry"
    again = fake_services.indexer().run([folder])
    assert again.unchanged == 2 and again.added == 0 and again.failed == 1
