"""Retrieved passages as the answerer numbers and shows them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from llama_index.core.schema import NodeWithScore


@dataclass(frozen=True)
class Passage:
    """A retrieved passage, numbered as the prompt and the citations show it."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    text: str
    source: str | None = None
    published_at: str | None = None
    url: str | None = None
    score: float = 0.0
    story_id: str | None = None  # the story it belongs to (None: unknown, its own)
    also_carried_by: tuple[str, ...] = ()  # the other outlets of its story
    first_published_at: str | None = None  # set when the article was updated since
    updated_at: str | None = None  # the day of that update

    def when(self) -> str | None:
        """The passage's date as a source line shows it: ``16 March 2020``, or
        ``updated 5 October 2023 (first published 3 October 2023)``."""
        return date_label(self.published_at, self.first_published_at, self.updated_at)

    def header(self) -> str:
        """``Title — Outlet, 16 March 2020`` (parts that are unknown are left out); an
        article other outlets carried too: ``Title — reported by AP (3 October 2023),
        also carried by Reuters, Yahoo News``."""
        tail = self.source_line()
        return f"{self.title} — {tail}" if tail else self.title

    def source_line(self) -> str:
        """Who published it and when (:func:`source_line`)."""
        return source_line(self.source, self.when(), self.also_carried_by)

    @property
    def story(self) -> str:
        """The story id (the doc id of an article that stands alone)."""
        return self.story_id or self.doc_id


def date_label(
    published_at: str | None, first_published_at: str | None = None,
    updated_at: str | None = None,
) -> str | None:
    """``16 March 2020``; for an article updated since it was first published,
    ``updated 5 October 2023 (first published 3 October 2023)``."""
    if first_published_at and updated_at and first_published_at < updated_at:
        return (f"updated {human_date(updated_at[:10])} "
                f"(first published {human_date(first_published_at[:10])})")
    return human_date(published_at)


def source_line(source: str | None, when: str | None, also: Sequence[str] = ()) -> str:
    """``Outlet, 16 March 2020``; with other outlets of the same story,
    ``reported by Outlet (16 March 2020), also carried by Reuters, Yahoo News``."""
    if not also:
        return ", ".join(p for p in (source, when) if p)
    who = source or "an unnamed outlet"
    # "(updated ... (first published ...))" would nest brackets: a comma instead.
    dated = (f" ({when})" if "(" not in when else f", {when}") if when else ""
    return f"reported by {who}{dated}, also carried by {', '.join(also)}"


def human_date(iso: str | None, month_only: bool = False) -> str | None:
    """``2020-03-16`` -> ``16 March 2020`` (or ``March 2020``)."""
    if not iso:
        return None
    d = date.fromisoformat(iso)
    return d.strftime("%B %Y") if month_only else f"{d.day} {d.strftime('%B %Y')}"


def number_passages(nodes: list[NodeWithScore]) -> list[Passage]:
    """Number retrieved nodes 1..n in date order (undated last); passages of one article
    stay together in reading order, so a story reads forward in time."""

    def key(item: NodeWithScore) -> tuple[str, str, int]:
        m = item.node.metadata
        return (m.get("published_at") or "9999", m["doc_id"], int(m.get("seq", 0)))

    out = []
    for n, item in enumerate(sorted(nodes, key=key), 1):
        m = item.node.metadata
        out.append(
            Passage(
                n=n,
                doc_id=m["doc_id"],
                chunk_id=item.node.node_id,
                title=m.get("title") or "",
                text=item.node.get_content(),
                source=m.get("source"),
                published_at=m.get("published_at"),
                url=m.get("url"),
                score=float(item.score or 0),
                story_id=m.get("story_id"),
                also_carried_by=tuple(m.get("also_carried_by") or ()),
                first_published_at=m.get("first_published_at"),
                updated_at=m.get("updated_at"),
            )
        )
    return out


class PassageJson(TypedDict):
    """A passage in the JSON the APIs and ``--json`` give: its article and its text."""

    doc_id: str
    chunk_id: str
    title: str
    source: str | None  # the outlet
    published_at: str | None
    url: str | None
    text: str


class SearchHit(PassageJson):
    """One passage a search found: its rank and score, then the passage."""

    rank: int
    score: float


class SearchJson(TypedDict):
    """What a search found (``rag retrieve --json``, the search APIs)."""

    query: str
    results: list[SearchHit]


def search_json(query: str, nodes: list[NodeWithScore]) -> SearchJson:
    """Retrieved passages, best first (the ``rag retrieve --json`` object)."""
    return {
        "query": query,
        "results": [
            {
                "rank": i,
                "score": round(float(n.score or 0.0), 6),
                "doc_id": n.node.metadata["doc_id"],
                "chunk_id": n.node.node_id,
                "title": n.node.metadata["title"],
                "source": n.node.metadata.get("source"),
                "published_at": n.node.metadata.get("published_at"),
                "url": n.node.metadata.get("url"),
                "text": n.node.get_content(),
            }
            for i, n in enumerate(nodes, 1)
        ],
    }
