"""Sentence splitting and token-bounded chunking with character spans."""

from __future__ import annotations

import re

import pytest

from index.chunking import chunk_article, chunk_spans, split_sentences
from index.documents import Article


def words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two three. Four!", ["One.", "Two three.", "Four!"]),
        (
            "U.S. officials met Gen. Smith at 3 p.m. Monday. He left.",
            ["U.S. officials met Gen. Smith at 3 p.m. Monday.", "He left."],
        ),
        ('He said "Go home." Then he left.', ['He said "Go home."', "Then he left."]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("The rate is 3.5 percent. It rose.", ["The rate is 3.5 percent.", "It rose."]),
        ("  padded.   \n\n  next  ", ["padded.", "next"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == expected


@pytest.mark.parametrize(("size", "overlap"), [(8, 0), (8, 3), (20, 5), (50, 10)])
def test_chunks_cover_text_in_order_within_budget(size: int, overlap: int) -> None:
    text = " ".join(f"Sentence number {i} has a few words." for i in range(40))
    spans = chunk_spans(text, words, size, overlap)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (a1, b1), (a2, b2) in zip(spans, spans[1:], strict=False):
        assert a1 < a2 <= b1 + 1 and b1 < b2  # in order, no gap
    assert all(len(text[a:b].split()) <= size for a, b in spans)
    if overlap == 0:
        assert all(b1 < a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))


def test_a_sentence_longer_than_the_budget_is_cut_at_words() -> None:
    text = "word " * 95 + "end."
    spans = chunk_spans(text.strip(), words, 30, 0)
    assert len(spans) == 4
    assert " ".join(text.strip()[a:b] for a, b in spans) == text.strip()


def test_chunk_article_carries_header_and_spans() -> None:
    article = Article(
        doc_id="d1",
        title="Bridge reopens",
        text="First sentence here. Second one there.",
        origin="/x",
        content_hash="abc",
        published_at="2023-10-05",
        source="Example News",
    )
    chunks = chunk_article(article, words, 3, 0)
    assert [c.text for c in chunks] == ["First sentence here.", "Second one there."]
    for c in chunks:
        assert article.text[c.start : c.end] == c.text
        assert c.embed_text.startswith("Bridge reopens | Example News | 2023-10-05\n")
        assert re.fullmatch(r"d1:\d+:[0-9a-f]{8}", c.chunk_id)
