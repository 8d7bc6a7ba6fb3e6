"""A polite, bounded and safe HTTP fetcher for pages, feeds and sitemaps.

:class:`Fetcher` GETs one URL (or many, in parallel) with httpx and refuses, with a
:class:`FetchError` naming the URL and a one-line reason:

* URLs that are not http(s), and hosts that resolve to loopback, private, link-local,
  reserved, multicast or unspecified addresses (:func:`~index.web.policy.check_url`), on
  the first URL and on every redirect hop *before* it is requested (redirects are followed
  by hand);
* paths robots.txt forbids to our user agent (robots.txt is fetched once per origin and
  read by protego, with ``*`` and ``$`` in paths);
* bodies over a byte cap, servers that stall or trickle past a total deadline.

Connect errors, timeouts, 429 and 5xx are retried with exponential backoff (or the
server's ``Retry-After``, capped at 30 s); at most ``per_host`` requests run against one
host at a time. Conditional GETs (``etag`` / ``last_modified``) return a 304
:class:`Response` with an empty body.

Proxies from the environment are ignored (``trust_env=False``): a proxy would connect on
our behalf and make the address checks meaningless. That also ignores ``SSL_CERT_FILE``
and ``.netrc``; certificates are checked against certifi's bundle.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType

import httpx
from protego import Protego

from index.web.policy import DEFAULT_PORTS, FetchError, FetchPolicy, check_url, one_line

__all__ = ["FetchError", "FetchPolicy", "Fetcher", "Response", "check_url"]

RETRY_AFTER_CAP_S = 30.0
ROBOTS_TTL_S = 24 * 3600.0  # a robots.txt that was read (or is 4xx) is trusted this long
ROBOTS_RETRY_S = 300.0  # after a 5xx / timeout / network error, allow all and ask again later

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Response:
    """A fetched resource: 2xx with its body, or 304 (``not_modified``) with none."""

    url: str  # the final URL, after redirects
    status: int  # 200..299 or 304
    content: bytes  # b"" for 304
    content_type: str  # lower-case media type without parameters, "" if none
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request (keep the copy you have)."""
        return self.status == 304


# -- the fetcher ---------------------------------------------------------------------


@dataclass
class _Hop:
    """One answered request, before it is judged (redirect, retry, error or result)."""

    status: int
    reason_phrase: str
    headers: httpx.Headers
    content: bytes


class _Failure(Exception):
    """An attempt that failed without an HTTP answer; ``retry`` if another may succeed."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass
class _Robots:
    """The cached robots.txt of one origin; ``parser`` None allows everything."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    parser: Protego | None = None
    expires: float = 0.0  # time.monotonic() after which to ask again (0: never asked)


class Fetcher:
    """GETs URLs under a :class:`FetchPolicy`; thread-safe; close it (or use ``with``).

    One ``httpx.Client`` serves every request; ``transport`` replaces its network layer
    (tests). robots.txt answers are cached per origin: a file that was read, or a 4xx
    (no robots.txt: allow all), for :data:`ROBOTS_TTL_S`; a 5xx, timeout or network
    error allows all for :data:`ROBOTS_RETRY_S` only, then robots.txt is asked again.
    """

    def __init__(
        self, policy: FetchPolicy | None = None, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.policy = policy or FetchPolicy()
        p = self.policy
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(
                connect=p.connect_timeout_s,
                read=p.read_timeout_s,
                write=p.read_timeout_s,
                pool=p.connect_timeout_s,
            ),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": p.user_agent},
        )
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._robots: dict[str, _Robots] = {}
        self._closed = threading.Event()

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client; a retry waiting for its backoff gives up at once."""
        self._closed.set()
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- public API ------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET ``url`` (following safe redirects); raise FetchError unless 2xx or 304.

        ``etag`` / ``last_modified`` (from an earlier Response) make the request
        conditional; a 304 keeps them in the Response when the server does not repeat them.
        """
        if self._closed.is_set():
            raise RuntimeError("the Fetcher is closed")
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        final, hop = self._follow(url, headers, robots=self.policy.obey_robots)
        if hop.status != 304 and not 200 <= hop.status < 300:
            raise FetchError(url, _status_reason(hop), status=hop.status)
        media_type = hop.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        not_modified = hop.status == 304
        return Response(
            url=final,
            status=hop.status,
            content=b"" if not_modified else hop.content,
            content_type=media_type,
            etag=hop.headers.get("etag") or (etag if not_modified else None),
            last_modified=hop.headers.get("last-modified")
            or (last_modified if not_modified else None),
        )

    def get_many(self, urls: Sequence[str], *, workers: int = 4) -> list[Response | FetchError]:
        """GET every URL with ``workers`` threads; results (or errors) in the order of urls."""
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(self._get_or_error, urls))

    def allowed_by_robots(self, url: str) -> bool:
        """Whether the origin's robots.txt lets our user agent fetch ``url``.

        True when the policy does not obey robots.txt, or when there is none to obey
        (4xx, or it cannot be fetched right now).
        """
        if not self.policy.obey_robots:
            return True
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return True  # get() refuses the URL itself
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        with self._lock:
            entry = self._robots.setdefault(origin, _Robots())
        with entry.lock:  # one fetch per origin; the other threads wait for its answer
            if time.monotonic() >= entry.expires:
                entry.parser, ttl = self._load_robots(origin)
                entry.expires = time.monotonic() + ttl
            parser = entry.parser
        return parser is None or parser.can_fetch(url, _product_token(self.policy.user_agent))

    # -- internals -------------------------------------------------------------------

    def _get_or_error(self, url: str) -> Response | FetchError:
        try:
            return self.get(url)
        except FetchError as error:
            return error

    def _load_robots(self, origin: str) -> tuple[Protego | None, float]:
        """The parsed robots.txt of ``origin`` (None: allow all) and how long to keep it."""
        try:
            _, hop = self._follow(f"{origin}/robots.txt", {}, robots=False)
        except FetchError:
            return None, ROBOTS_RETRY_S  # refused, timed out, unreachable, too large
        if 400 <= hop.status < 500:
            return None, ROBOTS_TTL_S  # no robots.txt: everything is allowed
        if not 200 <= hop.status < 300:
            return None, ROBOTS_RETRY_S  # 5xx after the retries, odd 3xx
        # Protego reads robots.txt as Google does (RFC 9309): "*" and "$" in paths, the
        # longest matching rule wins; urllib.robotparser ignores both.
        return Protego.parse(hop.content.decode("utf-8", errors="replace")), ROBOTS_TTL_S

    def _follow(self, url: str, headers: dict[str, str], *, robots: bool) -> tuple[str, _Hop]:
        """Request ``url`` and its redirects, each checked first; the final URL and answer."""
        current = _normalize(url, url)
        seen = {current}
        redirects = 0
        while True:
            suffix = f" (redirected to {current})" if redirects else ""
            try:
                check_url(current, self.policy)
            except FetchError as error:
                raise FetchError(url, error.reason + suffix) from error
            if robots and not self.allowed_by_robots(current):
                raise FetchError(url, "robots.txt forbids it" + suffix)
            hop = self._attempt_with_retries(url, current, headers)
            if hop.status not in _REDIRECTS:
                return current, hop
            location = hop.headers.get("location")
            if not location:
                raise FetchError(url, f"{_status_reason(hop)} without a Location",
                                 status=hop.status)
            target = _normalize(url, location, base=current)
            if target in seen:
                raise FetchError(url, "redirect loop", status=hop.status)
            redirects += 1
            if redirects > self.policy.max_redirects:
                raise FetchError(url, f"more than {self.policy.max_redirects} redirects",
                                 status=hop.status)
            seen.add(target)
            current = target

    def _attempt_with_retries(self, asked: str, url: str, headers: dict[str, str]) -> _Hop:
        """One hop, retried after connect errors, timeouts, 429 and 5xx."""
        p = self.policy
        for attempt in range(p.retries + 1):
            last = attempt == p.retries
            delay = p.backoff_s * 2**attempt
            try:
                hop = self._attempt(url, headers)
            except _Failure as failure:
                if not failure.retry or last:
                    raise FetchError(asked, failure.reason) from failure.__cause__
            else:
                if hop.status not in _RETRY_STATUSES or last:
                    return hop
                waited = _retry_after(hop.headers)
                delay = delay if waited is None else waited
            if self._closed.wait(delay):
                raise FetchError(asked, "the fetcher was closed")
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _attempt(self, url: str, headers: dict[str, str]) -> _Hop:
        """One GET, holding the host's slot; the body is read only for 2xx answers."""
        p = self.policy
        try:
            with self._host_slot(url):
                deadline = time.monotonic() + p.total_timeout_s
                with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    content = self._read_body(response, deadline) if 200 <= status < 300 else b""
                    return _Hop(status, response.reason_phrase, response.headers, content)
        except httpx.ConnectTimeout as exc:
            raise _Failure(f"timed out (no connection in {p.connect_timeout_s:g} s)",
                           retry=True) from exc
        except httpx.ReadTimeout as exc:
            raise _Failure(f"timed out (no data for {p.read_timeout_s:g} s)", retry=True) from exc
        except httpx.TimeoutException as exc:  # write or pool
            raise _Failure(f"timed out ({type(exc).__name__})", retry=True) from exc
        except httpx.ConnectError as exc:
            raise _Failure(f"cannot connect ({one_line(exc)})", retry=True) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Failure(f"connection failed ({one_line(exc)})", retry=True) from exc
        except httpx.DecodingError as exc:
            raise _Failure(f"cannot decode the body ({one_line(exc)})", retry=False) from exc
        except httpx.HTTPError as exc:
            raise _Failure(f"request failed ({one_line(exc)})", retry=False) from exc

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        """The (decoded) body, refused past the byte cap or the total deadline.

        The total deadline is checked between chunks, so a silent server is cut by the
        read timeout and a trickling one by the deadline (at most one read timeout late).
        """
        p = self.policy
        too_large = f"too large (over {_size(p.max_bytes)})"
        declared = response.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > p.max_bytes:
            raise _Failure(too_large, retry=False)
        over = f"timed out (over {p.total_timeout_s:g} s)"  # not retried: it would be as slow
        if time.monotonic() > deadline:
            raise _Failure(over, retry=False)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > p.max_bytes:
                raise _Failure(too_large, retry=False)
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _Failure(over, retry=False)
        return b"".join(chunks)

    @contextmanager
    def _host_slot(self, url: str) -> Iterator[None]:
        """Hold one of the ``per_host`` slots of the URL's host:port."""
        parsed = httpx.URL(url)
        key = f"{parsed.host}:{parsed.port or DEFAULT_PORTS.get(parsed.scheme, 0)}"
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = threading.BoundedSemaphore(self.policy.per_host)
        with slot:
            yield


# -- small helpers -------------------------------------------------------------------


def _normalize(asked: str, url: str, *, base: str | None = None) -> str:
    """``url`` (joined to ``base``) as httpx writes it, without a fragment."""
    try:
        parsed = httpx.URL(base).join(url) if base is not None else httpx.URL(url)
        return str(parsed.copy_with(fragment=None))
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        what = "redirect Location" if base is not None else "URL"
        raise FetchError(asked, f"invalid {what} ({one_line(exc)})") from exc


def _product_token(user_agent: str) -> str:
    """``newsrag`` of ``newsrag/0.1 (...; +https://github.com/...)``: the name robots.txt
    groups are matched against (the rest of the header would match other crawlers' names)."""
    return user_agent.split("/", 1)[0].strip() or user_agent


def _status_reason(hop: _Hop) -> str:
    phrase = " ".join(hop.reason_phrase.split())[:80] or httpx.codes.get_reason_phrase(hop.status)
    return f"HTTP {hop.status} {phrase}".rstrip()


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks us to wait (delta-seconds or HTTP date), capped; else None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)


def _size(n: int) -> str:
    """A byte count for messages: '8 MB', '2.5 kB', '100 bytes'."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    if n >= 1000:
        return f"{n / 1000:g} kB"
    return f"{n} bytes"

