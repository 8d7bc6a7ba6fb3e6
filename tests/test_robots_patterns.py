"""robots.txt rules as crawlers read them (RFC 9309, Google): ``*`` and ``$`` in paths,
the longest matching rule winning over an earlier shorter one, and our product token
matched in a group's ``User-agent`` line. Against the local test server."""

from __future__ import annotations

import pytest

from index.web.fetch import Fetcher, FetchError, FetchPolicy
from tests.support import web_server as web_support
from tests.support.web_server import WebServer

web_server = web_support.web_server

PAGE = "<html><body><p>Rockets were fired at the embassy.</p></body></html>"
ROBOTS = """User-agent: *
Disallow: /*?share=
Disallow: /*.pdf$
Disallow: /private
Allow: /private/press
"""


def _policy(server: WebServer) -> FetchPolicy:
    return FetchPolicy(allowed_hosts=(server.host,), connect_timeout_s=2.0,
                       read_timeout_s=2.0, total_timeout_s=5.0, backoff_s=0.01)


@pytest.mark.parametrize(("path", "allowed"), [
    ("/news/a?share=facebook", False),
    ("/news/a?page=2&share=x", True),  # "?share=" is not in it
    ("/news/a", True),
    ("/files/report.pdf", False),
    ("/files/report.pdf?download=1", True),  # "$": the path must end there
    ("/files/pdf-guide", True),
    ("/private/memo", False),
    ("/private/press/release", True),  # the longer Allow wins over the shorter Disallow
])
def test_wildcards_end_anchors_and_the_longest_rule(
    web_server: WebServer, path: str, allowed: bool
) -> None:
    web_server.add("/robots.txt", ROBOTS, content_type="text/plain")
    with Fetcher(_policy(web_server)) as fetcher:
        assert fetcher.allowed_by_robots(web_server.url(path)) is allowed


@pytest.mark.parametrize(("robots", "allowed"), [
    ("User-agent: newsrag\nDisallow: /*?share=\n", False),
    ("User-agent: NewsRAG\nDisallow: /news/\n", False),  # tokens match in any case
    ("User-agent: github\nDisallow: /\n", True),  # not our token, though in our UA string
    ("User-agent: *\nDisallow: /\n\nUser-agent: newsrag\nAllow: /\n", True),
])
def test_the_group_of_our_product_token_applies(
    web_server: WebServer, robots: str, allowed: bool
) -> None:
    web_server.add("/robots.txt", robots, content_type="text/plain")
    url = web_server.add("/news/a?share=x", PAGE)
    with Fetcher(_policy(web_server)) as fetcher:
        assert fetcher.allowed_by_robots(url) is allowed
        if not allowed:
            with pytest.raises(FetchError, match="robots.txt forbids it"):
                fetcher.get(url)
    assert web_server.count("/robots.txt") == 1
