"""Reading inputs: files and folders of .txt, .md, .html, .json and .jsonl articles.

``read_sources`` turns paths into :class:`SourceRecord` values (cheap: read and
hash only) and :class:`InputError` values for what cannot be read, so one bad
file never stops a batch. ``to_article`` does the expensive part (extraction
and cleaning) and is only called for records that changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from index.clean import clean_text, collapse_blank_lines, normalize_text
from index.dates import LEADING_DATE_LABEL, is_date_line, to_iso
from index.documents import Article, SourceFormat, SourceRecord
from rag.errors import InputError

SUFFIXES: dict[str, SourceFormat] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "record",
    ".jsonl": "record",
}
# A .json/.jsonl file is a corpus of many articles (MultiHop-RAG's corpus.json is one
# file); any other file is one article. A news article is tens of kB: one of a million
# characters is already ~1,000 chunks (about a minute of embedding on two cores), so
# anything bigger is refused rather than left to stall a run.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ARTICLE_CHARS = 1_000_000
MAX_ARTICLE_FILE_BYTES = {"text": 4 * MAX_ARTICLE_CHARS, "markdown": 4 * MAX_ARTICLE_CHARS,
                          "html": 16 * MAX_ARTICLE_CHARS}
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32), 127])
_TITLE_MAX_WORDS = 30
_BODY_KEYS = ("body", "text", "content")
_DATE_KEYS = ("published_at", "date", "published", "publishedAt")


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def iter_files(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Expand folders (recursively, sorted, hidden entries skipped) into supported files."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if (
                    child.is_file()
                    and child.suffix.lower() in SUFFIXES
                    and not any(p.startswith(".") for p in rel)
                ):
                    yield child
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                yield path
            else:
                yield InputError(str(path), f"unsupported file type {path.suffix or '(none)'!r}")
        else:
            yield InputError(str(path), "no such file or folder")


def decode_text(data: bytes, path: str) -> str:
    """Decode file bytes as text: UTF-8, else Windows-1252; binary data is refused."""
    if not data.strip():
        raise InputError(path, "empty file")
    head = data[:8192]
    # A stray NUL or control byte in scraped text is cleaned later; more than a few of
    # them mean the file is not text at all (random bytes hold about 10 %).
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(head) // 50):
        raise InputError(path, "binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    printable = sum(ch.isprintable() or ch.isspace() for ch in text[:8192])
    if printable < 0.9 * min(len(text), 8192):
        raise InputError(path, "binary file, not text")
    return text


def read_file(path: Path) -> list[SourceRecord | InputError]:
    """Read one file into source records (several for a JSON file of records)."""
    name = str(path)
    origin = str(path.resolve())
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        return [InputError(name, f"unsupported file type {path.suffix!r}")]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                name, f"file too large ({size / 1e6:.1f} MB, limit {MAX_FILE_BYTES / 1e6:.0f} MB)"
            )
        limit = MAX_ARTICLE_FILE_BYTES.get(fmt)
        if limit is not None and size > limit:
            raise InputError(
                name,
                f"file too large for one article ({size / 1e6:.1f} MB, limit "
                f"{limit / 1e6:.0f} MB); put long texts in a .jsonl file, one article a line",
            )
        text = decode_text(path.read_bytes(), name)
    except InputError as exc:
        return [exc]
    except OSError as exc:
        return [InputError(name, f"cannot read ({exc.strerror or exc})")]
    if fmt == "record":
        return list(_read_records(text, path, origin))
    return [SourceRecord(path.stem, origin, fmt, _digest(fmt, text), text=text)]


def _read_records(text: str, path: Path, origin: str) -> Iterator[SourceRecord | InputError]:
    name = str(path)
    items: list[tuple[str, Any]] = []
    if path.suffix.lower() == ".jsonl":
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((f"{name}:{lineno}", json.loads(line)))
            except json.JSONDecodeError as exc:
                yield InputError(f"{name}:{lineno}", f"invalid JSON ({exc.msg})")
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield InputError(
                name, f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
            )
            return
        if isinstance(data, dict):
            for key in ("articles", "documents", "data", "records", "items"):
                if isinstance(data.get(key), list):
                    data = data[key]
                    break
        rows = data if isinstance(data, list) else [data]
        items = [(f"{name}[{i}]", row) for i, row in enumerate(rows)]
    for where, row in items:
        try:
            yield _record(row, where, origin)
        except InputError as exc:
            yield exc


def _record(row: Any, where: str, origin: str) -> SourceRecord:
    if not isinstance(row, dict):
        raise InputError(where, "not a JSON object")
    body = next((row[k] for k in _BODY_KEYS if isinstance(row.get(k), str)), "")
    if not body.strip():
        raise InputError(where, "record has no body text")
    if len(body) > MAX_ARTICLE_CHARS:
        raise InputError(where, _too_long(len(body)))
    title = row.get("title") if isinstance(row.get("title"), str) else ""
    url = row.get("url") if isinstance(row.get("url"), str) else ""
    if row.get("id") not in (None, ""):
        doc_id = str(row["id"])
    elif url or title:
        doc_id = "h" + hashlib.sha1(str(url or title).encode()).hexdigest()[:16]
    else:
        raise InputError(where, "record has neither id, url nor title")
    fields = {k: v for k, v in row.items() if isinstance(v, str | int | float) or v is None}
    fields["body"] = body
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return SourceRecord(doc_id, origin, "record", _digest("record", blob), fields=fields)


def to_article(record: SourceRecord) -> Article:
    """Extract and clean the article a source record holds. Raises InputError when
    nothing of an article is left."""
    if record.format == "record":
        article = _record_article(record)
    elif record.format == "html":
        article = _html_article(record)
    else:
        article = _text_article(record)
    if not article.text.strip():
        raise InputError(record.origin, "no article text left after cleaning")
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise InputError(record.origin, _too_long(len(article.text)))
    return article


def _too_long(chars: int) -> str:
    return f"article too long ({chars:,} characters, limit {MAX_ARTICLE_CHARS:,})"


def _text_article(record: SourceRecord) -> Article:
    text = record.text
    meta: dict[str, Any] = {}
    if record.format == "markdown":
        meta, text = split_front_matter(text)
        text = strip_markdown(text)
    title, published, body = split_header(clean_text(text))
    return Article(
        doc_id=str(meta.get("id") or record.doc_id),
        title=str(meta.get("title") or title),
        text=body,
        origin=record.origin,
        content_hash=record.content_hash,
        published_at=to_iso(meta.get("published_at") or meta.get("date")) or published,
        source=_opt(meta.get("source")),
        url=_opt(meta.get("url")),
        author=_opt(meta.get("author")),
    )


def _html_article(record: SourceRecord) -> Article:
    import trafilatura  # heavy import, only when an HTML file is indexed

    extracted = trafilatura.bare_extraction(
        record.text,
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
    extracted_title = _opt(doc.get("title"))
    title, published, body = split_header(clean_text(text))
    return Article(
        doc_id=record.doc_id,
        title=extracted_title or title,
        text=body,
        origin=record.origin,
        content_hash=record.content_hash,
        published_at=to_iso(doc.get("date")) or published,
        source=_opt(doc.get("sitename")),
        url=_opt(doc.get("url")),
        author=_opt(doc.get("author")),
    )


def _record_article(record: SourceRecord) -> Article:
    f = record.fields
    body = clean_text(str(f["body"]))
    title = normalize_text(str(f.get("title") or "")).strip()
    if not title:
        title, _, body = split_header(body)
    published = next((to_iso(f[k]) for k in _DATE_KEYS if f.get(k)), None)
    return Article(
        doc_id=record.doc_id,
        title=title,
        text=body,
        origin=record.origin,
        content_hash=record.content_hash,
        published_at=published,
        source=_opt(f.get("source")),
        url=_opt(f.get("url")),
        author=_opt(f.get("author")),
    )


def _opt(value: Any) -> str | None:
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
