"""Loopback helpers shared by the tests that start servers."""

from __future__ import annotations

import http.client
import select
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of the call)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_large(server: tuple[str, int], path: str, size: int, chunked: bool,
               mark: bytes = b"") -> tuple[int, str]:
    """POST a JSON body of about ``size`` bytes (``mark`` at its start; made piece by piece,
    never held whole) as a client that stops sending once the server has answered;
    returns the status and the reply's text."""
    head = f"POST {path} HTTP/1.1\r\nHost: {server[0]}\r\nContent-Type: application/json\r\n"
    first, last = b'{"data": ["' + mark, b'"]}'
    total = len(first) + size + len(last)
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n"
    piece = 256 * 1024
    parts = chain([first], (b"x" * min(piece, size - i) for i in range(0, size, piece)), [last])
    with socket.create_connection(server, timeout=120) as sock:
        sock.sendall((head + "\r\n").encode())
        for part in parts:
            if select.select([sock], [], [], 0)[0]:
                break  # answered already
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            except (BrokenPipeError, ConnectionResetError):
                break
        reply = http.client.HTTPResponse(sock)
        reply.begin()
        return reply.status, reply.read().decode()


@contextmanager
def serving(services: Any, corpus: Path, **launch_kwargs: Any) -> Iterator[str]:
    """Index ``corpus`` with ``services``, serve the chat app on a free loopback port and
    yield its URL; closes the app and the services afterwards."""
    from ui.app import build_app
    from ui.serving import launch

    services.indexer().run([corpus])
    app = build_app(services)
    try:
        _, url, _ = launch(app, port=free_port(), prevent_thread_lock=True, quiet=True,
                           **launch_kwargs)
        yield url
    finally:
        app.close()
        services.close()
