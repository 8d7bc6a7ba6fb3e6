"""OpenTelemetry traces of answers: a ``rag.answer`` span per request with a child span per
stage. Off by default: spans go to the API's no-op tracer and cost next to nothing. With
``otlp_endpoint`` set, :func:`configure_tracing` (called once by the composition root, never
at import) sends them in batches to an OTLP collector under the service name ``newsrag``.

The exporter follows the endpoint: OTLP/HTTP for port 4318 or a URL with a path
(``http://collector:4318`` becomes ``.../v1/traces``), OTLP/gRPC otherwise (port 4317).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from llama_index.core.base.llms.types import (
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from rag.errors import UserError
from rag.llms.model import NewsLLM

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from rag.settings import Settings

SERVICE_NAME = "newsrag"
OTLP_HTTP_PORT = 4318
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_provider: TracerProvider | None = None
_tracer: tuple[trace.TracerProvider, Tracer] | None = None


def tracer() -> Tracer:
    """The tracer spans are started from: the installed provider's, else the API's
    no-op one (a provider installed later is picked up by spans started after)."""
    global _tracer
    provider = trace.get_tracer_provider()
    cached = _tracer
    if cached is None or cached[0] is not provider:
        # The SDK builds a new Tracer per get_tracer call: 7 us, a span's worth.
        cached = _tracer = (provider, trace.get_tracer(__name__, tracer_provider=provider))
    return cached[1]


def tracing_on() -> bool:
    """Whether :func:`configure_tracing` (or :func:`install`) installed a provider."""
    return _provider is not None


def otlp_exporter(endpoint: str) -> SpanExporter:
    """The OTLP exporter for ``endpoint`` (``http(s)://HOST:PORT[/PATH]``): HTTP for port
    4318 or a URL with a path, gRPC otherwise; ``http://`` means no TLS."""
    url = urlsplit(endpoint)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise UserError(
            f"otlp_endpoint {endpoint!r}: give http(s)://HOST:PORT, e.g. http://localhost:4317"
        )
    if url.port == OTLP_HTTP_PORT or url.path not in ("", "/"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter as HttpExporter,
        )

        path = url.path if url.path not in ("", "/") else "/v1/traces"
        return HttpExporter(endpoint=urlunsplit((url.scheme, url.netloc, path, url.query, "")))
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
        OTLPSpanExporter as GrpcExporter,
    )

    return GrpcExporter(endpoint=f"{url.scheme}://{url.netloc}")


def install(exporter: SpanExporter) -> TracerProvider:
    """Send every span from now on to ``exporter``, in batches, with the resource
    ``service.name = newsrag``. Once per process: later calls return the first provider.
    A provider installed by someone else (``opentelemetry-instrument``) gets the exporter
    added instead."""
    global _provider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    with _lock:
        if _provider is not None:
            return _provider
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            provider = current
        else:
            try:
                version = metadata.version(SERVICE_NAME)
            except metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
                version = "unknown"
            provider = TracerProvider(resource=Resource.create(
                {"service.name": SERVICE_NAME, "service.version": version}))
            trace.set_tracer_provider(provider)
        provider.add_span_processor(BatchSpanProcessor(exporter))
        _provider = provider
        return provider


def configure_tracing(settings: Settings) -> bool:
    """Turn tracing on when ``settings.otlp_endpoint`` is set (idempotent; a bad endpoint
    is a :class:`UserError`). Returns whether tracing is on."""
    if settings.otlp_endpoint and _provider is None:
        install(otlp_exporter(settings.otlp_endpoint))
        _log.info("tracing: sending spans to %s", settings.otlp_endpoint)
    return tracing_on()


def child_span(parent: Span, name: str) -> AbstractContextManager[Span]:
    """A span under ``parent``, current for the block (which must not ``yield``: a
    generator's consumer would run inside it, maybe on another thread)."""
    return tracer().start_as_current_span(name, context=trace.set_span_in_context(parent))


@contextmanager
def ending(span: Span) -> Iterator[Span]:
    """End ``span`` when the block is left. An error marks it failed; a consumer that stops
    a stream early (``GeneratorExit``) only sets ``rag.stopped_early``."""
    try:
        yield span
    except GeneratorExit:
        span.set_attribute("rag.stopped_early", True)
        raise
    except Exception as exc:
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        span.end()


# -- token counts of a streamed completion --------------------------------------------


@dataclass
class TokenUsage:
    """The token counts the backend reported for one completion (None: not reported, e.g.
    a stream cut at a stop sequence before its last chunk)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def note(self, response: CompletionResponse) -> None:
        """Keep the counts of a response that carries them: llama.cpp (embedded) puts
        OpenAI-style ``usage`` in ``additional_kwargs``, Ollama's last chunk in ``raw``."""
        raw = response.raw if isinstance(response.raw, Mapping) else {}
        usage = response.additional_kwargs.get("usage") or raw.get("usage")
        if not isinstance(usage, Mapping):
            return
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if isinstance(prompt, int):
            self.prompt_tokens = prompt
        if isinstance(completion, int):
            self.completion_tokens = completion


class MeteredLLM:
    """An LLM whose completion streams note their :class:`TokenUsage` as they pass."""

    def __init__(self, llm: NewsLLM, usage: TokenUsage) -> None:
        self._llm = llm
        self.usage = usage

    @property
    def backend_name(self) -> str:
        """As the wrapped LLM."""
        return self._llm.backend_name

    @property
    def supports_stop_kwargs(self) -> bool:
        """As the wrapped LLM."""
        return self._llm.supports_stop_kwargs

    @property
    def reads_sentences(self) -> bool:
        """As the wrapped LLM."""
        return self._llm.reads_sentences

    @property
    def metadata(self) -> LLMMetadata:
        """As the wrapped LLM."""
        return self._llm.metadata

    def stream_complete(self, prompt: str, formatted: bool = False,
                        **kwargs: object) -> CompletionResponseGen:
        """The wrapped LLM's stream, unchanged; closing it closes the wrapped one."""
        inner = self._llm.stream_complete(prompt, formatted=formatted, **kwargs)

        def metered() -> CompletionResponseGen:
            try:
                for response in inner:
                    self.usage.note(response)
                    yield response
            finally:
                inner.close()

        return metered()
