"""How far a running import is, kept in the catalog's ``meta`` so that another process
(the web UI) can show it."""

from __future__ import annotations

import json
import os
import socket
import time
from typing import NamedTuple

from index.catalog.database import Database


class ImportState(NamedTuple):
    """How far an import is: articles searchable by keyword, articles in all, and
    articles embedded too (searchable by meaning)."""

    done: int
    total: int
    embedded: int


class ImportProgress(Database):
    """The record of a running import: written by the importer, read by everyone."""

    def set_import(self, done: int, total: int, embedded: int | None = None) -> None:
        """Record how far a running import is (read by :meth:`running_import`): ``done``
        articles searchable by keyword, ``embedded`` of them by meaning too (all of them
        when not given)."""
        self.set_meta("import", json.dumps({
            "done": done, "total": total, "pid": os.getpid(), "host": socket.gethostname(),
            "at": time.time(), "embedded": done if embedded is None else embedded,
        }))

    def clear_import(self) -> None:
        """The import is over (finished or stopped)."""
        with self._db:
            self._db.execute("DELETE FROM meta WHERE key = 'import'")

    def running_import(self) -> ImportState | None:
        """How far an import still running is, or None. A
        record left by a killed process is ignored (its pid is gone on this host; on
        another host, it is trusted for ten minutes after its last batch)."""
        rec = self._import_record()
        if rec is None:
            return None
        state, host, pid, at = rec
        try:
            if host == socket.gethostname():
                os.kill(pid, 0)
            elif time.time() - at > 600:
                return None
        except (ProcessLookupError, PermissionError):
            return None
        return state

    def recorded_import(self) -> ImportState | None:
        """How far the last large import that did not finish got (running, or stopped
        by a kill), or None."""
        rec = self._import_record()
        return rec[0] if rec else None

    def _import_record(self) -> tuple[ImportState, str, int, float] | None:
        raw = self.get_meta("import")
        try:
            rec = json.loads(raw) if raw else None
            if not isinstance(rec, dict):
                return None
            done = int(rec["done"])
            state = ImportState(done, int(rec["total"]), int(rec.get("embedded", done)))
            return state, str(rec["host"]), int(rec["pid"]), float(rec["at"])
        except (ValueError, KeyError, TypeError):
            return None
