"""Retrieved passages as the answerer numbers and shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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

    def header(self) -> str:
        """``Title — Outlet, 16 March 2020`` (parts that are unknown are left out)."""
        when = human_date(self.published_at)
        tail = ", ".join(p for p in (self.source, when) if p)
        return f"{self.title} — {tail}" if tail else self.title


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
            )
        )
    return out
