"""One way to stream text from any llama-index LLM, with stop sequences and a token cap."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rag.llms.model import NewsLLM


def stream_text(
    llm: NewsLLM, prompt: str, stop: Sequence[str] = (), max_tokens: int | None = None
) -> Iterator[str]:
    """Yield text deltas; stops at the first stop sequence (checked here too, so every
    backend behaves the same) and never yields the stop sequence itself. A backend that
    takes no ``max_tokens`` per call (Ollama's is set when it is built) is cut after
    ``max_tokens`` streamed pieces: it streams a token a piece."""
    kwargs: dict[str, object] = {}
    if llm.supports_stop_kwargs:
        kwargs["stop"] = list(stop)
        if max_tokens:
            kwargs["max_tokens"] = max_tokens
    text = ""
    emitted = 0
    hold = max((len(s) for s in stop), default=0)
    gen = llm.stream_complete(prompt, formatted=True, **kwargs)
    try:
        for pieces, response in enumerate(gen, start=1):
            text += response.delta or ""
            cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
            capped = max_tokens is not None and not llm.supports_stop_kwargs \
                and pieces >= max_tokens
            if cut >= 0 or capped:
                end = cut if cut >= 0 else len(text)
                if end > emitted:
                    yield text[emitted:end]
                return
            safe = len(text) - hold
            if safe > emitted:
                yield text[emitted:safe]
                emitted = safe
        if len(text) > emitted:
            yield text[emitted:]
    finally:
        gen.close()
