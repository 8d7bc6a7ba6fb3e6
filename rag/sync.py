"""Keeping a served corpus current: sync the subscribed feeds every so often, in a thread.

What each sync found is kept in the feeds file (:mod:`index.web.subscriptions`), so the
web UI's status line reads the last sync time and any failing feed from there, whether
the sync ran here, from ``rag sync`` or from cron.
"""

from __future__ import annotations

import logging
import re
import threading

from rag.errors import RagError
from rag.ingestion import Ingestion, SyncReport

log = logging.getLogger(__name__)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)


def parse_duration(text: str) -> float:
    """Seconds in ``30m``, ``2h``, ``90s``, ``1d`` or a bare number of seconds; a
    ValueError names what is wrong."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration such as 90s, 30m, 2h or 1d")
    seconds = float(m.group(1)) * _UNITS[(m.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError(f"{text!r}: a duration must be more than zero")
    return seconds


class PeriodicSync:
    """Runs :meth:`Ingestion.sync` now and then every ``every_s`` seconds until stopped."""

    def __init__(self, ingestion: Ingestion, every_s: float, wait_s: float = 60.0) -> None:
        self.ingestion = ingestion
        self.every_s = every_s
        self.wait_s = wait_s
        self.last: SyncReport | None = None
        self.last_error: RagError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="feed-sync", daemon=True)

    def start(self) -> PeriodicSync:
        """Start the thread (the first sync runs at once)."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for it (a sync in flight finishes)."""
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self) -> SyncReport | None:
        """One sync; a failure of the whole run (busy index) is kept, not raised."""
        try:
            self.last = self.ingestion.sync(wait=self.wait_s)
            self.last_error = None
        except RagError as exc:
            self.last_error = exc
            log.warning("feed sync failed: %s", exc)
        return self.last

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.every_s)
