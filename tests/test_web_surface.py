"""The web surface of a real launched app: every file route Gradio 6 exposes is asked for
the index (Chroma database, catalog), a ``.env``, ``/etc/passwd`` and project files, with
traversal, URL-encoded, double-encoded and case variants; the answer is 403 or 404 and
never the content. A non-loopback address or a share link without a login is refused
unless forced."""

from __future__ import annotations

import http.client
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from rag.container import build_services
from rag.settings import PROJECT_ROOT
from tests.conftest import SEEDS, make_settings
from tests.support.fake_llm import ScriptedLLM
from tests.support.fakes import HashEmbedding
from tests.support.net import free_port
from tests.support.reliability import RAG, http_ok, wait_until
from ui.app import build_app
from ui.serving import launch

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing"),
              pytest.mark.subprocess]

SECRET = "s3cr3t-token-7f1d"
PASSWD_MARK = "root:x:0:0"
SQLITE_MARK = "SQLite format 3"
# Every route that serves files: the current and the deprecated file routes, with and
# without the API prefix, and the static and asset routes (traversal only).
FILE_ROUTES = ["/gradio_api/file=", "/file=", "/gradio_api/file/", "/file/"]
STATIC_ROUTES = ["/static/", "/assets/", "/svelte/", "/gradio_api/static/"]


@dataclass
class Served:
    url: str
    host: str
    port: int
    index_dir: Path
    secrets: dict[Path, str]  # file -> a marker of its content


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("web_surface")
    index_dir = root / "index"
    services = build_services(make_settings(index_dir), embedder=HashEmbedding(),
                              llm=ScriptedLLM(["The answer."]))
    services.indexer().run([SEEDS])
    env_file = root / ".env"
    env_file.write_text(f"RAG_UI_AUTH=admin:{SECRET}\n")
    upload = index_dir / "uploads" / "private.txt"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text(f"An uploaded article {SECRET}\n")
    secrets = {
        index_dir / "catalog.sqlite3": SQLITE_MARK,
        index_dir / "chroma" / "chroma.sqlite3": SQLITE_MARK,
        env_file: SECRET,
        upload: SECRET,
        Path("/etc/passwd"): PASSWD_MARK,
        PROJECT_ROOT / "pyproject.toml": "[project]",
    }
    for path, mark in secrets.items():
        assert mark in path.read_bytes().decode("latin-1"), path
    app = build_app(services)
    port = free_port()
    _, url, _ = launch(app, port=port, prevent_thread_lock=True, quiet=True)
    yield Served(url, "127.0.0.1", port, index_dir, secrets)
    app.close()
    services.close()


def get(served: Served, raw_path: str) -> tuple[int, bytes]:
    """GET a raw path (sent as is: no client-side normalisation of ``..`` or ``%2e``)."""
    conn = http.client.HTTPConnection(served.host, served.port, timeout=15)
    try:
        conn.request("GET", raw_path)
        resp = conn.getresponse()
        return resp.status, resp.read(200_000)
    finally:
        conn.close()


def variants(target: str) -> list[str]:
    """Spellings of one target path: as is, URL-encoded, double-encoded, mixed case."""
    once = quote(target, safe="")
    return [target, once, quote(once, safe=""), target.replace("/", "%2F"),
            target.replace("/", "%252F"), target.upper(), target.replace(".", "%2e")]


def assert_refused(served: Served, raw_path: str, mark: str) -> None:
    status, body = get(served, raw_path)
    text = body.decode("latin-1")
    assert mark not in text, f"{raw_path} served the content ({status})"
    assert status in (403, 404), f"{raw_path}: {status} {text[:200]}"


def test_the_file_route_is_live(served: Served) -> None:
    """The check below is not vacuous: the route serves what the app itself uploaded."""
    import httpx

    up = httpx.post(served.url + "gradio_api/upload", timeout=30,
                    files={"files": ("note.txt", b"uploaded through the app")})
    assert up.status_code == 200, up.text
    [path] = up.json()
    status, body = get(served, f"/gradio_api/file={path}")
    assert status == 200 and b"uploaded through the app" in body


@pytest.mark.parametrize("route", FILE_ROUTES)
def test_index_env_and_system_files_are_not_served(served: Served, route: str) -> None:
    for path, mark in served.secrets.items():
        relative = os.path.relpath(path, PROJECT_ROOT)
        for target in {str(path), relative, f"./{relative}"}:
            for spelled in variants(target):
                assert_refused(served, route + spelled, mark)


TRAVERSALS = [
    "../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "..\\..\\..\\..\\..\\..\\etc\\passwd",
    "....//....//....//....//....//etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    "file:///etc/passwd",
    "%00/etc/passwd",
]


@pytest.mark.parametrize("route", FILE_ROUTES + STATIC_ROUTES)
def test_traversal_is_refused_on_every_route(served: Served, route: str) -> None:
    for traversal in TRAVERSALS:
        assert_refused(served, route + traversal, PASSWD_MARK)
        assert_refused(served, route.upper() + traversal, PASSWD_MARK)


def test_the_index_directory_is_not_reachable_by_its_name(served: Served) -> None:
    for rel in ("catalog.sqlite3", "chroma/chroma.sqlite3", "keyword/columns.json",
                "uploads/private.txt", "write.lock"):
        for prefix in ("/", "/gradio_api/", "/static/", "/assets/", "/gradio_api/file=",
                       f"/gradio_api/file={served.index_dir.name}/"):
            status, body = get(served, prefix + rel)
            assert SQLITE_MARK.encode() not in body and SECRET.encode() not in body
            assert b'"chunk_ids"' not in body


def test_the_server_does_not_fetch_loopback_urls_for_a_caller(served: Served) -> None:
    """``/file=http://...`` must not turn the app into a proxy to local services."""
    for target in (f"http://127.0.0.1:{served.port}/config", "http://localhost:9/",
                   "http://[::1]:9/", "http://169.254.169.254/latest/meta-data/"):
        for route in ("/gradio_api/file=", "/gradio_api/proxy="):
            status, _ = get(served, route + target)
            assert status in (400, 403, 404), (route + target, status)


# -- exposure ---------------------------------------------------------------------------


def serve_env(index_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir),
               RAG_OLLAMA_HOST="http://127.0.0.1:9", **extra)
    return env


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.10.20", "[::]", "0"])
def test_non_loopback_hosts_are_refused_without_login(host: str) -> None:
    from rag.errors import UserError
    from ui.serving import check_exposure

    with pytest.raises(UserError, match="RAG_UI_AUTH"):
        check_exposure(host, None, share=False, force=False)
    check_exposure(host, None, share=False, force=True)
    check_exposure(host, ("ann", SECRET), share=False, force=False)


@pytest.mark.parametrize("args", [["--host", "0.0.0.0"], ["--host", "127.0.0.1", "--share"]])
def test_exposed_serving_without_login_is_refused(tmp_path: Path, args: list[str]) -> None:
    proc = subprocess.run([str(RAG), "serve", *args], capture_output=True, text=True,
                          timeout=60, env=serve_env(tmp_path / "index"))
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "RAG_UI_AUTH" in lines[0] and "--force" in lines[0], lines
    assert not (tmp_path / "index").exists(), "refused before touching the index"


@pytest.mark.slow
@pytest.mark.parametrize("how", ["force", "login"])
def test_exposed_serving_with_force_or_login(tmp_path: Path, how: str) -> None:
    import signal

    port = free_port()
    extra = {"RAG_UI_AUTH": f"ann:{SECRET}"} if how == "login" else {}
    args = ["serve", "--host", "0.0.0.0", "--port", str(port), "--index-if-empty", str(SEEDS)]
    if how == "force":
        args.append("--force")
    proc = subprocess.Popen([str(RAG), *args], env=serve_env(tmp_path / "index", **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/gradio_api/info")
                   or _status(port, "/gradio_api/info") == 401, 120, "rag serve", proc)
        expected = 401 if how == "login" else 200
        assert _status(port, "/gradio_api/info") == expected
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


def _status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()
