"""What a :class:`~index.web.fetch.Fetcher` may fetch: its policy (limits and manners),
the address check every URL passes before it is requested (:func:`check_url`: http(s)
only, and no host that resolves to a loopback, private, link-local, reserved, multicast
or unspecified address), and :class:`FetchError`, the refusal naming the URL and a
one-line reason."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx

from index.errors import InputError

DEFAULT_USER_AGENT = "newsrag/0.1 (local news reader; +https://github.com/newsrag/newsrag)"

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of a :class:`~index.web.fetch.Fetcher`. All durations in seconds."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0  # longest wait for the next bytes
    total_timeout_s: float = 30.0  # whole response, however slowly it trickles
    max_bytes: int = 8_000_000  # body cap; a longer body is refused (stop reading at cap+1)
    retries: int = 2  # extra attempts after connect errors, timeouts, 429 and 5xx
    backoff_s: float = 0.5  # doubled each retry (Retry-After seconds win, capped at 30 s)
    max_redirects: int = 5
    per_host: int = 2  # concurrent requests to one host at most
    allow_private: bool = False  # loopback, private, link-local, reserved, multicast, ...
    allowed_hosts: tuple[str, ...] = ()  # "host:port" or "host" exempt from the refusal
    obey_robots: bool = True

    def __post_init__(self) -> None:
        for name in ("connect_timeout_s", "read_timeout_s", "total_timeout_s", "backoff_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchPolicy.{name} must not be negative")
        for name in ("max_bytes", "retries", "max_redirects"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchPolicy.{name} must not be negative")
        if self.per_host < 1:
            raise ValueError("FetchPolicy.per_host must be at least 1")


class FetchError(InputError):
    """A URL that could not be fetched: path is the URL asked for; reason one line.

    ``status`` is the final HTTP status when the server answered with an error
    (404, 503 after the retries, ...), else None.
    """

    def __init__(self, path: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(path, reason)
        self.status = status


def check_url(url: str, policy: FetchPolicy) -> None:
    """Raise FetchError unless url is http(s) and its host resolves only to addresses the
    policy allows.

    The URL is parsed by httpx, the parser whose host the request will connect to, so the
    check and the connection cannot disagree on the host. Caveat: addresses are checked
    when the name is resolved here; httpx resolves it again to connect, so a DNS rebinding
    between the two (a name that answers a public address, then a private one) is not
    prevented. Good enough for a local news reader fetching sources its user chose; a
    service fetching URLs from strangers would pin the checked address in the transport.
    """
    parsed = _parse(url)
    if parsed.scheme not in DEFAULT_PORTS:
        raise FetchError(url, "only http and https URLs are fetched")
    host = parsed.host
    if not host:
        raise FetchError(url, "no host in the URL")
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    if policy.allow_private or _exempt(host, port, policy.allowed_hosts):
        return
    for address in _resolve(url, host, port):
        kind = _private_kind(address)
        if kind is not None:
            raise FetchError(
                url, f"refused: {address} is {kind} address (private hosts are not allowed)"
            )


def _parse(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(url, f"invalid URL ({one_line(exc)})") from exc


def _exempt(host: str, port: int, allowed_hosts: tuple[str, ...]) -> bool:
    shown = f"[{host}]" if ":" in host else host  # IPv6 literals are written in brackets
    allowed = {entry.strip().lower() for entry in allowed_hosts}
    return bool({host, shown, f"{shown}:{port}"} & allowed)


def _resolve(url: str, host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        raise FetchError(url, f"cannot resolve host {host}") from exc
    addresses = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 scope ("fe80::1%eth0")
        try:
            addresses.append(ipaddress.ip_address(text))
        except ValueError:
            continue
    if not addresses:
        raise FetchError(url, f"cannot resolve host {host}")
    return addresses


def _private_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """'a loopback', 'a private', ... for an address we refuse; None for a public one."""
    ip = address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip.is_unspecified:
        return "an unspecified"
    if ip.is_loopback:
        return "a loopback"
    if ip.is_link_local:
        return "a link-local"
    if ip.is_multicast:
        return "a multicast"
    if ip.is_private:
        return "a private"
    if ip.is_reserved:
        return "a reserved"
    if not ip.is_global:  # shared address space (100.64/10), documentation ranges, ...
        return "a non-public"
    return None


def one_line(exc: BaseException) -> str:
    """An error as one line for a reason: its message, or its type when it has none."""
    text = " ".join(str(exc).split())
    return (text or type(exc).__name__)[:200]
