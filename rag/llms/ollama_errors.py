"""What the ollama client raises, and the one-line errors we turn it into.

The error is always one line that names the fix: a :class:`~rag.errors.ModelNotPulled`,
the user's to fix, for a model not pulled, else a :class:`~rag.errors.BackendUnavailable`
with the URL, model and HTTP status:

* server down: ``ConnectionError`` (builtin, from ``httpx.ConnectError``) for plain
  requests, but a bare ``httpx.ConnectError`` for streamed ones;
* model not pulled: ``ollama.ResponseError`` with ``status_code == 404``;
* slow server: ``httpx.ReadTimeout`` (``httpx.ConnectTimeout`` if the TCP connect hangs);
* stream cut: ``httpx.RemoteProtocolError`` ("incomplete chunked read") when the server dies
  mid-stream; a stream that ends cleanly but without the final ``"done": true`` object raises
  nothing in the client, so :class:`~rag.llms.ollama.OllamaLLM` checks for that object itself;
* an ``{"error": ...}`` line inside a stream: ``ollama.ResponseError`` with status -1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import ollama

from rag.errors import BackendUnavailable, ModelNotPulled, RagError

#: The setting a user raises when Ollama is too slow (see ``rag.settings.Settings``).
TIMEOUT_SETTING = "ollama_timeout (RAG_OLLAMA_TIMEOUT)"

# Everything the ollama client lets through when the server misbehaves. Builtin
# ConnectionError is what ``Client._request_raw`` raises for httpx.ConnectError;
# streamed requests leak httpx errors directly; a garbled NDJSON line gives JSONDecodeError.
BACKEND_ERRORS: tuple[type[BaseException], ...] = (
    ollama.ResponseError,
    ConnectionError,
    httpx.HTTPError,
    json.JSONDecodeError,
)

_MAX_DETAIL = 200


def one_line(text: str, limit: int = _MAX_DETAIL) -> str:
    """Collapse whitespace (server messages may contain newlines) and cap the length."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def display_host(host: str) -> str:
    """The host as a URL for messages: ``localhost:11434`` -> ``http://localhost:11434``."""
    shown = host.strip().rstrip("/")
    return shown if "://" in shown else f"http://{shown}"


@dataclass(frozen=True)
class OllamaCall:
    """What we were doing when something failed, for the error message."""

    host: str
    model: str
    timeout: float | None
    action: str  # "answer" or "embed"
    endpoint: str  # "/api/chat", "/api/embed", ...

    @property
    def url(self) -> str:
        return display_host(self.host)


def _unreachable(call: OllamaCall) -> str:
    return f"Ollama is not reachable at {call.url}: start it with `ollama serve` or set OLLAMA_HOST"


def _timeout_text(timeout: float | None) -> str:
    return f"{timeout:g}s" if timeout is not None else "the request timeout"


def cut_message(call: OllamaCall, chunks: int) -> str:
    return (
        f"the answer from Ollama ({call.url}, model '{call.model}') was cut off: the connection "
        f"closed mid-answer, after {chunks} chunk(s) and before the final `done: true` chunk; "
        "the answer is incomplete, retry and check the `ollama serve` log if it happens again"
    )


def translate(exc: BaseException, call: OllamaCall,
              chunks: int | None = None) -> BackendUnavailable | ModelNotPulled:
    """Turn whatever the ollama client raised into a one-line error: the model not pulled
    is the user's to fix (:class:`ModelNotPulled`); anything else a
    :class:`BackendUnavailable` carrying the server's URL, the model and the HTTP status.

    ``chunks`` is None for a plain request, else the number of stream chunks already received.
    """
    if isinstance(exc, ollama.ResponseError):
        return _response_error(exc, call)
    return _unavailable(call, _failure(exc, call, chunks))


def _unavailable(call: OllamaCall, message: str, status: int | None = None) -> BackendUnavailable:
    return BackendUnavailable(message, url=call.url, model=call.model, status=status)


def _response_error(exc: ollama.ResponseError,
                    call: OllamaCall) -> BackendUnavailable | ModelNotPulled:
    """The error of an HTTP error the server answered (or an error line in a stream)."""
    detail = one_line(exc.error)
    status = exc.status_code
    if status == 404 and "not found" in detail.lower() and "model" in detail.lower():
        return ModelNotPulled(call.model, call.url)
    if status == 404:
        message = (f"{call.url} answered 404 to {call.endpoint} ({detail}): check that "
                   "OLLAMA_HOST points to an Ollama server")
    elif status == -1:  # an {"error": ...} object inside a 200 stream
        message = (f"Ollama failed mid-answer with model '{call.model}': {detail}; "
                   "check the `ollama serve` log and retry")
    elif "does not support" in detail.lower():
        message = (f"Ollama cannot {call.action} with model '{call.model}' ({detail}): "
                   "choose a model that supports it")
    else:
        message = (f"Ollama at {call.url} failed to {call.action} with model '{call.model}' "
                   f"(HTTP {status}: {detail}): check the `ollama serve` log")
    return _unavailable(call, message, status)


def _failure(exc: BaseException, call: OllamaCall, chunks: int | None) -> str:
    """The message for a failure without an HTTP answer: a timeout, a connection refused or
    cut, a response that is not JSON (``chunks`` as for :func:`translate`)."""
    mid_stream = bool(chunks)
    if isinstance(exc, httpx.ConnectTimeout):
        return (
            f"Ollama at {call.url} did not accept a connection within "
            f"{_timeout_text(call.timeout)}: start it with `ollama serve` or fix OLLAMA_HOST"
        )
    if isinstance(exc, httpx.TimeoutException):
        waited = _timeout_text(call.timeout)
        if mid_stream:
            return (
                f"Ollama ({call.url}, model '{call.model}') stopped sending the answer for "
                f"{waited} after {chunks} chunk(s): raise {TIMEOUT_SETTING}"
            )
        return (
            f"Ollama at {call.url} did not {call.action} within {waited} with model "
            f"'{call.model}' (loading a model can be slow): raise {TIMEOUT_SETTING}"
        )
    if isinstance(exc, ConnectionError | httpx.ConnectError):
        return _unreachable(call)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        if chunks is not None and chunks > 0:
            return cut_message(call, chunks)
        return (
            f"Ollama at {call.url} closed the connection before answering {call.endpoint} "
            f"(model '{call.model}'): it may have crashed, check the `ollama serve` log and retry"
        )
    if isinstance(exc, json.JSONDecodeError):
        if mid_stream:
            return cut_message(call, chunks or 0)
        return (
            f"{call.url} sent a response to {call.endpoint} that is not JSON: check that "
            "OLLAMA_HOST points to an Ollama server"
        )
    return (
        f"cannot talk to Ollama at {call.url} ({type(exc).__name__}: {one_line(str(exc))}): "
        "check OLLAMA_HOST"
    )


@contextmanager
def translating(call: OllamaCall) -> Iterator[None]:
    """Re-raise backend failures inside the block as BackendUnavailable."""
    try:
        yield
    except RagError:
        raise
    except BACKEND_ERRORS as exc:
        raise translate(exc, call) from exc
