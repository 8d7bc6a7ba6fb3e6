"""One ingestion service for every front end: add files and URLs, add uploads, remove
documents, subscribe to feeds and sync them.

Each write runs under the index's writer lock (:func:`index.lock.writer_lock`), so
the CLI, the web UI and a second process never write at once; a held lock is an
:class:`IndexBusyError` after ``wait`` seconds. What is accepted comes from the
format registry (:mod:`index.formats`).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index import formats
from index.catalog import Catalog
from index.indexer import Indexer, IndexReport, Progress
from index.lock import writer_lock
from index.web.fetch import Fetcher
from index.web.subscriptions import FeedFetch, Subscription, Subscriptions, fetch_feeds, record_sync
from rag.errors import IndexBusyError, InputError, RagError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass
class UploadReport:
    """What adding uploaded files did."""

    refused: list[InputError] = field(default_factory=list)  # before indexing: type, size
    accepted: list[Path] = field(default_factory=list)  # copied into the uploads folder
    report: IndexReport | None = None  # None when nothing was accepted, or on ``error``
    error: RagError | None = None  # indexing could not run (index busy, write failed)


@dataclass
class SyncReport:
    """What a sync of the subscribed feeds did."""

    feeds: list[FeedFetch] = field(default_factory=list)
    report: IndexReport | None = None  # None when there were no feeds

    def lines(self) -> list[str]:
        """A line per feed: its URL and what the sync found."""
        return [f"{f.feed.url}: {f.status}" for f in self.feeds]


class Ingestion:
    """Adds articles to the index and removes them, one writer at a time."""

    def __init__(
        self,
        index_dir: Path,
        indexer: Callable[[], Indexer],
        reset: Callable[[], None] | None = None,
        fetcher: Callable[[], Fetcher] | None = None,
    ) -> None:
        self.index_dir = index_dir
        self._indexer = indexer
        self._reset = reset
        self._fetcher = fetcher

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded articles are kept (they are the source of indexed documents)."""
        return self.index_dir / "uploads"

    @contextmanager
    def _writing(self, wait: float, waiting: Callable[[], None] | None) -> Iterator[None]:
        if waiting is not None:
            waiting()
        with writer_lock(self.index_dir, wait=wait):
            yield

    def interrupted(self, catalog: Catalog) -> str | None:
        """What a person should know when the last build of ``catalog``'s index stopped
        before its end (killed, out of disk, Ctrl-C): how far it got and how to finish it;
        None after a build that finished, or while one runs."""
        if catalog.get_meta("dirty") != "1":
            return None
        try:
            with writer_lock(self.index_dir, wait=0.0):
                pass
        except IndexBusyError:
            return None  # a build is running now
        done = catalog.recorded_import()
        far = f" after {done.done:,} of {done.total:,} articles" if done else ""
        if done and done.embedded < done.done:
            far += f" ({done.embedded:,} of them embedded; the rest answer by keyword only)"
        return (f"the last build was interrupted{far}; what it wrote answers. Run `rag index` "
                "again with the same inputs to finish it (done articles are skipped)")

    def add(
        self,
        paths: Iterable[Path],
        progress: Progress | None = None,
        prune: bool = False,
        rebuild: bool = False,
        wait: float = 0.0,
        waiting: Callable[[], None] | None = None,
        urls: Sequence[str] = (),
    ) -> IndexReport:
        """Index files, folders and URLs incrementally; bad inputs are in ``report.errors``.

        ``rebuild`` starts from an empty index; ``waiting`` is called before waiting for
        the writer lock (a progress message)."""
        with self._writing(wait, waiting):
            if rebuild:
                if self._reset is None:
                    raise ValueError("this ingestion cannot rebuild the index")
                self._reset()
            return self._indexer().run(list(paths), prune=prune, progress=progress,
                                       urls=urls, fetcher=self._fetch())

    def watch(
        self, paths: Sequence[Path], wait: float = 30.0, stop: threading.Event | None = None,
        debounce_ms: int = 1000,
    ) -> Iterator[IndexReport]:
        """Re-index ``paths`` each time files under them change, until ``stop`` is set;
        yields each run's report. Deleted files' documents are removed (a prune)."""
        import watchfiles  # only when watching

        for changes in watchfiles.watch(*paths, stop_event=stop, debounce=debounce_ms,
                                        rust_timeout=500, yield_on_timeout=False):
            if not any(formats.for_path(p) is not None for _, p in changes):
                continue
            yield self.add(list(paths), prune=True, wait=wait)

    # -- feeds ------------------------------------------------------------------

    def feeds(self) -> list[Subscription]:
        """The subscribed feeds, with what their last sync found."""
        return Subscriptions(self.index_dir).feeds

    def subscribe(self, url: str) -> Subscription:
        """Subscribe to a feed (indexed by the next :meth:`sync`)."""
        return Subscriptions(self.index_dir).add(url)

    def unsubscribe(self, url: str) -> bool:
        """Unsubscribe from a feed (its articles stay); False when not subscribed."""
        return Subscriptions(self.index_dir).remove(url)

    def sync(
        self, progress: Progress | None = None, wait: float = 0.0,
        waiting: Callable[[], None] | None = None,
    ) -> SyncReport:
        """Fetch every subscribed feed (conditionally) and index its new or changed items."""
        with self._writing(wait, waiting):
            subs = Subscriptions(self.index_dir)
            out = SyncReport()
            if not subs.feeds:
                return out
            fetcher = self._fetch()
            if fetcher is None:
                raise ValueError("this ingestion cannot fetch")
            out.feeds = fetch_feeds(subs.feeds, fetcher)
            records = [r for f in out.feeds for r in f.records]
            out.report = self._indexer().run([], progress=progress, records=records,
                                             fetcher=fetcher)
            out.report.errors[:0] = [e for f in out.feeds for e in f.errors]
            out.report.failed = len(out.report.errors)
            record_sync(out.feeds, out.report.errors)
            subs.save()
            return out

    def _fetch(self) -> Fetcher | None:
        return self._fetcher() if self._fetcher is not None else None

    def add_uploads(
        self,
        files: Iterable[Path | str],
        progress: Progress | None = None,
        wait: float = 0.0,
        max_bytes: int = MAX_UPLOAD_BYTES,
        waiting: Callable[[], None] | None = None,
    ) -> UploadReport:
        """Copy uploaded files into :attr:`uploads_dir` under a safe name, refuse those of
        a type no format reads or over ``max_bytes``, and index the rest. An upload
        that fails to index is deleted again; a run that cannot start (busy index)
        is in ``error``, with the uploads kept for the next try."""
        out = UploadReport()
        accepted_types = formats.suffixes()
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        for f in files:
            src = Path(f)
            name = safe_filename(src.name)
            if formats.for_path(src) is None:
                out.refused.append(
                    InputError(name, f"only {', '.join(accepted_types)} files are indexed"))
                continue
            size = src.stat().st_size
            if size > max_bytes:
                out.refused.append(InputError(
                    name, f"{size / 1e6:.1f} MB is over the {max_bytes // (1024 * 1024)} MB "
                          "limit"))
                continue
            target = self.uploads_dir / name
            shutil.copyfile(src, target)
            out.accepted.append(target)
        if not out.accepted:
            return out
        try:
            out.report = self.add(out.accepted, progress=progress, wait=wait, waiting=waiting)
        except RagError as exc:
            out.error = exc
            return out
        failed = {e.path for e in out.report.errors}
        for path in out.accepted:
            if str(path) in failed or str(path.resolve()) in failed:
                path.unlink(missing_ok=True)
        return out

    def remove(self, doc_ids: Sequence[str], wait: float = 0.0) -> int:
        """Remove documents by id, and the uploaded files they came from; returns how
        many were indexed."""
        with writer_lock(self.index_dir, wait=wait):
            removed = self._indexer().remove(list(doc_ids))
        one_article = formats.suffixes(single_article=True)
        if self.uploads_dir.is_dir():
            for doc_id in doc_ids:
                for path in self.uploads_dir.glob("*"):
                    if path.stem == doc_id and path.suffix.lower() in one_article:
                        path.unlink(missing_ok=True)
        return removed


def safe_filename(name: str) -> str:
    """A plain file name (no directories, no hidden files, no odd characters)."""
    base = Path(name).name
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w\-. ]+", "_", stem).strip(" .") or "upload"
    suffix = re.sub(r"[^\w]+", "", suffix)
    return f"{stem[:120]}.{suffix}" if suffix else stem[:120]
