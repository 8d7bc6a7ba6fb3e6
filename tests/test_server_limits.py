"""What ``rag serve`` does with requests that are too big or wrong (:mod:`ui.guard`), on a
real server: 413 for a body over the limit (declared or chunked) on every route, 404 for
an unknown API name, 422 without the body for a malformed request, the argument named for
a value of the wrong type, and nothing of a body in the reply or the log."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from rag.container import Services, build_services
from tests.conftest import SEEDS, make_settings
from tests.support.fakes import HashEmbedding
from tests.support.net import free_port, post_large
from ui.guard import MAX_REQUEST_BYTES, checked_api

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
MARK = "BODY-MARK-7d1f"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    from ui.api import build_api
    from ui.app import build_app
    from ui.serving import launch

    services: Services = build_services(
        make_settings(tmp_path_factory.mktemp("limits") / "index"), embedder=HashEmbedding())
    services.indexer().run([SEEDS])
    app = build_app(services)
    port = free_port()
    launch(app, port=port, prevent_thread_lock=True, quiet=True, settings=services.settings,
           api=build_api(services, None))
    try:
        yield "127.0.0.1", port
    finally:
        app.close()
        services.close()


def _post(server: tuple[str, int], path: str, body: bytes) -> tuple[int, dict[str, object] | str]:
    conn = http.client.HTTPConnection(*server, timeout=60)
    headers = {"Content-Type": "application/json"}
    try:
        conn.request("POST", path, body, headers)
        reply = conn.getresponse()
        text = reply.read().decode()
    finally:
        conn.close()
    try:
        return reply.status, json.loads(text)
    except ValueError:
        return reply.status, text


def _post_large(server: tuple[str, int], path: str, size: int, chunked: bool,
                ) -> tuple[int, dict[str, object] | str]:
    status, text = post_large(server, path, size, chunked, MARK.encode())
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@pytest.mark.parametrize("path", ["/gradio_api/call/ask", "/gradio_api/call/summarize",
                                  "/v1/chat/completions", "/mcp", "/gradio_api/queue/join"])
@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_body_over_the_limit_is_refused_with_413(
    server: tuple[str, int], path: str, chunked: bool
) -> None:
    status, reply = _post_large(server, path, MAX_REQUEST_BYTES + 1024, chunked)
    assert status == 413, reply
    assert isinstance(reply, dict) and "too large" in str(reply["error"]), reply
    assert MARK not in json.dumps(reply)


def test_fifty_megabytes_are_refused_before_they_are_read(server: tuple[str, int]) -> None:
    conn = http.client.HTTPConnection(*server, timeout=30)
    conn.putrequest("POST", "/gradio_api/call/ask")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(50 * 1024 * 1024))
    conn.endheaders()
    conn.send(b'{"data": ["')  # the rest never comes: the answer must not wait for it
    reply = conn.getresponse()
    assert reply.status == 413
    conn.close()


def test_an_unknown_api_name_is_404_naming_it(server: tuple[str, int]) -> None:
    status, reply = _post(server, "/gradio_api/call/no_such_api", b'{"data": []}')
    assert status == 404 and "no_such_api" in str(reply), reply


def test_a_malformed_request_is_422_without_its_body(
    server: tuple[str, int], capfd: pytest.CaptureFixture[str]
) -> None:
    status, reply = _post(server, "/gradio_api/call/ask",
                          json.dumps({"dat": MARK}).encode())
    assert status == 422 and "data" in str(reply), reply
    assert MARK not in json.dumps(reply)
    _events(server, "ask", [{MARK: MARK}, "", "", "", 5, "extractive", [], ""])
    _post(server, "/v1/chat/completions", json.dumps({"messages": MARK}).encode())
    logged = capfd.readouterr()
    assert MARK not in logged.out and MARK not in logged.err


def _events(server: tuple[str, int], api: str, data: list[object]) -> str:
    status, reply = _post(server, f"/gradio_api/call/{api}", json.dumps({"data": data}).encode())
    assert status == 200 and isinstance(reply, dict), reply
    conn = http.client.HTTPConnection(*server, timeout=60)
    try:
        conn.request("GET", f"/gradio_api/call/{api}/{reply['event_id']}")
        return conn.getresponse().read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize(("data", "named"), [
    ([{"x": 1}, "", "", "", 5, "extractive", [], ""], "'question': want text, got an object"),
    (["Rockets?", 2021, "", "", 5, "extractive", [], ""], "'since': want text"),
    (["Rockets?", "", "", "", "five", "extractive", [], ""], "'k': want a whole number"),
    (["Rockets?", "", "", "", 5, "extractive", "not a list", ""], "'history': want a list"),
], ids=["question", "since", "k", "history"])
def test_a_value_of_the_wrong_type_is_named_to_the_caller(
    server: tuple[str, int], data: list[object], named: str
) -> None:
    stream = _events(server, "ask", data)
    assert "event: error" in stream and named in stream, stream


def test_good_calls_still_answer(server: tuple[str, int]) -> None:
    stream = _events(server, "ask", ["How many Katyusha rockets were aimed at the embassy?",
                                     "", "", "", 5, "extractive", [], ""])
    assert "event: complete" in stream and "Katyusha" in stream, stream[:500]


@pytest.mark.parametrize(("value", "ok"), [
    ("text", True), (None, True), (3, False), (["a"], False),
])
def test_checked_api_checks_annotated_types(value: object, ok: bool) -> None:
    import gradio as gr

    def ask(question: str, k: int = 0, history: list[list[str]] | None = None) -> str:
        return f"{question}:{k}:{history}"

    checked = checked_api(ask)
    if ok:
        assert checked(value, 2).endswith(":2:None")  # type: ignore[arg-type]
    else:
        with pytest.raises(gr.Error, match="invalid value for 'question'"):
            checked(value)  # type: ignore[arg-type]
    with pytest.raises(gr.Error, match="'k': want a whole number, got true/false"):
        checked("q", True)
    assert checked("q", 1, [["a", "b"]]) == "q:1:[['a', 'b']]"
