"""The answer to an open question ("What happened to X?", "Tell me about Y"): a short
overview of cited sentences from several articles, in time order. Pure, given a
similarity function.

The sentences are the best answering ones (:func:`rag.grounding.quotes.rank_sentences`)
that stand alone as content (no heading, question, caption or live-blog line), at most
:data:`PER_ARTICLE` from one article, from two articles at least when the passages hold
two, none saying what another already says, together at most about :data:`MAX_WORDS`
words. They are told in the order of their reports' dates, the latest last and said to
be the latest; "what happened to X" opens with the latest outcome the articles report
(charged, convicted, fired, resigned ...), when one is among them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.grounding.citations import CheckedSentence, Similarity
from rag.grounding.quotes import Candidate, is_summary_sentence
from rag.grounding.quotes import quote as attributed

MAX_SENTENCES = 5
MAX_WORDS = 150
PER_ARTICLE = 2
FLOOR = 0.6  # a sentence ranks within this share of the best
SAME_POINT = 0.85  # a sentence this close in meaning to one taken says nothing new
_OUTCOME_Q = re.compile(r"^\s*what\s+(?:has\s+)?happened\s+(?:to|with)\b", re.I)
_OUTCOME = re.compile(
    r"\b(?:charged|indicted|convicted|found guilty|acquitted|sentenced|jailed|arrested|"
    r"fired|ousted|sacked|removed|resigned|stepped down|quit|retired|returned|reinstated|"
    r"released|freed|died|killed|elected|appointed|named|hired|banned|suspended|fined|"
    r"settled|pleaded|agreed|approved|rejected|won|lost)\b", re.I)


@dataclass(frozen=True)
class Overview:
    """The overview's sentences, quoted and cited, and how they were chosen."""

    sentences: list[CheckedSentence]
    note: str


def choose(ranked: Sequence[Candidate], similarity: Similarity) -> list[Candidate]:
    """The overview's sentences, best first (see the module's rules)."""
    pool = [c for c in ranked if c.score >= FLOOR * ranked[0].score
            and is_summary_sentence(c.own_text)
            and not c.own_text.rstrip(" \"'”’)").endswith("?")] if ranked else []
    chosen: list[Candidate] = []
    per_article: Counter[str] = Counter()
    words = 0
    for c in pool:
        if len(chosen) >= MAX_SENTENCES:
            break
        n = len(c.text.split())
        if per_article[c.passage.doc_id] >= PER_ARTICLE or chosen and words + n > MAX_WORDS:
            continue
        if chosen and _said(c, chosen, similarity):
            continue
        chosen.append(c)
        per_article[c.passage.doc_id] += 1
        words += n
    if len(per_article) == 1 and len(chosen) > 1:
        # Two articles where the passages hold two: another's best takes the last place.
        other = next((c for c in pool if c.passage.doc_id not in per_article
                      and not _said(c, chosen, similarity)), None)
        if other is not None:
            chosen[-1] = other
    return chosen


def _said(c: Candidate, chosen: Sequence[Candidate], similarity: Similarity) -> bool:
    sims = similarity([c.own_text], [o.own_text for o in chosen])[0]
    return any(float(s) >= SAME_POINT for s in sims) or any(
        c.passage.chunk_id == o.passage.chunk_id and c.span[0] < o.span[1]
        and o.span[0] < c.span[1] for o in chosen)


def in_time_order(chosen: Sequence[Candidate], question: str) -> list[Candidate]:
    """The sentences by their reports' dates (undated ones first), an article's sentences
    in its own order; for "what happened to X", the latest outcome reported first."""
    first_seen: dict[str, int] = {}
    for i, c in enumerate(chosen):
        first_seen.setdefault(c.passage.doc_id, i)
    told = sorted(chosen, key=lambda c: (c.passage.published_at or "",
                                         first_seen[c.passage.doc_id], c.passage.n, c.span))
    if _OUTCOME_Q.match(question):
        outcomes = [c for c in told if _OUTCOME.search(c.own_text)]
        if outcomes:
            latest = outcomes[-1]
            told.remove(latest)
            told.insert(0, latest)
    return told


def overview(question: str, ranked: Sequence[Candidate], similarity: Similarity) -> Overview:
    """The overview of ``ranked`` (the answering sentences, best first) for ``question``."""
    told = in_time_order(choose(ranked, similarity), question)
    sentences = [attributed(c) for c in told]
    dates = {c.passage.published_at for c in told if c.passage.published_at}
    if len(dates) > 1 and told[-1].passage.published_at == max(dates):
        last = sentences[-1]
        sentences[-1] = replace(last, text=f"The latest: {last.text}")
    articles = len({c.passage.doc_id for c in told})
    note = (f"an overview: {len(told)} sentences from {articles} article"
            f"{'s' if articles != 1 else ''}, in the order of their reports")
    return Overview(sentences, note)
