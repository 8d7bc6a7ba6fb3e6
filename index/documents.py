"""What flows through indexing: raw source records, cleaned articles, chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The name of the registered format a record was read by (``index.formats``): "text",
# "markdown", "html", "record", "pdf", ...
SourceFormat = str


@dataclass(frozen=True)
class SourceRecord:
    """One article as read from disk, before cleaning.

    ``content_hash`` covers everything the article is built from, so an
    unchanged record can be skipped without being cleaned or chunked again.
    """

    doc_id: str
    origin: str  # the file it came from (absolute path)
    format: SourceFormat
    content_hash: str
    text: str = ""  # for text, markdown and html files
    fields: dict[str, Any] = field(default_factory=dict)  # for JSON records
    data: bytes = b""  # for binary formats (PDF): the file as read


@dataclass(frozen=True)
class Article:
    """A cleaned article, ready to be chunked."""

    doc_id: str
    title: str
    text: str
    origin: str
    content_hash: str
    published_at: str | None = None  # ISO date
    source: str | None = None  # the outlet
    url: str | None = None
    author: str | None = None
    # ISO date of the article's last update when its source says (e.g. JSON-LD
    # dateModified); shown as "updated ... (first published ...)" when later.
    updated_at: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``text == article.text[start:end]``."""

    chunk_id: str
    doc_id: str
    seq: int
    start: int
    end: int
    text: str
    embed_text: str  # what the embedder sees: title, outlet and date, then the text
