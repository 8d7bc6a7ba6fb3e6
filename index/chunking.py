"""Sentence-aware, token-bounded chunking with character spans. Pure functions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

from index.documents import Article, Chunk

TokenCounter = Callable[[Sequence[str]], list[int]]

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "gen",
    "col",
    "lt",
    "sgt",
    "capt",
    "gov",
    "sen",
    "rep",
    "rev",
    "no",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "approx",
    "est",
}
# A candidate boundary: sentence punctuation (plus closing quotes/brackets), then space.
_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…][\"'”’)\]]*\s+$")


def _is_abbreviation(text: str, end: int) -> bool:
    m = _WORD_BEFORE.search(text[max(0, end - 24) : end])
    if not m:
        return False
    word = m.group(1)
    if "." in word:  # U.S. / a.m. / e.g.
        return True
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, in order.

    Line breaks always end a sentence; within a line a sentence ends at ``.!?``
    followed by space and an upper-case letter, digit or opening quote, unless
    the word before is an abbreviation or an initial. Spans exclude surrounding
    whitespace and together cover every non-space character.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        start = 0
        for m in _BOUNDARY.finditer(line):
            nxt = line[m.end() : m.end() + 1]
            if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘(["):
                continue
            if _is_abbreviation(line, m.end()):
                continue
            _append_span(spans, line, line_start, start, m.end())
            start = m.end()
        _append_span(spans, line, line_start, start, len(line))
    return spans


def _append_span(spans: list[tuple[int, int]], line: str, offset: int, a: int, b: int) -> None:
    piece = line[a:b]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + a + lead, offset + a + lead + len(stripped)))


def _split_long(text: str, span: tuple[int, int], tokens: int, limit: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than ``limit`` tokens at word boundaries into near-equal parts."""
    start, end = span
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    parts = -(-tokens // limit)
    per_part = -(-len(words) // parts)
    return [
        (words[i][0], words[min(i + per_part, len(words)) - 1][1])
        for i in range(0, len(words), per_part)
    ]


def chunk_spans(
    text: str, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int
) -> list[tuple[int, int]]:
    """Group sentences into chunks of at most ``max_tokens`` tokens.

    Consecutive chunks share whole trailing sentences worth up to
    ``overlap_tokens``. A single sentence longer than ``max_tokens`` is cut at
    word boundaries. Returns character spans into ``text``.
    """
    sentences = split_sentences(text)
    if not sentences:
        return []
    counts = count_tokens([text[a:b] for a, b in sentences])
    units: list[tuple[int, int, int]] = []
    for span, n in zip(sentences, counts, strict=True):
        if n > max_tokens:
            pieces = _split_long(text, span, n, max_tokens)
            piece_counts = count_tokens([text[a:b] for a, b in pieces])
            units.extend((a, b, c) for (a, b), c in zip(pieces, piece_counts, strict=True))
        else:
            units.append((span[0], span[1], n))

    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        total = 0
        j = i
        while j < len(units) and (j == i or total + units[j][2] <= max_tokens):
            total += units[j][2]
            j += 1
        chunks.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Step back over trailing units for the overlap, but always move forward, and
        # keep room for the next unit: a chunk inside the previous one would repeat it.
        back, k = 0, j
        while (
            k - 1 > i
            and back + units[k - 1][2] <= overlap_tokens
            and back + units[k - 1][2] + units[j][2] <= max_tokens
        ):
            k -= 1
            back += units[k][2]
        i = k
    return chunks


def embed_header(title: str, source: str | None, published_at: str | None) -> str:
    """The line put before each chunk's text for the embedder and the keyword index."""
    return " | ".join(part for part in (title, source, published_at) if part)


def chunk_article(
    article: Article, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int
) -> list[Chunk]:
    """Cut an article into :class:`Chunk` values with stable, content-derived ids."""
    header = embed_header(article.title, article.source, article.published_at)
    version = hashlib.sha1(article.content_hash.encode()).hexdigest()[:8]
    chunks = []
    for seq, (start, end) in enumerate(
        chunk_spans(article.text, count_tokens, max_tokens, overlap_tokens)
    ):
        text = article.text[start:end]
        chunks.append(
            Chunk(
                chunk_id=f"{article.doc_id}:{seq}:{version}",
                doc_id=article.doc_id,
                seq=seq,
                start=start,
                end=end,
                text=text,
                embed_text=f"{header}\n{text}" if header else text,
            )
        )
    return chunks
