"""Web archives: every HTML response of a WARC (plain or gzipped) is an article with its
URL and a date; a damaged archive is one line and the records before it are kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from index.documents import SourceRecord
from index.errors import InputError
from index.loaders import read_file, to_article

PAGE = """<html><head><title>{title}</title>{meta}</head><body><article><h1>{title}</h1>
<p>{body}</p><p>The harbour commission said the work would take two more years and cost
more than planned, and residents were asked to comment before the end of the month.</p>
</article></body></html>"""


def _response(writer: WARCWriter, url: str, html: str, status: str = "200 OK",
              ctype: str = "text/html; charset=utf-8", when: str = "2023-10-05T12:00:00Z") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                       http_headers=headers,
                                       warc_headers_dict={"WARC-Date": when})
    writer.write_record(record)


def make_warc(path: Path, gz: bool) -> Path:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        _response(writer, "https://example.org/news/bridge", PAGE.format(
            title="Bridge repairs delayed again",
            meta='<meta property="article:published_time" content="2023-10-03T08:00:00Z">',
            body="The old harbour bridge will stay closed until spring, engineers said."))
        _response(writer, "https://example.org/news/library", PAGE.format(
            title="Library opens on Sundays", meta="",
            body="The public library will open on Sunday afternoons from next month."))
        _response(writer, "https://example.org/logo.png", "not html", ctype="image/png")
        _response(writer, "https://example.org/gone", PAGE.format(
            title="Gone", meta="", body="Not found."), status="404 Not Found")
    return path


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_html_responses_are_articles_with_url_and_date(tmp_path: Path, name: str) -> None:
    records = read_file(make_warc(tmp_path / name, gz=name.endswith(".gz")))
    assert all(isinstance(r, SourceRecord) for r in records)
    articles = {a.url: a for a in (to_article(r) for r in records if isinstance(r, SourceRecord))}
    assert set(articles) == {"https://example.org/news/bridge", "https://example.org/news/library"}
    bridge, library = articles["https://example.org/news/bridge"], articles[
        "https://example.org/news/library"]
    assert bridge.title == "Bridge repairs delayed again"
    assert bridge.published_at == "2023-10-03"  # the page's own date
    assert library.published_at == "2023-10-05"  # no date on the page: the capture date
    assert "Sunday afternoons" in library.text


def test_a_record_claiming_a_gigantic_length_is_one_line_and_the_rest_is_kept(
    tmp_path: Path,
) -> None:
    good = make_warc(tmp_path / "good.warc", gz=False).read_bytes()
    bad = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/huge\r\n"
           b"Content-Length: 99999999999\r\n\r\nHTTP/1.1 200 OK\r\n"
           b"Content-Type: text/html\r\n\r\n<html><body>cut")
    path = tmp_path / "mixed.warc"
    path.write_bytes(good + bad)
    records = read_file(path)
    errors = [r for r in records if isinstance(r, InputError)]
    assert len([r for r in records if isinstance(r, SourceRecord)]) == 2
    assert len(errors) == 1 and "mixed.warc" in str(errors[0]) and "\n" not in str(errors[0])


def test_an_archive_without_pages_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc"
    path.write_bytes(b"this is not a web archive at all\n")
    [error] = read_file(path)
    assert isinstance(error, InputError) and "empty.warc" in str(error)


def test_a_warc_is_indexed_with_its_dates_and_urls(tmp_path: Path) -> None:
    from rag.container import build_services
    from tests.conftest import make_settings

    services = build_services(make_settings(tmp_path / "index", embed_backend="hash"))
    report = services.ingestion.add([make_warc(tmp_path / "crawl.warc.gz", gz=True)])
    assert report.added == 2 and not report.errors
    docs = services.store.catalog.documents().values()
    assert {(d.url, d.published_at) for d in docs} == {
        ("https://example.org/news/bridge", "2023-10-03"),
        ("https://example.org/news/library", "2023-10-05")}
    again = services.ingestion.add([tmp_path / "crawl.warc.gz"])
    assert again.unchanged == 2 and again.added == 0
    services.close()
