"""Property tests (hypothesis) of every input format: arbitrary bytes and structured garbage
in each format's shape give records, articles or the one-line :class:`InputError` for the
file, never another exception, and within a time bound per file."""

from __future__ import annotations

import gzip
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import formats
from index.documents import SourceRecord
from index.errors import InputError
from index.loaders import read_file, to_article

SECONDS_PER_FILE = 5.0
EXAMPLES = 300

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["id", "title", "body", "text", "date", "published_at", "url",
                         "source", "author", "x"]), inner, max_size=6),
    max_leaves=30)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
tags = st.sampled_from(["p", "div", "article", "h1", "script", "style", "meta", "title",
                        "table", "td", "a", "!--", "svg", "iframe"])


@st.composite
def html_pages(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.tuples(tags, words, st.booleans()), max_size=30))
    return "".join(f"<{t}>{w}" + (f"</{t}>" if close else "") for t, w, close in parts).encode()


@st.composite
def front_matter(draw: st.DrawFn) -> bytes:
    keys = draw(st.lists(st.sampled_from(["title", "date", "id", "source", "&a", "*a", "- x",
                                          "[", "{", "!!python/name:os", "? "]), max_size=8))
    values = draw(st.lists(words, min_size=len(keys), max_size=len(keys)))
    meta = "\n".join(f"{k}: {v}" for k, v in zip(keys, values, strict=True))
    return f"---\n{meta}\n---\n\n{draw(words)}".encode()


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    items = draw(st.lists(st.tuples(words, words, words), max_size=5))
    body = "".join(f"<item><title>{t}</title><link>{link}</link><description>{d}</description>"
                   f"</item>" for t, link, d in items)
    return (draw(st.sampled_from(["<rss><channel>", "<feed>", "<urlset>", ""])) + body).encode()


@st.composite
def warcs(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.sampled_from([
        "WARC-Type: response", "WARC-Type: request", "Content-Length: 10",
        "Content-Length: 99999999", "Content-Length: x", "WARC-Target-URI: https://a.example/",
        "Content-Type: application/http; msgtype=response", "WARC-Date: 2023-10-03T00:00:00Z",
    ]), max_size=8))
    payload = draw(st.binary(max_size=300))
    raw = ("WARC/1.0\r\n" + "\r\n".join(headers) + "\r\n\r\n").encode() + payload
    return gzip.compress(raw) if draw(st.booleans()) else raw


@st.composite
def pdfs(draw: st.DrawFn) -> bytes:
    from tests.support.pdf import make_pdf

    good = make_pdf([[draw(st.text(st.characters(max_codepoint=255, exclude_categories=(
        "Cc", "Cs")), max_size=60))]])
    cut = draw(st.integers(0, len(good)))
    return good[:cut] + draw(st.binary(max_size=200))


def _json_text(value: object, lines: bool) -> bytes:
    rows = value if isinstance(value, list) else [value]
    text = "\n".join(json.dumps(r) for r in rows) if lines else json.dumps(value)
    return text.encode()


# Per format: its suffix and the structured garbage of its shape.
SHAPED: dict[str, tuple[str, Callable[[], st.SearchStrategy[bytes]]]] = {
    "text": (".txt", lambda: words.map(str.encode) | st.binary(max_size=2000).map(
        lambda b: "Title\n\n".encode("utf-16") + b)),
    "markdown": (".md", front_matter),
    "html": (".html", html_pages),
    "record": (".json", lambda: st.builds(_json_text, json_values, st.just(False))
               | st.builds(_json_text, json_values, st.just(True)).map(lambda b: b + b"\n[[")),
    "pdf": (".pdf", pdfs),
    "warc": (".warc", warcs),
    "feed": (".rss", feeds),
}


def _check(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        started = time.monotonic()
        for item in read_file(path):
            assert isinstance(item, SourceRecord | InputError), item
            if isinstance(item, InputError):
                assert "\n" not in str(item)
                continue
            try:
                to_article(item)
            except InputError as exc:
                assert "\n" not in str(exc)
        assert time.monotonic() - started < SECONDS_PER_FILE


def test_every_format_is_covered() -> None:
    assert {f.name for f in formats.formats()} == set(SHAPED)


@pytest.mark.parametrize("name", sorted(SHAPED))
def test_arbitrary_bytes_give_records_or_one_line_errors(name: str) -> None:
    suffix, _ = SHAPED[name]

    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=4000))
    def run(data: bytes) -> None:
        _check(data, suffix)

    run()


@pytest.mark.parametrize("name", sorted(SHAPED))
def test_garbage_in_the_format_s_shape_gives_records_or_one_line_errors(name: str) -> None:
    suffix, strategy = SHAPED[name]

    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
    @given(strategy())
    def run(data: bytes) -> None:
        _check(data, suffix)

    run()
