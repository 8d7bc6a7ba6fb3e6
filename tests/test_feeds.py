"""Feeds, sitemaps and page metadata, parsed (pure: bytes in, values out), and feed files
indexed: every item an article with its title, link, date, outlet and author."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.documents import SourceRecord
from index.errors import InputError
from index.formats.html_meta import page_metadata
from index.loaders import read_file, to_article
from index.web.feeds import looks_like_feed, parse_feed
from index.web.sitemap import looks_like_sitemap, parse_sitemap
from index.web.sources import is_url, url_list
from rag.sync import parse_duration

LONG = " ".join(["The council met on Tuesday to discuss the new harbour plan and its cost."] * 14)

RSS = f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Harbour Times</title><link>https://harbour.example/</link>
<item><title>Harbour plan approved</title><link>https://harbour.example/plan</link>
  <guid>plan-1</guid><pubDate>Tue, 03 Oct 2023 08:00:00 GMT</pubDate>
  <dc:creator>Ada Quill</dc:creator><content:encoded><![CDATA[<p>{LONG}</p><p>Work starts in May.</p>]]></content:encoded></item>
<item><title>Ferry fares rise</title><link>https://harbour.example/fares#top</link>
  <pubDate>Wed, 04 Oct 2023 09:00:00 GMT</pubDate>
  <description>Fares rise by a tenth from November.</description>
  <source url="https://wire.example/">Coastal Wire</source></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley News</title>
<link href="https://valley.example/"/><id>urn:valley</id><updated>2023-10-06T10:00:00Z</updated>
<entry><title>Mill reopens</title><link href="https://valley.example/mill"/><id>urn:mill</id>
  <published>2023-10-05T07:00:00Z</published><updated>2023-10-06T10:00:00Z</updated>
  <author><name>Bo Reed</name></author>
  <content type="html">&lt;p&gt;{LONG}&lt;/p&gt;</content></entry>
</feed>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<rss version="2.0"><channel><title>&lol2;</title><item><title>&lol2;</title></item></channel></rss>"""


def test_rss_items_carry_title_link_date_outlet_and_author() -> None:
    feed = parse_feed(RSS.encode(), "harbour.rss")
    assert feed.title == "Harbour Times"
    plan, fares = feed.items
    assert (plan.key, plan.title, plan.link, plan.published, plan.author, plan.outlet) == (
        "plan-1", "Harbour plan approved", "https://harbour.example/plan", "2023-10-03",
        "Ada Quill", "Harbour Times")
    assert plan.has_full_text
    assert fares.outlet == "Coastal Wire"  # the item names its own source
    assert not fares.has_full_text  # a summary: its page is fetched


def test_atom_entries_keep_published_and_updated() -> None:
    [mill] = parse_feed(ATOM.encode(), "valley.atom").items
    assert (mill.published, mill.updated, mill.author, mill.outlet) == (
        "2023-10-05", "2023-10-06", "Bo Reed", "Valley News")


@pytest.mark.parametrize("data, reason", [
    (BOMB, "entity"),
    (b"<html><body>a page</body></html>", "not an RSS or Atom feed"),
])
def test_a_bad_feed_is_one_error_naming_it(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as err:
        parse_feed(data, "bad.rss")
    assert err.value.path == "bad.rss" and reason in err.value.reason


@pytest.mark.parametrize("data, ctype, expected", [
    (RSS.encode(), "", True), (ATOM.encode(), "", True), (b"<x/>", "application/rss+xml", True),
    (b"<html><body>", "text/html", False), (b"<urlset>", "application/xml", False),
])
def test_looks_like_feed(data: bytes, ctype: str, expected: bool) -> None:
    assert looks_like_feed(data, ctype) is expected


def test_a_feed_file_indexes_full_items_and_marks_summaries(tmp_path: Path) -> None:
    path = tmp_path / "harbour.rss"
    path.write_text(RSS, encoding="utf-8")
    plan, fares = read_file(path)
    assert isinstance(plan, SourceRecord) and isinstance(fares, SourceRecord)
    article = to_article(plan)
    assert (article.title, article.published_at, article.source, article.author, article.url) == (
        "Harbour plan approved", "2023-10-03", "Harbour Times", "Ada Quill",
        "https://harbour.example/plan")
    assert "Work starts in May." in article.text
    assert fares.fields["needs_page"] is True
    with pytest.raises(InputError, match="only a summary"):
        to_article(fares)  # no page fetched: refused, not indexed from the summary


def test_a_bomb_feed_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.rss"
    path.write_bytes(BOMB)
    [error] = read_file(path)
    assert isinstance(error, InputError) and "entity" in str(error) and "\n" not in str(error)


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://harbour.example/plan</loc>
  <news:news><news:publication><news:name>Harbour Times</news:name></news:publication>
  <news:publication_date>2023-10-03T08:00:00Z</news:publication_date>
  <news:title>Harbour plan approved</news:title></news:news></url>
<url><loc>https://harbour.example/fares</loc><lastmod>2023-10-04</lastmod></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://harbour.example/news.xml</loc></sitemap></sitemapindex>"""


def test_a_news_sitemap_lists_pages_with_dates_and_titles() -> None:
    assert looks_like_sitemap(SITEMAP) and looks_like_sitemap(INDEX)
    sitemap = parse_sitemap(SITEMAP, "sitemap.xml")
    assert [(p.url, p.published, p.title) for p in sitemap.pages] == [
        ("https://harbour.example/plan", "2023-10-03", "Harbour plan approved"),
        ("https://harbour.example/fares", "2023-10-04", None)]
    assert parse_sitemap(INDEX, "index.xml").sitemaps == ["https://harbour.example/news.xml"]


@pytest.mark.parametrize("data, reason", [
    (b'<!DOCTYPE x [<!ENTITY a "b">]><urlset>&a;</urlset>', "refused"),
    (b"<urlset><url>", "bad XML"),
    (b"<html/>", "root element"),
])
def test_a_bad_sitemap_is_one_error(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_sitemap(data, "sitemap.xml")


PAGE = """<html><head><link rel="canonical" href="https://planet.example/storm">
<meta property="og:site_name" content="The Daily Planet">
<meta property="article:published_time" content="2023-10-03T08:00:00Z">
{ld}</head><body><p>Text.</p></body></html>"""
LD = ('<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
      '{"@type":"WebSite","name":"Planet"},{"@type":"NewsArticle","headline":"Storm",'
      '"datePublished":"2023-10-02T09:00:00Z","dateModified":"2023-10-05T10:00:00Z",'
      '"author":[{"@type":"Person","name":"Lois Lane"}],'
      '"publisher":{"@type":"Organization","name":"Planet Media"}}]}</script>')


@pytest.mark.parametrize("ld, published, updated, author", [
    (LD, "2023-10-02", "2023-10-05", "Lois Lane"),  # JSON-LD first
    ("", "2023-10-03", None, None),  # then article:published_time
    ('<script type="application/ld+json">{not json</script>', "2023-10-03", None, None),
])
def test_page_metadata(ld: str, published: str, updated: str | None, author: str | None) -> None:
    meta = page_metadata(PAGE.format(ld=ld))
    assert (meta.published, meta.updated, meta.author) == (published, updated, author)
    assert meta.outlet == "The Daily Planet"  # og:site_name before the JSON-LD publisher
    assert meta.canonical == "https://planet.example/storm"


@pytest.mark.parametrize("text, seconds", [("30m", 1800), ("2h", 7200), ("90s", 90), ("45", 45),
                                           ("1d", 86400), ("1.5h", 5400)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "0m", "-5m", "3w"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("text, expected", [
    ("https://a.example/x", True), ("http://a.example", True), ("ftp://a.example", False),
    ("seeds/a.txt", False), ("https://", False),
])
def test_is_url(text: str, expected: bool) -> None:
    assert is_url(text) is expected


@pytest.mark.parametrize("content, expected", [
    ("# my list\nhttps://a.example/1\n\nhttps://a.example/2\n",
     ["https://a.example/1", "https://a.example/2"]),
    ("The mayor said https://a.example/1 was wrong.\n", None),
    ("", None),
])
def test_url_list(tmp_path: Path, content: str, expected: list[str] | None) -> None:
    path = tmp_path / "links.txt"
    path.write_text(content, encoding="utf-8")
    assert url_list(path) == expected


def test_an_atom_file_item_keeps_its_update_date(tmp_path: Path) -> None:
    path = tmp_path / "valley.atom"
    path.write_text(ATOM, encoding="utf-8")
    [record] = read_file(path)
    assert isinstance(record, SourceRecord)
    article = to_article(record)
    assert (article.published_at, article.updated_at, article.source) == (
        "2023-10-05", "2023-10-06", "Valley News")


def test_a_page_on_disk_keeps_its_json_ld_dates_outlet_and_canonical_url(tmp_path: Path) -> None:
    path = tmp_path / "storm.html"
    path.write_text(PAGE.format(ld=LD).replace("<p>Text.</p>", "<article><p>" + LONG
                                               + "</p></article>"), encoding="utf-8")
    [record] = read_file(path)
    assert isinstance(record, SourceRecord)
    article = to_article(record)
    assert (article.published_at, article.updated_at, article.source, article.url) == (
        "2023-10-02", "2023-10-05", "The Daily Planet", "https://planet.example/storm")
