"""Serving the web UI: who may reach it (loopback by default, else a login) and the
launch with its safety settings; the APIs of :mod:`ui.api` ride on the same server.

* The server binds 127.0.0.1 by default; :func:`check_exposure` refuses another address
  (or a share link) without a login unless forced. The login comes from the ``ui_auth``
  setting (``RAG_UI_AUTH=user:password``).
* No extra paths are served (``allowed_paths=[]``), uploads are limited to the registered
  formats and ``settings.ui_max_upload_mb``, no run history is kept in the browser, no
  analytics, no share link unless asked.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

import gradio as gr
from gradio.routes import App

from rag.errors import UserError
from rag.settings import Settings
from ui.api import Api
from ui.guard import app_kwargs

AUTH_ENV = "RAG_UI_AUTH"
MB = 1024 * 1024


@cache
def asset(name: str) -> str:
    """A file of ``ui/assets`` (the page's CSS and script), read once when first served."""
    return (files("ui") / "assets" / name).read_text(encoding="utf-8")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_from_env(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The login from ``RAG_UI_AUTH=user:password`` in ``env`` (None when unset)."""
    return parse_auth((os.environ if env is None else env).get(AUTH_ENV, ""))


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` (the ``ui_auth`` setting) as a login; None when empty."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UserError(f"{AUTH_ENV} must be user:password")
    return user, password


def check_exposure(host: str, auth: tuple[str, str] | None, share: bool, force: bool) -> None:
    """Refuse to serve beyond this machine without a login, unless forced."""
    if auth is not None or force:
        return
    if share:
        raise UserError(f"a share link makes the app public: set {AUTH_ENV}=user:password "
                        "for a login, or pass --force")
    if not is_loopback(host):
        raise UserError(f"refusing to listen on {host} without a login: set "
                        f"{AUTH_ENV}=user:password, or pass --force")


def launch(
    app: gr.Blocks, *, host: str = "127.0.0.1", port: int | None = 7860,
    auth: tuple[str, str] | None = None, share: bool = False, force: bool = False,
    prevent_thread_lock: bool = False, quiet: bool = False, settings: Settings | None = None,
    api: Api | None = None,
) -> tuple[App, str, str]:
    """Serve the app (blocks until interrupted unless ``prevent_thread_lock``); the
    queue size and upload limit come from ``settings`` (the defaults without). ``api``
    (:func:`ui.api.build_api`) is served on the same port, before the chat's routes."""
    s = settings or Settings()
    check_exposure(host, auth, share, force)
    app.queue(default_concurrency_limit=1, max_size=s.ui_queue_size)
    return app.launch(
        app_kwargs=app_kwargs(s.ui_max_upload_mb * MB + MB,
                              {"routes": api.routes, "lifespan": api.lifespan} if api else None),
        server_name=host, server_port=port, auth=auth, share=share,
        auth_message="News RAG: log in (see RAG_UI_AUTH)." if auth else None,
        css=asset("style.css"), js=asset("app.js"), max_file_size=s.ui_max_upload_mb * MB,
        allowed_paths=[], show_error=False,
        ssr_mode=False, mcp_server=False, pwa=False, enable_monitoring=False,
        run_history=False, footer_links=["api"], inbrowser=False,
        prevent_thread_lock=prevent_thread_lock, quiet=quiet,
    )
