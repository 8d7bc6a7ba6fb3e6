"""What a summary covers: a topic (retrieval picks the articles), one article, a date
range, outlets, or the whole corpus; and the passages that scope selects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from llama_index.core.schema import NodeWithScore

from index.catalog import Catalog, ChunkRow, DocumentRow
from index.outlets import normalize_source
from rag.errors import UserError
from rag.grounding.passages import Passage, number_passages
from rag.retrieval import Filters, HybridRetriever, to_node

MAX_TOPIC_CHARS = 500


@dataclass(frozen=True)
class Scope:
    """The part of the corpus to summarise."""

    topic: str | None = None
    doc_id: str | None = None
    since: date | None = None
    until: date | None = None
    outlets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        topic = " ".join((self.topic or "").split())[:MAX_TOPIC_CHARS] or None
        object.__setattr__(self, "topic", topic)
        if self.since and self.until and self.since > self.until:
            raise UserError(f"--since {self.since} is after --until {self.until}")

    @property
    def filters(self) -> Filters:
        return Filters(self.since, self.until, self.outlets)

    def describe(self) -> str:
        """``"attacks on US forces", article 003_..., 2020-01-01..2020-12-31"``."""
        parts = []
        if self.topic:
            parts.append(f"“{self.topic}”")
        if self.doc_id:
            parts.append(f"article {self.doc_id}")
        if self.since or self.until:
            parts.append(f"{self.since or '…'} to {self.until or '…'}")
        if self.outlets:
            parts.append(", ".join(self.outlets))
        return ", ".join(parts) or "the whole corpus"


@dataclass(frozen=True)
class Selection:
    """The numbered passages of a scope, and how many were left out (over the cap)."""

    passages: list[Passage]
    total: int
    copies: int = 0  # articles left out as copies of a story already selected


def in_scope(doc: DocumentRow, scope: Scope) -> bool:
    """Whether an article is inside the scope's dates and outlets (undated articles are
    outside any date range)."""
    if scope.since or scope.until:
        if not doc.published_at:
            return False
        day = date.fromisoformat(doc.published_at)
        if (scope.since and day < scope.since) or (scope.until and day > scope.until):
            return False
    if scope.outlets:
        wanted = {normalize_source(o) for o in scope.outlets}
        if normalize_source(doc.source) not in wanted:
            return False
    return True


def spread(chunks_by_doc: dict[str, list[ChunkRow]], cap: int) -> list[ChunkRow]:
    """At most ``cap`` chunks taken round-robin over the articles, each article's from its
    beginning (a news article puts what matters first)."""
    out: list[ChunkRow] = []
    queues = [list(rows) for rows in chunks_by_doc.values()]
    depth = 0
    while len(out) < cap and any(depth < len(q) for q in queues):
        for q in queues:
            if depth < len(q) and len(out) < cap:
                out.append(q[depth])
        depth += 1
    return out


def one_per_story(doc_ids: Sequence[str], story_of: Callable[[str], str]) -> list[str]:
    """One article of each story among ``doc_ids``, in the order of the story's first
    article: the one the story is named after (its earliest) when it is among them,
    else the first. A story that several outlets carried is read, and counted, once."""
    given = set(doc_ids)
    chosen: dict[str, str] = {}
    for doc_id in doc_ids:
        story = story_of(doc_id)
        if story not in chosen:
            chosen[story] = story if story in given else doc_id
    return list(chosen.values())


def select(
    scope: Scope,
    retriever: HybridRetriever,
    catalog: Catalog,
    k: int,
    per_doc: int,
    max_passages: int,
) -> Selection:
    """The passages to summarise. A topic without ``doc_id`` is retrieved (``k`` passages,
    at most ``per_doc`` per article, inside the filters); otherwise every passage of the
    selected articles is read, up to ``max_passages`` spread over the articles, each story
    once (its earliest article in the scope)."""
    if scope.topic and not scope.doc_id:
        nodes = retriever.search(scope.topic, k=k, filters=scope.filters, max_per_doc=per_doc)
        return Selection(number_passages(nodes), len(nodes))
    docs = catalog.documents()
    if scope.doc_id:
        if scope.doc_id not in docs:
            raise UserError(f"no indexed article has the id {scope.doc_id!r} (see `rag docs`)")
        chosen: Sequence[str] = [scope.doc_id]
    else:
        chosen = [d.doc_id for d in docs.values() if in_scope(d, scope)]
    provenance = retriever.store.provenance()
    kept = one_per_story(chosen, provenance.stories.story)
    copies = len(chosen) - len(kept)
    by_doc: dict[str, list[ChunkRow]] = defaultdict(list)
    for doc_id in kept:
        by_doc[doc_id] = catalog.doc_chunks(doc_id)
    total = sum(len(rows) for rows in by_doc.values())
    rows = spread(by_doc, max_passages)
    nodes = [NodeWithScore(node=to_node(r, provenance), score=1.0) for r in rows]
    return Selection(number_passages(nodes), total, copies)
