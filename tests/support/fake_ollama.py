"""A fake Ollama server for contract tests: real HTTP on 127.0.0.1, Ollama's documented API.

Implements ``GET /api/tags``, ``GET /api/version``, ``POST /api/chat``, ``POST /api/generate``
(NDJSON streaming with chunked transfer encoding, like the real server, or one JSON object
when ``"stream": false``), ``POST /api/embed`` and ``POST /api/show``. A model that is not
in :attr:`FakeOllama.models` gets ``404 {"error": "model 'x' not found"}``.

Scriptable per test through attributes of :class:`FakeOllama`: the reply text, a per-token
delay, cutting the stream after N chunks (abruptly, or cleanly but without the ``done``
chunk), an ``{"error": ...}`` line mid-stream, stalling mid-stream, hanging before
answering. Every request is recorded in :attr:`FakeOllama.requests`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_server import LocalServer

DEFAULT_MODELS = ("llama3.2:latest", "nomic-embed-text:latest")
DEFAULT_EMBED_DIM = 16
DEFAULT_CONTEXT_LENGTH = 131072
_MAX_HANG = 30.0  # seconds a hanging handler waits at most (released early by stop())


def split_tokens(text: str) -> list[str]:
    """Cut ``text`` into word-ish deltas whose concatenation is exactly ``text``."""
    return re.findall(r"\S+\s*|\s+", text)


def embedding_for(text: str, dim: int = DEFAULT_EMBED_DIM) -> list[float]:
    """Deterministic unit vector for ``text`` (from SHA-256), L2-normed like /api/embed's."""
    values: list[float] = []
    counter = 0
    while len(values) < dim:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend((byte - 127.5) / 127.5 for byte in digest)
        counter += 1
    values = values[:dim]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def _normalize(name: str) -> str:
    name = name.strip().lower()
    return name if ":" in name.rsplit("/", 1)[-1] else name + ":latest"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeOllama(LocalServer):
    """The scriptable fake. Start with :meth:`start` (or use as a context manager).

    Attributes a test may set at any time:

    * ``models``: names listed by /api/tags and accepted by the other endpoints.
    * ``reply``: the assistant's answer, streamed word by word.
    * ``token_delay``: seconds slept before each streamed chunk.
    * ``cut_after``: stop after that many content chunks, without the ``done`` chunk.
    * ``cut_cleanly``: with ``cut_after``, end the chunked body properly instead of dropping
      the TCP connection (the client then sees a normal end of stream without ``done``).
    * ``error_after``: send ``{"error": error_message}`` after that many chunks, then end.
    * ``stall_after``: after that many chunks, stop sending (until :meth:`stop`).
    * ``hang``: accept requests but never answer (until :meth:`stop`).
    * ``not_found_message``: the 404 error text, ``{model}`` is replaced.
    * ``embed_dim``: length of the vectors /api/embed returns.
    """

    def __init__(
        self,
        models: tuple[str, ...] | list[str] = DEFAULT_MODELS,
        embed_dim: int = DEFAULT_EMBED_DIM,
    ) -> None:
        self.models: list[str] = list(models)
        self.reply = "The answer is 42."
        self.token_delay = 0.0
        self.cut_after: int | None = None
        self.cut_cleanly = False
        self.error_after: int | None = None
        self.error_message = "llama runner process has terminated: exit status 2"
        self.stall_after: int | None = None
        self.hang = False
        self.not_found_message = "model '{model}' not found"
        self.embed_dim = embed_dim
        self.requests: list[RecordedRequest] = []
        super().__init__()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, to pass as the Ollama host."""
        return f"http://127.0.0.1:{self.port}"

    # -- inspection -------------------------------------------------------------------

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests for ``path`` (e.g. ``"/api/chat"``), oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def last(self, path: str) -> RecordedRequest:
        """The most recent request to ``path``; fails the test if there is none."""
        found = self.requests_to(path)
        assert found, f"no request to {path}; got {[r.path for r in self.requests]}"
        return found[-1]

    def has_model(self, name: str) -> bool:
        """Whether ``name`` is served (``llama3.2`` matches ``llama3.2:latest``)."""
        return _normalize(name) in {_normalize(m) for m in self.models}

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)



class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    # -- plumbing ---------------------------------------------------------------------

    @property
    def fake(self) -> FakeOllama:
        owner: FakeOllama = self.server.owner  # type: ignore[attr-defined]
        return owner

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, data: bytes) -> None:
        """Write one HTTP/1.1 chunk; empty ``data`` writes the terminating chunk."""
        if data:
            self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
        else:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _line(self, obj: dict[str, Any]) -> None:
        self._chunk(json.dumps(obj).encode() + b"\n")

    def _hang_if_asked(self) -> bool:
        if self.fake.hang:
            self.fake._wait(_MAX_HANG)
            self.close_connection = True
            return True
        return False

    def _model_or_404(self, body: dict[str, Any]) -> str | None:
        name = str(body.get("model") or "")
        if not name:
            self._send_json(400, {"error": "model is required"})
            return None
        if not self.fake.has_model(name):
            self._send_json(404, {"error": self.fake.not_found_message.format(model=name)})
            return None
        return name

    # -- verbs ------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.fake._record(RecordedRequest("GET", self.path, None, dict(self.headers.items())))
        try:
            if self._hang_if_asked():
                return
            if self.path == "/api/tags":
                self._send_json(200, {"models": [_tag_entry(m) for m in self.fake.models]})
            elif self.path == "/api/version":
                self._send_json(200, {"version": "0.6.0"})
            elif self.path == "/":
                self._send_text(200, "Ollama is running")
            else:
                self._send_text(404, "404 page not found")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = None
        self.fake._record(RecordedRequest("POST", self.path, body, dict(self.headers.items())))
        try:
            if self._hang_if_asked():
                return
            if not isinstance(body, dict):
                self._send_json(400, {"error": "invalid JSON body"})
                return
            route = {
                "/api/chat": self._chat,
                "/api/generate": self._generate,
                "/api/embed": self._embed,
                "/api/show": self._show,
            }.get(self.path)
            if route is None:
                self._send_text(404, "404 page not found")
                return
            route(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- endpoints --------------------------------------------------------------------

    def _chat(self, body: dict[str, Any]) -> None:
        model = self._model_or_404(body)
        if model is None:
            return
        prompt = " ".join(str(m.get("content") or "") for m in body.get("messages") or [])
        self._answer(
            body,
            model,
            prompt,
            piece=lambda text: {"message": {"role": "assistant", "content": text}},
            final_extra={},
        )

    def _generate(self, body: dict[str, Any]) -> None:
        model = self._model_or_404(body)
        if model is None:
            return
        prompt = f"{body.get('system') or ''} {body.get('prompt') or ''}"
        extra: dict[str, Any] = {} if body.get("raw") else {"context": [1, 2, 3]}
        self._answer(
            body,
            model,
            prompt,
            piece=lambda text: {"response": text},
            final_extra=extra,
        )

    def _answer(
        self,
        body: dict[str, Any],
        model: str,
        prompt: str,
        piece: Any,
        final_extra: dict[str, Any],
    ) -> None:
        fake = self.fake
        tokens = split_tokens(fake.reply)
        options = body.get("options") or {}
        done_reason = "stop"
        num_predict = options.get("num_predict")
        if isinstance(num_predict, int) and 0 <= num_predict < len(tokens):
            tokens, done_reason = tokens[:num_predict], "length"
        stats = {
            "total_duration": 1_000_000 * (len(tokens) + 1),
            "load_duration": 1_000_000,
            "prompt_eval_count": len(prompt.split()),
            "prompt_eval_duration": 500_000,
            "eval_count": len(tokens),
            "eval_duration": 1_000_000 * len(tokens),
        }

        def envelope(payload: dict[str, Any], done: bool) -> dict[str, Any]:
            return {"model": model, "created_at": _now(), **payload, "done": done}

        if body.get("stream", True) is False:
            if fake.cut_after is not None:  # die before answering
                self.close_connection = True
                return
            if fake.error_after is not None:  # the real server answers 500 with the error
                self._send_json(500, {"error": fake.error_message})
                return
            if fake.token_delay and fake._wait(fake.token_delay * len(tokens)):
                return
            final = envelope(piece("".join(tokens)), True)
            self._send_json(200, {**final, "done_reason": done_reason, **final_extra, **stats})
            return

        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index, token in enumerate(tokens):
            if fake.cut_after is not None and index >= fake.cut_after:
                if fake.cut_cleanly:
                    self._chunk(b"")
                self.close_connection = True
                return
            if fake.error_after is not None and index >= fake.error_after:
                self._line({"error": fake.error_message})
                self._chunk(b"")
                return
            if fake.stall_after is not None and index >= fake.stall_after:
                fake._wait(_MAX_HANG)
                self.close_connection = True
                return
            if fake.token_delay and fake._wait(fake.token_delay):
                self.close_connection = True
                return
            self._line(envelope(piece(token), False))
        final = envelope(piece(""), True)
        self._line({**final, "done_reason": done_reason, **final_extra, **stats})
        self._chunk(b"")

    def _embed(self, body: dict[str, Any]) -> None:
        model = self._model_or_404(body)
        if model is None:
            return
        given = body.get("input", "")
        texts = [given] if isinstance(given, str) else list(given)
        if not all(isinstance(t, str) for t in texts):
            self._send_json(400, {"error": "invalid input type"})
            return
        dim = int(body.get("dimensions") or self.fake.embed_dim)
        self._send_json(
            200,
            {
                "model": model,
                "embeddings": [embedding_for(t, dim) for t in texts],
                "total_duration": 1_000_000,
                "load_duration": 100_000,
                "prompt_eval_count": sum(len(t.split()) for t in texts),
            },
        )

    def _show(self, body: dict[str, Any]) -> None:
        model = self._model_or_404(body)
        if model is None:
            return
        self._send_json(
            200,
            {
                "modelfile": f'# Modelfile generated by "ollama show"\nFROM {model}\n',
                "parameters": 'stop "<|eot_id|>"',
                "template": "{{ .Prompt }}",
                "details": _details(),
                "model_info": {
                    "general.architecture": "llama",
                    "llama.context_length": DEFAULT_CONTEXT_LENGTH,
                    "llama.embedding_length": 3072,
                },
                "capabilities": ["completion", "embedding"],
                "modified_at": "2025-01-01T00:00:00Z",
            },
        )


def _details() -> dict[str, Any]:
    return {
        "parent_model": "",
        "format": "gguf",
        "family": "llama",
        "families": ["llama"],
        "parameter_size": "3.2B",
        "quantization_level": "Q4_K_M",
    }


def _tag_entry(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-01-01T00:00:00Z",
        "size": 2_019_393_189,
        "digest": hashlib.sha256(name.encode()).hexdigest(),
        "details": _details(),
    }


FakeOllama.handler = _Handler
