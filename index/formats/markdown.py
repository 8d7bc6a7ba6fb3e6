"""Markdown files: one article each, with optional YAML front matter."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

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
    try:
        meta, text = split_front_matter(record.text)
    except FrontMatterError as exc:
        raise InputError(record.origin, str(exc)) from None
    title, published, body = split_header(clean_text(strip_markdown(text)))
    return Article(
        doc_id=_scalar(meta.get("id")) or record.doc_id,
        title=_scalar(meta.get("title")) or title,
        text=body,
        origin=record.origin,
        content_hash=record.content_hash,
        published_at=to_iso(meta.get("published_at") or meta.get("date")) or published,
        source=opt(_scalar(meta.get("source"))),
        url=opt(_scalar(meta.get("url"))),
        author=opt(_scalar(meta.get("author"))),
    )


# Front matter is a few lines of metadata; more is not metadata.
MAX_FRONT_MATTER_CHARS = 16_000


class FrontMatterError(ValueError):
    """Front matter that is refused: too large, not YAML, or using aliases."""


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: ``*a`` would let a few hundred bytes expand to gigabytes."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise FrontMatterError("front matter uses YAML aliases (*name); write the values "
                                   "out")
        return super().compose_node(parent, index)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """YAML front matter between ``---`` lines at the top of a Markdown file, and the rest.
    Raises :class:`FrontMatterError` for front matter over :data:`MAX_FRONT_MATTER_CHARS`,
    with aliases, or that is not YAML."""
    if not re.match(r"---\s*\n", text):
        return {}, text
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text[: MAX_FRONT_MATTER_CHARS + 64], re.S)
    if not m:
        closed = re.search(r"\n---\s*\n", text)
        if closed is None or not re.match(r"---\s*\n[\w-]+\s*:", text):
            return {}, text  # a rule at the top, not front matter
        raise FrontMatterError(f"front matter too large ({closed.start():,} characters, limit "
                               f"{MAX_FRONT_MATTER_CHARS:,})")
    try:
        meta = yaml.load(m.group(1), Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        where = f" at line {exc.problem_mark.line + 2}" if exc.problem_mark else ""
        raise FrontMatterError(f"front matter is not valid YAML{where} ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"front matter is not valid YAML ({exc})") from None
    return (meta if isinstance(meta, dict) else {}), text[m.end() :]


def _scalar(value: object) -> str | None:
    """A metadata value that is text, a number or a date, as a string; None for lists,
    mappings and nothing."""
    if isinstance(value, str | int | float | date) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


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
