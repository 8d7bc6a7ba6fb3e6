"""PDF files: one article each, from the text layer (pypdf), page by page.

The title is the document's metadata title, else the first line; the date is the
metadata creation date, else a date line in the text. An encrypted, damaged or
text-less PDF (a scan without OCR) is a one-line error for that file alone.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path
from typing import Any

from index.clean import clean_text, normalize_text
from index.dates import to_iso
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats.common import MAX_ARTICLE_CHARS, article, digest, opt, split_header

NOT_PDF = "not a valid PDF"
ENCRYPTED = "encrypted PDF (it needs a password; save an unprotected copy)"
NO_TEXT = "no text layer in the PDF (a scan? run OCR on it first)"
BOMB = "refused: a stream of the PDF inflates past pypdf's limit (a decompression bomb?)"


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    if not data.strip():
        raise InputError(str(path), "empty file")
    if b"%PDF-" not in data[:1024]:
        raise InputError(str(path), f"{NOT_PDF} (no %PDF header)")
    content_hash = digest("pdf", hashlib.sha256(data).hexdigest())
    return [SourceRecord(path.stem, origin, "pdf", content_hash, data=data)]


def to_article(record: SourceRecord) -> Article:
    pages, meta = _extract(record)
    text = clean_text("\n\n".join(pages))
    if not text.strip():
        raise InputError(record.origin, NO_TEXT)
    title, published, body = split_header(text)
    meta_title = normalize_text(opt(_get(meta, "title")) or "").strip()
    return article(
        record,
        title=meta_title or title,
        text=body,
        published_at=to_iso(_get(meta, "creation_date")) or published,
        author=opt(_get(meta, "author")),
    )


def _extract(record: SourceRecord) -> tuple[list[str], Any]:
    from pypdf import PdfReader  # only when a PDF is indexed
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    # pypdf logs what it repairs ("EOF marker not found") on stderr; a file it cannot
    # read is our one-line error instead, so its warnings are only noise.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(record.data))
        if reader.is_encrypted and not _decrypts(reader):
            raise InputError(record.origin, ENCRYPTED)
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except InputError:
        raise
    except FileNotDecryptedError:
        raise InputError(record.origin, ENCRYPTED) from None
    except LimitReachedError:  # pypdf caps what one stream may inflate to
        raise InputError(record.origin, BOMB) from None
    except Exception as exc:  # pypdf raises more than its own errors on a broken file
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise InputError(record.origin, f"{NOT_PDF} ({detail})") from None
    return pages, meta


def _decrypts(reader: Any) -> bool:
    """Whether the PDF opens with the empty password (protected against editing only)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # no AES support installed, an unknown scheme
        return False


def _get(meta: Any, name: str) -> Any:
    """A metadata field, None when missing or unreadable (a malformed date)."""
    try:
        return getattr(meta, name, None) if meta is not None else None
    except Exception:
        return None


register(Format("pdf", (".pdf",), "PDF", read, to_article, max_bytes=16 * MAX_ARTICLE_CHARS))
