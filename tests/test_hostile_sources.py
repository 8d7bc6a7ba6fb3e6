"""Hostile sources, each one line naming it, and nothing else lost: a feed with an XML
entity bomb, a PDF decompression bomb, a WARC record that claims a gigantic length, and
(over HTTP) redirects to 127.0.0.1 and 169.254.169.254 with private hosts not allowed."""

from __future__ import annotations

import time
from pathlib import Path

from rag.container import Services, build_services
from tests.conftest import make_settings
from tests.support.fakes import HashEmbedding
from tests.support.pdf import make_bomb_pdf, make_pdf
from tests.support.web_server import WebServer, web_server  # noqa: F401
from tests.test_feeds import BOMB
from tests.test_warc_loader import make_warc

GOOD = "Harbour works begin\n\nDredging of the old harbour began on Monday, the council said.\n"


def test_bombs_and_lies_are_one_line_each_and_the_rest_is_indexed(
    tmp_path: Path, fake_services: Services,
) -> None:
    before = tmp_path / "before"
    before.mkdir()
    (before / "kept.txt").write_text(GOOD)
    fake_services.ingestion.add([before])
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "bomb.rss").write_bytes(BOMB)
    (batch / "bomb.pdf").write_bytes(make_bomb_pdf())
    (batch / "fine.pdf").write_bytes(make_pdf([["Ferry timetable changes", "The ferry now "
                                                "leaves at seven from the north pier."]]))
    warc = make_warc(tmp_path / "ok.warc", gz=False).read_bytes()
    (batch / "liar.warc").write_bytes(
        warc + b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://x.example/big\r\n"
        b"Content-Length: 99999999999\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>")
    (batch / "news.txt").write_text(GOOD.replace("harbour", "canal"))
    started = time.monotonic()
    report = fake_services.ingestion.add([batch])
    assert time.monotonic() - started < 30  # a bomb is refused, not expanded
    reasons = {Path(e.path.split("#")[0]).name: e.reason for e in report.errors}
    assert set(reasons) == {"bomb.rss", "bomb.pdf", "liar.warc"}, reasons
    assert "entity" in reasons["bomb.rss"]
    assert "decompression bomb" in reasons["bomb.pdf"]
    assert "claims" in reasons["liar.warc"]
    assert all("\n" not in str(e) for e in report.errors)
    docs = fake_services.store.catalog.documents()
    assert {"kept", "news", "fine"} <= set(docs)  # what was indexed before stays
    assert report.added == 4, sorted(docs)  # news, fine, and the WARC.s two pages before the lie


def test_redirects_to_private_addresses_are_refused(
    tmp_path: Path, web_server: WebServer,  # noqa: F811
) -> None:
    web_server.add("/ok", "<html><body><article><p>" + "The mill reopened today. " * 20
                   + "</p></article></body></html>")
    web_server.redirect("/a", "http://127.0.0.1:9/secret")
    web_server.redirect("/b", "http://169.254.169.254/latest/meta-data/iam/")
    web_server.redirect("/c", "http://[::1]:9/")
    settings = make_settings(tmp_path / "index", fetch={"allowed_hosts": [web_server.host],
                                                        "retries": 0})
    services = build_services(settings, embedder=HashEmbedding())
    try:
        started = time.monotonic()
        report = services.ingestion.add(
            [], urls=[web_server.url(p) for p in ("/a", "/b", "/c", "/ok")])
        assert time.monotonic() - started < 10  # refused before any connection
    finally:
        services.close()
    assert report.added == 1
    reasons = {e.path.rsplit("/", 1)[1]: e.reason for e in report.errors}
    assert "127.0.0.1" in reasons["a"] and "loopback" in reasons["a"]
    assert "169.254.169.254" in reasons["b"] and "link-local" in reasons["b"]
    assert "::1" in reasons["c"]
