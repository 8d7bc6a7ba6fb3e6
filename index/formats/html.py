"""HTML pages: one article each, extracted by trafilatura (boilerplate dropped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.clean import clean_text
from index.dates import to_iso
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats.common import MAX_ARTICLE_CHARS, article, decode_text, digest, opt, split_header


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    text = decode_text(data, str(path))
    return [SourceRecord(path.stem, origin, "html", digest("html", text), text=text)]


def to_article(record: SourceRecord) -> Article:
    import trafilatura  # heavy import, only when an HTML file is indexed

    extracted = trafilatura.bare_extraction(
        record.text,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
    )
    doc: Any = extracted.as_dict() if hasattr(extracted, "as_dict") else extracted  # type: ignore[union-attr]
    if not doc or not doc.get("text"):
        raise InputError(record.origin, "no article text found in the HTML")
    text = str(doc["text"])
    extracted_title = opt(doc.get("title"))
    title, published, body = split_header(clean_text(text))
    return article(
        record,
        title=extracted_title or title,
        text=body,
        published_at=to_iso(doc.get("date")) or published,
        source=opt(doc.get("sitename")),
        url=opt(doc.get("url")),
        author=opt(doc.get("author")),
    )


register(Format("html", (".html", ".htm"), "HTML", read, to_article,
                max_bytes=16 * MAX_ARTICLE_CHARS))
