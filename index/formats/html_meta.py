"""What an HTML page says of itself: dates, outlet, author and canonical URL.

JSON-LD (schema.org ``NewsArticle`` and kin) first, then the Open Graph and ``article:``
meta tags, then ``<link rel="canonical">``; what none of them gives is left to
trafilatura (whose date comes from htmldate). Pure: a page's HTML in, :class:`PageMeta` out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from index.dates import to_iso

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "opinionnewsarticle", "webpage", "liveblogposting"}


@dataclass(frozen=True)
class PageMeta:
    """A page's own metadata (None where it says nothing)."""

    published: str | None = None  # ISO date
    updated: str | None = None  # ISO date
    outlet: str | None = None
    author: str | None = None
    canonical: str | None = None
    title: str | None = None


def page_metadata(html: str | Any) -> PageMeta:
    """Read a page's JSON-LD, meta tags and canonical link (``html``: the page, or the
    lxml tree it was already parsed into)."""
    import lxml.html  # installed with trafilatura

    if isinstance(html, str):
        try:
            tree = lxml.html.document_fromstring(html)
        except (ValueError, lxml.etree.ParserError):
            return PageMeta()
    else:
        tree = html
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        value = " ".join((el.get("content") or "").split())
        if key and value:
            meta.setdefault(key, value)
    canonical = next((el.get("href") for el in tree.iter("link")
                      if "canonical" in (el.get("rel") or "").lower().split() and el.get("href")),
                     None)
    ld = _json_ld_article(tree)
    return PageMeta(
        published=to_iso(ld.get("datePublished")) or to_iso(meta.get("article:published_time"))
        or to_iso(meta.get("og:published_time")),
        updated=to_iso(ld.get("dateModified")) or to_iso(meta.get("article:modified_time"))
        or to_iso(meta.get("og:updated_time")),
        outlet=meta.get("og:site_name") or _name(ld.get("publisher")),
        author=_name(ld.get("author")) or meta.get("author") or meta.get("article:author"),
        canonical=canonical or meta.get("og:url") or _str(ld.get("url")),
        title=_str(ld.get("headline")) or meta.get("og:title"),
    )


def _json_ld_article(tree: Any) -> dict[str, Any]:
    """The first JSON-LD object of an article type (or the first object at all)."""
    found: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        found.extend(_objects(data))
    for obj in found:
        types = obj.get("@type")
        names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        if any(str(t).lower() in _ARTICLE_TYPES for t in names):
            return obj
    return found[0] if found else {}


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph", []))


def _name(value: Any) -> str | None:
    """A person's or organisation's name: a string, ``{"name": ...}`` or a list of them."""
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _str(value.get("name"))
    return _str(value)


def _str(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None
