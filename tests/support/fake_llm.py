"""A scriptable LLM for tests of the chat: streams prepared replies token by token.

Passed to ``build_services(..., llm=ScriptedLLM([...]))``, or registered as a backend
(:func:`scripted_backend`) and chosen through settings like a real one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

from llama_index.core.llms import (
    CompletionResponse,
    CompletionResponseGen,
    CustomLLM,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import Field, PrivateAttr

from rag.llms.registry import LLMBackend, register_llm

_TOKEN = re.compile(r"\s*\S+")
_BLOCK = re.compile(r"^\[(\d+)\] ", re.M)

Reply = str | Callable[[str], str]


def tokens(text: str) -> list[str]:
    """Word-sized pieces of ``text`` (each with its leading whitespace)."""
    return _TOKEN.findall(text) or [text]


class ScriptedLLM(CustomLLM):
    """Replies with ``replies`` in turn (the last one repeats once they are used up).

    A reply is a string, or a function of the prompt (to cite the passage number
    the prompt gave a fact, as a good model would; see :func:`passage_number`).

    ``fail_with`` is raised after ``fail_after`` tokens of a reply (0: before the
    first token), as a backend that dies mid-stream would. ``delay`` seconds pass
    before each token, so a test can watch the stream or stop it. Every prompt is
    recorded in ``prompts``.
    """

    backend_name: ClassVar[str] = "fake"
    supports_stop_kwargs: ClassVar[bool] = False
    reads_sentences: ClassVar[bool] = False
    model: ClassVar[str] = "scripted"

    replies: list[Any] = Field(default_factory=list)
    fail_with: Any = None
    fail_after: int = 0
    delay: float = 0.0

    _calls: int = PrivateAttr(default=0)
    _prompts: list[str] = PrivateAttr(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(
        self, replies: Sequence[Reply] = (), fail_with: BaseException | None = None, **kwargs: Any
    ) -> None:
        super().__init__(replies=list(replies), fail_with=fail_with, **kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "scripted_llm"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=4096, num_output=256, is_chat_model=False,
                           model_name=self.model)

    @property
    def prompts(self) -> list[str]:
        """The prompts received so far, in order."""
        return list(self._prompts)

    def _next_reply(self, prompt: str) -> str:
        with self._lock:
            self._prompts.append(prompt)
            i = self._calls
            self._calls += 1
        if not self.replies:
            return ""
        reply = self.replies[min(i, len(self.replies) - 1)]
        return reply(prompt) if callable(reply) else str(reply)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = ""
        for response in self.stream_complete(prompt, formatted=formatted, **kwargs):
            text = response.text
        return CompletionResponse(text=text)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        reply = self._next_reply(prompt)

        def gen() -> CompletionResponseGen:
            text = ""
            for i, piece in enumerate(tokens(reply) if reply else []):
                if self.fail_with is not None and i >= self.fail_after:
                    raise self.fail_with
                if self.delay:
                    time.sleep(self.delay)
                text += piece
                yield CompletionResponse(text=text, delta=piece)
            if self.fail_with is not None:
                raise self.fail_with

        return gen()


def question_of(prompt: str) -> str:
    """The question of an answer prompt."""
    return prompt.rsplit("Question:", 1)[-1].split("\n", 1)[0].strip()


def passage_number(prompt: str, needle: str) -> int | None:
    """The number of the first passage of ``prompt`` that contains ``needle`` (any case)."""
    body = prompt.rsplit("\nQuestion:", 1)[0]
    starts = list(_BLOCK.finditer(body))
    for m, nxt in zip(starts, [*starts[1:], None], strict=True):
        block = body[m.start():nxt.start() if nxt else len(body)]
        if needle.lower() in block.lower():
            return int(m.group(1))
    return None


@contextmanager
def scripted_backend(llm: ScriptedLLM) -> Iterator[str]:
    """Register ``llm`` as the backend ``fake`` while the block runs (``llm_backend =
    "fake"`` then answers with it, in generative mode under ``auto``, like any capable
    model), and unregister it after; yields the name."""
    name = llm.backend_name
    undo = register_llm(LLMBackend(name, lambda settings: llm,
                                   lambda settings: llm.metadata.model_name,
                                   answer_mode="generative", summary_mode="generative"))
    try:
        yield name
    finally:
        undo()
