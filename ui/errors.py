"""The web UI's one error ladder: what a page or an API caller is told when a request fails."""

from __future__ import annotations

import logging

import gradio as gr

from rag.errors import RagError, UserError

log = logging.getLogger("ui")


def error_message(exc: BaseException, doing: str) -> str:
    """One line for a failure: a user error as it is; a runtime failure as ``<doing>
    failed: …``; anything else the same, with its traceback logged (a bug of ours).
    Call it from the ``except`` block."""
    if isinstance(exc, UserError):
        return str(exc)
    if not isinstance(exc, RagError):
        log.exception("%s failed", doing)
    return f"{doing} failed: {str(exc) or type(exc).__name__}"


def api_error(exc: RagError, doing: str) -> gr.Error:
    """The error an API caller (``/ask``, ``/summarize``) gets for a failure of ours."""
    return gr.Error(error_message(exc, doing))
