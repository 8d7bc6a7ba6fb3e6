"""What ``rag docs`` prints: the indexed articles with the copies of one story listed
together, and one article's versions (``--history``). Pure formatting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalog (and numpy) load when `rag docs` runs, not for `rag --help`
    from index.catalog import DocumentRow, VersionRow

HASH_PREFIX = 12


def story_order(docs: Mapping[str, DocumentRow]) -> list[tuple[DocumentRow, bool]]:
    """The documents in their order (by date), each story's other members right after
    its first one; ``True`` marks a member listed under the story's first article."""
    by_story: dict[str, list[DocumentRow]] = {}
    for d in docs.values():
        by_story.setdefault(d.story_id, []).append(d)
    out: list[tuple[DocumentRow, bool]] = []
    listed: set[str] = set()
    for d in docs.values():
        if d.story_id in listed:
            continue
        listed.add(d.story_id)
        members = by_story[d.story_id]
        out.extend((m, i > 0) for i, m in enumerate(members))
    return out


def doc_line(d: DocumentRow, member: bool = False) -> str:
    """One line of the listing; a further member of a story is indented under the
    first, marked ``+``."""
    lead = "  + " if member else ""
    return (
        f"{lead}{d.doc_id}  {d.published_at or 'undated':10}  {d.source or '-':20.20}  "
        f"{d.n_chunks:3} chunks  {d.title[:70]}"
    )


def listing(docs: Mapping[str, DocumentRow]) -> list[str]:
    """The lines of ``rag docs``: every document, stories together, and a total."""
    ordered = story_order(docs)
    lines = [doc_line(d, member) for d, member in ordered]
    stories = sum(1 for _, member in ordered if not member)
    shared = len({d.story_id for d, member in ordered if member})
    tail = f"{len(docs)} documents"
    if shared:
        tail += (f", {stories} stories ({shared} carried by more than one article, "
                 "listed together)")
    return [*lines, tail]


def history_lines(doc_id: str, versions: Sequence[VersionRow]) -> list[str]:
    """``rag docs --history ID``: one line per version, first to last."""
    n = len(versions)
    out = [f"{doc_id}: {n} version{'s' if n != 1 else ''}"]
    for v in versions:
        published = v.published_at or "undated"
        if v.updated_at and v.updated_at[:10] != (v.published_at or "")[:10]:
            published += f" (updated {v.updated_at[:10]})"
        indexed = (v.indexed_at or "before history").replace("+00:00", "Z")
        out.append(
            f"  {v.seq:>2}  published {published:10}  indexed {indexed:20}  "
            f"{v.content_hash[:HASH_PREFIX]}  {v.title[:70]}"
        )
    return out


def history_json(versions: Sequence[VersionRow]) -> list[dict[str, object]]:
    """``rag docs --history ID --json``."""
    return [dict(v.__dict__) for v in versions]
