"""Document ids of web pages: one page, however its URL is dressed (tracking parameters,
fragment, default port, host case), is one document; ids of URLs that need no cleaning
are the ids earlier versions gave them (existing indexes keep their documents). Pure."""

from __future__ import annotations

import pytest

from index.formats.common import url_doc_id, url_key
from index.formats.feed import item_record
from index.web.feeds import FeedItem

PLAN = "https://harbour.example/news/plan"


@pytest.mark.parametrize("dressed", [
    f"{PLAN}?utm_source=rss&utm_medium=feed&utm_campaign=daily",
    f"{PLAN}?fbclid=IwAR0abc",
    f"{PLAN}?gclid=Cj0KCQ",
    f"{PLAN}?utm_source=twitter#comments",
    f"{PLAN}#top",
    "https://harbour.example:443/news/plan",
    "HTTPS://Harbour.EXAMPLE/news/plan",
    " https://harbour.example/news/plan?mc_cid=1&utm_term=x ",
], ids=["utm", "fbclid", "gclid", "utm-and-fragment", "fragment", "default-port", "case",
        "mailchimp-spaces"])
def test_a_dressed_url_is_the_same_document(dressed: str) -> None:
    assert url_doc_id(dressed) == url_doc_id(PLAN)


@pytest.mark.parametrize(("url", "kept"), [
    ("https://a.example/story?id=42&utm_source=x&page=2", "https://a.example/story?id=42&page=2"),
    ("https://a.example/story?page=2&fbclid=1&id=42", "https://a.example/story?page=2&id=42"),
    ("http://a.example:80/x?utm_medium=rss", "http://a.example/x"),
    ("https://a.example", "https://a.example/"),
])
def test_the_key_drops_only_what_is_noise(url: str, kept: str) -> None:
    assert url_key(url) == kept


@pytest.mark.parametrize(("first", "second"), [
    ("https://a.example/story?id=1", "https://a.example/story?id=2"),
    ("https://a.example/a", "https://a.example/a/"),
    ("http://a.example/x", "https://a.example/x"),
    ("https://a.example:8443/x", "https://a.example/x"),
    # A parameter that only begins like a tracker ("ga", "ref", "session") is the page's.
    ("https://a.example/play?game=1", "https://a.example/play?game=2"),
    ("https://a.example/p?gallery=1", "https://a.example/p?gallery=2"),
    ("https://a.example/p?reference=a", "https://a.example/p?reference=b"),
    ("https://a.example/p?sessionid=a", "https://a.example/p?sessionid=b"),
])
def test_different_pages_stay_different_documents(first: str, second: str) -> None:
    assert url_doc_id(first) != url_doc_id(second)


# Ids earlier versions gave: an index built then keeps its documents.
@pytest.mark.parametrize(("url", "doc_id"), [
    ("https://harbour.example/plan", "web-0d996bdd01ff704f"),
    ("https://harbour.example/", "web-d1a706cf8dbfd023"),
    ("https://harbour.example", "web-d1a706cf8dbfd023"),
    ("http://127.0.0.1:8123/news/bridge", "web-955e06bf5321094b"),
    ("https://www.bbc.co.uk/news/world-us-canada-67012345", "web-35ba7f6b5108629d"),
    ("https://example.com/story?id=42&page=2", "web-ef92f314b30ae112"),
    ("https://example.com/story?page=2&id=42", "web-5ae912c56c7cbed2"),
    ("https://medium.com/@ada/why-harbours-matter-1a2b3c", "web-c60362d4caf30dad"),
    ("https://en.wikipedia.org/wiki/Bridge_(structure)", "web-385a2f630e2c8390"),
    ("https://example.com/search?q=harbour%20plan", "web-21c2e9124b2ead77"),
    ("https://example.com/a/b/", "web-55690acd5122dd5e"),
    ("https://example.com:8443/x", "web-08c7b379636f848d"),
])
def test_ids_of_clean_urls_are_unchanged(url: str, doc_id: str) -> None:
    assert url_doc_id(url) == doc_id


def test_a_feed_link_with_tracking_and_the_page_by_hand_are_one_document() -> None:
    item = FeedItem(key="plan-1", title="Plan", link=f"{PLAN}?utm_source=rss&utm_medium=feed",
                    published=None, updated=None, outlet=None, author=None, html="")
    assert item_record(item, "feed.rss#plan-1").doc_id == url_doc_id(PLAN)
