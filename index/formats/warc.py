"""Web archives (WARC, WARC.gz, read by warcio): every HTML response record is an article,
extracted as an HTML page is, with its URL and, when the page gives no date, its capture
date."""

from __future__ import annotations

import contextlib
import io
import zlib
from dataclasses import replace
from pathlib import Path

from index.dates import to_iso
from index.documents import Article, SourceRecord
from index.errors import InputError
from index.formats import Format, register
from index.formats import html as html_format
from index.formats.common import MAX_ARTICLE_CHARS, decode_text, digest

MAX_RECORD_BYTES = 4 * MAX_ARTICLE_CHARS  # one page's HTML, at most
_CHUNK = 1 << 20


def _gzip_check(data: bytes) -> str | None:
    """Why a gzipped WARC is unusable (not a WARC inside, cut short), or None. Walks the
    gzip members with bounded reads, so a bomb costs time in proportion, not memory."""
    head = zlib.decompressobj(wbits=31)
    try:
        first = head.decompress(data, 16)
    except zlib.error as exc:
        return f"not a gzip file ({exc})"
    if not first.startswith(b"WARC/"):
        return "not a WARC file (no WARC/1.x header at the start)"
    rest = data
    while rest:
        member = zlib.decompressobj(wbits=31)
        try:
            chunk = member.decompress(rest, _CHUNK)
            while member.unconsumed_tail:
                chunk = member.decompress(member.unconsumed_tail, _CHUNK)
        except zlib.error as exc:
            return f"damaged gzip data ({exc})"
        del chunk
        if not member.eof:
            return "truncated: the archive ends inside a compressed record"
        rest = member.unused_data.lstrip(b"\x00")
    return None


def read(data: bytes, path: Path, origin: str) -> list[SourceRecord | InputError]:
    gzipped = data[:2] == b"\x1f\x8b"
    problem = _gzip_check(data) if gzipped else (
        None if data.lstrip().startswith(b"WARC/")
        else "not a WARC file (no WARC/1.x header at the start)")
    if problem is not None:
        return [InputError(origin, problem)]
    warnings = io.StringIO()
    with contextlib.redirect_stderr(warnings):  # warcio writes its doubts to stderr
        out = _records(data, origin, gzipped)
    doubts = warnings.getvalue().count("WARNING")
    if doubts and not any(isinstance(item, InputError) for item in out):
        out.append(InputError(origin, f"damaged WARC: {doubts} record(s) end before or after "
                                      "their stated length (read as far as possible)"))
    return out


def _records(data: bytes, origin: str, gzipped: bool) -> list[SourceRecord | InputError]:
    from warcio.archiveiterator import ArchiveIterator  # only when a WARC is indexed

    out: list[SourceRecord | InputError] = []
    try:
        for n, rec in enumerate(ArchiveIterator(io.BytesIO(data)), 1):
            if rec.rec_type != "response" or rec.http_headers is None:
                continue
            if "html" not in (rec.http_headers.get_header("Content-Type") or "").lower():
                continue
            url = rec.rec_headers.get_header("WARC-Target-URI") or f"record {n}"
            where = f"{origin}#{url}"
            claimed = int(rec.rec_headers.get_header("Content-Length") or 0)
            if not gzipped and claimed > len(data):
                # A length past the end of the file: the record (and all after it) is cut.
                # (A gzipped record's length is of its uncompressed bytes: reads are capped.)
                out.append(InputError(where, f"record claims {claimed:,} bytes, more than "
                                             f"the archive's {len(data):,}"))
                break
            status = rec.http_headers.get_statuscode()
            if status != "200":
                continue  # redirects and errors are not articles
            body = rec.content_stream().read(MAX_RECORD_BYTES + 1)
            if len(body) > MAX_RECORD_BYTES:
                out.append(InputError(where, f"record over {MAX_RECORD_BYTES // 10**6} MB"))
                continue
            try:
                text = decode_text(body, where)
            except InputError as exc:
                out.append(exc)
                continue
            captured = to_iso(rec.rec_headers.get_header("WARC-Date"))
            out.append(SourceRecord(
                f"warc-{digest('warc', url)[:16]}", where, "warc", digest("warc", url, text),
                text=text, fields={"url": url, "captured": captured},
            ))
    except InputError:
        raise
    except Exception as exc:  # warcio's errors on a damaged or truncated archive
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        out.append(InputError(origin, f"damaged WARC after {len(out)} records ({detail})"))
    if not out:
        out.append(InputError(origin, "no HTML response records in the WARC"))
    return out


def to_article(record: SourceRecord) -> Article:
    page = html_format.to_article(record)
    return replace(page, url=page.url or record.fields.get("url"),
                   published_at=page.published_at or record.fields.get("captured"))


register(Format("warc", (".warc", ".warc.gz"), "web archive", read, to_article,
                single_article=False))
