"""The Ollama backend: llama-index's Ollama LLM and embedding, with errors a user can act on.

Everything goes through the official ``ollama`` client (httpx underneath), driven by
llama-index's integrations:

* ``Ollama.complete`` / ``stream_complete`` wrap the prompt in one ``user`` message and call
  ``POST /api/chat`` (``stream`` false / true). The server applies the model's chat template,
  which is what an instruct model needs for our plain-text, completion-style prompts; we
  keep that path rather than ``/api/generate``.
* ``OllamaEmbedding`` calls ``POST /api/embed`` with ``input`` a string or a list.
* :func:`probe_ollama` calls ``GET /api/tags``.

What the client raises becomes one line that names the fix (:mod:`rag.llms.ollama_errors`).

Nothing here reads the environment or files: the caller passes the host (settings resolve
``OLLAMA_HOST``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import numpy as np
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
from rag.llms.ollama_errors import (
    BACKEND_ERRORS,
    TIMEOUT_SETTING,
    OllamaCall,
    cut_message,
    translate,
    translating,
)

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
    call = OllamaCall(
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
    except BACKEND_ERRORS as exc:
        reason = str(translate(exc, call))
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
    reads_sentences: ClassVar[bool] = True

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

    def _call(self, endpoint: str = "/api/chat") -> OllamaCall:
        return OllamaCall(
            host=self.base_url,
            model=self.model,
            timeout=self.request_timeout,
            action="answer",
            endpoint=endpoint,
        )

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """``POST /api/chat`` without streaming; failures become BackendUnavailable."""
        with translating(self._call()):
            response: ChatResponse = super().chat(messages, **kwargs)
            return response

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """``POST /api/chat`` streaming NDJSON; yields cumulative messages with ``delta``.

        Raises BackendUnavailable (while iterating) if the server fails, stalls past the
        timeout, or the stream ends before its final ``done: true`` chunk.
        """
        call = self._call()
        with translating(call):
            inner = super().stream_chat(messages, **kwargs)
        return self._guard_stream(inner, call)

    @staticmethod
    def _guard_stream(inner: ChatResponseGen, call: OllamaCall) -> ChatResponseGen:
        chunks = 0
        finished = False
        try:
            for chunk in inner:
                chunks += 1
                finished = finished or _is_final(chunk)
                yield chunk
        except RagError:
            raise
        except BACKEND_ERRORS as exc:
            raise translate(exc, call, chunks=chunks) from exc
        finally:
            inner.close()  # release the HTTP connection if the caller stops early
        if not finished:
            raise BackendUnavailable(cut_message(call, chunks), url=call.url, model=call.model)

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`."""
        with translating(self._call()):
            response: ChatResponse = await super().achat(messages, **kwargs)
            return response

    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        call = self._call()
        with translating(call):
            inner = await super().astream_chat(messages, **kwargs)
        return self._aguard_stream(inner, call)

    @staticmethod
    async def _aguard_stream(inner: ChatResponseAsyncGen, call: OllamaCall) -> ChatResponseAsyncGen:
        chunks = 0
        finished = False
        try:
            async for chunk in inner:
                chunks += 1
                finished = finished or _is_final(chunk)
                yield chunk
        except RagError:
            raise
        except BACKEND_ERRORS as exc:
            raise translate(exc, call, chunks=chunks) from exc
        finally:
            await inner.aclose()
        if not finished:
            raise BackendUnavailable(cut_message(call, chunks), url=call.url, model=call.model)


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

    def _call(self) -> OllamaCall:
        return OllamaCall(
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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as an (n, dim) float32 array (``embed_batch_size`` a call)."""
        return np.asarray(self.get_text_embedding_batch(list(texts)), dtype=np.float32)

    def get_general_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        """Embed several texts in one ``/api/embed`` call."""
        with translating(self._call()):
            vectors = super().get_general_text_embeddings(texts)
        return self._check(list(vectors), len(texts))

    async def aget_general_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`get_general_text_embeddings`."""
        with translating(self._call()):
            vectors = await super().aget_general_text_embeddings(texts)
        return self._check(list(vectors), len(texts))

    def get_general_text_embedding(self, texts: str) -> list[float]:
        """Embed one text (``input`` sent as a string)."""
        with translating(self._call()):
            result = self._client.embed(
                model=self.model_name,
                input=texts,
                options=self.ollama_additional_kwargs,
                keep_alive=self.keep_alive,
            )
        return self._check(list(result.embeddings), 1)[0]

    async def aget_general_text_embedding(self, prompt: str) -> list[float]:
        """Async :meth:`get_general_text_embedding`."""
        with translating(self._call()):
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
