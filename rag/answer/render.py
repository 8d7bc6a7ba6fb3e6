"""Turning checked sentences into the answer's text, and keeping model output inert."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.grounding.citations import CheckedSentence

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_URL = re.compile(r"<?\b(?:https?|ftp)://[^\s<>)\]]+>?")


def strip_live_markup(text: str) -> str:
    """The model's text without anything a Markdown or HTML renderer would make live:
    images and links become their text, tags and URLs go. An injected article can ask
    the model for an image whose URL carries data out; the answer never holds one."""
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    return _URL.sub("", text)


def render(sentences: Sequence[CheckedSentence]) -> str:
    """Supported and neutral sentences with their markers (unsupported ones left out)."""
    return " ".join(s.render() for s in sentences if s.supported is not False).strip()
