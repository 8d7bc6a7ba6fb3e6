"""The real ``rag`` command line, run as a subprocess on a temporary index.

The seeds are indexed once per module (embedded Chroma) and only read by the
retrieval tests; tests that write use an index of their own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT

RAG = Path(sys.executable).parent / "rag"
SEEDS = PROJECT_ROOT / "seeds"
CLI_TIMEOUT = 180.0
pytestmark = pytest.mark.subprocess  # the real `rag` executable, in its own process
RESULT_KEYS = {"rank", "score", "doc_id", "chunk_id", "title", "source", "published_at", "url",
               "text"}
QUERIES = [
    "How many Katyusha rockets were aimed at the embassy?",
    "Pompeo threatens to close the Baghdad embassy",
    "American air strikes against a pro-Iran group",
]


def rag_env(index_dir: Path) -> dict[str, str]:
    """The caller's environment without any RAG_* variable, plus our index dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir))
    return env


def rag(index_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RAG), *args], cwd=PROJECT_ROOT, env=rag_env(index_dir), capture_output=True,
        text=True, timeout=CLI_TIMEOUT, check=False,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, (
        f"{proc.args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc


def some_failed(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """A `rag index` run whose broken inputs were skipped and the rest indexed (status 3)."""
    assert proc.returncode == 3, (
        f"{proc.args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The only line on stderr (and no traceback)."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def retrieve_json(index_dir: Path, *args: str) -> dict:
    return json.loads(ok(rag(index_dir, "retrieve", *args, "--json")).stdout)


def doc_ids(index_dir: Path) -> set[str]:
    return {d["doc_id"] for d in json.loads(ok(rag(index_dir, "docs", "--json")).stdout)}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the seeds, built once by ``rag index`` (read-only use)."""
    index_dir = tmp_path_factory.mktemp("cli_seeded") / "index"
    proc = ok(rag(index_dir, "index", "--quiet", "seeds/"))
    assert "5 added" in proc.stdout
    return index_dir


@dataclass
class Mixed:
    index_dir: Path
    folder: Path
    broken: Path
    run: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Mixed:
    """A folder of two seeds and a broken JSON file, indexed into an index of its own."""
    root = tmp_path_factory.mktemp("cli_mixed")
    folder = root / "articles"
    folder.mkdir()
    for name in ("001_111dba048a61c606.txt", "002_56d4c4de09e552c3.txt"):
        shutil.copy(SEEDS / name, folder / name)
    broken = folder / "broken.json"
    broken.write_text('{"title": "Half a record", "text": "never closed', encoding="utf-8")
    index_dir = root / "index"
    return Mixed(index_dir, folder, broken, rag(index_dir, "index", str(folder)))


def test_help_lists_the_commands(tmp_path: Path) -> None:
    out = ok(rag(tmp_path / "index", "--help")).stdout
    commands = out.split("Commands:", 1)[1].split()
    for name in ("index", "retrieve", "docs", "remove"):
        assert name in commands, out


@pytest.fixture(scope="module")
def top3(seeded: Path) -> dict:
    """``rag retrieve QUERY --k 3 --json``, run once for the tests of its output."""
    return retrieve_json(seeded, QUERIES[0], "--k", "3")


def test_retrieve_json_shape(top3: dict) -> None:
    out = top3
    assert set(out) == {"query", "results"}
    assert out["query"] == QUERIES[0]
    assert out["results"]
    for rank, result in enumerate(out["results"], 1):
        assert set(result) == RESULT_KEYS
        assert result["rank"] == rank
        assert result["chunk_id"].startswith(result["doc_id"])
        assert result["text"].strip()


def test_retrieve_k(top3: dict) -> None:
    assert len(top3["results"]) == 3


def test_retrieve_per_doc(seeded: Path) -> None:
    results = retrieve_json(seeded, QUERIES[0], "--per-doc", "1")["results"]
    ids = [r["doc_id"] for r in results]
    assert len(ids) >= 2
    assert len(ids) == len(set(ids)), ids


def test_retrieve_date_range(seeded: Path) -> None:
    results = retrieve_json(
        seeded, "Pompeo embassy Iraq", "--since", "2020-06-01", "--until", "2020-12-31"
    )["results"]
    assert results
    for r in results:
        assert r["published_at"] is not None, r["doc_id"]
        assert "2020-06-01" <= r["published_at"] <= "2020-12-31", r
    assert "002_56d4c4de09e552c3" in {r["doc_id"] for r in results}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_retrieve_queries_file(seeded: Path, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"queries.{fmt}"
    if fmt == "text":
        path.write_text("\n".join(QUERIES) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps([{"query": q} for q in QUERIES]), encoding="utf-8")
    proc = ok(rag(seeded, "retrieve", "--queries", str(path)))
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stdout
    outs = [json.loads(line) for line in lines]
    assert [o["query"] for o in outs] == QUERIES
    for o in outs:
        assert o["results"] and set(o["results"][0]) == RESULT_KEYS


def test_index_skips_broken_json_and_indexes_the_rest(mixed: Mixed) -> None:
    some_failed(mixed.run)
    skipped = [line for line in mixed.run.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 1, mixed.run.stderr
    assert skipped[0].startswith(f"skipped {mixed.broken}: invalid JSON"), skipped[0]
    summary = mixed.run.stdout.strip().splitlines()[-1]
    assert "added" in summary and "chunks" in summary
    assert "2 added" in summary and "1 failed" in summary


def test_remove_then_docs(mixed: Mixed) -> None:
    some_failed(mixed.run)
    proc = ok(rag(mixed.index_dir, "remove", "001_111dba048a61c606"))
    assert "1 removed" in proc.stdout
    assert doc_ids(mixed.index_dir) == {"002_56d4c4de09e552c3"}


def test_index_missing_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    proc = rag(tmp_path / "index", "index", "--quiet", str(missing))
    line = one_error_line(proc)
    assert str(missing) in line


def test_retrieve_on_empty_index_says_to_index(tmp_path: Path) -> None:
    proc = rag(tmp_path / "index", "retrieve", "anything")
    assert proc.returncode != 0
    line = one_error_line(proc)
    assert line.startswith("Error: ") and "rag index" in line


def test_ask_explain_shows_the_query_plan(seeded: Path) -> None:
    out = ok(rag(seeded, "ask", "--mode", "extractive", "--explain",
                 "How many Katyusha rockets were aimed at the US embassy?")).stdout
    assert out.startswith("Answer:\nThree [")
    plan = out[out.index("How this was answered:"):]
    assert "answer type: number" in plan and "part 1:" in plan and "retrieved [" in plan


def test_chat_reports_a_runtime_failure_and_answers_the_next_question(
    seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rag chat`` in process: the first answer fails at run time (a backend that stopped
    answering); the chat reports it in one line and answers the next question."""
    from click.testing import CliRunner

    from rag.answer import Request
    from rag.answer.answerer import Answerer
    from rag.cli import cli
    from rag.errors import BackendUnavailable

    question = "How many Katyusha rockets were aimed at the US embassy?"
    original = Answerer.run
    asked: list[str] = []

    def run(self: Answerer, request: Request):  # type: ignore[no-untyped-def]
        asked.append(request.question)
        if len(asked) == 1:
            raise BackendUnavailable("the embedding server stopped answering")
        yield from original(self, request)

    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_INDEX_DIR", str(seeded))
    monkeypatch.setattr(Answerer, "run", run)
    result = CliRunner().invoke(
        cli, ["chat", "--mode", "extractive"], input=f"{question}\n{question}\n\n"
    )
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    assert asked == [question, question]
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert errors == ["Error: the embedding server stopped answering"], result.stderr
    assert result.stdout.count("Answer:\nThree [") == 1, result.stdout
