"""What every request to ``rag serve`` passes before the app sees it, and how a bad one is
answered: a size limit on every body (413 beyond it; uploads have their own, larger
one), 4xx with a reason in the API's own error shape for unknown API names and for
values of the wrong type, and nothing of a request body in the log or the reply.

* :class:`BodyLimit` is ASGI middleware: a declared ``Content-Length`` over the limit is
  refused before any of the body is read; a chunked body is counted as it arrives and
  refused when it passes the limit.
* Every refusal has OpenAI's error shape, as ``/v1``'s do (:class:`ui.api.openai.ApiError`).
* :func:`exception_handlers` turn Gradio's "no such API name" (a 500 by default) into a
  404, and FastAPI's validation errors into a 422 that names the fields without echoing
  their values.
* :func:`checked_api` wraps a function served with ``gr.api`` so that an argument of
  the wrong type is a ``gr.Error`` naming the argument (the caller sees the message)
  instead of an exception deep in the handler (the caller saw ``{"error": null}``).
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import ParamSpec, TypeVar

import gradio as gr
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.api.openai import ApiError

MB = 1024 * 1024
# An API request is a question and a few options: a few kB. A few MB leaves room for a
# long chat history and is still nothing to a server's memory.
MAX_REQUEST_BYTES = 4 * MB
UPLOAD_PATHS = ("/gradio_api/upload",)

P = ParamSpec("P")
R = TypeVar("R")


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (``upload_bytes`` on upload routes) with
    413, whether their size is declared or they arrive in chunks."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES,
                 upload_bytes: int = 10 * MB) -> None:
        self.app, self.max_bytes, self.upload_bytes = app, max_bytes, upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.upload_bytes if path.endswith(UPLOAD_PATHS) else self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > limit and not started:
                    # Answer now; the app is told the client went away and stops reading.
                    refused = True
                    await self._refuse(scope, receive, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = ApiError(413, f"request body too large (limit {limit // MB} MB)",
                            code="request_too_large").response()
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _unknown_api(request: Request, exc: Exception) -> Response:
    name = request.path_params.get("api_name") or request.url.path.rsplit("/", 1)[-1]
    return ApiError(404, f"no API named {str(name)[:80]!r}: see /gradio_api/info",
                    code="unknown_api").response()


def _invalid(request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    fields = sorted({".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
                     for e in errors})
    what = ", ".join(fields[:5]) or "the request"
    return ApiError(422, f"invalid request: check {what}", code="invalid_request").response()


def exception_handlers() -> dict[type[Exception], Callable[[Request, Exception],
                                                            Response | Awaitable[Response]]]:
    """FastAPI exception handlers: unknown API names are 404, invalid bodies 422, each
    with a reason and none of the body."""
    from gradio.route_utils import FnIndexInferError

    return {FnIndexInferError: _unknown_api, RequestValidationError: _invalid}


def _kind(hint: object) -> tuple[type, ...]:
    """The runtime types a parameter annotation allows (``()``: anything)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return tuple(t for arg in typing.get_args(hint) for t in _kind(arg))
    if hint is type(None):
        return (type(None),)
    origin = typing.get_origin(hint) or hint
    if origin is float:
        return (float, int)
    return (origin,) if isinstance(origin, type) else ()


_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true/false",
          list: "a list", dict: "an object", type(None): "null"}


def _type_name(kind: type) -> str:
    return _NAMES.get(kind, kind.__name__)


def checked_api(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` with its arguments checked against its annotations first: a value of the
    wrong type is a ``gr.Error`` that names the argument and what it wants."""
    signature = inspect.signature(func)
    hints = typing.get_type_hints(func)
    kinds = {name: _kind(hints[name]) for name in signature.parameters if name in hints}

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind_partial(*args, **kwargs)
        for name, value in bound.arguments.items():
            allowed = kinds.get(name, ())
            if value is None and type(None) not in allowed and allowed:
                continue  # Gradio passes None for an argument the caller left out
            if allowed and (not isinstance(value, allowed)
                            or isinstance(value, bool) and bool not in allowed):
                want = " or ".join(dict.fromkeys(_type_name(t) for t in allowed))
                raise gr.Error(f"invalid value for {name!r}: want {want}, got "
                               f"{_type_name(type(value))}")
        return func(*args, **kwargs)

    return wrapper


def app_kwargs(upload_bytes: int, extra: Mapping[str, object] | None = None) -> dict[str, object]:
    """What Gradio's ``launch(app_kwargs=...)`` passes to the FastAPI app: the body limit
    and the error handlers, with ``extra`` (the APIs' routes and lifespan)."""
    from starlette.middleware import Middleware

    return {"middleware": [Middleware(BodyLimit, upload_bytes=upload_bytes)],
            "exception_handlers": exception_handlers(), **(extra or {})}


__all__ = ["MAX_REQUEST_BYTES", "BodyLimit", "app_kwargs", "checked_api",
           "exception_handlers"]
