"""Which LLM backend answers: the one settings name, or under ``auto`` the first
registered backend whose probe answers (Ollama), else the embedded model."""

from __future__ import annotations

from dataclasses import dataclass

from rag.llms.builtin import gguf_path
from rag.llms.model import NewsLLM
from rag.llms.registry import FALLBACK, llm_backend, llm_backends
from rag.settings import Settings

__all__ = ["BackendChoice", "build_llm", "choose_backend", "gguf_path"]


@dataclass(frozen=True)
class BackendChoice:
    """The backend in use, its model, and why it was chosen."""

    backend: str  # a registered backend's name ("ollama", "embedded", ...)
    model: str
    reason: str


def choose_backend(settings: Settings) -> BackendChoice:
    """Decide the backend from settings; ``auto`` probes (Ollama: GET /api/tags, 1.5 s)."""
    name = settings.llm_backend
    if name != "auto":
        chosen = llm_backend(name)
        return BackendChoice(name, chosen.model(settings), f"llm_backend is set to {name}")
    reasons = []
    for candidate in llm_backends():
        if candidate.probe is None:
            continue
        probe = candidate.probe(settings)
        if probe.ok:
            return BackendChoice(candidate.name, candidate.model(settings), probe.reason)
        reasons.append(probe.reason)
    fallback = llm_backend(FALLBACK)
    return BackendChoice(FALLBACK, fallback.model(settings),
                         "; ".join(reasons) or f"no backend to probe: {FALLBACK}")


def build_llm(settings: Settings, choice: BackendChoice) -> NewsLLM:
    """The llama-index LLM for a backend choice (the embedded model loads on first use)."""
    return llm_backend(choice.backend).build(settings)
