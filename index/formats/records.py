"""JSON and JSON Lines files: a corpus of many article records (MultiHop-RAG's
corpus.json is one file), each with a body and optional title, date, outlet, url."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.clean import clean_text, normalize_text
from index.dates import to_iso
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats.common import (
    MAX_ARTICLE_CHARS,
    article,
    decode_text,
    digest,
    opt,
    split_header,
    too_long,
)

_BODY_KEYS = ("body", "text", "content")
_DATE_KEYS = ("published_at", "date", "published", "publishedAt")


# Longer numbers are no article's metadata, and int() refuses past 4,300 digits anyway.
MAX_NUMBER_CHARS = 100


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    return list(_read_records(decode_text(data, str(path)), path, origin))


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"number too long ({len(text):,} digits, limit {MAX_NUMBER_CHARS})")
    return float(text) if any(c in text for c in ".eE") else int(text)


def parse_json(text: str, where: str) -> object:
    """``text`` as JSON, or InputError naming ``where``: a number is at most
    :data:`MAX_NUMBER_CHARS` long, and nesting deeper than the interpreter's recursion
    limit (about 1,000) is refused by the parser before it costs memory."""
    try:
        return json.loads(text, parse_int=_number, parse_float=_number)
    except json.JSONDecodeError as exc:
        raise InputError(
            where, f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
        ) from None
    except RecursionError:
        raise InputError(where, "invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise InputError(where, f"invalid JSON: {exc}") from None


def _read_records(text: str, path: Path, origin: str) -> Iterator[SourceRecord | InputError]:
    name = str(path)
    items: list[tuple[str, Any]] = []
    if path.suffix.lower() == ".jsonl":
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((f"{name}:{lineno}", parse_json(line, f"{name}:{lineno}")))
            except InputError as exc:
                yield exc
    else:
        try:
            data = parse_json(text, name)
        except InputError as exc:
            yield exc
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
        raise InputError(where, too_long(len(body)))
    title = row.get("title") if isinstance(row.get("title"), str) else ""
    url = row.get("url") if isinstance(row.get("url"), str) else ""
    if row.get("id") not in (None, ""):
        if not isinstance(row["id"], str | int):
            raise InputError(where, "id is not a string or a whole number")
        doc_id = str(row["id"])
    elif url or title:
        doc_id = "h" + hashlib.sha1(str(url or title).encode()).hexdigest()[:16]
    else:
        raise InputError(where, "record has neither id, url nor title")
    fields = {k: v for k, v in row.items() if isinstance(v, str | int | float) or v is None}
    fields["body"] = body
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return SourceRecord(doc_id, origin, "record", digest("record", blob), fields=fields)


def to_article(record: SourceRecord) -> Article:
    f = record.fields
    body = clean_text(str(f["body"]))
    # A title field is often copied from a page's <title> with its entities left in
    # ("&#039;Massive intel failure&#039;").
    title = normalize_text(html.unescape(str(f.get("title") or ""))).strip()
    if not title:
        title, _, body = split_header(body)
    published = next((to_iso(f[k]) for k in _DATE_KEYS if f.get(k)), None)
    return article(
        record,
        title=title,
        text=body,
        published_at=published,
        source=opt(f.get("source")),
        url=opt(f.get("url")),
        author=opt(f.get("author")),
    )


register(Format("record", (".json", ".jsonl"), "JSON records", read, to_article,
                single_article=False))
