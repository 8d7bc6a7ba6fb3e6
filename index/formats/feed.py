"""Feed files (.rss, .atom): every item an article (:mod:`index.web.feeds` parses them).

An item that carries the article's text is indexed from it. An item that carries only
a summary is a record that *needs its page*: the indexer fetches the item's link
(:func:`index.web.sources.complete`) and the page is extracted as an HTML page is, with
the item's title, date, outlet and author winning over the page's own.
"""

from __future__ import annotations

from pathlib import Path

from index.clean import clean_text
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats import html as html_format
from index.formats.common import MAX_ARTICLE_CHARS, article, digest, opt, split_header, url_doc_id
from index.web.feeds import Feed, FeedItem, fragment_text, parse_feed


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    return item_records(parse_feed(data, str(path)), origin) or [
        InputError(str(path), "the feed has no items")]


def item_records(feed: Feed, origin: str) -> list[SourceRecord | InputError]:
    """One record per item of a parsed feed (read from ``origin``: a path or URL)."""
    out: list[SourceRecord | InputError] = []
    for item in feed.items:
        where = f"{origin}#{item.key}"
        if not item.link and not item.html.strip():
            out.append(InputError(where, "feed item has neither text nor link"))
            continue
        out.append(item_record(item, where))
    return out


def item_record(item: FeedItem, where: str) -> SourceRecord:
    """The record of one feed item: its hash covers what the feed says of it, so an
    unchanged item is skipped without fetching its page again."""
    doc_id = url_doc_id(item.link) if item.link else "feed-" + digest("feed", where)[:16]
    fields: dict[str, str | bool | None] = {
        "title": item.title or None, "published": item.published, "updated": item.updated,
        "source": item.outlet, "author": item.author, "url": item.link,
        "content_html": item.html,
        "needs_page": bool(item.link) and not item.has_full_text,
    }
    parts = [str(fields[k] or "") for k in ("title", "published", "updated", "source",
                                             "author", "url", "content_html")]
    return SourceRecord(doc_id, where, "feed", digest("feed", *parts), fields=fields)


def with_page(record: SourceRecord, page_html: str) -> SourceRecord:
    """A summary-only item's record with its fetched page."""
    fields = {**record.fields, "needs_page": False}
    return SourceRecord(record.doc_id, record.origin, record.format, record.content_hash,
                        text=page_html, fields=fields)


def to_article(record: SourceRecord) -> Article:
    f = record.fields
    if record.text:  # the item's page, fetched
        return html_format.to_article(record)
    if f.get("needs_page"):
        raise InputError(record.origin, "the feed gives only a summary and its page was not "
                                        "fetched")
    text = fragment_text(str(f.get("content_html") or ""))
    title, published, body = split_header(clean_text(text))
    return article(record, title=opt(f.get("title")) or title, text=body,
                   published_at=opt(f.get("published")) or published,
                   source=opt(f.get("source")), url=opt(f.get("url")), author=opt(f.get("author")),
                   updated_at=opt(f.get("updated")))


register(Format("feed", (".rss", ".atom"), "RSS or Atom feed", read, to_article,
                max_bytes=8 * MAX_ARTICLE_CHARS, single_article=False))
