"""Feed files (.rss, .atom, and .xml that holds a feed): every item an article
(:mod:`index.web.feeds` parses them).

An item that carries the article's text is indexed from it. An item that carries only
a summary is a record that *needs its page*: the indexer fetches the item's link
(:func:`index.web.sources.complete`) and the page is extracted as an HTML page is, with
the item's title, date, outlet and author winning over the page's own.

An .xml file is read by its root element (:func:`xml_kind`): a feed is read here; a
sitemap lists pages to fetch, which :func:`index.web.sources.url_list` does for a file
named on the command line (one inside a folder is a line saying so); other XML is a line
naming its root element.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from xml.sax.handler import ContentHandler

from index.clean import clean_text
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats import html as html_format
from index.formats.common import MAX_ARTICLE_CHARS, article, digest, opt, split_header, url_doc_id
from index.web.feeds import Feed, FeedItem, fragment_text, parse_feed
from index.web.sitemap import parse_sitemap

_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})  # RSS 2.0, Atom, RSS 1.0 (rdf:RDF)
_SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    if path.suffix.lower() == ".xml" and xml_kind(data, str(path)) == "sitemap":
        raise InputError(str(path), _sitemap_in_place(data, str(path)))
    return item_records(parse_feed(data, str(path)), origin) or [
        InputError(str(path), "the feed has no items")]


def xml_kind(data: bytes, source: str) -> Literal["feed", "sitemap"]:
    """Whether an XML document is a feed or a sitemap, by its root element; raises
    :class:`InputError` naming ``source`` for any other."""
    root = xml_root(data, source)
    if root in _FEED_ROOTS:
        return "feed"
    if root in _SITEMAP_ROOTS:
        return "sitemap"
    raise InputError(source, f"not a feed or a sitemap: root element <{root}>")


class _Root(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _FirstElement(ContentHandler):
    def startElement(self, name: str, attrs: object) -> None:
        raise _Root(name.rsplit(":", 1)[-1])


def xml_root(data: bytes, source: str) -> str:
    """The local name of the root element of an XML document (``rss``, ``urlset``).

    Read with defusedxml's SAX parser, stopped at the first element: what follows it is
    not read, so a feed feedparser reads despite an unescaped ``&`` further on is still
    a feed. Entity declarations are refused; an external DTD is never fetched. Raises
    :class:`InputError` naming ``source`` when no element starts the document.
    """
    from xml.sax import SAXException
    from xml.sax.handler import feature_external_ges, feature_external_pes

    from defusedxml import DefusedXmlException
    from defusedxml.expatreader import DefusedExpatParser

    # forbid_external would refuse the DOCTYPE old RSS 0.91 feeds carry; with the two
    # features off the parser does not fetch it either.
    parser = DefusedExpatParser(forbid_entities=True, forbid_external=False)
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(_FirstElement())
    try:
        parser.feed(data.lstrip(b" \t\r\n"))
        parser.close()
    except _Root as root:
        return root.name
    except DefusedXmlException as exc:
        raise InputError(source, f"refused: the XML declares entities ({type(exc).__name__})"
                         ) from None
    except (SAXException, ValueError) as exc:  # ValueError: a multi-byte encoding
        raise InputError(source, f"not XML ({' '.join(str(exc).split())[:100]})") from None
    raise InputError(source, "not XML (no element)")


def _sitemap_in_place(data: bytes, source: str) -> str:
    """Why a sitemap read as a file (inside a folder) is not indexed: its pages are
    fetched only when the file itself is named."""
    sitemap = parse_sitemap(data, source)  # a broken one says what is wrong with it
    if sitemap.sitemaps:
        listed = f"a sitemap index of {len(sitemap.sitemaps)} sitemaps"
    elif sitemap.pages:
        listed = f"a sitemap of {len(sitemap.pages)} pages"
    else:
        return "a sitemap that lists no pages"
    return f"{listed}: name the file itself (not its folder) to fetch them"


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


register(Format("feed", (".rss", ".atom", ".xml"), "RSS or Atom feed, or sitemap", read,
                to_article, max_bytes=8 * MAX_ARTICLE_CHARS, single_article=False))
