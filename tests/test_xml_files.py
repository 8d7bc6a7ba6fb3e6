""".xml files, read by what they hold (their root element, sniffed with defusedxml): a feed
(RSS, Atom, RSS 1.0) is read as a feed; a sitemap named on the command line is the list
of pages it names, fetched as ``rag index https://site/sitemap.xml`` fetches them; any
other XML is one line naming the file and its root element, and the batch goes on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.documents import SourceRecord
from index.errors import InputError
from index.loaders import iter_files, read_file
from index.web.sources import url_list
from rag.container import Services, build_services
from tests.conftest import make_settings
from tests.support.fakes import HashEmbedding
from tests.support.web_server import WebServer, web_server  # noqa: F401

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Times</title>
<item><title>Harbour plan approved</title><link>https://harbour.example/plan</link>
<description>The plan was approved.</description></item></channel></rss>"""
# Unescaped "&" and a stray tag: not well-formed XML, read as feedparser reads it.
SLOPPY_RSS = RSS.replace("Harbour plan approved", "Harbour plan approved <b>& signed")
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Valley News</title><id>urn:valley</id><updated>2023-10-06T10:00:00Z</updated>
<entry><title>Mill reopens</title><link href="https://valley.example/mill"/><id>urn:mill</id>
<updated>2023-10-05T07:00:00Z</updated><summary>The mill reopens.</summary></entry></feed>"""
RDF = """<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://hill.example/"><title>Hill</title>
<link>https://hill.example/</link></channel><item rdf:about="https://hill.example/road">
<title>Road closed</title><link>https://hill.example/road</link></item></rdf:RDF>"""
URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{a}</loc></url><url><loc>{b}</loc><lastmod>2023-10-04</lastmod></url></urlset>"""
SITEMAP_INDEX = """<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{a}</loc></sitemap></sitemapindex>"""


@pytest.mark.parametrize(("name", "content", "title"), [
    ("feed.xml", RSS, "Harbour plan approved"),
    ("rss.xml", SLOPPY_RSS, "Harbour plan approved"),
    ("atom.xml", ATOM, "Mill reopens"),
    ("index.XML", RDF, "Road closed"),
], ids=["rss", "sloppy-rss", "atom", "rss1-upper-case-suffix"])
def test_a_feed_saved_as_xml_is_read_as_a_feed(
    tmp_path: Path, name: str, content: str, title: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    [record] = read_file(path)
    assert isinstance(record, SourceRecord) and record.format == "feed", record
    assert str(record.fields["title"]).startswith(title)


@pytest.mark.parametrize(("content", "reason"), [
    (b'<?xml version="1.0"?>\n<!-- settings --><config><a/></config>',
     "not a feed or a sitemap: root element <config>"),
    (b"<html><body><p>A page</p></body></html>", "not a feed or a sitemap: root element <html>"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
     "not a feed or a sitemap: root element <svg>"),
    (b"Just a line of text, no markup.", "not XML"),
    (b"", "empty file"),
    (b'<!DOCTYPE r [<!ENTITY a "b">]><rss>&a;</rss>', "entities"),
], ids=["config", "html", "svg", "text", "empty", "entities"])
def test_other_xml_is_one_line_naming_the_file(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "data.xml"
    path.write_bytes(content)
    [error] = read_file(path)
    assert isinstance(error, InputError)
    assert error.path == str(path) and reason in error.reason and "\n" not in str(error)


def test_in_a_folder_each_bad_xml_file_is_a_line_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "feed.xml").write_text(RSS, encoding="utf-8")
    (folder / "settings.xml").write_text("<config/>", encoding="utf-8")
    (folder / "sitemap.xml").write_text(URLSET.format(a="https://a.example/1",
                                                      b="https://a.example/2"))
    (folder / "note.txt").write_text("Bridge reopens\n\nThe bridge reopened on Monday.\n")
    found = [f for f in iter_files([folder]) if isinstance(f, Path)]
    assert sorted(f.name for f in found) == ["feed.xml", "note.txt", "settings.xml",
                                             "sitemap.xml"]
    out = [r for f in found for r in read_file(f)]
    assert sorted(r.format for r in out if isinstance(r, SourceRecord)) == ["feed", "text"]
    errors = {Path(e.path).name: e.reason for e in out if isinstance(e, InputError)}
    assert errors["settings.xml"] == "not a feed or a sitemap: root element <config>"
    assert errors["sitemap.xml"].startswith("a sitemap of 2 pages: name the file itself")


@pytest.mark.parametrize(("content", "expected"), [
    (URLSET.format(a="https://a.example/1", b="https://a.example/2"),
     ["https://a.example/1", "https://a.example/2"]),
    (SITEMAP_INDEX.format(a="https://a.example/news.xml"), ["https://a.example/news.xml"]),
    (RSS, None),
    ("<config/>", None),
    ("<urlset><url>", None),  # broken: read_file says why
], ids=["urlset", "sitemapindex", "feed", "other", "broken"])
def test_a_sitemap_file_lists_its_urls(
    tmp_path: Path, content: str, expected: list[str] | None
) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text(content, encoding="utf-8")
    assert url_list(path) == expected


PAGE = ("<!doctype html><html><head><title>{t}</title></head><body><article><h1>{t}</h1>"
        + "<p>The council met on Tuesday to discuss the new harbour plan and its cost.</p>" * 8
        + "</article></body></html>")


@pytest.fixture
def services(tmp_path: Path, web_server: WebServer) -> Iterator[Services]:  # noqa: F811
    settings = make_settings(tmp_path / "index", fetch={
        "allowed_hosts": [web_server.host], "timeout_s": 0.5, "total_timeout_s": 3.0,
        "retries": 0})
    built = build_services(settings, embedder=HashEmbedding())
    yield built
    built.close()


@pytest.mark.parametrize("kind", ["urlset", "sitemapindex"])
def test_a_sitemap_file_named_to_rag_index_fetches_its_pages(
    tmp_path: Path, web_server: WebServer, services: Services, kind: str,  # noqa: F811
) -> None:
    a = web_server.add("/news/bridge", PAGE.format(t="Bridge plan approved"))
    b = web_server.add("/news/ferry", PAGE.format(t="Ferry fares rise"))
    pages = URLSET.format(a=a, b=b)
    path = tmp_path / "sitemap.xml"
    if kind == "urlset":
        path.write_text(pages, encoding="utf-8")
    else:
        child = web_server.add("/news.xml", pages, content_type="application/xml")
        path.write_text(SITEMAP_INDEX.format(a=child), encoding="utf-8")
    report = services.ingestion.add([path])
    assert report.errors == []
    docs = services.store.catalog.documents().values()
    assert sorted(d.url or "" for d in docs) == [a, b]
