"""The pure pieces that bound hostile input: JSON numbers and nesting, YAML front matter,
text encodings, dates people type, folder walks, WARC checks, one-line errors and the
exit status of an indexing run."""

from __future__ import annotations

import gzip
import os
from datetime import date
from pathlib import Path

import pytest

from index.dates import parse_day
from index.errors import InputError, UserError
from index.formats.common import decode_text
from index.formats.markdown import FrontMatterError, split_front_matter
from index.formats.records import parse_json
from index.formats.warc import read as read_warc
from index.indexer import IndexReport
from index.loaders import Ignored, iter_files, short_title
from rag.cli.common import EXIT_NONE_READ, EXIT_SOME_FAILED, report_exit_code
from rag.retrieval import Filters


@pytest.mark.parametrize(("text", "reason"), [
    ('{"n": ' + "9" * 101 + "}", "number too long (101 digits, limit 100)"),
    ('{"n": 1.' + "5" * 200 + "}", "number too long"),
    ("[" * 5000, "nested too deeply"),
    ('{"a":' * 5000 + "1" + "}" * 5000, "nested too deeply"),
    ('{"a": 1', "invalid JSON at line 1 column 8"),
])
def test_json_past_its_bounds_is_one_input_error(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_json(text, "f.json")


@pytest.mark.parametrize(("text", "value"), [
    ('{"n": ' + "9" * 100 + "}", {"n": int("9" * 100)}),
    ('[1.5, -2, 1e3, "x"]', [1.5, -2, 1000.0, "x"]),
    ("[[[]]]", [[[]]]),
])
def test_json_within_its_bounds_is_read(text: str, value: object) -> None:
    assert parse_json(text, "f.json") == value


@pytest.mark.parametrize(("text", "reason"), [
    ("---\na: &a [x, x]\nb: *a\n---\nBody.\n", "aliases"),
    ("---\ntitle: [never closed\n---\nBody.\n", "not valid YAML at line"),
    ("---\ntitle: !!python/object/apply:os.system ['true']\n---\nBody.\n", "not valid YAML"),
    ("---\n" + "k: v\n" * 5000 + "---\nBody.\n", "front matter too large"),
])
def test_refused_front_matter(text: str, reason: str) -> None:
    with pytest.raises(FrontMatterError, match=reason):
        split_front_matter(text)


@pytest.mark.parametrize(("text", "meta", "rest"), [
    ("---\ntitle: Fares rise\ndate: 2023-10-03\n---\nBody.\n",
     {"title": "Fares rise", "date": date(2023, 10, 3)}, "Body.\n"),
    ("No front matter.\n", {}, "No front matter.\n"),
    ("---\n- a list\n---\nBody.\n", {}, "Body.\n"),
    # a rule at the top of a long text is no front matter, however far the next rule is
    ("---\n\n" + "Words. " * 5000 + "\n---\nMore.\n", {}, None),
])
def test_accepted_front_matter(text: str, meta: dict[str, object], rest: str | None) -> None:
    got, body = split_front_matter(text)
    assert got == meta and body == (text if rest is None else rest)


@pytest.mark.parametrize(("data", "start"), [
    ("Tram line opens\n\nThe tram opened.\n".encode("utf-16"), "Tram line opens"),
    ("Tram line opens\n\nThe tram opened.\n".encode("utf-16-le"), "Tram line opens"),
    ("Café prices rose in Málaga.\n".encode("cp1252"), "Café prices"),
    ("Новая библиотека открылась в понедельник, сообщил мэр.\n".encode("cp1251"),
     "Новая библиотека"),
    ("\ufeffBOM and UTF-8.\n".encode(), "BOM and UTF-8."),
])
def test_text_in_any_encoding_is_decoded(data: bytes, start: str) -> None:
    assert decode_text(data, "f.txt").startswith(start)


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 20, b"\x00" * 4000, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
])
def test_binary_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="binary file, not text"):
        decode_text(data, "f.txt")


@pytest.mark.parametrize(("value", "end", "day"), [
    ("2023-10-03", False, date(2023, 10, 3)),
    ("2023-02", True, date(2023, 2, 28)),
    ("1800", False, date(1800, 1, 1)),
    ("2200", True, date(2200, 12, 31)),
    ("", False, None),
])
def test_days_people_type(value: str, end: bool, day: date | None) -> None:
    assert parse_day(value, end) == day


@pytest.mark.parametrize(("value", "reason"), [
    ("0001-01-01", "give a date from 1800 to 2200"),
    ("9999", "give a date from 1800 to 2200"),
    ("last tuesday", "is not a date"),
    ("2023-13", "is not a date"),
])
def test_days_out_of_range_or_not_days(value: str, reason: str) -> None:
    with pytest.raises(UserError, match=reason):
        parse_day(value)


def test_since_after_until_is_a_user_error() -> None:
    with pytest.raises(UserError, match="since 2021 is after until 2019"):
        Filters.parse("2021", "2019")
    assert Filters.parse("2019", "2019").until == date(2019, 12, 31)


def test_a_folder_walk_names_what_it_cannot_read_and_what_it_passes_over(
    tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("A.")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b.txt").write_text("B.")
    os.symlink("gone.txt", tmp_path / "dangling.txt")
    os.symlink("loop.md", tmp_path / "loop.md")
    os.mkfifo(tmp_path / "pipe.html")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("C.")
    os.symlink(tmp_path / "sub", tmp_path / "linked")
    out = {Path(str(getattr(item, "path", item))).name: item for item in iter_files([tmp_path])}
    assert out["a.txt"] == tmp_path / "a.txt" and out["c.md"] == tmp_path / "sub" / "c.md"
    reasons = {name: str(item).split(": ", 1)[1] for name, item in out.items()
               if not isinstance(item, Path)}
    assert reasons == {
        "notes.docx": "unsupported file type '.docx'", ".hidden": "hidden",
        "dangling.txt": "broken link (to gone.txt)", "loop.md": "symbolic link loop",
        "pipe.html": "not a regular file (a FIFO, socket or device)",
        "linked": "link to a folder (not followed)",
    }
    kinds = {name: type(item) for name, item in out.items()}
    assert kinds["notes.docx"] is Ignored and kinds["dangling.txt"] is InputError
    # named on the command line, a type no format reads is an error, not a pass-over
    [named] = iter_files([tmp_path / "notes.docx"])
    assert isinstance(named, InputError)


def _warc_gz() -> bytes:
    import tempfile

    from tests.test_warc_loader import make_warc

    with tempfile.TemporaryDirectory() as folder:
        return make_warc(Path(folder) / "a.warc.gz", gz=True).read_bytes()


@pytest.mark.parametrize(("data", "reason"), [
    (b"garbage that is no archive", "not a WARC file"),
    (gzip.compress(b"\x00" * 1_000_000), "not a WARC file"),
    (b"\x1f\x8bnot really gzip", "not a gzip file"),
    (None, "truncated"),
])
def test_a_warc_that_is_none_or_cut_is_one_line(data: bytes | None, reason: str) -> None:
    whole = _warc_gz()
    [error] = read_warc(data if data is not None else whole[: len(whole) * 2 // 3],
                        Path("a.warc.gz"), "a.warc.gz")
    assert isinstance(error, InputError) and reason in error.reason
    assert not any(isinstance(r, InputError) for r in read_warc(whole, Path("a"), "a"))


@pytest.mark.parametrize(("path", "reason", "line"), [
    ("a.txt", "bad\n  thing\r\n", "a.txt: bad thing"),
    ("line\nbreak.txt", "empty file", "line\\nbreak.txt: empty file"),
])
def test_an_input_error_is_one_line(path: str, reason: str, line: str) -> None:
    error = InputError(path, reason)
    assert str(error) == line and error.path == path


def test_a_long_title_is_cut_at_a_word() -> None:
    cut = short_title("word " * 200)
    assert len(cut) <= 301 and cut.endswith("word…")


@pytest.mark.parametrize(("added", "unchanged", "failed", "code"), [
    (3, 0, 0, 0), (0, 3, 0, 0), (0, 0, 0, 0), (2, 0, 1, EXIT_SOME_FAILED),
    (0, 1, 1, EXIT_SOME_FAILED), (0, 0, 2, EXIT_NONE_READ),
])
def test_exit_status_of_a_run(added: int, unchanged: int, failed: int, code: int) -> None:
    assert report_exit_code(IndexReport(added=added, unchanged=unchanged, failed=failed)) == code
