"""Permalinks: a question with its filters and as-of date as the page's query string
(``?q=...&since=...``), and back. Pure functions; the page runs a linked question on load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from rag.answer import MAX_QUESTION_CHARS

FIELDS = ("q", "since", "until", "outlet", "as_of")
MAX_FIELD_CHARS = 200  # a date is 10 characters, an outlet a name


@dataclass(frozen=True)
class Link:
    """What a permalink asks: the question, the date filters, the outlet, the as-of day."""

    q: str = ""
    since: str = ""
    until: str = ""
    outlet: str = ""
    as_of: str = ""

    def query(self) -> str:
        """The link as a relative URL (``?q=...``); fields left empty are left out."""
        values = {f: getattr(self, f) for f in FIELDS if getattr(self, f)}
        return "?" + urlencode(values)


def read_link(params: Mapping[str, str]) -> Link:
    """The link in a page's query parameters (unknown ones ignored, each value trimmed
    and cut to its limit; the chat checks the dates as it checks typed ones)."""
    def value(name: str, limit: int = MAX_FIELD_CHARS) -> str:
        return " ".join(str(params.get(name) or "").split())[:limit]

    return Link(q=value("q", MAX_QUESTION_CHARS), since=value("since"), until=value("until"),
                outlet=value("outlet"), as_of=value("as_of"))
