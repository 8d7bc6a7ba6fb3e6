"""Markdown files: one article each, with optional YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from index.clean import clean_text
from index.dates import to_iso
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats.common import MAX_ARTICLE_CHARS, decode_text, digest, opt, split_header


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    text = decode_text(data, str(path))
    return [SourceRecord(path.stem, origin, "markdown", digest("markdown", text), text=text)]


def to_article(record: SourceRecord) -> Article:
    meta, text = split_front_matter(record.text)
    title, published, body = split_header(clean_text(strip_markdown(text)))
    return Article(
        doc_id=str(meta.get("id") or record.doc_id),
        title=str(meta.get("title") or title),
        text=body,
        origin=record.origin,
        content_hash=record.content_hash,
        published_at=to_iso(meta.get("published_at") or meta.get("date")) or published,
        source=opt(meta.get("source")),
        url=opt(meta.get("url")),
        author=opt(meta.get("author")),
    )


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter between ``---`` lines at the top of a Markdown file."""
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[m.end() :]


def strip_markdown(text: str) -> str:
    """Markdown to plain text: images dropped (alt text kept), links to their text,
    emphasis markers and heading hashes removed. Remote URLs never survive."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(?:https?|ftp)://[^>]+>", "", text)
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return text


register(Format("markdown", (".md", ".markdown"), "Markdown", read, to_article,
                max_bytes=4 * MAX_ARTICLE_CHARS))
