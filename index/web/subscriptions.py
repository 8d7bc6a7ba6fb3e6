"""Feed subscriptions, kept beside the index in ``feeds.json``, and what a sync fetches.

A sync asks each feed with a conditional request (its last ETag and Last-Modified): a
304 costs one small response and indexes nothing. A feed that changed gives the records
of its new or changed items only (each item's content hash is remembered). A feed whose
items did not all index keeps its old validators, so the next sync asks again in full.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from index.documents import SourceRecord
from index.errors import InputError, UserError
from index.formats.feed import item_records
from index.web.feeds import parse_feed
from index.web.fetch import Fetcher, FetchError

FEEDS_FILE = "feeds.json"
_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"


@dataclass
class Subscription:
    """One subscribed feed and what the last sync learnt of it."""

    url: str
    title: str | None = None
    added: str = ""
    etag: str | None = None
    last_modified: str | None = None
    last_sync: str | None = None  # UTC ISO time of the last sync that reached the feed
    last_error: str | None = None  # the reason the last sync failed, None when it worked
    items: dict[str, str] = field(default_factory=dict)  # item key -> content hash


@dataclass
class FeedFetch:
    """What one feed gave in a sync."""

    feed: Subscription
    records: list[SourceRecord] = field(default_factory=list)  # new or changed items
    errors: list[InputError] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    items: dict[str, str] = field(default_factory=dict)  # every item the feed lists now

    @property
    def status(self) -> str:
        """One line for people: what the sync found."""
        if self.not_modified:
            return "not modified"
        if self.errors and not self.items:
            return self.errors[0].reason
        failed = f", {len(self.errors)} failed" if self.errors else ""
        return f"{len(self.records)} new or changed of {len(self.items)} items{failed}"


class Subscriptions:
    """The subscribed feeds of one index (a small JSON file, written atomically)."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / FEEDS_FILE
        self.feeds: list[Subscription] = []
        if self.path.is_file():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.feeds = [Subscription(**f) for f in data.get("feeds", [])]

    def get(self, url: str) -> Subscription | None:
        """The subscription to ``url``, or None."""
        return next((f for f in self.feeds if f.url == url), None)

    def add(self, url: str) -> Subscription:
        """Subscribe to a feed (a :class:`UserError` if it is already there)."""
        if self.get(url):
            raise UserError(f"{url}: already subscribed")
        feed = Subscription(url, added=_now())
        self.feeds.append(feed)
        self.save()
        return feed

    def remove(self, url: str) -> bool:
        """Unsubscribe; False when there was no such feed. Its articles stay indexed."""
        kept = [f for f in self.feeds if f.url != url]
        found = len(kept) != len(self.feeds)
        self.feeds = kept
        self.save()
        return found

    def save(self) -> None:
        """Write the file (a crash leaves the old one or the new one, never half)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"feeds": [asdict(f) for f in self.feeds]}, indent=2,
                          ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".feeds-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
        os.replace(tmp, self.path)


def fetch_feeds(feeds: Sequence[Subscription], fetcher: Fetcher) -> list[FeedFetch]:
    """Ask every feed (conditionally) for what changed since the last sync."""
    return [fetch_feed(f, fetcher) for f in feeds]


def fetch_feed(feed: Subscription, fetcher: Fetcher) -> FeedFetch:
    """Ask one feed for what changed since the last sync."""
    out = FeedFetch(feed)
    try:
        resp = fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified,
                           accept=_ACCEPT)
    except FetchError as exc:
        out.errors.append(exc)
        return out
    if resp.not_modified:
        out.not_modified = True
        out.etag, out.last_modified = feed.etag, feed.last_modified
        out.items = dict(feed.items)
        return out
    out.etag, out.last_modified = resp.etag, resp.last_modified
    try:
        parsed = parse_feed(resp.content, feed.url)
    except InputError as exc:
        out.errors.append(exc)
        return out
    out.title = parsed.title
    for rec in item_records(parsed, feed.url):
        if isinstance(rec, InputError):
            out.errors.append(rec)
            continue
        key = rec.origin.split("#", 1)[1]
        out.items[key] = rec.content_hash
        if feed.items.get(key) != rec.content_hash:
            out.records.append(rec)
    return out


def record_sync(fetches: Iterable[FeedFetch], failed: Iterable[InputError]) -> None:
    """Remember what each feed gave, once its records were indexed; ``failed`` are the
    indexing run's errors (an item among them is asked for again next time)."""
    bad = {e.path for e in failed}
    for f in fetches:
        feed = f.feed
        item_failed = [r for r in f.records if r.origin in bad]
        if f.errors and not f.items:  # the feed itself failed: keep what was known
            feed.last_error = f.errors[0].reason
            continue
        feed.last_sync = _now()
        feed.title = f.title or feed.title
        failed_keys = {r.origin.split("#", 1)[1] for r in item_failed}
        feed.items = {k: h for k, h in f.items.items() if k not in failed_keys}
        clean = not item_failed and not f.errors
        feed.etag, feed.last_modified = (f.etag, f.last_modified) if clean else (None, None)
        feed.last_error = None if clean else f.status


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
