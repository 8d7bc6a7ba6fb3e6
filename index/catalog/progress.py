"""How far a running import is, kept in the catalog's ``meta`` so that another process
(the web UI) can show it."""

from __future__ import annotations

import json
import os
import socket
import time

from index.catalog.database import Database


class ImportProgress(Database):
    """The record of a running import: written by the importer, read by everyone."""

    def set_import(self, done: int, total: int) -> None:
        """Record how far a running import is (read by :meth:`running_import`)."""
        self.set_meta("import", json.dumps({
            "done": done, "total": total, "pid": os.getpid(), "host": socket.gethostname(),
            "at": time.time(),
        }))

    def clear_import(self) -> None:
        """The import is over (finished or stopped)."""
        with self._db:
            self._db.execute("DELETE FROM meta WHERE key = 'import'")

    def running_import(self) -> tuple[int, int] | None:
        """``(articles done, articles in all)`` of an import still running, or None. A
        record left by a killed process is ignored (its pid is gone on this host; on
        another host, it is trusted for ten minutes after its last batch)."""
        rec = self._import_record()
        if rec is None:
            return None
        done, total, host, pid, at = rec
        try:
            if host == socket.gethostname():
                os.kill(pid, 0)
            elif time.time() - at > 600:
                return None
        except (ProcessLookupError, PermissionError):
            return None
        return done, total

    def recorded_import(self) -> tuple[int, int] | None:
        """``(done, in all)`` of the last large import that did not finish (running, or
        stopped by a kill), or None."""
        rec = self._import_record()
        return (rec[0], rec[1]) if rec else None

    def _import_record(self) -> tuple[int, int, str, int, float] | None:
        raw = self.get_meta("import")
        try:
            rec = json.loads(raw) if raw else None
            return (int(rec["done"]), int(rec["total"]), str(rec["host"]), int(rec["pid"]),
                    float(rec["at"])) if isinstance(rec, dict) else None
        except (ValueError, KeyError, TypeError):
            return None
