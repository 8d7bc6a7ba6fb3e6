"""Web sources to records: a URL is a page, a feed or a sitemap; a text file or a sitemap
file can list URLs.

Everything goes through a :class:`~index.web.fetch.Fetcher` (polite, bounded, safe). The
records made here are the same kinds as files give (``html`` pages, ``feed`` items), so
the indexer treats them as it treats files: unchanged ones are skipped by content hash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from index.documents import SourceRecord
from index.errors import InputError
from index.formats.common import decode_text, digest, url_doc_id
from index.formats.feed import item_records, with_page, xml_kind
from index.web.feeds import looks_like_feed, parse_feed
from index.web.fetch import Fetcher, FetchError, Response
from index.web.sitemap import looks_like_sitemap, parse_sitemap

# One sitemap fetches at most this many pages (a news sitemap lists two days of
# articles: hundreds, not tens of thousands), through at most this many child sitemaps.
MAX_SITEMAP_PAGES = 1000
MAX_CHILD_SITEMAPS = 20
MAX_SITEMAP_FILE_BYTES = 8_000_000  # as much as the fetcher takes of a sitemap by URL
_URL = re.compile(r"^https?://\S+$", re.I)
_HTML = re.compile(rb"<(?:!doctype html|html|head|body)[\s>]", re.I)

Records = list[SourceRecord | InputError]


def is_url(text: str) -> bool:
    """Whether a command-line input is an http(s) URL rather than a path."""
    return bool(_URL.match(text.strip()))


def url_list(path: Path) -> list[str] | None:
    """The URLs a file lists, or None when it is not such a list (then it is an article,
    or a feed): a text file of URLs (one a line; blank and ``#`` lines skipped), or an
    .xml sitemap (its pages, or a sitemap index's sitemaps, at most as many as a sitemap
    fetched by URL gives)."""
    if path.suffix.lower() == ".xml":
        return _sitemap_file_urls(path)
    if path.suffix.lower() not in (".txt", ".urls") or path.stat().st_size > 4_000_000:
        return None
    try:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError):
        return None
    wanted = [ln for ln in lines if ln and not ln.startswith("#")]
    return wanted if wanted and all(is_url(ln) for ln in wanted) else None


def _sitemap_file_urls(path: Path) -> list[str] | None:
    """The URLs a sitemap file lists; None when it is no sitemap, or a broken one (then
    reading it as a file says what is wrong)."""
    try:
        if path.stat().st_size > MAX_SITEMAP_FILE_BYTES:
            return None
        data = path.read_bytes()
        if xml_kind(data, str(path)) != "sitemap":
            return None
        sitemap = parse_sitemap(data, str(path))
    except (OSError, InputError):
        return None
    urls = [*sitemap.sitemaps[:MAX_CHILD_SITEMAPS],
            *(p.url for p in sitemap.pages[:MAX_SITEMAP_PAGES])]
    return urls or None


def read_urls(urls: Iterable[str], fetcher: Fetcher, workers: int = 4) -> Records:
    """Fetch URLs (several at a time) and turn each into records by what it is."""
    urls = list(dict.fromkeys(u.strip() for u in urls))
    out: Records = []
    for url, got in zip(urls, fetcher.get_many(urls, workers=workers), strict=True):
        out.extend([got] if isinstance(got, FetchError) else from_response(url, got, fetcher))
    return out


def from_response(url: str, resp: Response, fetcher: Fetcher) -> Records:
    """The records a fetched URL holds: a feed's items, a sitemap's pages, or one page."""
    data = resp.content
    if looks_like_feed(data, resp.content_type):
        try:
            return item_records(parse_feed(data, url), url)
        except InputError as exc:
            return [exc]
    if looks_like_sitemap(data):
        return _sitemap_records(url, data, fetcher)
    if "html" in resp.content_type or _HTML.search(data[:4096]):
        try:
            return [page_record(url, resp)]
        except InputError as exc:
            return [exc]
    return [InputError(url, f"not a web page, feed or sitemap ({resp.content_type or 'no type'})")]


def page_record(
    url: str, resp: Response, hints: dict[str, str | None] | None = None
) -> SourceRecord:
    """The record of a fetched HTML page (document id from the URL asked for)."""
    text = decode_text(resp.content, url)
    fields = {**(hints or {}), "url": resp.url}
    return SourceRecord(url_doc_id(url), url, "html", digest("html", text), text=text,
                        fields=fields)


def complete(records: Sequence[SourceRecord], fetcher: Fetcher, workers: int = 4) -> Records:
    """Fetch the pages of feed items that carry only a summary (the others unchanged)."""
    wanted = [r for r in records if r.fields.get("needs_page")]
    pages = fetcher.get_many([str(r.fields["url"]) for r in wanted], workers=workers)
    fetched: dict[str, SourceRecord | InputError] = {}
    for rec, got in zip(wanted, pages, strict=True):
        if isinstance(got, FetchError):
            fetched[rec.doc_id] = InputError(rec.origin, f"its page: {got.reason}")
            continue
        try:
            fetched[rec.doc_id] = with_page(rec, decode_text(got.content, got.url))
        except InputError as exc:
            fetched[rec.doc_id] = InputError(rec.origin, f"its page: {exc.reason}")
    return [fetched.get(r.doc_id, r) if r.fields.get("needs_page") else r for r in records]


def _sitemap_records(url: str, data: bytes, fetcher: Fetcher) -> Records:
    out: Records = []
    try:
        sitemap = parse_sitemap(data, url)
    except InputError as exc:
        return [exc]
    pages = list(sitemap.pages)
    children = sitemap.sitemaps[:MAX_CHILD_SITEMAPS]
    if len(sitemap.sitemaps) > MAX_CHILD_SITEMAPS:
        out.append(InputError(url, f"lists {len(sitemap.sitemaps)} sitemaps; the first "
                                   f"{MAX_CHILD_SITEMAPS} are read"))
    for child, got in zip(children, fetcher.get_many(children), strict=True):
        if isinstance(got, FetchError):
            out.append(got)
            continue
        try:
            pages.extend(parse_sitemap(got.content, child).pages)  # one level deep
        except InputError as exc:
            out.append(exc)
    if len(pages) > MAX_SITEMAP_PAGES:
        out.append(InputError(url, f"lists {len(pages)} pages; the first {MAX_SITEMAP_PAGES} "
                                   "are fetched"))
        pages = pages[:MAX_SITEMAP_PAGES]
    got_pages = fetcher.get_many([p.url for p in pages])
    for entry, got in zip(pages, got_pages, strict=True):
        if isinstance(got, FetchError):
            out.append(got)
            continue
        try:
            out.append(page_record(entry.url, got,
                                   {"published": entry.published, "title": entry.title}))
        except InputError as exc:
            out.append(exc)
    return out
