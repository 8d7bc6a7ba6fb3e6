"""Plain text files: one article each; title and date from the first lines."""

from __future__ import annotations

from pathlib import Path

from index.clean import clean_text
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats.common import MAX_ARTICLE_CHARS, article, decode_text, digest, split_header


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    text = decode_text(data, str(path))
    return [SourceRecord(path.stem, origin, "text", digest("text", text), text=text)]


def to_article(record: SourceRecord) -> Article:
    title, published, body = split_header(clean_text(record.text))
    return article(
        record,
        title=title,
        text=body,
        published_at=published,
    )


register(Format("text", (".txt",), "text", read, to_article, max_bytes=4 * MAX_ARTICLE_CHARS))
