"""Every command with bad values: one line on stderr saying what is wrong, a usage or user
error's exit status, never a traceback; and the one place at the CLI's edge that turns an
unforeseen exception into one line and a log of its traceback."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import cli
from tests.support.reliability import RAG

BAD_VALUES: dict[str, tuple[list[str], str]] = {
    # name: (arguments, a fragment of the one line)
    "k huge": (["retrieve", "--k", "100000000000000000000", "rockets"], "--k"),
    "k negative": (["retrieve", "--k", "-1", "rockets"], "--k"),
    "k zero": (["ask", "--k", "0", "rockets?"], "--k"),
    "per-doc zero": (["retrieve", "--per-doc", "0", "rockets"], "--per-doc"),
    "per-doc negative": (["ask", "--per-doc", "-1", "rockets?"], "--per-doc"),
    "since after until": (["retrieve", "--since", "2021", "--until", "2019", "rockets"],
                          "since 2021 is after until 2019"),
    "since after until, summary": (["summarize", "--since", "2021-05", "--until", "2019",
                                    "rockets"], "is after --until"),
    "not a date": (["retrieve", "--since", "last tuesday", "rockets"], "is not a date"),
    "as-of year 1": (["ask", "--as-of", "0001-01-01", "What happened last week?"],
                     "give a date from 1800"),
    "as-of far future": (["ask", "--as-of", "9999-12-31", "What happened last week?"],
                         "give a date from 1800"),
    "summary since year 1": (["summarize", "--since", "0001", "rockets"],
                             "give a date from 1800"),
    "export to a missing folder": (["ask", "--export", "missing-dir/x.html", "rockets?"],
                                   "there is no folder"),
    "export to a docx": (["ask", "--export", "x.docx", "rockets?"], "use a .md or .html"),
    "summary export to a missing folder": (["summarize", "--export", "nowhere/s.md",
                                            "rockets"], "there is no folder"),
    "port too high": (["serve", "--port", "99999"], "--port"),
    "port zero": (["serve", "--port", "0"], "--port"),
    "negative wait": (["index", "--wait", "-5", "seeds"], "--wait"),
    "eval limit zero": (["eval", "run", "--limit", "0", "x.yaml"], "--limit"),
    "feedback rating": (["feedback", "list", "--rating", "sideways"], "--rating"),
    "unknown mode": (["ask", "--mode", "psychic", "rockets?"], "--mode"),
    "no question": (["ask"], "give a QUESTION"),
}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "binary.jsonl").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "deep.json").write_text("[" * 100_000)
    yield tmp_path


def _run(index_dir: Path, args: list[str]) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        cli, ["--config", "/dev/null", "--index-dir", str(index_dir), *args])
    # A traceback would be an exception other than the exit; CliRunner keeps it.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args, repr(result.exception))
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in result.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("name", list(BAD_VALUES))
def test_a_bad_value_is_one_line_and_a_usage_error(files: Path, name: str) -> None:
    args, fragment = BAD_VALUES[name]
    code, lines = _run(files / "index", args)
    assert code == 2, (code, lines)
    error = [line for line in lines if line.startswith("Error")]
    assert len(error) == 1 and fragment in error[0], lines


@pytest.mark.parametrize(("args", "fragment"), [
    (["ask", "--questions", "binary.jsonl"], "not UTF-8 text"),
    (["ask", "--questions", "deep.json"], "invalid JSON"),
    (["retrieve", "--queries", "binary.jsonl"], "not UTF-8 text"),
], ids=["binary questions", "deep questions", "binary queries"])
def test_a_bad_question_file_is_one_line(files: Path, args: list[str], fragment: str) -> None:
    code, lines = _run(files / "index", args)
    assert code == 2 and len(lines) == 1 and fragment in lines[0], lines


def test_an_unforeseen_failure_is_one_line_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rag.cli as cli_module
    from rag.cli import common

    def broken(self: common.Context, **overrides: object) -> object:
        raise KeyError("a bug of ours")

    monkeypatch.setattr(common.Context, "catalog", broken)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("sys.argv", ["rag", "docs"])
    with pytest.raises(SystemExit) as exited:
        cli_module.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    [line] = err.strip().splitlines()
    assert line.startswith("Error: KeyError: 'a bug of ours' (details in ")
    log = Path(line.rsplit("(details in ", 1)[1].rstrip(")"))
    assert log.parent == tmp_path / "state" / "newsrag"
    text = log.read_text()
    assert "Traceback" in text and "a bug of ours" in text and text.startswith("rag docs")


@pytest.mark.subprocess
def test_serve_on_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [str(RAG), "--config", "/dev/null", "--index-dir", str(tmp_path / "index"),
             "serve", "--port", str(port)], capture_output=True, text=True, timeout=180,
            check=False, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                              "RAG_OLLAMA_HOST": "http://127.0.0.1:9"})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and f"cannot listen on 127.0.0.1:{port}" in errors[0], proc.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize("args", [["retrieve", "--k", "0", "x"], ["nosuchcmd"],
                                  ["ask", "--as-of", "0001-01-01", "What happened last week?"]])
def test_the_real_command_prints_a_usage_error_as_one_line(tmp_path: Path, args: list[str]) -> None:
    proc = subprocess.run([str(RAG), "--config", "/dev/null", "--index-dir",
                           str(tmp_path / "index"), *args], capture_output=True, text=True,
                          timeout=120, check=False)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("Error: "), lines
    assert "--help" in lines[0]
