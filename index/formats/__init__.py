"""The registry of input formats, by file suffix.

Each format is one module of this package that calls :func:`register` once with a
:class:`Format`: the suffixes it reads, a human label, its size limit, how to turn
a file's bytes into :class:`SourceRecord` values (cheap: decode and hash) and how to
turn a record into an :class:`Article` (the expensive part: extraction and
cleaning). :mod:`index.loaders` dispatches through the registry, and the UI takes
its accepted upload types from it, so a new format is one module here and one line
in :data:`BUILTIN`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.documents import Article, SourceRecord
from index.errors import InputError

Reader = Callable[[bytes, Path, str], list[SourceRecord | InputError]]
"""``read(data, path, origin)``: a file's bytes to records (errors for bad parts);
raises :class:`InputError` when the whole file is unusable."""

Extractor = Callable[[SourceRecord], Article]
"""``to_article(record)``: the cleaned article; raises :class:`InputError`."""


@dataclass(frozen=True)
class Format:
    """One input format."""

    name: str  # SourceRecord.format
    suffixes: tuple[str, ...]  # lower case, with the dot; the first is the usual one
    label: str  # for people: "HTML", "PDF"
    read: Reader
    to_article: Extractor
    # Largest file taken as one article (None: only the overall file limit applies).
    max_bytes: int | None = None
    # Each file is one article whose document id is the file's stem (an upload of it
    # can be deleted with the document); False for files of many records.
    single_article: bool = True


# The modules of the formats that ship with the project (registered at the end).
BUILTIN = ("text", "markdown", "html", "records", "pdf", "warc", "feed")

_BY_NAME: dict[str, Format] = {}
_BY_SUFFIX: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format (again under its name: replaced); a suffix another format reads is an
    error."""
    for suffix in fmt.suffixes:
        if suffix != suffix.lower() or not suffix.startswith("."):
            raise ValueError(f"suffix {suffix!r} of format {fmt.name!r}: want '.lowercase'")
        other = _BY_SUFFIX.get(suffix)
        if other is not None and other.name != fmt.name:
            raise ValueError(f"suffix {suffix!r} is already read by format {other.name!r}")
    _BY_NAME[fmt.name] = fmt
    for suffix in fmt.suffixes:
        _BY_SUFFIX[suffix] = fmt
    return fmt


def formats() -> tuple[Format, ...]:
    """Every registered format, in registration order."""
    return tuple(_BY_NAME.values())


def by_name(name: str) -> Format:
    """The format a :class:`SourceRecord` names (KeyError if unknown)."""
    return _BY_NAME[name]


def for_suffix(suffix: str) -> Format | None:
    """The format that reads files ending in ``suffix`` (any case), or None."""
    return _BY_SUFFIX.get(suffix.lower())


def for_path(path: Path | str) -> Format | None:
    """The format that reads ``path``, by its suffix (``.warc.gz`` before ``.gz``), or None."""
    suffixes = Path(path).suffixes
    return (for_suffix("".join(suffixes[-2:])) if len(suffixes) > 1 else None) or for_suffix(
        Path(path).suffix)


def suffixes(*, single_article: bool | None = None) -> tuple[str, ...]:
    """Every suffix read (or only those of one-article formats, or of the others)."""
    return tuple(
        s
        for f in formats()
        if single_article is None or f.single_article == single_article
        for s in f.suffixes
    )


def describe() -> str:
    """What is read, for people: ``text (.txt), Markdown (.md, .markdown), ...``."""
    return ", ".join(f"{f.label} ({', '.join(f.suffixes)})" for f in formats())


# Registered here, in this order, whichever format module is imported first (each
# imports ``Format`` and ``register`` from this half-initialised module).
for _module in BUILTIN:
    importlib.import_module(f"{__name__}.{_module}")
