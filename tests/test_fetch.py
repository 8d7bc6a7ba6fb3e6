"""The web fetcher (index.web.fetch) against a real local HTTP server (tests.support.web_server).

No mock of httpx: every request goes over a socket to 127.0.0.1, and the server records
what it received, so the tests assert both what the fetcher returned and what it sent.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from index.errors import InputError
from index.web.fetch import (
    Fetcher,
    FetchError,
    FetchPolicy,
    Response,
    check_url,
)
from index.web.policy import DEFAULT_USER_AGENT
from tests.support import web_server as web_support
from tests.support.net import free_port
from tests.support.web_server import WebServer

# Make the fixture visible here even when no conftest imports it.
web_server = web_support.web_server

PAGE = "<html><body><p>Rockets were fired at the embassy.</p></body></html>"


def policy_for(server: WebServer, **overrides: Any) -> FetchPolicy:
    """A policy that lets the test server through, with short waits."""
    base: dict[str, Any] = {
        "allowed_hosts": (server.host,),
        "connect_timeout_s": 2.0,
        "read_timeout_s": 2.0,
        "total_timeout_s": 5.0,
        "backoff_s": 0.01,
    }
    base.update(overrides)
    return FetchPolicy(**base)


def fetch_error(fetcher: Fetcher, url: str, **kwargs: Any) -> FetchError:
    """The FetchError ``fetcher.get(url)`` raises (fails the test if it returns)."""
    with pytest.raises(FetchError) as caught:
        fetcher.get(url, **kwargs)
    error = caught.value
    assert error.path == url
    assert "\n" not in error.reason
    return error


# -- a plain page --------------------------------------------------------------------


@pytest.mark.parametrize(
    "served_type, media_type",
    [
        ("text/html; charset=utf-8", "text/html"),
        ("Application/RSS+XML; charset=ISO-8859-1", "application/rss+xml"),
        ("", ""),
    ],
)
def test_page_is_fetched_with_the_project_user_agent(
    web_server: WebServer, served_type: str, media_type: str
) -> None:
    url = web_server.add("/news/1", PAGE, content_type=served_type)
    with Fetcher(policy_for(web_server)) as fetcher:
        response = fetcher.get(url, accept="text/html,application/rss+xml")

    assert response == Response(url=url, status=200, content=PAGE.encode(),
                                content_type=media_type, etag=None, last_modified=None)
    assert not response.not_modified
    (page,) = web_server.requests_to("/news/1")
    assert page.method == "GET"
    assert page.headers["user-agent"] == DEFAULT_USER_AGENT
    assert page.headers["accept"] == "text/html,application/rss+xml"
    (robots,) = web_server.requests_to("/robots.txt")
    assert robots.headers["user-agent"] == DEFAULT_USER_AGENT


def test_a_custom_user_agent_is_sent(web_server: WebServer) -> None:
    url = web_server.add("/a", PAGE)
    with Fetcher(policy_for(web_server, user_agent="tester/9")) as fetcher:
        fetcher.get(url)
    assert {r.headers["user-agent"] for r in web_server.requests} == {"tester/9"}


# -- robots.txt ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "robots",
    [
        "User-agent: *\nDisallow: /private\n",
        "User-agent: otherbot\nDisallow: /\n\nUser-agent: newsrag\nDisallow: /private\n",
    ],
    ids=["everyone", "our-agent"],
)
def test_robots_txt_forbids_one_path_and_is_fetched_once(web_server: WebServer, robots: str) -> None:
    web_server.add("/robots.txt", robots, content_type="text/plain")
    web_server.add("/private/page", PAGE)
    public = [web_server.add(f"/public/{i}", PAGE) for i in range(3)]
    with Fetcher(policy_for(web_server)) as fetcher:
        error = fetch_error(fetcher, web_server.url("/private/page"))
        results = fetcher.get_many(public, workers=3)
        assert fetcher.allowed_by_robots(public[0])
        assert not fetcher.allowed_by_robots(web_server.url("/private/other"))

    assert error.reason == "robots.txt forbids it"
    assert web_server.count("/private/page") == 0
    assert [r.url for r in results if isinstance(r, Response)] == public
    assert web_server.count("/robots.txt") == 1


def test_robots_rules_for_another_agent_do_not_apply(web_server: WebServer) -> None:
    web_server.add("/robots.txt", "User-agent: otherbot\nDisallow: /\n", content_type="text/plain")
    url = web_server.add("/private/page", PAGE)
    with Fetcher(policy_for(web_server)) as fetcher:
        assert fetcher.get(url).content == PAGE.encode()


def test_robots_txt_is_checked_on_every_redirect_hop(web_server: WebServer) -> None:
    web_server.add("/robots.txt", "User-agent: *\nDisallow: /private\n", content_type="text/plain")
    web_server.add("/private/x", PAGE)
    url = web_server.redirect("/go", "/private/x")
    with Fetcher(policy_for(web_server)) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.reason.startswith("robots.txt forbids it (redirected to ")
    assert web_server.count("/go") == 1
    assert web_server.count("/private/x") == 0


@pytest.mark.parametrize("robots_status", [404, 410, 403, 500, 503])
def test_robots_txt_that_cannot_be_had_allows_everything(
    web_server: WebServer, robots_status: int
) -> None:
    if robots_status != 404:
        web_server.add("/robots.txt", "User-agent: *\nDisallow: /\n", status=robots_status)
    url = web_server.add("/page", PAGE)
    with Fetcher(policy_for(web_server, retries=1)) as fetcher:
        assert fetcher.get(url).status == 200
        assert fetcher.get(url).status == 200
    retried = robots_status >= 500
    assert web_server.count("/robots.txt") == (2 if retried else 1)


def test_obey_robots_false_never_asks_for_robots_txt(web_server: WebServer) -> None:
    web_server.add("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    url = web_server.add("/page", PAGE)
    with Fetcher(policy_for(web_server, obey_robots=False)) as fetcher:
        assert fetcher.get(url).status == 200
        assert fetcher.allowed_by_robots(url)
    assert web_server.count("/robots.txt") == 0


# -- HTTP errors and retries ---------------------------------------------------------


@pytest.mark.parametrize("status, phrase", [(404, "Not Found"), (410, "Gone"), (403, "Forbidden")])
def test_client_errors_fail_at_once_without_retry(
    web_server: WebServer, status: int, phrase: str
) -> None:
    url = web_server.url("/missing")
    if status != 404:
        url = web_server.add("/missing", "no", status=status)
    with Fetcher(policy_for(web_server, retries=2)) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.reason == f"HTTP {status} {phrase}"
    assert error.status == status
    assert isinstance(error, InputError)
    assert str(error) == f"{url}: HTTP {status} {phrase}"
    assert web_server.count("/missing") == 1


@pytest.mark.parametrize(
    "fail_first, fail_status, retries, succeeds",
    [
        (2, 503, 2, True),
        (2, 503, 1, False),
        (1, 429, 1, True),
        (1, 500, 1, True),
        (1, 502, 1, True),
        (1, 504, 1, True),
    ],
)
def test_server_errors_are_retried_with_backoff(
    web_server: WebServer, fail_first: int, fail_status: int, retries: int, succeeds: bool
) -> None:
    url = web_server.add("/flaky", PAGE, fail_first=fail_first, fail_status=fail_status)
    with Fetcher(policy_for(web_server, retries=retries, backoff_s=0.01)) as fetcher:
        if succeeds:
            assert fetcher.get(url).content == PAGE.encode()
        else:
            error = fetch_error(fetcher, url)
            assert error.reason.startswith(f"HTTP {fail_status}")
            assert error.status == fail_status
    assert web_server.count("/flaky") == (fail_first + 1 if succeeds else retries + 1)


def test_retry_after_is_honoured(web_server: WebServer) -> None:
    url = web_server.add("/busy", PAGE, fail_first=1, fail_status=429,
                         fail_headers={"Retry-After": "1"})
    with Fetcher(policy_for(web_server, retries=1, backoff_s=0.01)) as fetcher:
        started = time.monotonic()
        assert fetcher.get(url).status == 200
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 3
    assert web_server.count("/busy") == 2


def test_connection_refused_is_retried_then_reported() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    policy = FetchPolicy(allowed_hosts=(f"127.0.0.1:{port}",), retries=1, backoff_s=0.01)
    with Fetcher(policy) as fetcher:
        started = time.monotonic()
        error = fetch_error(fetcher, url)
    assert error.reason.startswith("cannot connect (")
    assert time.monotonic() - started < 2


# -- time and size limits ------------------------------------------------------------


@pytest.mark.parametrize(
    "route, reason, attempts",
    [
        ({"stall_after_bytes": 10}, "timed out (no data for 0.5 s)", 2),  # retried once
        ({"trickle_s": 0.05}, "timed out (over 1 s)", 1),  # a slow server is not retried
    ],
    ids=["stalled", "trickling"],
)
def test_slow_servers_time_out(
    web_server: WebServer, route: dict[str, Any], reason: str, attempts: int
) -> None:
    url = web_server.add("/slow", "x" * 2000, **route)
    policy = policy_for(web_server, read_timeout_s=0.5, total_timeout_s=1.0, retries=1,
                        obey_robots=False)
    with Fetcher(policy) as fetcher:
        started = time.monotonic()
        error = fetch_error(fetcher, url)
        elapsed = time.monotonic() - started
    assert error.reason == reason
    assert elapsed < 5
    assert web_server.count("/slow") == attempts


def test_a_stalled_page_times_out_with_the_default_retries(web_server: WebServer) -> None:
    url = web_server.add("/stall", "x" * 1000, stall_after_bytes=10)
    policy = policy_for(web_server, read_timeout_s=0.5, total_timeout_s=2.0)
    with Fetcher(policy) as fetcher:
        started = time.monotonic()
        error = fetch_error(fetcher, url)
        assert time.monotonic() - started < 5
    assert error.reason == "timed out (no data for 0.5 s)"
    assert web_server.count("/stall") == 3  # retries=2


@pytest.mark.parametrize(
    "make_route",
    [
        lambda s: s.huge("/big", 50_000, chunked=True),  # size unknown until read
        lambda s: s.huge("/big", 1001, chunked=True),  # one byte over
        lambda s: s.huge("/big", 50_000),  # Content-Length over the cap
        # Content-Length over the cap, body never sent: reading it would time out
        lambda s: s.add("/big", "", declared_length=10_000_000, stall_after_bytes=0),
    ],
    ids=["chunked", "one-over", "declared", "declared-never-sent"],
)
def test_oversized_bodies_are_refused(web_server: WebServer, make_route: Any) -> None:
    url = make_route(web_server)
    policy = policy_for(web_server, max_bytes=1000, read_timeout_s=2.0, obey_robots=False)
    with Fetcher(policy) as fetcher:
        started = time.monotonic()
        error = fetch_error(fetcher, url)
        elapsed = time.monotonic() - started
    assert error.reason == "too large (over 1 kB)"
    assert elapsed < 1.5  # refused, not read to the end nor waited for
    assert web_server.count("/big") == 1  # not retried


def test_a_body_exactly_at_the_cap_is_accepted(web_server: WebServer) -> None:
    url = web_server.huge("/edge", 1000, chunked=True)
    with Fetcher(policy_for(web_server, max_bytes=1000)) as fetcher:
        assert fetcher.get(url).content == b"x" * 1000


def test_the_default_cap_reads_in_megabytes(web_server: WebServer) -> None:
    url = web_server.add("/big", "", declared_length=9_000_000, stall_after_bytes=0)
    with Fetcher(policy_for(web_server, obey_robots=False)) as fetcher:
        assert fetch_error(fetcher, url).reason == "too large (over 8 MB)"


# -- redirects -----------------------------------------------------------------------


@pytest.mark.parametrize("absolute", [True, False], ids=["absolute", "relative"])
def test_redirects_are_followed_to_the_final_url(web_server: WebServer, absolute: bool) -> None:
    final = web_server.add("/articles/final", PAGE, etag='"e1"')
    web_server.redirect("/articles/moved", final if absolute else "final", status=301)
    start = web_server.redirect("/start", "/articles/moved", status=307)
    with Fetcher(policy_for(web_server)) as fetcher:
        response = fetcher.get(start)
    assert response.url == final
    assert response.content == PAGE.encode()
    assert response.etag == '"e1"'
    assert [r.path for r in web_server.requests if r.path != "/robots.txt"] == [
        "/start", "/articles/moved", "/articles/final"]


@pytest.mark.parametrize(
    "hops",
    [["/a", "/a"], ["/a", "/b", "/a"], ["/a", "/b", "/c", "/b"]],
    ids=["self", "two", "late"],
)
def test_redirect_loops_are_refused(web_server: WebServer, hops: list[str]) -> None:
    for here, there in zip(hops, hops[1:], strict=False):
        web_server.redirect(here, there)
    with Fetcher(policy_for(web_server)) as fetcher:
        error = fetch_error(fetcher, web_server.url(hops[0]))
    assert error.reason == "redirect loop"
    assert web_server.count("/a") == 1


@pytest.mark.parametrize("redirects, ok", [(5, True), (6, False)])
def test_at_most_max_redirects_are_followed(web_server: WebServer, redirects: int, ok: bool) -> None:
    for i in range(redirects):
        web_server.redirect(f"/r{i}", f"/r{i + 1}")
    final = web_server.add(f"/r{redirects}", PAGE)
    with Fetcher(policy_for(web_server, max_redirects=5)) as fetcher:
        if ok:
            assert fetcher.get(web_server.url("/r0")).url == final
        else:
            assert fetch_error(fetcher, web_server.url("/r0")).reason == "more than 5 redirects"
            assert web_server.count(f"/r{redirects}") == 0


@pytest.mark.parametrize(
    "target, address",
    [
        ("other-port", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ],
)
def test_redirects_to_private_addresses_are_refused_before_any_request(
    web_server: WebServer, target: str, address: str
) -> None:
    with WebServer() as other:
        other.add("/secret", "credentials")
        to = other.url("/secret") if target == "other-port" else target
        url = web_server.redirect("/innocent", to)
        policy = policy_for(web_server, allow_private=False, connect_timeout_s=5.0)
        with Fetcher(policy) as fetcher:
            started = time.monotonic()
            error = fetch_error(fetcher, url)
            elapsed = time.monotonic() - started
        assert other.requests == []
    assert error.reason == (f"refused: {address} (private hosts are not allowed)"
                            f" (redirected to {to})")
    assert elapsed < 1  # refused, not connected to (and not timed out)
    assert web_server.count("/innocent") == 1


def test_a_redirect_to_a_file_url_is_refused(web_server: WebServer) -> None:
    url = web_server.redirect("/evil", "file:///etc/passwd")
    with Fetcher(policy_for(web_server)) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.reason.startswith("only http and https URLs are fetched (redirected to file:")


# -- address and scheme checks -------------------------------------------------------


def test_the_local_server_is_refused_unless_allowed(web_server: WebServer) -> None:
    url = web_server.add("/page", PAGE)
    with Fetcher(FetchPolicy()) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.reason == ("refused: 127.0.0.1 is a loopback address "
                            "(private hosts are not allowed)")
    assert web_server.requests == []  # not even robots.txt

    with Fetcher(FetchPolicy(allow_private=True)) as fetcher:
        assert fetcher.get(url).status == 200
    with Fetcher(FetchPolicy(allowed_hosts=("127.0.0.1",))) as fetcher:  # bare host: any port
        assert fetcher.get(url).status == 200


@pytest.mark.parametrize(
    "url", ["ftp://example.com/file.txt", "file:///etc/passwd", "javascript:alert(1)",
            "example.com/page"]
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url, FetchPolicy(allow_private=True))
    assert caught.value.reason == "only http and https URLs are fetched"
    with Fetcher(FetchPolicy(allow_private=True)) as fetcher:
        assert fetch_error(fetcher, url).reason == "only http and https URLs are fetched"


@pytest.mark.parametrize(
    "url, refusal",
    [
        ("http://127.0.0.1:8080/", "127.0.0.1 is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("https://192.168.0.1/", "192.168.0.1 is a private address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://100.64.0.1/", "100.64.0.1 is a non-public address"),
        ("http://localhost:9/", "is a loopback address"),
    ],
)
def test_private_addresses_are_refused(url: str, refusal: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url, FetchPolicy())
    assert refusal in caught.value.reason
    assert caught.value.reason.startswith("refused: ")
    assert caught.value.reason.endswith("(private hosts are not allowed)")
    check_url(url, FetchPolicy(allow_private=True))  # the exemption


def test_public_addresses_and_unresolvable_hosts() -> None:
    check_url("https://93.184.215.14/news", FetchPolicy())  # a public literal: no DNS needed
    with pytest.raises(FetchError) as caught:
        check_url("http://example.invalid/feed", FetchPolicy())
    assert caught.value.reason == "cannot resolve host example.invalid"


def test_allowed_hosts_match_host_and_port() -> None:
    check_url("http://127.0.0.1:8080/", FetchPolicy(allowed_hosts=("127.0.0.1:8080",)))
    check_url("http://[::1]:8080/", FetchPolicy(allowed_hosts=("[::1]:8080",)))
    with pytest.raises(FetchError, match="loopback"):
        check_url("http://127.0.0.1:8081/", FetchPolicy(allowed_hosts=("127.0.0.1:8080",)))


# -- conditional requests ------------------------------------------------------------


@pytest.mark.parametrize(
    "validator, header",
    [("etag", "if-none-match"), ("last_modified", "if-modified-since")],
)
def test_conditional_get_returns_not_modified(
    web_server: WebServer, validator: str, header: str
) -> None:
    value = '"v1"' if validator == "etag" else "Wed, 21 Oct 2015 07:28:00 GMT"
    validators: dict[str, Any] = {validator: value}
    url = web_server.add("/feed.xml", "<rss/>", content_type="application/rss+xml", **validators)
    with Fetcher(policy_for(web_server)) as fetcher:
        first = fetcher.get(url)
        again = fetcher.get(url, **{validator: getattr(first, validator)})
        stale = '"v0"' if validator == "etag" else "Tue, 20 Oct 2015 07:28:00 GMT"
        changed = fetcher.get(url, **{validator: stale})

    assert getattr(first, validator) == value
    assert first.status == 200 and first.content == b"<rss/>"
    assert again.not_modified and again.status == 304 and again.content == b""
    assert getattr(again, validator) == value
    assert changed.status == 200 and changed.content == b"<rss/>"
    sent = [r.headers.get(header) for r in web_server.requests_to("/feed.xml")]
    assert sent == [None, value, stale]


# -- many URLs -----------------------------------------------------------------------


def test_get_many_keeps_the_order_of_the_urls(web_server: WebServer) -> None:
    slow = web_server.add("/slow", "slow", delay_s=0.3)
    fast = web_server.add("/fast", "fast")
    missing = web_server.url("/missing")
    with Fetcher(policy_for(web_server, per_host=3, obey_robots=False)) as fetcher:
        results = fetcher.get_many([slow, missing, fast, "ftp://x/"], workers=4)
        assert fetcher.get_many([]) == []
    first, second, third, fourth = results
    assert isinstance(first, Response) and first.content == b"slow"
    assert isinstance(second, FetchError) and second.reason == "HTTP 404 Not Found"
    assert isinstance(third, Response) and third.content == b"fast"
    assert isinstance(fourth, FetchError) and fourth.path == "ftp://x/"


@pytest.mark.parametrize("per_host, most", [(1, 1), (3, 3)])
def test_get_many_respects_per_host(web_server: WebServer, per_host: int, most: int) -> None:
    urls = [web_server.add(f"/slow/{i}", str(i), delay_s=0.3) for i in range(3)]
    with Fetcher(policy_for(web_server, per_host=per_host, obey_robots=False)) as fetcher:
        started = time.monotonic()
        results = fetcher.get_many(urls, workers=3)
        elapsed = time.monotonic() - started
    assert [r.content for r in results if isinstance(r, Response)] == [b"0", b"1", b"2"]
    assert web_server.max_in_flight == most
    assert elapsed >= 0.3 * (3 // most) - 0.05


# -- the test server itself ----------------------------------------------------------


def test_web_server_serves_head_and_records_it(web_server: WebServer) -> None:
    url = web_server.add("/page", PAGE, etag='"x"', headers={"X-Test": "1"})
    response = httpx.head(url)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(PAGE))
    assert response.headers["etag"] == '"x"'
    assert response.headers["x-test"] == "1"
    assert web_server.requests_to("/page")[0].method == "HEAD"
