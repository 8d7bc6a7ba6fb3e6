"""Reading inputs: files and folders of articles in any registered format
(:mod:`index.formats`: .txt, .md, .html, .json/.jsonl records, .pdf, ...).

``read_sources`` turns paths into :class:`SourceRecord` values (cheap: read and
hash only) and :class:`InputError` values for what cannot be read, so one bad
file never stops a batch. ``to_article`` does the expensive part (extraction
and cleaning) and is only called for records that changed. Both dispatch on the
format the file's suffix is registered to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from index import formats
from index.documents import Article, SourceFormat, SourceRecord
from index.errors import InputError
from index.formats.common import (
    MAX_ARTICLE_CHARS,
    decode_text,
    first_sentence,
    split_header,
    too_long,
)
from index.formats.markdown import split_front_matter, strip_markdown

__all__ = [
    "MAX_ARTICLE_CHARS",
    "MAX_ARTICLE_FILE_BYTES",
    "MAX_FILE_BYTES",
    "SUFFIXES",
    "decode_text",
    "first_sentence",
    "iter_files",
    "read_file",
    "split_front_matter",
    "split_header",
    "strip_markdown",
    "to_article",
]

# Views of the registry, for callers that want plain mappings.
SUFFIXES: dict[str, SourceFormat] = {
    s: f.name for f in formats.formats() for s in f.suffixes
}
# A .json/.jsonl file is a corpus of many articles (MultiHop-RAG's corpus.json is one
# file); any other file is one article, and each format sets the largest file it takes
# as one (see MAX_ARTICLE_CHARS).
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ARTICLE_FILE_BYTES: dict[SourceFormat, int] = {
    f.name: f.max_bytes for f in formats.formats() if f.max_bytes is not None
}


def iter_files(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Expand folders (recursively, sorted, hidden entries skipped) into supported files."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if (
                    child.is_file()
                    and formats.for_path(child) is not None
                    and not any(p.startswith(".") for p in rel)
                ):
                    yield child
        elif path.is_file():
            if formats.for_path(path) is not None:
                yield path
            else:
                yield InputError(str(path), f"unsupported file type {path.suffix or '(none)'!r}")
        else:
            yield InputError(str(path), "no such file or folder")


def read_file(path: Path) -> list[SourceRecord | InputError]:
    """Read one file into source records (several for a JSON file of records)."""
    name = str(path)
    origin = str(path.resolve())
    fmt = formats.for_path(path)
    if fmt is None:
        return [InputError(name, f"unsupported file type {path.suffix!r}")]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                name, f"file too large ({size / 1e6:.1f} MB, limit {MAX_FILE_BYTES / 1e6:.0f} MB)"
            )
        limit = fmt.max_bytes
        if limit is not None and size > limit:
            raise InputError(
                name,
                f"file too large for one article ({size / 1e6:.1f} MB, limit "
                f"{limit / 1e6:.0f} MB); put long texts in a .jsonl file, one article a line",
            )
        return fmt.read(path.read_bytes(), path, origin)
    except InputError as exc:
        return [exc]
    except OSError as exc:
        return [InputError(name, f"cannot read ({exc.strerror or exc})")]


def to_article(record: SourceRecord) -> Article:
    """Extract and clean the article a source record holds. Raises InputError when
    nothing of an article is left."""
    article = formats.by_name(record.format).to_article(record)
    if not article.text.strip():
        raise InputError(record.origin, "no article text left after cleaning")
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise InputError(record.origin, too_long(len(article.text)))
    return article
