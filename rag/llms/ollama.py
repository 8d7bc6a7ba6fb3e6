"""The Ollama backend: llama-index's Ollama LLM and embedding, with errors a user can act on.

Everything goes through the official ``ollama`` client (httpx underneath), driven by
llama-index's integrations:

* ``Ollama.complete`` / ``stream_complete`` wrap the prompt in one ``user`` message and call
  ``POST /api/chat`` (``stream`` false / true). The server applies the model's chat template,
  which is what an instruct model needs for our plain-text, completion-style prompts; we
  keep that path rather than ``/api/generate``.
* ``OllamaEmbedding`` calls ``POST /api/embed`` with ``input`` a string or a list.
* :func:`probe_ollama` calls ``GET /api/tags``.

What the client raises, and what we turn it into (always one line that names the fix: a
:class:`~rag.errors.ModelNotPulled`, the user's to fix, for a model not pulled, else a
:class:`~rag.errors.BackendUnavailable` with the URL, model and HTTP status):

* server down: ``ConnectionError`` (builtin, from ``httpx.ConnectError``) for plain
  requests, but a bare ``httpx.ConnectError`` for streamed ones;
* model not pulled: ``ollama.ResponseError`` with ``status_code == 404``;
* slow server: ``httpx.ReadTimeout`` (``httpx.ConnectTimeout`` if the TCP connect hangs);
* stream cut: ``httpx.RemoteProtocolError`` ("incomplete chunked read") when the server dies
  mid-stream; a stream that ends cleanly but without the final ``"done": true`` object raises
  nothing in the client, so :class:`OllamaLLM` checks for that object itself;
* an ``{"error": ...}`` line inside a stream: ``ollama.ResponseError`` with status -1.

Nothing here reads the environment or files: the caller passes the host (settings resolve
``OLLAMA_HOST``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import ollama
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    LLMMetadata,
)
from llama_index.core.bridge.pydantic import Field
from llama_index.core.constants import DEFAULT_EMBED_BATCH_SIZE
from llama_index.embeddings.ollama import OllamaEmbedding
from llama_index.llms.ollama import Ollama

from index.embedding import NewsEmbedding
from rag.errors import BackendUnavailable, ModelNotPulled, RagError, UserError

__all__ = [
    "TIMEOUT_SETTING",
    "OllamaEmbeddingModel",
    "OllamaLLM",
    "OllamaStatus",
    "build_ollama_embedding",
    "build_ollama_llm",
    "model_matches",
    "normalize_model_name",
    "probe_ollama",
]

#: The setting a user raises when Ollama is too slow (see ``rag.settings.Settings``).
TIMEOUT_SETTING = "ollama_timeout (RAG_OLLAMA_TIMEOUT)"

# Everything the ollama client lets through when the server misbehaves. Builtin
# ConnectionError is what ``Client._request_raw`` raises for httpx.ConnectError;
# streamed requests leak httpx errors directly; a garbled NDJSON line gives JSONDecodeError.
_BACKEND_ERRORS: tuple[type[BaseException], ...] = (
    ollama.ResponseError,
    ConnectionError,
    httpx.HTTPError,
    json.JSONDecodeError,
)

_MAX_DETAIL = 200


# --------------------------------------------------------------------------- helpers


def _one_line(text: str, limit: int = _MAX_DETAIL) -> str:
    """Collapse whitespace (server messages may contain newlines) and cap the length."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _display_host(host: str) -> str:
    """The host as a URL for messages: ``localhost:11434`` -> ``http://localhost:11434``."""
    shown = host.strip().rstrip("/")
    return shown if "://" in shown else f"http://{shown}"


def _require_host(host: str) -> str:
    # An empty host would make the ollama client fall back to $OLLAMA_HOST behind our back.
    if not host or not host.strip():
        raise UserError("the Ollama host is empty: set OLLAMA_HOST (e.g. http://localhost:11434)")
    return host.strip()


def normalize_model_name(name: str) -> str:
    """Canonical form of an Ollama model name: lower case, default registry and
    ``library/`` namespace dropped, ``:latest`` added when there is no tag.

    >>> normalize_model_name("llama3.2")
    'llama3.2:latest'
    >>> normalize_model_name("registry.ollama.ai/library/Qwen2.5:7b")
    'qwen2.5:7b'
    """
    canon = name.strip().lower()
    canon = canon.removeprefix("registry.ollama.ai/").removeprefix("library/")
    if ":" not in canon.rsplit("/", 1)[-1]:
        canon += ":latest"
    return canon


def model_matches(wanted: str, available: str) -> bool:
    """True if ``available`` (a name from ``/api/tags``) is the model ``wanted`` names."""
    return normalize_model_name(wanted) == normalize_model_name(available)


@dataclass(frozen=True)
class _Call:
    """What we were doing when something failed, for the error message."""

    host: str
    model: str
    timeout: float | None
    action: str  # "answer" or "embed"
    endpoint: str  # "/api/chat", "/api/embed", ...

    @property
    def url(self) -> str:
        return _display_host(self.host)


def _unreachable(call: _Call) -> str:
    return f"Ollama is not reachable at {call.url}: start it with `ollama serve` or set OLLAMA_HOST"


def _timeout_text(timeout: float | None) -> str:
    return f"{timeout:g}s" if timeout is not None else "the request timeout"


def _cut_message(call: _Call, chunks: int) -> str:
    return (
        f"the answer from Ollama ({call.url}, model '{call.model}') was cut off: the connection "
        f"closed mid-answer, after {chunks} chunk(s) and before the final `done: true` chunk; "
        "the answer is incomplete, retry and check the `ollama serve` log if it happens again"
    )


def _translate(exc: BaseException, call: _Call,
               chunks: int | None = None) -> BackendUnavailable | ModelNotPulled:
    """Turn whatever the ollama client raised into a one-line error: the model not pulled
    is the user's to fix (:class:`ModelNotPulled`); anything else a
    :class:`BackendUnavailable` carrying the server's URL, the model and the HTTP status.

    ``chunks`` is None for a plain request, else the number of stream chunks already received.
    """
    mid_stream = bool(chunks)
    status: int | None = None

    def fail(message: str) -> BackendUnavailable:
        return BackendUnavailable(message, url=call.url, model=call.model, status=status)

    if isinstance(exc, ollama.ResponseError):
        detail = _one_line(exc.error)
        status = exc.status_code
        if status == 404 and "not found" in detail.lower() and "model" in detail.lower():
            return ModelNotPulled(call.model, call.url)
        if status == 404:
            return fail(
                f"{call.url} answered 404 to {call.endpoint} ({detail}): check that OLLAMA_HOST "
                "points to an Ollama server"
            )
        if status == -1:  # an {"error": ...} object inside a 200 stream
            return fail(
                f"Ollama failed mid-answer with model '{call.model}': {detail}; "
                "check the `ollama serve` log and retry"
            )
        if "does not support" in detail.lower():
            return fail(
                f"Ollama cannot {call.action} with model '{call.model}' ({detail}): "
                "choose a model that supports it"
            )
        return fail(
            f"Ollama at {call.url} failed to {call.action} with model '{call.model}' "
            f"(HTTP {status}: {detail}): check the `ollama serve` log"
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return fail(
            f"Ollama at {call.url} did not accept a connection within "
            f"{_timeout_text(call.timeout)}: start it with `ollama serve` or fix OLLAMA_HOST"
        )
    if isinstance(exc, httpx.TimeoutException):
        waited = _timeout_text(call.timeout)
        if mid_stream:
            return fail(
                f"Ollama ({call.url}, model '{call.model}') stopped sending the answer for "
                f"{waited} after {chunks} chunk(s): raise {TIMEOUT_SETTING}"
            )
        return fail(
            f"Ollama at {call.url} did not {call.action} within {waited} with model "
            f"'{call.model}' (loading a model can be slow): raise {TIMEOUT_SETTING}"
        )
    if isinstance(exc, ConnectionError | httpx.ConnectError):
        return fail(_unreachable(call))
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        if chunks is not None and chunks > 0:
            return fail(_cut_message(call, chunks))
        return fail(
            f"Ollama at {call.url} closed the connection before answering {call.endpoint} "
            f"(model '{call.model}'): it may have crashed, check the `ollama serve` log and retry"
        )
    if isinstance(exc, json.JSONDecodeError):
        if mid_stream:
            return fail(_cut_message(call, chunks or 0))
        return fail(
            f"{call.url} sent a response to {call.endpoint} that is not JSON: check that "
            "OLLAMA_HOST points to an Ollama server"
        )
    return fail(
        f"cannot talk to Ollama at {call.url} ({type(exc).__name__}: {_one_line(str(exc))}): "
        "check OLLAMA_HOST"
    )


@contextmanager
def _translating(call: _Call) -> Iterator[None]:
    """Re-raise backend failures inside the block as BackendUnavailable."""
    try:
        yield
    except RagError:
        raise
    except _BACKEND_ERRORS as exc:
        raise _translate(exc, call) from exc


def _is_final(chunk: ChatResponse) -> bool:
    raw = chunk.raw
    return isinstance(raw, Mapping) and bool(raw.get("done"))


# --------------------------------------------------------------------------- probe


@dataclass(frozen=True)
class OllamaStatus:
    """What :func:`probe_ollama` found.

    ``reason`` is None when the server is up and has the model, else a one-line message
    naming the fix.
    """

    reachable: bool
    has_model: bool
    models: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the server answered and the model is pulled."""
        return self.reachable and self.has_model


def probe_ollama(host: str, model: str, timeout: float = 2.0) -> OllamaStatus:
    """Ask the Ollama server at ``host`` (``GET /api/tags``) whether it runs and has ``model``.

    Never raises for backend problems: they are reported in the returned status. ``model``
    matches with or without the ``:latest`` tag.
    """
    host = _require_host(host)
    call = _Call(
        host=host, model=model, timeout=timeout, action="list models", endpoint="/api/tags"
    )
    client = ollama.Client(host=host, timeout=timeout)
    try:
        listing = client.list()
    except httpx.TimeoutException:
        reason = (
            f"Ollama at {call.url} did not answer GET /api/tags within {timeout:g}s: "
            "it may be hung, restart `ollama serve`"
        )
        return OllamaStatus(reachable=False, has_model=False, reason=reason)
    except (ValueError, TypeError):  # JSON that is not a model listing (ValidationError too)
        reason = (
            f"{call.url} answered GET /api/tags but not like Ollama: check that OLLAMA_HOST "
            "points to an Ollama server"
        )
        return OllamaStatus(reachable=False, has_model=False, reason=reason)
    except _BACKEND_ERRORS as exc:
        reason = str(_translate(exc, call))
        return OllamaStatus(reachable=False, has_model=False, reason=reason)
    finally:
        client.close()  # type: ignore[no-untyped-call]  # the ollama client is untyped here

    names = tuple(entry.model for entry in listing.models if entry.model)
    if any(model_matches(model, name) for name in names):
        return OllamaStatus(reachable=True, has_model=True, models=names)
    pulled = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    reason = str(ModelNotPulled(model)) + (f" (pulled: {pulled})" if names
                                           else " (no model is pulled)")
    return OllamaStatus(reachable=True, has_model=False, models=names, reason=reason)


# --------------------------------------------------------------------------- LLM


class OllamaLLM(Ollama):  # type: ignore[misc]  # llama-index-llms-ollama is untyped
    """llama-index's :class:`~llama_index.llms.ollama.Ollama` with actionable errors.

    ``chat``/``stream_chat`` (and so ``complete``/``stream_complete``, which llama-index
    routes through them, and the async variants) raise :class:`BackendUnavailable` with a
    one-line message instead of httpx/ollama exceptions, and a stream that stops before the
    final ``done: true`` chunk raises instead of passing for a complete answer.
    """

    max_tokens: int | None = Field(
        default=None, description="Answer length cap, sent as options.num_predict."
    )

    # The capabilities of rag.llms.model.NewsLLM: llama-index's Ollama takes no ``stop``.
    backend_name: ClassVar[str] = "ollama"
    supports_stop_kwargs: ClassVar[bool] = False

    @classmethod
    def class_name(cls) -> str:
        """Name used by llama-index serialization."""
        return "RagOllamaLLM"

    @property
    def metadata(self) -> LLMMetadata:
        """LLM metadata; ``num_output`` is ``max_tokens`` when set, so prompt budgeting
        leaves room for the answer."""
        meta: LLMMetadata = super().metadata
        if self.max_tokens is not None:
            meta = meta.model_copy(update={"num_output": self.max_tokens})
        return meta

    def _call(self, endpoint: str = "/api/chat") -> _Call:
        return _Call(
            host=self.base_url,
            model=self.model,
            timeout=self.request_timeout,
            action="answer",
            endpoint=endpoint,
        )

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """``POST /api/chat`` without streaming; failures become BackendUnavailable."""
        with _translating(self._call()):
            response: ChatResponse = super().chat(messages, **kwargs)
            return response

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """``POST /api/chat`` streaming NDJSON; yields cumulative messages with ``delta``.

        Raises BackendUnavailable (while iterating) if the server fails, stalls past the
        timeout, or the stream ends before its final ``done: true`` chunk.
        """
        call = self._call()
        with _translating(call):
            inner = super().stream_chat(messages, **kwargs)
        return self._guard_stream(inner, call)

    @staticmethod
    def _guard_stream(inner: ChatResponseGen, call: _Call) -> ChatResponseGen:
        chunks = 0
        finished = False
        try:
            for chunk in inner:
                chunks += 1
                finished = finished or _is_final(chunk)
                yield chunk
        except RagError:
            raise
        except _BACKEND_ERRORS as exc:
            raise _translate(exc, call, chunks=chunks) from exc
        finally:
            inner.close()  # release the HTTP connection if the caller stops early
        if not finished:
            raise BackendUnavailable(_cut_message(call, chunks), url=call.url, model=call.model)

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`."""
        with _translating(self._call()):
            response: ChatResponse = await super().achat(messages, **kwargs)
            return response

    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        call = self._call()
        with _translating(call):
            inner = await super().astream_chat(messages, **kwargs)
        return self._aguard_stream(inner, call)

    @staticmethod
    async def _aguard_stream(inner: ChatResponseAsyncGen, call: _Call) -> ChatResponseAsyncGen:
        chunks = 0
        finished = False
        try:
            async for chunk in inner:
                chunks += 1
                finished = finished or _is_final(chunk)
                yield chunk
        except RagError:
            raise
        except _BACKEND_ERRORS as exc:
            raise _translate(exc, call, chunks=chunks) from exc
        finally:
            await inner.aclose()
        if not finished:
            raise BackendUnavailable(_cut_message(call, chunks), url=call.url, model=call.model)


def build_ollama_llm(
    host: str,
    model: str,
    context_window: int,
    request_timeout: float,
    temperature: float = 0.0,
    max_tokens: int | None = None,
) -> OllamaLLM:
    """Build the Ollama LLM for ``model`` served at ``host``.

    ``context_window`` is sent with every request as ``options.num_ctx``: Ollama's default
    context is small and it silently drops the start of longer prompts. ``max_tokens``, if
    given, is sent as ``options.num_predict``. ``request_timeout`` (seconds) bounds the wait
    for each response (and each streamed chunk). No network call is made here.
    """
    host = _require_host(host)
    if context_window <= 0:
        raise UserError(f"context_window must be positive, got {context_window}")
    if max_tokens is not None and max_tokens <= 0:
        raise UserError(f"max_tokens must be positive, got {max_tokens}")
    if request_timeout <= 0:
        raise UserError(f"{TIMEOUT_SETTING} must be positive, got {request_timeout}")
    additional: dict[str, Any] = {}
    if max_tokens is not None:
        additional["num_predict"] = max_tokens
    return OllamaLLM(
        model=model,
        base_url=host,
        temperature=temperature,
        context_window=context_window,
        request_timeout=request_timeout,
        additional_kwargs=additional,
        max_tokens=max_tokens,
    )


# --------------------------------------------------------------------------- embeddings


class OllamaEmbeddingModel(OllamaEmbedding, NewsEmbedding):  # type: ignore[misc]  # untyped base
    """llama-index's :class:`OllamaEmbedding` (``POST /api/embed``) with actionable errors.

    Every embedding path of llama-index (query, text, batch; sync and async) goes through the
    ``*general_text_embedding*`` methods wrapped here.
    """

    request_timeout: float | None = Field(
        default=None, description="Seconds to wait for Ollama (informational, for messages)."
    )

    @classmethod
    def class_name(cls) -> str:
        """Name used by llama-index serialization."""
        return "RagOllamaEmbedding"

    def _call(self) -> _Call:
        return _Call(
            host=self.base_url,
            model=self.model_name,
            timeout=self.request_timeout,
            action="embed",
            endpoint="/api/embed",
        )

    def _check(self, vectors: list[list[float]], expected: int) -> list[list[float]]:
        if len(vectors) != expected:
            raise BackendUnavailable(
                f"Ollama returned {len(vectors)} embedding(s) for {expected} text(s) with model "
                f"'{self.model_name}': is it an embedding model? choose one (e.g. nomic-embed-text)"
            )
        return vectors

    def get_general_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        """Embed several texts in one ``/api/embed`` call."""
        with _translating(self._call()):
            vectors = super().get_general_text_embeddings(texts)
        return self._check(list(vectors), len(texts))

    async def aget_general_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`get_general_text_embeddings`."""
        with _translating(self._call()):
            vectors = await super().aget_general_text_embeddings(texts)
        return self._check(list(vectors), len(texts))

    def get_general_text_embedding(self, texts: str) -> list[float]:
        """Embed one text (``input`` sent as a string)."""
        with _translating(self._call()):
            result = self._client.embed(
                model=self.model_name,
                input=texts,
                options=self.ollama_additional_kwargs,
                keep_alive=self.keep_alive,
            )
        return self._check(list(result.embeddings), 1)[0]

    async def aget_general_text_embedding(self, prompt: str) -> list[float]:
        """Async :meth:`get_general_text_embedding`."""
        with _translating(self._call()):
            result = await self._async_client.embed(
                model=self.model_name,
                input=prompt,
                options=self.ollama_additional_kwargs,
                keep_alive=self.keep_alive,
            )
        return self._check(list(result.embeddings), 1)[0]


def build_ollama_embedding(
    host: str,
    model: str,
    request_timeout: float,
    embed_batch_size: int = DEFAULT_EMBED_BATCH_SIZE,
) -> OllamaEmbeddingModel:
    """Build the Ollama embedding model ``model`` served at ``host`` (``POST /api/embed``).

    ``request_timeout`` (seconds) is the httpx timeout of each embed call; texts are sent
    ``embed_batch_size`` at a time. No network call is made here.
    """
    host = _require_host(host)
    if request_timeout <= 0:
        raise UserError(f"{TIMEOUT_SETTING} must be positive, got {request_timeout}")
    return OllamaEmbeddingModel(
        model_name=model,
        base_url=host,
        embed_batch_size=embed_batch_size,
        client_kwargs={"timeout": request_timeout},
        request_timeout=request_timeout,
    )
