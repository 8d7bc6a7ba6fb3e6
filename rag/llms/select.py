"""Which LLM backend answers: Ollama when it runs and has the model, else embedded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.settings import Settings


@dataclass(frozen=True)
class BackendChoice:
    """The backend in use, its model, and why it was chosen."""

    backend: str  # "ollama" | "embedded"
    model: str
    reason: str


def gguf_path(settings: Settings) -> str:
    """The GGUF file of the embedded backend (the packaged Gemma 3 270M by default)."""
    if settings.gguf_path:
        return settings.gguf_path
    from rag.llms.embedded import default_gguf_path

    return default_gguf_path()


def choose_backend(settings: Settings) -> BackendChoice:
    """Decide the backend from settings; ``auto`` asks Ollama (GET /api/tags, 1.5 s)."""
    if settings.llm_backend == "ollama":
        return BackendChoice("ollama", settings.ollama_model, "llm_backend is set to ollama")
    if settings.llm_backend == "embedded":
        return BackendChoice("embedded", Path(gguf_path(settings)).name,
                             "llm_backend is set to embedded")
    from rag.llms.ollama import probe_ollama

    status = probe_ollama(settings.ollama_host, settings.ollama_model, timeout=1.5)
    if status.ok:
        return BackendChoice(
            "ollama", settings.ollama_model,
            f"Ollama answers at {settings.ollama_host} and has {settings.ollama_model}",
        )
    return BackendChoice("embedded", Path(gguf_path(settings)).name,
                         f"Ollama not used: {status.reason}")


def build_llm(settings: Settings, choice: BackendChoice) -> Any:
    """The llama-index LLM for a backend choice (the embedded model loads on first use)."""
    if choice.backend == "ollama":
        from rag.llms.ollama import build_ollama_llm

        return build_ollama_llm(
            settings.ollama_host, settings.ollama_model, settings.context_window,
            settings.ollama_timeout, max_tokens=settings.max_answer_tokens,
        )
    from rag.llms.embedded import EmbeddedLLM

    return EmbeddedLLM(
        model_path=gguf_path(settings), context_window=settings.context_window,
        max_tokens=settings.max_answer_tokens, temperature=0.0, seed=0,
        n_threads=settings.llm_threads,
    )
