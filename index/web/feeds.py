"""Feeds (RSS 2.0, Atom, RSS 1.0), read by feedparser: each item an article's metadata
and, when the feed carries it, its text.

Pure: bytes in, :class:`Feed` out; fetching an item's page is :mod:`index.web.sources`'
job. A feed that declares XML entities is refused before it is parsed: no real feed
needs them, and expanding nested ones (the "billion laughs") would take the machine.
"""

from __future__ import annotations

import calendar
import html as html_lib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from index.errors import InputError

# An item whose text has fewer words than this carries a summary, not the article: the
# article is fetched from its link.
FULL_TEXT_MIN_WORDS = 150
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr|section)>")


def fragment_text(fragment: str) -> str:
    """The text of an item's HTML fragment, a line per block (tags dropped, entities read)."""
    return html_lib.unescape(_TAG.sub(" ", _BLOCK_END.sub("\n", fragment)))


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed, as it says it."""

    key: str  # the item's id (guid), else its link, else its title
    title: str
    link: str | None
    published: str | None  # ISO date
    updated: str | None  # ISO date, when the feed gives one apart from published
    outlet: str | None  # the item's own source, else the feed's title
    author: str | None
    html: str  # content:encoded / Atom content, else the summary ("" when none)

    @property
    def has_full_text(self) -> bool:
        """Whether the item carries the article itself, not only a summary."""
        return len(fragment_text(self.html).split()) >= FULL_TEXT_MIN_WORDS


@dataclass(frozen=True)
class Feed:
    """A parsed feed."""

    title: str | None
    link: str | None
    items: list[FeedItem]


def looks_like_feed(data: bytes, content_type: str = "") -> bool:
    """Whether fetched or read bytes are a feed (by media type, else by root element)."""
    if any(t in content_type for t in ("rss", "atom")):
        return True
    return bool(_FEED_ROOT.search(data[:4096]))


def parse_feed(data: bytes, source: str) -> Feed:
    """Parse a feed; raises :class:`InputError` naming ``source`` when it is unusable."""
    import feedparser  # only when a feed is read

    if _ENTITY_DECL.search(data):
        raise InputError(source, "feed declares XML entities (refused: entity expansion)")
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        detail = f" ({' '.join(str(why).split())[:100]})" if why else ""
        raise InputError(source, f"not an RSS or Atom feed{detail}")
    head = parsed.feed
    feed_title = _text(head.get("title"))
    items = [_item(e, feed_title) for e in parsed.entries]
    return Feed(feed_title, _text(head.get("link")), [i for i in items if i is not None])


def _item(entry: dict[str, object], feed_title: str | None) -> FeedItem | None:
    """An entry as feedparser gives it (a dict of what the feed said)."""
    link = _text(entry.get("link"))
    title = _text(entry.get("title")) or ""
    key = _text(entry.get("id")) or link or title
    if not key:
        return None
    contents = entry.get("content")
    parts = contents if isinstance(contents, list) else []
    html = next((str(c["value"]) for c in parts if isinstance(c, Mapping) and c.get("value")),
                "") or str(entry.get("summary") or "")
    published = _iso(entry.get("published_parsed"))
    # dict's own lookup: feedparser maps a missing "updated" to "published", with a warning
    updated = _iso(dict.get(entry, "updated_parsed"))
    source = entry.get("source")
    if not isinstance(source, Mapping):
        source = {}
    return FeedItem(
        key=key,
        title=title,
        link=link,
        published=published or updated,
        updated=updated if updated and updated != published else None,
        outlet=_text(source.get("title")) or _text(entry.get("publisher")) or feed_title,
        author=_text(entry.get("author")),
        html=html,
    )


def _iso(parsed: object) -> str | None:
    if not isinstance(parsed, time.struct_time):
        return None
    return time.strftime("%Y-%m-%d", time.gmtime(calendar.timegm(parsed)))


def _text(value: object) -> str | None:
    return " ".join(str(value).split()) or None if value else None
