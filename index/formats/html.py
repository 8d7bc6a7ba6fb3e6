"""HTML pages: one article each, extracted by trafilatura (boilerplate dropped), with the
page's own dates, outlet, author and canonical URL (:mod:`index.formats.html_meta`).

A record may carry hints in ``fields`` (``title``, ``published``, ``source``, ``author``,
``url``): what a feed item or a sitemap said of the page. They win over the page's own
metadata, which wins over trafilatura's guesses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.clean import clean_text
from index.dates import to_iso
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats.common import MAX_ARTICLE_CHARS, article, decode_text, digest, opt, split_header
from index.formats.html_meta import page_metadata


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    text = decode_text(data, str(path))
    return [SourceRecord(path.stem, origin, "html", digest("html", text), text=text)]


def to_article(record: SourceRecord) -> Article:
    import trafilatura  # heavy import, only when an HTML file is indexed
    from trafilatura.utils import load_html

    # Parsed once, as trafilatura parses it: the page's own metadata is read from the tree
    # before trafilatura (which prunes it) extracts the article.
    tree = load_html(record.text)
    if tree is None:
        raise InputError(record.origin, "no article text found in the HTML")
    page = page_metadata(tree)
    extracted = trafilatura.bare_extraction(
        tree,
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
    hint = record.fields
    title, published, body = split_header(clean_text(text))
    return article(
        record,
        title=opt(hint.get("title")) or opt(doc.get("title")) or page.title or title,
        text=body,
        published_at=to_iso(hint.get("published")) or page.published or to_iso(doc.get("date"))
        or published,
        source=opt(hint.get("source")) or page.outlet or opt(doc.get("sitename")),
        url=page.canonical or opt(doc.get("url")) or opt(hint.get("url")),
        author=opt(hint.get("author")) or page.author or opt(doc.get("author")),
        updated_at=to_iso(hint.get("updated")) or page.updated,
    )


register(Format("html", (".html", ".htm"), "HTML", read, to_article,
                max_bytes=16 * MAX_ARTICLE_CHARS))
