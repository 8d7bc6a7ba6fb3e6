"""Serving the web UI: who may reach it (loopback, else a login), what is served (only the
``/ask`` and ``/summarize`` APIs, no project files, uploads within the limit), the app
called through ``gradio_client``, and ``rag serve``."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.container import build_services
from rag.errors import UserError
from rag.settings import Settings
from tests.conftest import SEEDS, katyusha_reply, make_settings
from tests.support.fake_llm import ScriptedLLM
from tests.support.fakes import HashEmbedding
from tests.support.net import free_port, serving
from tests.support.ui import KATYUSHA_Q
from ui.app import build_app
from ui.serving import auth_from_env, check_exposure, is_loopback, launch

# Gradio's queue uses pandas options that pandas 3 deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")


def test_exposure_rules() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    check_exposure("127.0.0.1", None, share=False, force=False)
    with pytest.raises(UserError, match="RAG_UI_AUTH"):
        check_exposure("0.0.0.0", None, share=False, force=False)
    with pytest.raises(UserError, match="share link"):
        check_exposure("127.0.0.1", None, share=True, force=False)
    check_exposure("0.0.0.0", ("u", "p"), share=False, force=False)
    check_exposure("0.0.0.0", None, share=False, force=True)

def test_auth_from_env() -> None:
    assert auth_from_env({}) is None
    assert auth_from_env({"RAG_UI_AUTH": "ann:se:cret"}) == ("ann", "se:cret")
    with pytest.raises(UserError):
        auth_from_env({"RAG_UI_AUTH": "no-password"})

@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("ui_app")
    services = build_services(make_settings(root / "index"), embedder=HashEmbedding(),
                              llm=ScriptedLLM([katyusha_reply]))
    with serving(services, SEEDS) as url:
        yield url

def test_ask_through_gradio_client(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    out = client.predict(KATYUSHA_Q, api_name="/ask")
    assert not out["abstained"] and "Katyusha" in out["answer"]
    assert any("three Katyusha rockets" in c["text"] for c in out["citations"])
    assert out["llm_error"] is None and out["backend"] == "fake"

    follow = client.predict(question="And where did they fall?", k=3,
                            history=[[out["standalone_question"], out["answer"]]],
                            api_name="/ask")
    assert follow["standalone_question"].endswith(f"({KATYUSHA_Q})")

    with pytest.raises(Exception, match="not a date"):
        client.predict(KATYUSHA_Q, since="last week", api_name="/ask")

def test_only_the_ask_endpoint_is_public(served: str) -> None:
    from gradio_client import Client

    api = Client(served, verbose=False).view_api(print_info=False, return_format="dict")
    assert sorted(api["named_endpoints"]) == ["/ask", "/summarize"]
    assert not api["unnamed_endpoints"]

def test_uploads_over_the_limit_are_refused(served: str) -> None:
    import httpx

    limit = Settings().ui_max_upload_mb * 1024 * 1024  # what the served app was given
    big = httpx.post(served + "gradio_api/upload", timeout=30,
                     files={"files": ("big.txt", b"a" * (limit + 1))})
    assert big.status_code == 413

def test_project_files_are_not_served(served: str) -> None:
    target = Path(__file__).resolve().parents[1] / "pyproject.toml"
    for path in (f"gradio_api/file={target}", "gradio_api/file=/etc/passwd"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(served + path, timeout=10)
        assert err.value.code in (403, 404)

def test_login_required_when_auth_is_set(tmp_path: Path) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding(),
                              llm=ScriptedLLM([katyusha_reply]))
    services.indexer().run([SEEDS])
    app = build_app(services)
    _, url, _ = launch(app, port=free_port(), auth=("ann", "s3cret"), prevent_thread_lock=True,
                       quiet=True)
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "gradio_api/info", timeout=10)
        assert err.value.code == 401
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("ann", "wrong"), verbose=False)
        client = Client(url, auth=("ann", "s3cret"), verbose=False)
        assert "Katyusha" in client.predict(KATYUSHA_Q, api_name="/ask")["answer"]
    finally:
        app.close()
        services.close()

def serve_env(index_dir: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir),
               RAG_OLLAMA_HOST="http://127.0.0.1:9", **extra)
    return env

@pytest.mark.subprocess
def test_rag_serve_refuses_to_expose_without_login(tmp_path: Path) -> None:
    import subprocess
    import sys

    rag = Path(sys.executable).parent / "rag"
    proc = subprocess.run([str(rag), "serve", "--host", "0.0.0.0"], capture_output=True,
                          text=True, timeout=60, env=serve_env(tmp_path / "index"))
    assert proc.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a login" in proc.stderr
    assert "Traceback" not in proc.stderr

@pytest.mark.subprocess
def test_rag_serve_indexes_when_empty_then_answers(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from gradio_client import Client

    rag = Path(sys.executable).parent / "rag"
    port = free_port()
    proc = subprocess.Popen(
        [str(rag), "serve", "--port", str(port), "--index-if-empty", str(SEEDS)],
        env=serve_env(tmp_path / "index"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "rag serve did not start"
                time.sleep(0.5)
        out = Client(url, verbose=False).predict(KATYUSHA_Q, mode="extractive", api_name="/ask")
        assert "three Katyusha rockets" in out["answer"] and out["citations"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            log = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            log = proc.communicate()[0]
    assert "The index is empty: indexing" in log and "5 added" in log, log
    assert proc.returncode == 0, log
