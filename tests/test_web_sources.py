"""Web sources against a local server the tests start: feeds (RSS and Atom) whose items
link to article pages with JSON-LD dates and page furniture, robots.txt, a news sitemap,
a 404, a stalling page, an oversized page, a redirect loop and redirects to private
addresses; subscriptions synced twice (the second time conditionally, indexing nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import cli
from rag.container import Services, build_services
from tests.conftest import make_settings
from tests.support.fakes import HashEmbedding
from tests.support.web_server import WebServer, web_server  # noqa: F401

PARA = ("The {topic} was the subject of a long public meeting on Tuesday evening, where "
        "residents, shop owners and two engineers spoke for and against the plan in turn.")


def page(title: str, topic: str, published: str, outlet: str = "Harbour Times") -> str:
    """An article page: JSON-LD date and outlet, and furniture around the article."""
    body = "".join(f"<p>{PARA.format(topic=topic)} Point {i} of the {topic} debate followed."
                   "</p>" for i in range(6))
    return f"""<!doctype html><html><head><title>{title} | {outlet}</title>
<meta property="og:site_name" content="{outlet}">
<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{title}",
"datePublished":"{published}T08:00:00Z","author":{{"name":"Ada Quill"}}}}</script></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<div class="newsletter">Sign up for our daily newsletter. Subscribe now!</div>
<article><h1>{title}</h1>{body}</article>
<aside>Share on Facebook · Share on X</aside><footer>© Harbour Times 2023</footer></body></html>"""


def rss(server: WebServer, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{server.url(p)}</link><guid>{p}</guid>"
        f"<pubDate>{d}</pubDate><description>{t}: a short summary.</description></item>"
        for t, p, d in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Times</title>'
            f"<link>{server.base_url}</link>{entries}</channel></rss>")


def atom(server: WebServer) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Valley News</title><id>urn:valley</id><updated>2023-10-06T10:00:00Z</updated>
<entry><title>Mill reopens</title><link href="{server.url('/valley/mill')}"/><id>urn:mill</id>
<published>2023-10-05T07:00:00Z</published><summary>The mill reopens.</summary></entry></feed>"""


@pytest.fixture
def site(web_server: WebServer) -> WebServer:  # noqa: F811
    s = web_server
    s.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    s.add("/news/bridge", page("Bridge plan approved", "bridge", "2023-10-03"))
    s.add("/news/ferry", page("Ferry fares rise", "ferry", "2023-10-04"))
    s.add("/valley/mill", page("Mill reopens", "mill", "2023-10-05", outlet="Valley News"))
    s.add("/private/memo", page("Secret memo", "memo", "2023-10-05"))
    s.add("/feed.rss", rss(s, [("Bridge plan approved", "/news/bridge", "Tue, 03 Oct 2023 08:00:00 GMT"),
                               ("Ferry fares rise", "/news/ferry", "Wed, 04 Oct 2023 09:00:00 GMT")]),
          content_type="application/rss+xml", etag='"v1"',
          last_modified="Wed, 04 Oct 2023 10:00:00 GMT")
    s.add("/valley.atom", atom(s), content_type="application/atom+xml", etag='"a1"')
    s.add("/sitemap.xml", f"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{s.url('/news/bridge')}</loc><news:news><news:publication_date>2023-10-03</news:publication_date></news:news></url>
<url><loc>{s.url('/news/ferry')}</loc></url></urlset>""", content_type="application/xml")
    s.add("/stall", page("Stalled", "stall", "2023-10-05"), stall_after_bytes=100)
    s.huge("/huge", 3_000_000, content_type="text/html")
    s.redirect("/loop/a", "/loop/b")
    s.redirect("/loop/b", "/loop/a")
    s.redirect("/to-loopback", "http://127.0.0.1:9/admin")
    s.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
    return s


@pytest.fixture
def services(tmp_path: Path, site: WebServer) -> Iterator[Services]:
    settings = make_settings(tmp_path / "index", fetch={
        "allowed_hosts": [site.host], "timeout_s": 0.5, "total_timeout_s": 3.0,
        "retries": 0, "max_mb": 1.0})
    built = build_services(settings, embedder=HashEmbedding())
    yield built
    built.close()


def _docs(services: Services) -> dict[str, object]:
    return {d.url: d for d in services.store.catalog.documents().values()}


def test_pages_feeds_and_a_sitemap_by_url_each_bad_one_a_line(
    site: WebServer, services: Services,
) -> None:
    urls = [site.url(p) for p in ("/feed.rss", "/valley.atom", "/sitemap.xml", "/missing",
                                  "/stall", "/huge", "/loop/a", "/private/memo",
                                  "/to-loopback", "/to-metadata")]
    report = services.ingestion.add([], urls=urls)
    docs = _docs(services)
    # The feeds' items (their pages fetched: the feed has summaries only) and the sitemap's
    # pages are one document per page, whichever way it was reached.
    assert set(docs) == {site.url("/news/bridge"), site.url("/news/ferry"),
                         site.url("/valley/mill")}
    bridge = docs[site.url("/news/bridge")]
    assert (bridge.published_at, bridge.source, bridge.author) == (  # type: ignore[attr-defined]
        "2023-10-03", "Harbour Times", "Ada Quill")
    assert docs[site.url("/valley/mill")].source == "Valley News"  # type: ignore[attr-defined]
    text = services.store.catalog.document_text(bridge.doc_id) or ""  # type: ignore[attr-defined]
    assert "Point 5 of the bridge debate" in text
    assert "newsletter" not in text.lower() and "Share on" not in text
    reasons = {e.path.replace(site.base_url, ""): e.reason for e in report.errors}
    assert set(reasons) == {"/missing", "/stall", "/huge", "/loop/a", "/private/memo",
                            "/to-loopback", "/to-metadata"}, reasons
    assert reasons["/missing"].startswith("HTTP 404")
    assert "timed out" in reasons["/stall"]
    assert "too large" in reasons["/huge"]
    assert "redirect loop" in reasons["/loop/a"]
    assert "robots.txt" in reasons["/private/memo"]
    assert "127.0.0.1" in reasons["/to-loopback"] and "loopback" in reasons["/to-loopback"]
    assert "169.254.169.254" in reasons["/to-metadata"]
    assert all("\n" not in r for r in reasons.values())
    assert site.count("/private/memo") == 0  # robots.txt was asked first
    assert site.count("/robots.txt") == 1
    agents = {r.headers.get("user-agent", "") for r in site.requests}
    assert len(agents) == 1 and agents.pop().startswith("newsrag/")


def test_sync_twice_the_second_time_conditionally_and_indexing_nothing(
    site: WebServer, services: Services,
) -> None:
    services.ingestion.subscribe(site.url("/feed.rss"))
    services.ingestion.subscribe(site.url("/valley.atom"))
    first = services.ingestion.sync()
    assert first.report is not None and first.report.added == 3 and not first.report.errors
    pages_before = site.count("/news/bridge")
    second = services.ingestion.sync()
    assert second.report is not None
    assert (second.report.added, second.report.updated, second.report.chunks) == (0, 0, 0)
    assert [f.status for f in second.feeds] == ["not modified", "not modified"]
    asked = site.requests_to("/feed.rss")
    assert len(asked) == 2 and asked[1].headers.get("if-none-match") == '"v1"'
    assert site.requests_to("/valley.atom")[1].headers.get("if-none-match") == '"a1"'
    assert site.count("/news/bridge") == pages_before  # no page fetched again
    feeds = {f.url: f for f in services.ingestion.feeds()}
    assert feeds[site.url("/feed.rss")].last_sync and not feeds[site.url("/feed.rss")].last_error


def test_a_changed_feed_indexes_only_its_new_item(site: WebServer, services: Services) -> None:
    services.ingestion.subscribe(site.url("/feed.rss"))
    services.ingestion.sync()
    site.add("/news/harbour", page("Harbour dredging starts", "harbour", "2023-10-06"))
    site.add("/feed.rss", rss(site, [
        ("Harbour dredging starts", "/news/harbour", "Fri, 06 Oct 2023 08:00:00 GMT"),
        ("Bridge plan approved", "/news/bridge", "Tue, 03 Oct 2023 08:00:00 GMT"),
        ("Ferry fares rise", "/news/ferry", "Wed, 04 Oct 2023 09:00:00 GMT")]),
        content_type="application/rss+xml", etag='"v2"')
    out = services.ingestion.sync()
    assert out.report is not None and (out.report.added, out.report.unchanged) == (1, 0)
    assert out.feeds[0].status == "1 new or changed of 3 items"
    assert site.count("/news/harbour") == 1 and site.count("/news/bridge") == 1


def test_a_failing_feed_is_named_and_the_others_sync(site: WebServer, services: Services) -> None:
    services.ingestion.subscribe(site.url("/gone.rss"))
    services.ingestion.subscribe(site.url("/valley.atom"))
    out = services.ingestion.sync()
    assert out.report is not None and out.report.added == 1
    feeds = {f.url: f for f in services.ingestion.feeds()}
    assert (feeds[site.url("/gone.rss")].last_error or "").startswith("HTTP 404")
    assert feeds[site.url("/valley.atom")].last_error is None


def test_a_private_host_is_refused_without_the_setting(tmp_path: Path, site: WebServer) -> None:
    built = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding())
    try:
        report = built.ingestion.add([], urls=[site.url("/news/bridge")])
    finally:
        built.close()
    [error] = report.errors
    assert "loopback" in error.reason and site.count("/news/bridge") == 0


def test_the_command_line_subscribes_syncs_and_lists(
    tmp_path: Path, site: WebServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBED_BACKEND", "hash")
    monkeypatch.setenv("RAG_FETCH__ALLOWED_HOSTS", f'["{site.host}"]')
    run = CliRunner()
    added = run.invoke(cli, ["feeds", "add", site.url("/feed.rss")])
    assert added.exit_code == 0, added.output
    again = run.invoke(cli, ["feeds", "add", site.url("/feed.rss")])
    assert again.exit_code != 0 and "already subscribed" in again.output
    synced = run.invoke(cli, ["sync", "-q"])
    assert synced.exit_code == 0, synced.output
    assert "2 added" in synced.stdout and "2 new or changed of 2 items" in synced.stderr
    resynced = run.invoke(cli, ["sync", "-q"])
    assert "0 added" in resynced.stdout and "not modified" in resynced.stderr
    listed = run.invoke(cli, ["feeds", "list"])
    assert site.url("/feed.rss") in listed.stdout and "Harbour Times" in listed.stdout
    page_run = run.invoke(cli, ["index", "-q", site.url("/valley/mill"), site.url("/missing")])
    assert page_run.exit_code == 3, page_run.output  # some inputs failed
    assert "1 added" in page_run.stdout and "HTTP 404" in page_run.stderr
    removed = run.invoke(cli, ["feeds", "remove", site.url("/feed.rss")])
    assert removed.exit_code == 0 and "unsubscribed" in removed.stdout


def test_documents_keep_the_canonical_url_and_citations_show_it(
    site: WebServer, services: Services,
) -> None:
    from ui.render import sources_section

    canonical = "https://harbour.example/news/lighthouse"
    body = page("Lighthouse restored", "lighthouse", "2023-10-07").replace(
        "<head>", f'<head><link rel="canonical" href="{canonical}">')
    url = site.add("/amp/lighthouse?utm_source=feed", body)
    report = services.ingestion.add([], urls=[url])
    assert report.added == 1, report.errors
    [doc] = services.store.catalog.documents().values()
    assert doc.url == canonical
    [hit, *_] = services.retriever.search("lighthouse debate")
    assert hit.node.metadata["url"] == canonical
    from rag.grounding.passages import number_passages

    html = sources_section(1, "q", number_passages([hit]))
    assert canonical in html and f'href="{canonical}"' not in html  # shown, never a live link
