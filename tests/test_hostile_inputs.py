"""A hostile folder through ``rag index`` (generated at test time, see
:mod:`tests.support.hostile_files`): every bad input is one line naming it and the reason,
every good article is indexed, the exit status says "some failed", a re-run changes
nothing, and the walk's passes-over are counted (named with ``--verbose``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.catalog import Catalog
from rag.cli import cli
from rag.cli.common import EXIT_NONE_READ, EXIT_SOME_FAILED
from tests.support.hostile_files import SKIPPED, run_with_peak, write_hostile_folder
from tests.support.reliability import RAG


def _index(index_dir: Path, *args: str) -> tuple[int, list[str], str]:
    """``rag index`` in this process: exit code, stderr lines, stdout."""
    result = CliRunner().invoke(
        cli, ["--config", "/dev/null", "--index-dir", str(index_dir), "index", "-q", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.exit_code, lines, result.stdout


def _line_for(name: str, lines: list[str], folder: Path) -> list[str]:
    """The lines about the entry ``name`` of ``folder`` (a record's lines included)."""
    path = str(folder / name)
    return [line for line in lines if line.split(" ", 1)[1].startswith(
        (f"{path}:", f"{path}[", f"{path}#"))]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    folder = tmp_path_factory.mktemp("hostile") / "inbox"
    return folder, write_hostile_folder(folder)


def test_every_bad_input_is_one_line_and_every_good_article_is_indexed(
    tmp_path: Path, hostile: tuple[Path, dict[str, str | None]]
) -> None:
    folder, expected = hostile
    started = time.monotonic()
    code, lines, out = _index(tmp_path / "index", "--verbose", str(folder))
    assert time.monotonic() - started < 120  # bombs are refused, not expanded
    assert code == EXIT_SOME_FAILED, lines
    assert all(line.startswith(("skipped ", "ignored ")) for line in lines), lines
    for name, reason in expected.items():
        about = _line_for(name, lines, folder)
        if reason is None:
            assert not about, (name, about)
        elif reason == SKIPPED:
            assert len(about) == 1 and about[0].startswith("ignored "), (name, about)
        else:
            assert about and any(reason in line for line in about), (name, reason, about)
            assert all(line.startswith("skipped ") for line in about), about
    # the good records of files that also hold bad ones are kept
    docs = set(Catalog(tmp_path / "index" / "catalog.sqlite3").documents())
    good = {Path(n).stem for n, r in expected.items() if r is None}
    assert good | {"rec-ok", "rec-ok-2"} <= docs, sorted(good - docs)
    summary = out.strip().splitlines()[-1]
    ignored = sum(1 for r in expected.values() if r == SKIPPED)
    assert f", {ignored} ignored;" in summary, summary

    again, lines_again, out_again = _index(tmp_path / "index", str(folder))
    assert again == EXIT_SOME_FAILED
    assert "0 added, 0 updated" in out_again and "0 removed" in out_again, out_again
    assert sorted(lines_again) == sorted(line for line in lines if line.startswith("skipped "))


def test_nothing_readable_exits_with_its_own_status(tmp_path: Path) -> None:
    code, lines, _ = _index(tmp_path / "index", str(tmp_path / "missing-folder"))
    assert code == EXIT_NONE_READ
    assert lines == [f"skipped {tmp_path / 'missing-folder'}: no such file or folder"]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "notes.docx").write_bytes(b"PK")
    code, lines, out = _index(tmp_path / "index", str(bad))
    assert code == EXIT_NONE_READ and lines == [f"skipped {bad / 'empty.txt'}: empty file"]
    assert "1 ignored" in out  # named only with --verbose
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text("Harbour works begin\n\nDredging began on Monday, the council "
                                "said.\n")
    assert _index(tmp_path / "index", str(good))[0] == 0
    assert _index(tmp_path / "index", str(good))[0] == 0  # unchanged is fine too


@pytest.mark.subprocess
def test_the_hostile_folder_costs_bounded_memory(
    tmp_path: Path, hostile: tuple[Path, dict[str, str | None]]
) -> None:
    folder, _ = hostile
    env = {"RAG_CONFIG": "/dev/null", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc, peak_mb = run_with_peak([str(RAG), "--index-dir", str(tmp_path / "index"), "index",
                                   "-q", str(folder)], env)
    lines = proc.stderr.splitlines()
    assert proc.returncode == EXIT_SOME_FAILED, proc.stderr
    assert "Traceback" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    assert all(line.startswith("skipped ") for line in lines), lines
    assert peak_mb < 1024, f"peak {peak_mb:.0f} MB"


def test_doctor_reports_an_interrupted_build_and_how_to_finish_it(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Harbour works begin\n\nDredging began on Monday.\n")
    index_dir = tmp_path / "index"
    assert _index(index_dir, str(folder))[0] == 0

    def doctor() -> str:
        result = CliRunner().invoke(cli, ["--config", "/dev/null", "--index-dir",
                                          str(index_dir), "doctor"])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "last build" not in doctor()
    catalog = Catalog(index_dir / "catalog.sqlite3")
    try:
        catalog.set_meta("dirty", "1")  # what a killed run leaves
        catalog.set_import(1200, 8890)
        catalog.set_meta("import", catalog.get_meta("import").replace(  # type: ignore[union-attr]
            f'"pid": {os.getpid()}', f'"pid": {_dead_pid()}'))
    finally:
        catalog.close()
    report = doctor()
    assert ("last build:    the last build was interrupted after 1,200 of 8,890 articles"
            in report), report
    assert "Run `rag index` again with the same inputs to finish it" in report
    assert _index(index_dir, str(folder))[0] == 0
    assert "last build" not in doctor()


def _dead_pid() -> int:
    """A pid no process has."""
    for pid in range(4_000_000, 4_000_100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
    raise AssertionError("no free pid found")
