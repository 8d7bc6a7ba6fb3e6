"""Client/server mode: the real ``rag`` CLI against a real ``chroma run`` server.

One server per module (in a temporary directory, on a free port); the seeds are
indexed into it once. Vectors must land on the server, never in ``INDEX/chroma``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT
from tests.support.net import free_port

BIN = Path(sys.executable).parent
RAG = BIN / "rag"
CHROMA = BIN / "chroma"
QUESTION = "How many Katyusha rockets were aimed at the embassy?"
STARTUP_SECONDS = 30.0
CLI_TIMEOUT = 180.0

pytestmark = pytest.mark.subprocess


def rag_env(index_dir: Path, chroma_url: str) -> dict[str, str]:
    """The caller's environment without any RAG_* variable, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir), RAG_CHROMA_URL=chroma_url)
    return env


def rag(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RAG), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        timeout=CLI_TIMEOUT, check=False,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, (
        f"{proc.args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc


@dataclass
class ChromaServer:
    port: int
    path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):  # type: ignore[no-untyped-def]
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.HttpClient(
            host="127.0.0.1", port=self.port, settings=ChromaSettings(anonymized_telemetry=False)
        )


def _heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
            return resp.status == 200 and "heartbeat" in resp.read().decode()
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real Chroma server on a free port, stopped at the end of the module."""
    root = tmp_path_factory.mktemp("chroma_server")
    server = ChromaServer(free_port(), root / "db")
    out, err = root / "stdout.log", root / "stderr.log"
    with out.open("wb") as out_fh, err.open("wb") as err_fh:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(server.path), "--host", "127.0.0.1",
             "--port", str(server.port)],
            stdin=subprocess.DEVNULL, stdout=out_fh, stderr=err_fh,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _heartbeat(server.url):
            if proc.poll() is not None or time.monotonic() > deadline:
                state = (f"exited with {proc.returncode}" if proc.poll() is not None
                         else f"no heartbeat after {STARTUP_SECONDS:.0f} s")
                pytest.fail(
                    f"Chroma server on port {server.port} {state}\n"
                    f"stderr:\n{_tail(err)}\nstdout:\n{_tail(out)}", pytrace=False,
                )
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class Indexed:
    env: dict[str, str]
    index_dir: Path
    first_run: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def indexed(chroma_server: ChromaServer, tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    """The seeds indexed once through the CLI into the server."""
    index_dir = tmp_path_factory.mktemp("server_mode") / "index"
    env = rag_env(index_dir, chroma_server.url)
    return Indexed(env, index_dir, ok(rag(env, "index", "--quiet", "seeds/")))


def test_index_reports_seeds_added(indexed: Indexed) -> None:
    assert "5 added, 0 updated, 0 unchanged" in indexed.first_run.stdout


def test_retrieve_through_server_finds_the_answer(indexed: Indexed) -> None:
    out = json.loads(ok(rag(indexed.env, "retrieve", QUESTION, "--json")).stdout)
    top = out["results"][0]
    assert top["doc_id"] == "003_4d07f30f24df0013"
    assert "three Katyusha rockets" in top["text"]


def test_vectors_live_on_the_server_not_on_disk(
    indexed: Indexed, chroma_server: ChromaServer
) -> None:
    docs = json.loads(ok(rag(indexed.env, "docs", "--json")).stdout)
    n_chunks = sum(d["n_chunks"] for d in docs)
    assert len(docs) == 5 and n_chunks > 0
    client = chroma_server.client()
    # new articles go to the small collection of recent writes beside the main one
    stored = sum(client.get_collection(name).count() for name in ("articles", "articles-recent"))
    assert stored == n_chunks
    assert indexed.index_dir.is_dir()
    assert not (indexed.index_dir / "chroma").exists()


def test_reindex_is_a_no_op(indexed: Indexed) -> None:
    again = ok(rag(indexed.env, "index", "--quiet", "seeds/"))
    assert "0 added, 0 updated, 5 unchanged" in again.stdout


def test_unreachable_server_is_a_one_line_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    proc = rag(rag_env(tmp_path / "index", url), "index", "seeds/")
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: ") and url in lines[0]
    assert "Traceback" not in proc.stderr


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        return subprocess.Popen([str(RAG), "serve", "--port", str(port)], cwd=PROJECT_ROOT,
                                env={**env, "RAG_LLM_BACKEND": "embedded"},
                                stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT)


def _client(url: str, proc: subprocess.Popen[bytes], log: Path):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    deadline = time.monotonic() + 120
    while True:
        try:
            return Client(url, verbose=False)
        except Exception:  # noqa: BLE001 - not up yet
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"rag serve at {url} did not start:\n{_tail(log)}", pytrace=False)
            time.sleep(0.5)


def test_two_servers_share_one_chroma_and_see_a_third_process_index(
    chroma_server: ChromaServer, tmp_path: Path,
) -> None:
    """Two ``rag serve`` processes on two ports, one Chroma server, one index directory:
    the same answer from both, and an article a third process indexes is found by both
    within seconds, without a restart."""
    env = rag_env(tmp_path / "index", chroma_server.url)
    env["RAG_COLLECTION"] = "two_servers"
    ok(rag(env, "index", "--quiet", "seeds/"))
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve{i}.log" for i in range(2)]
    procs = [_serve(env, port, log) for port, log in zip(ports, logs, strict=True)]
    try:
        clients = [_client(f"http://127.0.0.1:{p}/", proc, log)
                   for p, proc, log in zip(ports, procs, logs, strict=True)]
        answers = [c.predict(QUESTION, mode="extractive", api_name="/ask") for c in clients]
        assert answers[0]["answer"] == answers[1]["answer"] and "three" in answers[0]["answer"]
        assert answers[0]["citations"] == answers[1]["citations"]
        new = tmp_path / "new" / "lighthouse.txt"
        new.parent.mkdir()
        new.write_text("Lighthouse of Quillmere restored\n\nThe Quillmere lighthouse was "
                       "relit on Friday after a two-year restoration paid for by the harbour "
                       "trust.\n")
        ok(rag(env, "index", "--quiet", str(new.parent)))
        indexed_at = time.monotonic()
        question = "When was the Quillmere lighthouse relit?"
        for client in clients:
            while True:
                out = client.predict(question, mode="extractive", api_name="/ask")
                if any(c["doc_id"] == "lighthouse" for c in out["citations"]):
                    break
                assert time.monotonic() - indexed_at < 10, out
                time.sleep(0.5)
        assert time.monotonic() - indexed_at < 10
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
