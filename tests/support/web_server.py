"""A local web server for tests of fetching: real HTTP/1.1 on 127.0.0.1, routes tests fill.

Serves GET and HEAD from a route table (:meth:`WebServer.add`, :meth:`WebServer.huge`,
:meth:`WebServer.redirect`); anything else, ``/robots.txt`` included, is a 404 unless
added. A route can answer 304 to conditional requests (``etag``, ``last_modified``),
fail its first N requests (``fail_first``, ``fail_status``), wait before answering
(``delay_s``), stall after part of its body (``stall_after_bytes``), trickle its body
(``trickle_s``), declare a length it never sends (``declared_length``) or be a body of N
bytes generated lazily (:meth:`WebServer.huge`). Every request is recorded in
:attr:`WebServer.requests`, and the server tracks how many requests it was working on
at once (:attr:`WebServer.max_in_flight`).

Use it as a context manager or through the ``web_server`` fixture::

    from tests.support.web_server import web_server  # noqa: F401

    def test_page(web_server):
        url = web_server.add("/a", "<p>hi</p>")
        ...
        assert web_server.count("/a") == 1
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple

import pytest

from tests.support.local_server import LocalServer

_MAX_STALL = 30.0  # seconds a stalling handler waits at most (released early by stop())
_PIECE = 65536  # bytes per write of a lazily generated body
_TRICKLE_PIECE = 16  # bytes per write of a trickling body


class Request(NamedTuple):
    """One request the server received; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Route:
    """What one path answers (see :meth:`WebServer.add` for the fields)."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay_s: float = 0.0
    stall_after_bytes: int | None = None
    trickle_s: float = 0.0
    declared_length: int | None = None
    fail_first: int = 0
    fail_status: int = 503
    fail_headers: dict[str, str] = field(default_factory=dict)
    size: int | None = None  # a lazily generated body of this many bytes instead of body
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length
    served: int = 0  # requests answered so far (for fail_first)

    def length(self) -> int:
        """The body's real length."""
        return self.size if self.size is not None else len(self.body)

    def pieces(self) -> Iterator[bytes]:
        """The body in writes: 64 kB pieces of a generated body, else the body itself."""
        if self.size is None:
            if self.body:
                yield self.body
            return
        left = self.size
        while left > 0:
            n = min(_PIECE, left)
            yield b"x" * n
            left -= n


class WebServer(LocalServer):
    """The server. :meth:`start` it (or use ``with``), fill routes, :meth:`stop` it."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.max_in_flight = 0
        self._in_flight = 0
        super().__init__()

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, e.g. for ``FetchPolicy(allowed_hosts=(server.host,))``."""
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    # -- routes -----------------------------------------------------------------------

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        delay_s: float = 0.0,
        stall_after_bytes: int | None = None,
        *,
        trickle_s: float = 0.0,
        declared_length: int | None = None,
        fail_first: int = 0,
        fail_status: int = 503,
        fail_headers: dict[str, str] | None = None,
    ) -> str:
        """Serve ``body`` at ``path`` (the path with its query, if any); return its URL.

        * ``headers``: extra response headers; ``etag`` / ``last_modified`` are sent too,
          and a request whose ``If-None-Match`` matches the etag (or, without one, whose
          ``If-Modified-Since`` is not older than last_modified) gets a 304.
        * ``delay_s``: wait before answering (counted as in flight).
        * ``stall_after_bytes``: send the headers and that many bytes of the body, then
          go silent until :meth:`stop` (or 30 s) and drop the connection.
        * ``trickle_s``: send the body 16 bytes at a time, this long apart.
        * ``declared_length``: the Content-Length to claim instead of the real one.
        * ``fail_first``: answer the first N requests with ``fail_status`` (and
          ``fail_headers``, e.g. ``{"Retry-After": "1"}``) instead.
        """
        self.routes[path] = Route(
            body=body.encode() if isinstance(body, str) else body,
            content_type=content_type,
            status=status,
            headers=dict(headers or {}),
            etag=etag,
            last_modified=last_modified,
            delay_s=delay_s,
            stall_after_bytes=stall_after_bytes,
            trickle_s=trickle_s,
            declared_length=declared_length,
            fail_first=fail_first,
            fail_status=fail_status,
            fail_headers=dict(fail_headers or {}),
        )
        return self.url(path)

    def huge(
        self,
        path: str,
        size: int,
        *,
        chunked: bool = False,
        content_type: str = "application/octet-stream",
    ) -> str:
        """Serve ``size`` bytes of ``x`` generated lazily (with a Content-Length, or chunked
        so the client cannot know the size before reading); return the URL."""
        self.routes[path] = Route(content_type=content_type, size=size, chunked=chunked)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        """Answer ``path`` with a redirect to ``to`` (absolute or relative, sent as is)."""
        self.routes[path] = Route(content_type="text/plain", status=status,
                                  headers={"Location": to})
        return self.url(path)

    # -- inspection -------------------------------------------------------------------

    def requests_to(self, path: str) -> list[Request]:
        """The recorded requests for ``path``, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def count(self, path: str) -> int:
        """How many requests ``path`` received."""
        return len(self.requests_to(path))

    # -- used by the handler ----------------------------------------------------------

    def _route_for(self, path: str) -> Route | None:
        return self.routes.get(path) or self.routes.get(path.split("?", 1)[0])

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _should_fail(self, route: Route) -> bool:
        with self._lock:
            route.served += 1
            return route.served <= route.fail_first



class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    @property
    def web(self) -> WebServer:
        owner: WebServer = self.server.owner  # type: ignore[attr-defined]
        return owner

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        web = self.web
        headers = {name.lower(): value for name, value in self.headers.items()}
        web._record(Request(self.command, self.path, headers))
        route = web._route_for(self.path)
        # In flight from arrival to the start of the answer: the client cannot have its
        # answer (and start another request) before we count this one out.
        web._enter()
        try:
            if route is not None and route.delay_s and web._wait(route.delay_s):
                self.close_connection = True
                return
            failing = route is not None and web._should_fail(route)
        finally:
            web._leave()
        try:
            if route is None:
                self._send_simple(404, b"not found", {}, head)
            elif failing:
                self._send_simple(route.fail_status, b"failing on purpose", route.fail_headers,
                                  head)
            elif _not_modified(route, headers):
                self.send_response(304)
                self._validators(route)
                self.end_headers()
            else:
                self._send_route(route, head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send_simple(self, status: int, body: bytes, extra: dict[str, str], head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _validators(self, route: Route) -> None:
        if route.etag is not None:
            self.send_header("ETag", route.etag)
        if route.last_modified is not None:
            self.send_header("Last-Modified", route.last_modified)

    def _send_route(self, route: Route, head: bool) -> None:
        web = self.web
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = route.declared_length if route.declared_length is not None else route.length()
            self.send_header("Content-Length", str(length))
        for name, value in route.headers.items():
            self.send_header(name, value)
        self._validators(route)
        self.end_headers()
        if head:
            return
        if route.stall_after_bytes is not None:
            self._write(route, route.body[: route.stall_after_bytes])
            web._wait(_MAX_STALL)
            self.close_connection = True
            return
        if route.trickle_s:
            for start in range(0, len(route.body), _TRICKLE_PIECE):
                self._write(route, route.body[start : start + _TRICKLE_PIECE])
                if web._wait(route.trickle_s):
                    self.close_connection = True
                    return
        else:
            for piece in route.pieces():
                self._write(route, piece)
        if route.chunked:
            self.wfile.write(b"0\r\n\r\n")
        elif route.declared_length is not None and route.declared_length != route.length():
            self.close_connection = True  # the body does not match its length

    def _write(self, route: Route, data: bytes) -> None:
        if not data:
            return
        if route.chunked:
            self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
        else:
            self.wfile.write(data)
        self.wfile.flush()


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    """Whether the conditional headers match the route's validators (If-None-Match wins)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if route.etag is None:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or route.etag.removeprefix("W/") in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None or route.last_modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
        modified = email.utils.parsedate_to_datetime(route.last_modified)
    except (TypeError, ValueError):
        return False
    return since >= modified


@pytest.fixture
def web_server() -> Iterator[WebServer]:
    """A started :class:`WebServer` on 127.0.0.1 (``web_server.base_url``), stopped after."""
    server = WebServer().start()
    try:
        yield server
    finally:
        server.stop()


WebServer.handler = _Handler
