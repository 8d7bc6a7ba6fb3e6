"""What the tests' HTTP servers share: a threaded server on 127.0.0.1 and a free port,
started and stopped by the test, with stalling handlers released on stop."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietServer(ThreadingHTTPServer):
    """A threaded server that does not print clients hanging up (timeouts in the tests
    are expected, not worth a traceback); ``owner`` is the test object it serves."""

    daemon_threads = True
    owner: Any

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class LocalServer:
    """A server's life: :meth:`start` (or ``with``), :meth:`stop`, :attr:`port`.

    Subclasses name their request handler in :attr:`handler`; a handler reaches the
    subclass instance as ``self.server.owner``.
    """

    handler: type[BaseHTTPRequestHandler]

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: QuietServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, port: int = 0) -> Self:
        """Bind 127.0.0.1 on ``port`` (0: a free one; a restarted server can keep its
        URL) and serve in a daemon thread."""
        self._release.clear()
        server = QuietServer(("127.0.0.1", port), self.handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release waiting handlers, stop serving and close the socket."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        assert self._server is not None, f"{type(self).__name__} is not started"
        port: int = self._server.server_address[1]
        return port

    def _wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` (a stalling handler); True when released by stop()."""
        return self._release.wait(seconds)
