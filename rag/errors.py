"""Domain exceptions, defined in :mod:`index.errors` (the bottom layer, which must not
import :mod:`rag`) and re-exported here for the rest of the application."""

from __future__ import annotations

from index.errors import (
    BackendUnavailable,
    IndexBusyError,
    IndexMismatchError,
    InputError,
    ModelNotPulled,
    RagError,
    RuntimeFailure,
    UserError,
)

__all__ = [
    "BackendUnavailable",
    "IndexBusyError",
    "IndexMismatchError",
    "InputError",
    "ModelNotPulled",
    "RagError",
    "RuntimeFailure",
    "UserError",
]
