"""Export files for the page's downloads: each answer, summary, conversation and brief as
HTML and Markdown (``rag.export``), written under Gradio's upload folder, which Gradio
serves (HTML as an attachment, never inline), each write in a folder of its own with an
unguessable name. Files older than a day are removed as new ones are written.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from gradio.utils import get_upload_folder

from index.catalog import Catalog
from rag.export import ExportItem, context_for, render

log = logging.getLogger(__name__)
KEEP_S = 86400
PRUNE_EVERY_S = 600


class ExportFiles:
    """Writes exports of checked answers to files the UI hands to Gradio."""

    def __init__(self, catalog: Catalog, directory: Path | None = None) -> None:
        self.catalog = catalog
        self._pruned = 0.0
        # In Gradio's upload folder, which it serves (each write in an unguessable folder).
        self.directory = directory or Path(get_upload_folder()) / "newsrag-exports"

    def write(self, items: Sequence[ExportItem], stem: str,
              title: str | None = None) -> tuple[str, str] | None:
        """The items exported as ``STEM.html`` and ``STEM.md``; returns both paths (None
        when they could not be written: a full disk costs the downloads, not the answer)."""
        try:
            self._prune()
            folder = self.directory / uuid.uuid4().hex
            folder.mkdir(parents=True)
            ctx = context_for(self.catalog)
            stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "export"
            paths = []
            for kind, suffix in (("html", ".html"), ("markdown", ".md")):
                path = folder / f"{stem}{suffix}"
                path.write_text(render(kind, items, ctx, title), encoding="utf-8")
                paths.append(str(path))
        except OSError:
            log.exception("writing the exports failed")
            return None
        return paths[0], paths[1]

    def _prune(self) -> None:
        # At most every PRUNE_EVERY_S: each answer writes exports, a listing per answer
        # would grow with the day's folders.
        now = time.time()
        if now - self._pruned < PRUNE_EVERY_S:
            return
        self._pruned = now
        cutoff = now - KEEP_S
        for folder in self.directory.glob("*"):
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue
