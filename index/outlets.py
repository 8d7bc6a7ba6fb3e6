"""Outlet names as the index compares them. Pure."""

from __future__ import annotations

import re


def normalize_source(name: str | None) -> str:
    """Outlet names compared loosely: case, spacing and a leading 'The' do not matter."""
    if not name:
        return ""
    key = " ".join(name.lower().replace("’", "'").split())
    return key[4:] if key.startswith("the ") else key


def short_outlet(name: str | None) -> str | None:
    """An outlet's name without the section or slogan its feed adds: "The Independent -
    Life and Style" is The Independent, "Cnbc | World Business News Leader" Cnbc, "Live
    Science: The Most Interesting Articles" Live Science."""
    if not name:
        return name
    short = re.split(r"\s+[|–—-]\s+|:\s+", name, maxsplit=1)[0].strip()
    return short or name
