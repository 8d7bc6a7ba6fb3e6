"""The chat's login (``RAG_UI_AUTH=user:password``) for the API routes: a client sends it as
HTTP basic auth, or as a bearer token (the password, or ``user:password``), which is what
OpenAI and MCP clients send as their "API key"."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


def authorized(headers: Mapping[str, str], login: tuple[str, str] | None) -> bool:
    """Whether a request with ``headers`` (lower-case names) may use the API: always
    without a login; with one, when its ``authorization`` header carries it."""
    if login is None:
        return True
    user, password = login
    scheme, _, value = headers.get("authorization", "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return _same(value, password) or _same(value, f"{user}:{password}")
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return _same(given, f"{user}:{password}")
    return False
