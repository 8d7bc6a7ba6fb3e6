"""Which summary mode a request runs in: the rule ``rag summarize`` and the Summaries tab
share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.errors import UserError

if TYPE_CHECKING:
    from rag.llms.registry import Mode
    from rag.llms.select import BackendChoice

MODES: list[Mode] = ["generative", "extractive"]


def summary_mode(chosen: str, backend: BackendChoice) -> Mode:
    """The mode ``auto`` stands for: generative when a capable model (Ollama) answers,
    extractive with the embedded 270M base model, whose summaries do not hold up
    (README, Summaries). Every other choice is itself."""
    if chosen == "auto":
        from rag.llms.registry import auto_modes

        return auto_modes(backend.backend)[1]
    if chosen == "generative":
        return "generative"
    if chosen == "extractive":
        return "extractive"
    raise UserError(f"unknown summary mode {chosen!r} (auto, {', '.join(MODES)})")
