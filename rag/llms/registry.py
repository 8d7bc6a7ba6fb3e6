"""The LLM backends and embedders settings can name: one registration each.

A backend is a name (``settings.llm_backend``), a builder from settings, the model it
names, the answer and summary modes that ``auto`` means with it, and optionally a probe
that lets ``llm_backend = "auto"`` pick it when it answers. An embedder is a name
(``settings.embed_backend``) and a builder. The built-in ones register in
:mod:`rag.llms.builtin`; a test double registers the same way (``tests/support/fakes.py``)
and is chosen through settings, like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from index.embedding import NewsEmbedding
from rag.errors import UserError
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.llms.model import NewsLLM

Mode = Literal["generative", "extractive"]
T = TypeVar("T")


@dataclass(frozen=True)
class Probe:
    """Whether a backend can answer now, and why (or why not)."""

    ok: bool
    reason: str


@dataclass(frozen=True)
class LLMBackend:
    """An LLM backend settings can choose."""

    name: str
    build: Callable[[Settings], NewsLLM]
    model: Callable[[Settings], str]
    answer_mode: Mode  # what answer_mode "auto" means with this backend
    summary_mode: Mode  # what summary.mode "auto" means with it
    probe: Callable[[Settings], Probe] | None = None  # lets llm_backend "auto" pick it


@dataclass(frozen=True)
class Embedder:
    """An embedding model settings can choose."""

    name: str
    build: Callable[[Settings], NewsEmbedding]


_LLMS: dict[str, LLMBackend] = {}
_EMBEDDERS: dict[str, Embedder] = {}
FALLBACK = "embedded"  # what "auto" uses when no probing backend answers


def _register(table: dict[str, T], name: str, entry: T) -> Callable[[], None]:
    prior = table.get(name)
    table[name] = entry

    def undo() -> None:
        if prior is None:
            table.pop(name, None)
        else:
            table[name] = prior
    return undo


def register_llm(backend: LLMBackend) -> Callable[[], None]:
    """Make ``backend`` choosable as ``llm_backend = backend.name``; returns what undoes it
    (a test registers, then undoes in ``finally``)."""
    return _register(_LLMS, backend.name, backend)


def register_embedder(embedder: Embedder) -> Callable[[], None]:
    """Make ``embedder`` choosable as ``embed_backend = embedder.name``; returns what
    undoes it."""
    return _register(_EMBEDDERS, embedder.name, embedder)


def _known() -> None:
    from rag.llms import builtin  # noqa: F401  (registers the built-in backends)


def llm_backend(name: str) -> LLMBackend:
    """The registered backend ``name``; an unknown name is a user error listing the known."""
    _known()
    if name not in _LLMS:
        raise UserError(
            f"unknown llm_backend {name!r} (known: auto, {', '.join(sorted(_LLMS))})")
    return _LLMS[name]


def llm_backends() -> list[LLMBackend]:
    """Every registered backend, in registration order."""
    _known()
    return list(_LLMS.values())


def auto_modes(name: str) -> tuple[Mode, Mode]:
    """The (answer, summary) modes "auto" means with backend ``name``; a model passed in
    by code rather than registered is taken to be capable (generative)."""
    _known()
    b = _LLMS.get(name)
    return (b.answer_mode, b.summary_mode) if b else ("generative", "generative")


def embedder(name: str) -> Embedder:
    """The registered embedder ``name``; an unknown name is a user error."""
    _known()
    if name not in _EMBEDDERS:
        raise UserError(
            f"unknown embed_backend {name!r} (known: {', '.join(sorted(_EMBEDDERS))})")
    return _EMBEDDERS[name]
