"""What the formats share: limits, hashing, decoding text, finding title and date."""

from __future__ import annotations

import contextlib
import hashlib
import re
from functools import lru_cache
from typing import Any

from index.clean import collapse_blank_lines
from index.dates import LEADING_DATE_LABEL, is_date_line, to_iso
from index.documents import Article, SourceRecord
from index.errors import InputError

# A news article is tens of kB: one of a million characters is already ~1,000 chunks
# (about a minute of embedding on two cores), so anything bigger is refused rather
# than left to stall a run.
MAX_ARTICLE_CHARS = 1_000_000
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32), 127])
_TITLE_MAX_WORDS = 30


def article(
    record: SourceRecord,
    title: str,
    text: str,
    published_at: str | None = None,
    source: str | None = None,
    url: str | None = None,
    author: str | None = None,
    updated_at: str | None = None,
) -> Article:
    """The article a record's format made, with the record's id, origin and hash."""
    return Article(
        doc_id=record.doc_id, title=title, text=text, origin=record.origin,
        content_hash=record.content_hash, published_at=published_at, source=source,
        url=url, author=author, updated_at=updated_at,
    )


def digest(*parts: str) -> str:
    """The content hash of a record: what it is built from, in order."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def decode_text(data: bytes, path: str) -> str:
    """Decode file bytes as text: UTF-8 when it is, else the encoding charset-normalizer
    finds (UTF-16 with or without a byte-order mark, Windows code pages, Shift JIS ...);
    bytes that are no text in any encoding are refused as binary."""
    if not data.strip():
        raise InputError(path, "empty file")
    head = data[:8192]
    # A stray NUL or control byte in scraped text is cleaned later; more than a few of
    # them mean the file is not UTF-8 text (random bytes hold about 10 %).
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    text: str | None = None
    if controls <= max(8, len(head) // 50):
        with contextlib.suppress(UnicodeDecodeError):
            text = data.decode("utf-8-sig")
    if text is None:
        text = _detected(data)
    printable = sum(ch.isprintable() or ch.isspace() for ch in text[:8192])
    if not text.strip() or printable < 0.9 * min(len(text), 8192):
        raise InputError(path, "binary file, not text")
    return text


def _detected(data: bytes) -> str:
    """``data`` decoded in the encoding charset-normalizer finds from its first 64 kB
    ("" when it finds none)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is None or best.encoding is None:
        return ""
    return data.decode(best.encoding, errors="replace")


def too_long(chars: int) -> str:
    """The reason an article over :data:`MAX_ARTICLE_CHARS` is refused."""
    return f"article too long ({chars:,} characters, limit {MAX_ARTICLE_CHARS:,})"


def opt(value: Any) -> str | None:
    """A metadata value as a stripped string, None when empty."""
    return str(value).strip() or None if value not in (None, "") else None


def split_header(text: str) -> tuple[str, str | None, str]:
    """Split cleaned text into (title, ISO date or None, body).

    The title is the first non-empty line when it reads like a headline, else
    that line's first sentence. The body keeps every line, the headline too,
    so no sentence of the article is lost. A date comes from a line holding
    only a date or timestamp (taken out of the body), or a leading
    ``date 2020-03-16`` label (stripped).
    """
    lines = text.split("\n")
    published: str | None = None
    for i, line in enumerate(lines):
        if line and is_date_line(line):
            published = published or to_iso(line)
            lines[i] = ""
        elif m := LEADING_DATE_LABEL.match(line):
            published = published or m.group(1)
            lines[i] = line[m.end() :]
    first = next((line.strip() for line in lines if line.strip()), "")
    headline = first.lstrip("# ").strip()
    is_headline = len(headline.split()) <= _TITLE_MAX_WORDS and not re.search(r"[.!?]$", headline)
    title = headline if is_headline else first_sentence(first)
    return title, published, collapse_blank_lines("\n".join(lines))


def first_sentence(text: str, max_chars: int = 120) -> str:
    """The first sentence of ``text``, cut at a word boundary to ``max_chars``."""
    m = re.search(r"(?<=[.!?])\s", text)
    sentence = text[: m.start()] if m else text
    if len(sentence) <= max_chars:
        return sentence
    return sentence[:max_chars].rsplit(" ", 1)[0] + "…"


def url_doc_id(url: str) -> str:
    """The document id of a page on the web: from its :func:`url_key`, so the same page
    reached by a feed, a sitemap or by hand is one document."""
    return "web-" + hashlib.sha256(url_key(url).encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _whole_tracker() -> re.Pattern[str]:
    # courlan's tracker pattern matches inside words ("ga" in "game", "ref" in
    # "reference"): a parameter is only dropped when a tracker name ends where it does.
    from courlan.clean import TRACKERS_RE

    return re.compile(f"(?:{TRACKERS_RE.pattern})(?:(?<=_)|\\b|_|$)")


def _kept(name: str, kept_by_courlan: set[str]) -> bool:
    return name in kept_by_courlan or not _whole_tracker().search(name)


def url_key(url: str) -> str:
    """A page's URL as one key: what courlan's ``normalize_url`` takes away is taken away
    (tracking parameters such as ``utm_*``, ``fbclid``, ``gclid``; a default port; upper
    case in the scheme and host), and the fragment; an empty path is ``/``.

    The path and the parameters kept stay as written (courlan would also sort the
    parameters and quote ``@``, ``(``, ``+`` ... in the path): a URL with nothing to take
    away keeps the key, and so the document id, earlier versions gave it.
    """
    from html import unescape
    from urllib.parse import unquote_plus, urldefrag, urlsplit, urlunsplit

    from courlan import normalize_url

    written = urldefrag(url.strip())[0]
    try:
        normal = urlsplit(normalize_url(written))
        parts = urlsplit(unescape(written))  # courlan reads "&amp;" as "&" too
    except ValueError:  # not a URL urllib can split ("http://[::1"): keyed as written
        return written
    kept = {unquote_plus(p.split("=", 1)[0]) for p in normal.query.split("&") if p}
    query = "&".join(p for p in parts.query.split("&")
                     if p and _kept(unquote_plus(p.split("=", 1)[0]), kept))
    return urlunsplit((normal.scheme, normal.netloc, parts.path or "/", query, ""))
