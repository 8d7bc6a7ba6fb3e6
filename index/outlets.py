"""Outlet names as the index compares them. Pure."""

from __future__ import annotations


def normalize_source(name: str | None) -> str:
    """Outlet names compared loosely: case, spacing and a leading 'The' do not matter."""
    if not name:
        return ""
    key = " ".join(name.lower().replace("’", "'").split())
    return key[4:] if key.startswith("the ") else key
