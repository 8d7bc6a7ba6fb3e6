"""One request: a question and every option it is asked with. The command line, the chat,
the API and the eval runner build one, and the answerer reads only it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from rag.llms.registry import Mode
from rag.retrieval import Filters

__all__ = ["Mode", "Options", "Request"]


class Options(TypedDict, total=False):
    """The options of :meth:`Request.of`, as keyword arguments (each optional)."""

    mode: Mode
    filters: Filters | None
    k: int | None
    per_doc: int | None
    history: Sequence[tuple[str, str]]
    as_of: date | None


@dataclass(frozen=True)
class Request:
    """A question and its options.

    ``filters``: outlets and dates; ``k``: passages per search (None: the setting);
    ``per_doc``: at most this many passages of one article or story (None: the setting);
    ``history``: earlier (question, answer) turns, for follow-ups; ``as_of``: the day
    "last week" is read against (None: the answerer's, else today)."""

    question: str
    mode: Mode = "generative"
    filters: Filters = field(default_factory=Filters)
    k: int | None = None
    per_doc: int | None = None
    history: tuple[tuple[str, str], ...] = ()
    as_of: date | None = None

    @classmethod
    def of(
        cls,
        question: str,
        mode: Mode = "generative",
        filters: Filters | None = None,
        k: int | None = None,
        per_doc: int | None = None,
        history: Sequence[tuple[str, str]] = (),
        as_of: date | None = None,
    ) -> Request:
        """A request from loose options (None filters: none)."""
        return cls(question, mode, filters or Filters(), k, per_doc, tuple(history), as_of)
