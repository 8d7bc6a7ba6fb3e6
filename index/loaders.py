"""Reading inputs: files and folders of articles in any registered format
(:mod:`index.formats`: .txt, .md, .html, .json/.jsonl records, .pdf, ...).

``read_sources`` turns paths into :class:`SourceRecord` values (cheap: read and
hash only) and :class:`InputError` values for what cannot be read, so one bad
file never stops a batch. ``to_article`` does the expensive part (extraction
and cleaning) and is only called for records that changed. Both dispatch on the
format the file's suffix is registered to.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
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
    "Ignored",
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
# A headline is a line; a longer "title" is metadata gone wrong (cut, not refused).
MAX_TITLE_CHARS = 300
MAX_ARTICLE_FILE_BYTES: dict[SourceFormat, int] = {
    f.name: f.max_bytes for f in formats.formats() if f.max_bytes is not None
}


@dataclass(frozen=True)
class Ignored:
    """An entry a folder walk passes over on purpose: a type no format reads, a hidden
    file or folder, a link to a folder. Counted in a run's summary, named on request."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def iter_files(paths: Iterable[Path]) -> Iterator[Path | InputError | Ignored]:
    """Expand folders (recursively, sorted; hidden entries and links to folders are not
    entered) into the files a format reads. What cannot be read (a broken link, a link
    loop, a FIFO) is an :class:`InputError`; what is passed over is :class:`Ignored`."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield _entry(path, named=True)


def _walk(folder: Path) -> Iterator[Path | InputError | Ignored]:
    try:
        children = sorted(folder.iterdir())
    except OSError as exc:
        yield InputError(str(folder), f"cannot read the folder ({exc.strerror or exc})")
        return
    for child in children:
        if child.name.startswith("."):
            yield Ignored(child, "hidden")
        elif child.is_dir() and not child.is_symlink():
            yield from _walk(child)
        elif child.is_symlink() and child.is_dir():
            yield Ignored(child, "link to a folder (not followed)")
        else:
            yield _entry(child, named=False)


def _entry(path: Path, named: bool) -> Path | InputError | Ignored:
    """One file (named on the command line or found in a folder) as the walk yields it."""
    readable = formats.for_path(path) is not None
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            if exc.errno == errno.ELOOP:
                return InputError(str(path), "symbolic link loop")
            return InputError(str(path), f"broken link (to {os.readlink(path)})")
        return InputError(str(path), "no such file or folder" if exc.errno == errno.ENOENT
                          else f"cannot read ({exc.strerror or exc})")
    if not readable:
        reason = f"unsupported file type {path.suffix or '(none)'!r}"
        return InputError(str(path), reason) if named else Ignored(path, reason)
    if not stat.S_ISREG(mode):
        return InputError(str(path), "not a regular file (a FIFO, socket or device)")
    return path


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
        data = path.read_bytes()
        if not data.strip():
            raise InputError(name, "empty file")
        return fmt.read(data, path, origin)
    except InputError as exc:
        return [exc]
    except OSError as exc:
        return [InputError(name, f"cannot read ({exc.strerror or exc})")]
    except Exception as exc:  # a format's library failing on hostile bytes
        return [unexpected(name, exc)]


def unexpected(where: str, exc: Exception) -> InputError:
    """The one-line error for a failure no format foresaw (the type and its first words)."""
    if isinstance(exc, RecursionError):
        return InputError(where, "nested too deeply to read")
    if isinstance(exc, MemoryError):
        return InputError(where, "too large to read in memory")
    detail = " ".join(str(exc).split())[:120]
    kind = type(exc).__name__
    return InputError(where, f"cannot be read ({kind}: {detail})" if detail
                      else f"cannot be read ({kind})")


def short_title(title: str) -> str:
    """A title cut to :data:`MAX_TITLE_CHARS` at a word, with an ellipsis."""
    cut = title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] or title[:MAX_TITLE_CHARS]
    return cut.rstrip() + "…"


def to_article(record: SourceRecord) -> Article:
    """Extract and clean the article a source record holds. Raises InputError when
    nothing of an article is left."""
    try:
        article = formats.by_name(record.format).to_article(record)
    except InputError:
        raise
    except Exception as exc:  # a format's library failing on hostile content
        raise unexpected(record.origin, exc) from exc
    if len(article.title) > MAX_TITLE_CHARS:
        article = replace(article, title=short_title(article.title))
    if not article.text.strip():
        raise InputError(record.origin, "no article text left after cleaning")
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise InputError(record.origin, too_long(len(article.text)))
    return article
