"""Small real PDFs built by hand, with a text layer pypdf can extract (no reportlab)."""

from __future__ import annotations

import io


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], *, title: str | None = None,
             creation_date: str | None = None) -> bytes:
    """A PDF of ``pages``, each a list of lines set in Helvetica (WinAnsi, so Latin-1
    text only); ``title`` and ``creation_date`` (``D:YYYYMMDDhhmmss``) go in the
    document information dictionary. An empty page list of lines is a page without
    text (like a scan without OCR)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>")
    kids: list[int] = []
    for lines in pages:
        ops = [f"BT /F1 12 Tf 72 {720 - 16 * i} Td ({_escape(line)}) Tj ET"
               for i, line in enumerate(lines)]
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_obj, font, content)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info_fields = []
    if title is not None:
        info_fields.append(b"/Title (%s)" % _escape(title).encode("latin-1"))
    if creation_date is not None:
        info_fields.append(b"/CreationDate (%s)" % creation_date.encode("ascii"))
    info = add(b"<< %s >>" % b" ".join(info_fields)) if info_fields else None
    return write_pdf(objects, catalog, info)


def write_pdf(objects: list[bytes], root: int, info: int | None = None) -> bytes:
    """A PDF file of numbered ``objects`` (object n is ``objects[n - 1]``) with its
    cross-reference table; ``root`` is the catalog's number."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"/Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info is not None:
        trailer += b" /Info %d 0 R" % info
    out.write(b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref))
    return out.getvalue()


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """``data`` protected by a user password (RC4, which pypdf writes without extras)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_bomb_pdf(expanded_mb: int = 300) -> bytes:
    """A one-page PDF whose content stream is a few hundred kB of Flate data that
    inflates to ``expanded_mb`` MB (a decompression bomb)."""
    import zlib

    squeeze = zlib.compressobj(9)
    block = b"BT /F1 12 Tf 72 700 Td (boom) Tj ET\n" * 28_000  # ~1 MB of text operators
    parts = [squeeze.compress(block) for _ in range(expanded_mb)]
    stream = b"".join(parts) + squeeze.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return write_pdf(objects, root=1)
