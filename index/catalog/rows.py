"""The rows the catalog gives back: documents, their versions, signatures, chunks and
readers' feedback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentRow:
    """A document as the catalog knows it."""

    doc_id: str
    title: str
    published_at: str | None
    source: str | None
    url: str | None
    author: str | None
    origin: str
    content_hash: str
    n_chunks: int
    story_id: str = ""  # the story it belongs to ("" or its own id: a story of its own)
    updated_at: str | None = None  # ISO date of its last update, when the source says

    def __post_init__(self) -> None:
        if not self.story_id:
            object.__setattr__(self, "story_id", self.doc_id)


@dataclass(frozen=True)
class VersionRow:
    """One version of a document: recorded when it was first indexed and each time its
    content changed."""

    doc_id: str
    seq: int  # 1 for the first version
    content_hash: str
    published_at: str | None
    updated_at: str | None
    indexed_at: str | None  # UTC, ISO 8601; None for versions from before the history
    title: str


@dataclass(frozen=True)
class SignatureRow:
    """A document's stored MinHash signature and what it was computed from."""

    doc_id: str
    content_hash: str
    kind: str
    hashvalues: bytes | None  # None: the text has no words


@dataclass(frozen=True)
class FeedbackRow:
    """One reader's feedback on an answer, as stored (``data``: the JSON-ready record
    :mod:`rag.feedback` reads back)."""

    id: int
    created_at: str  # UTC, ISO 8601
    rating: str  # "up" or "down"
    question: str
    comment: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ChunkRow:
    """A chunk with the metadata of its document."""

    chunk_id: str
    doc_id: str
    seq: int
    start: int
    end: int
    text: str
    embed_text: str
    title: str
    published_at: str | None
    source: str | None
    url: str | None
