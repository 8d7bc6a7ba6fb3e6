"""The APIs other tools use, served on the chat's own server and port: OpenAI-compatible
chat (``/v1``, :mod:`ui.api.openai`) and MCP over streamable HTTP (``/mcp``,
:mod:`ui.api.mcp`). Both sit behind the chat's login (:mod:`ui.api.auth`); the loopback
default of ``rag serve`` covers them as it covers the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.container import Services


@dataclass(frozen=True)
class Api:
    """Routes to serve before the chat's own, and what must run while they are served."""

    routes: list[BaseRoute]
    lifespan: Callable[[object], AbstractAsyncContextManager[None]]


class LoginRequired:
    """An ASGI app that lets a request through to ``app`` only with the login."""

    def __init__(self, app: ASGIApp, login: tuple[str, str] | None) -> None:
        self.app, self.login = app, login

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from ui.api.auth import authorized
        from ui.api.openai import UNAUTHORIZED

        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if scope["type"] == "http" and not authorized(headers, self.login):
            await UNAUTHORIZED.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)


def build_api(services: Services, login: tuple[str, str] | None,
              host: str = "127.0.0.1") -> Api:
    """The OpenAI-compatible and MCP routes over ``services``, behind ``login``."""
    from ui.api.mcp import build_mcp
    from ui.api.openai import router

    mcp = build_mcp(services)
    # Stateless JSON replies: each call stands alone, as the tools do.
    mcp_app = mcp.streamable_http_app(streamable_http_path="/mcp", stateless_http=True,
                                      json_response=True, host=host)
    routes: list[BaseRoute] = list(router(services, login).routes)
    for route in mcp_app.routes:
        if isinstance(route, Route):
            routes.append(Route(route.path, LoginRequired(route.app, login), methods=None))

    @asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        async with mcp.session_manager.run():
            yield

    return Api(routes, lifespan)

