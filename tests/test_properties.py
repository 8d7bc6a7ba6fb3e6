"""Property tests (hypothesis) of cleaning and chunking: articles generated from sentences
mixed with page furniture lose no sentence when cleaned, and chunks cover the cleaned
text in order within their token budget."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunking import chunk_article, chunk_spans, split_sentences
from index.clean import clean_text, normalize_text
from index.documents import Article

WORDS = [
    "council", "harbour", "budget", "minister", "police", "said", "on", "the", "a", "of",
    "bridge", "vote", "million", "pounds", "residents", "after", "before", "new", "plan",
    "school", "hospital", "workers", "strike", "ended", "agreed", "report", "found", "that",
    "river", "flood", "rose", "fell", "by", "percent", "in", "March", "Tuesday", "and",
    "officials", "court", "ruled", "company", "shares", "ferry", "fares", "from", "June",
    "\u00e9t\u00e9", "caf\u00e9", "Zo\u00eb", "\u00d6sterreich", "3.5", "1,200", "2023",
    "U.S.", "Dr.", "\u201cwe", "agree\u201d", "(BBC)", "\u2014",
]
NAMES = ["Quinlan", "Reyes", "Varga", "Aldermoor", "Tarnwick", "Port", "Ellery", "Mr.", "Ms."]

# Furniture as scraped pages carry it (each item is one block of lines).
FURNITURE = [
    "Share:\nFacebook\nTwitter\nPinterest\nLinkedIn",
    "Share this article\nWhatsApp\nEmail\nPrint",
    "#Bridge #City #Repairs",
    "Leave a Reply\nYour email address will not be published. Required fields are marked *\n"
    "Comment *\nName *\nEmail *\nWebsite\nPost Comment",
    "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    "Disclaimer: No staff journalist was involved in creation of this content",
    "You\u2019ve reached your limit of free articles this month.\nSubscribe now for unlimited "
    "access.\nAlready subscribed? Log in\nBasic\n$9.99\n1 Month\nPremium\n$99\n1 Year\n"
    "Renews automatically, cancel anytime\nAd-free reading",
    "Subscribe to read the full story \u2192\nSmart Quarterly\n\u20b9900\n3 Months",
    "Published under: Bridges , City Hall",
    "Tags: bridge, transport",
    "Advertisement",
    "\u00a9 2023 Example News. All rights reserved.",
    "Read more: Council approves harbour plan",
]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    """A news sentence: a capitalised first word, 5 to 30 words, a full stop (or ! ?)."""
    first = draw(st.sampled_from(["The", "A", "Officials", "Residents", *NAMES[:5]]))
    rest = draw(st.lists(st.sampled_from(WORDS + NAMES), min_size=4, max_size=29))
    last = draw(st.sampled_from([w for w in WORDS if w.isalpha()]))  # not "Mr." or "U.S."
    end = draw(st.sampled_from([".", ".", ".", "!", "?", ".\u201d"]))
    return " ".join([first, *rest, last]) + end


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A scraped page: lines of article sentences, with furniture blocks and blank lines
    between them. Returns the page and its article sentences in order."""
    paragraphs = draw(st.lists(st.lists(sentences(), min_size=1, max_size=4),
                               min_size=1, max_size=8))
    parts: list[str] = []
    for para in paragraphs:
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(FURNITURE)))
        parts.append(" ".join(para))
        if draw(st.booleans()):
            parts.append("")
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(FURNITURE)))
    noise = draw(st.sampled_from(["", "\u200b", "\u00a0", "\t", "\u2009"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    page = newline.join(p.replace(" ", f" {noise}", 1) if noise else p for p in parts)
    return page, [s for para in paragraphs for s in para]


def word_tokens(texts: Sequence[str]) -> list[int]:
    return [len(t.split()) for t in texts]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_cleaning_keeps_every_article_sentence_and_drops_the_furniture(
    page: tuple[str, list[str]]
) -> None:
    raw, article = page
    cleaned = clean_text(raw)
    flat = " ".join(cleaned.split())
    pos = 0
    for s in article:  # every sentence, in order
        found = flat.find(s, pos)
        assert found >= 0, (s, flat)
        pos = found + len(s)
    lines = set(cleaned.split("\n"))
    for block in FURNITURE:
        for line in block.split("\n"):
            assert normalize_text(line) not in lines, line


def _check_spans(text: str, spans: list[tuple[int, int]], max_tokens: int) -> None:
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    assert starts == sorted(set(starts)) and ends == sorted(set(ends)), "in order"
    covered = [False] * len(text)
    for a, b in spans:
        assert 0 <= a < b <= len(text)
        assert not text[a].isspace() and not text[b - 1].isspace()
        assert len(text[a:b].split()) <= max_tokens
        for i in range(a, b):
            covered[i] = True
    lost = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not lost, f"characters outside every chunk: {text[lost[0]:lost[0] + 40]!r}"


@settings(max_examples=200, deadline=None)
@given(pages(), st.integers(8, 80), st.integers(0, 40))
def test_chunks_cover_the_cleaned_text_in_order_within_budget(
    page: tuple[str, list[str]], max_tokens: int, overlap: int
) -> None:
    raw, article = page
    text = clean_text(raw)
    overlap = min(overlap, max_tokens // 2)
    spans = chunk_spans(text, word_tokens, max_tokens, overlap)
    _check_spans(text, spans, max_tokens)
    chunks = [" ".join(text[a:b].split()) for a, b in spans]
    for s in article:  # a sentence within the budget is whole inside one chunk
        if len(s.split()) <= max_tokens:
            assert any(s in c for c in chunks), s


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=400), st.integers(4, 40))
def test_chunking_any_text_loses_nothing(raw: str, max_tokens: int) -> None:
    text = normalize_text(raw).strip()
    spans = chunk_spans(text, word_tokens, max_tokens, max_tokens // 4)
    _check_spans(text, spans, max_tokens)
    for a, b in split_sentences(text):
        assert text[a:b] == text[a:b].strip() and a < b


@settings(max_examples=100, deadline=None)
@given(pages(), st.integers(8, 60))
def test_chunk_article_spans_are_the_chunk_texts(page: tuple[str, list[str]],
                                                 max_tokens: int) -> None:
    text = clean_text(page[0])
    article = Article(doc_id="d", title="T", text=text, origin="/x", content_hash="h")
    chunks = chunk_article(article, word_tokens, max_tokens, max_tokens // 5)
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert c.embed_text.endswith(c.text)
