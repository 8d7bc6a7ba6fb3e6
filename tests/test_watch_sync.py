"""Keeping the corpus current: ``rag index --watch`` re-indexes a folder as files change,
``rag serve --sync-every`` syncs the feeds in a thread, and the status line says when
the feeds last synced and which one fails."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from index.web.subscriptions import Subscription
from rag.container import Services, build_services
from rag.ingestion import IndexReport
from rag.sync import PeriodicSync
from tests.conftest import make_settings
from tests.support.fakes import HashEmbedding
from tests.support.web_server import WebServer, web_server  # noqa: F401
from ui.render import feeds_status, status_html


def test_watch_reindexes_changed_added_and_deleted_files(
    tmp_path: Path, fake_services: Services,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bridge.txt").write_text("Bridge reopens\n\nThe bridge reopened on Monday.\n")
    fake_services.ingestion.add([folder])
    stop = threading.Event()
    reports: list[IndexReport] = []

    def watch() -> None:
        for report in fake_services.ingestion.watch([folder], stop=stop, debounce_ms=200):
            reports.append(report)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    time.sleep(0.5)  # the watcher is set up
    (folder / "ferry.md").write_text("Ferry sails\n\nThe ferry sailed again on Tuesday.\n")
    deadline = time.monotonic() + 15
    while not reports and time.monotonic() < deadline:
        time.sleep(0.1)
    (folder / "bridge.txt").unlink()
    while len(reports) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert reports and reports[0].added == 1
    assert sum(r.removed for r in reports) == 1
    assert set(fake_services.store.catalog.documents()) == {"ferry"}


def test_periodic_sync_runs_until_stopped(tmp_path: Path, web_server: WebServer) -> None:  # noqa: F811
    web_server.add("/feed.rss", '<?xml version="1.0"?><rss version="2.0"><channel>'
                   "<title>T</title></channel></rss>", content_type="application/rss+xml",
                   etag='"1"')
    settings = make_settings(tmp_path / "index", fetch={"allowed_hosts": [web_server.host]})
    services = build_services(settings, embedder=HashEmbedding())
    try:
        services.ingestion.subscribe(web_server.url("/feed.rss"))
        sync = PeriodicSync(services.ingestion, every_s=0.2).start()
        deadline = time.monotonic() + 10
        while web_server.count("/feed.rss") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        sync.stop()
        asked = web_server.count("/feed.rss")
        time.sleep(0.5)
        assert asked >= 3 and web_server.count("/feed.rss") == asked  # stopped
        assert sync.last is not None and sync.last.feeds[0].status == "not modified"
    finally:
        services.close()


def test_the_status_line_names_the_last_sync_and_a_failing_feed() -> None:
    feeds = [Subscription("https://a.example/feed", last_sync="2023-10-05T09:30:00+00:00"),
             Subscription("https://b.example/feed", last_sync="2023-10-05T08:00:00+00:00",
                          last_error="HTTP 503 Service Unavailable")]
    line = feeds_status(feeds)
    assert "Feeds: 2, last sync 2023-10-05 09:30:00 UTC" in line
    assert "b.example/feed" in line and "HTTP 503" in line and "a.example" not in line
    assert feeds_status([]) == ""


def test_answering_never_builds_the_fetcher(seed_index: Services) -> None:
    seed_index.retriever.search("What happened?")
    assert "fetcher" not in seed_index.__dict__
    assert "Feeds" not in status_html(seed_index.backend, 1, 1, "m")
