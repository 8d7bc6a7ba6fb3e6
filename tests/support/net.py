"""Loopback helpers shared by the tests that start servers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of the call)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
