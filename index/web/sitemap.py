"""Sitemaps (sitemaps.org, with Google News' ``news:`` extension), read with defusedxml.

Pure: bytes in, the pages or child sitemaps they list out. defusedxml refuses entity
declarations and external references, so a hostile sitemap is one error, not a hang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.dates import to_iso
from index.errors import InputError

_ROOT = re.compile(rb"<(?:\w+:)?(?:urlset|sitemapindex)[\s>]")


@dataclass(frozen=True)
class SitemapEntry:
    """A page a sitemap lists, with what it says of it."""

    url: str
    published: str | None = None  # news:publication_date, else lastmod (ISO date)
    title: str | None = None  # news:title


@dataclass(frozen=True)
class Sitemap:
    """A sitemap: the pages it lists, or (a sitemap index) the sitemaps it lists."""

    pages: list[SitemapEntry]
    sitemaps: list[str]


def looks_like_sitemap(data: bytes) -> bool:
    """Whether bytes are a sitemap or sitemap index (by root element)."""
    return bool(_ROOT.search(data[:4096]))


def parse_sitemap(data: bytes, source: str) -> Sitemap:
    """Parse a sitemap; raises :class:`InputError` naming ``source`` when unusable."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(source, f"sitemap refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise InputError(source, f"not a sitemap (bad XML: {exc})") from None
    kind = _local(root.tag)
    if kind == "sitemapindex":
        locs = [_child_text(s, "loc") for s in root if _local(s.tag) == "sitemap"]
        return Sitemap([], [u for u in locs if u])
    if kind != "urlset":
        raise InputError(source, f"not a sitemap (root element <{kind}>)")
    pages: list[SitemapEntry] = []
    for url in root:
        if _local(url.tag) != "url" or not (loc := _child_text(url, "loc")):
            continue
        news = next((c for c in url if _local(c.tag) == "news"), None)
        published = to_iso(_child_text(news, "publication_date")) if news is not None else None
        title = _child_text(news, "title") if news is not None else None
        pages.append(SitemapEntry(loc, published or to_iso(_child_text(url, "lastmod")), title))
    return Sitemap(pages, [])


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child_text(element: object, name: str) -> str | None:
    for child in element or ():  # type: ignore[attr-defined]
        if _local(child.tag) == name:
            return " ".join((child.text or "").split()) or None
    return None
