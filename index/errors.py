"""Domain exceptions.

Two families, as in pydantic-ai: ``UserError`` for problems the user can fix
(bad input, wrong configuration, a model not pulled) and ``RuntimeFailure``
for things that went wrong while running (a server that died mid-stream).
The CLI and the UI turn both into a one-line message; nothing else should
need to catch them.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class of every error this project raises on purpose."""


class UserError(RagError):
    """Something the user can fix: configuration, input, a missing model."""


class RuntimeFailure(RagError):
    """Something failed while running; retrying later may help."""


class InputError(UserError):
    """A file or record that cannot be read or parsed. Names the path and the reason, on
    one line whatever a library put in the reason or a file's name holds."""

    def __init__(self, path: str, reason: str) -> None:
        reason = " ".join(reason.split())
        shown = path.replace("\n", "\\n").replace("\r", "\\r")
        super().__init__(f"{shown}: {reason}")
        self.path = path
        self.reason = reason


class IndexMismatchError(UserError):
    """The index was built with another embedding model (or is from another version)."""


class IndexBusyError(UserError):
    """Another process is writing to the same index."""


class BackendUnavailable(RuntimeFailure):
    """The LLM or embedding backend cannot be reached or failed to serve the model: says
    where (``url``), with what (``model``) and how (``status``, the HTTP status) when known."""

    def __init__(self, message: str, *, url: str | None = None, model: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.url, self.model, self.status = url, model, status


class ModelNotPulled(UserError):
    """The backend is up but does not have the model: the user pulls it (``command``)."""

    def __init__(self, model: str, url: str | None = None) -> None:
        self.model, self.url = model, url
        self.command = f"ollama pull {model}"
        super().__init__(f"model '{model}' is not pulled: run `{self.command}`")
