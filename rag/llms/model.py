"""What the project asks of a language model: a streaming completion and the capabilities
the callers read, declared by each model class rather than probed (the way simonw/llm's
``Model`` declares ``can_stream`` or ``supports_schema``).

The built-in models (:class:`~rag.llms.embedded.EmbeddedLLM`,
:class:`~rag.llms.ollama.OllamaLLM`) and the test doubles in ``tests/support`` declare
them; anything else passed in must too.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from llama_index.core.base.llms.types import CompletionResponseGen, LLMMetadata


@runtime_checkable
class NewsLLM(Protocol):
    """A language model the answerer and the summarizer can draft with."""

    @property
    def backend_name(self) -> str:
        """The backend it runs on (``embedded``, ``ollama``, ...), shown with each answer."""
        ...

    @property
    def supports_stop_kwargs(self) -> bool:
        """Whether it honours ``stop`` and ``max_tokens`` passed to ``stream_complete``
        (otherwise the caller stops the stream at a stop sequence itself)."""
        ...

    @property
    def reads_sentences(self) -> bool:
        """Whether it can read a sentence and answer a question from it in a few words
        (a real model), so a short answer can be checked against its reading
        (:mod:`rag.answer.reader`); a scripted double cannot."""
        ...

    @property
    def metadata(self) -> LLMMetadata:
        """llama-index's metadata (``model_name`` is the model shown with each answer)."""
        ...

    def stream_complete(self, prompt: str, formatted: bool = False,
                        **kwargs: object) -> CompletionResponseGen:
        """Stream a completion of ``prompt`` (llama-index's API)."""
        ...
