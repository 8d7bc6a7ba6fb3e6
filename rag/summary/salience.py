"""Which passage sentences a summary is made of (the extractive map). Pure, given a
similarity function.

With a topic, a sentence's salience is its score as an answer to the topic
(:func:`rag.grounding.quotes.rank_sentences`, the ranking answers use). Without one
(an article, a date range, an outlet), it is how central the sentence is: its
closeness to its article's title and to the other sentences of the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

from index.chunking import split_sentences
from rag.grounding.citations import CheckedSentence, Similarity
from rag.grounding.passages import Passage
from rag.grounding.quotes import Candidate, is_summary_sentence, rank_sentences
from rag.summary.diversity import diverse_top

DUPLICATE_SIMILARITY = 0.9

def central_sentences(passages: Sequence[Passage], similarity: Similarity) -> list[Candidate]:
    """Every summary-worthy sentence scored by centrality, best first: half its
    similarity to its article's title, half its mean similarity to the other sentences."""
    items = [
        (p, span)
        for p in passages
        for span in split_sentences(p.text)
        if is_summary_sentence(p.text[span[0] : span[1]])
    ]
    if not items:
        return []
    texts = [p.text[a:b] for p, (a, b) in items]
    sims = similarity(texts, texts)
    n = len(texts)
    centrality = (sims.sum(axis=1) - np.diag(sims)) / max(n - 1, 1)
    titles = list(dict.fromkeys(p.title for p, _ in items if p.title))
    title_sim = similarity(texts, titles) if titles else np.zeros((n, 0))
    column = {t: i for i, t in enumerate(titles)}
    out = []
    for i, (p, span) in enumerate(items):
        to_title = float(title_sim[i, column[p.title]]) if p.title in column else 0.0
        out.append(Candidate(p, span, 0.5 * to_title + 0.5 * float(centrality[i])))
    out.sort(key=lambda c: -c.score)
    return out


def topic_sentences(
    topic: str, passages: Sequence[Passage], similarity: Similarity
) -> list[Candidate]:
    """Every summary-worthy sentence scored against the topic, best first."""
    ranked = rank_sentences(topic, passages, similarity, read_on=False)
    return [c for c in ranked if is_summary_sentence(c.text)]


def pick(
    ranked: Sequence[Candidate],
    limit: int,
    similarity: Similarity,
    floor: float = 0.0,
    relative_floor: float = 0.0,
    group: Callable[[Candidate], Hashable | None] = lambda c: c.passage.story,
) -> list[Candidate]:
    """Up to ``limit`` of the best candidates above the floors, spread over ``group``
    (stories by default: an article, or the copies of one story), skipping
    near-duplicates of those taken (overlapping passages repeat sentences)."""
    if not ranked:
        return []
    cut = max(floor, relative_floor * ranked[0].score)
    pool = [c for c in ranked if c.score >= cut]
    if not pool:
        return []
    texts = [c.text.strip() for c in pool]
    sims = similarity(texts, texts)
    index = {id(c): i for i, c in enumerate(pool)}

    def duplicate(c: Candidate, chosen: list[Candidate]) -> bool:
        i = index[id(c)]
        return any(
            sims[i, index[id(d)]] >= DUPLICATE_SIMILARITY or texts[i] == texts[index[id(d)]]
            for d in chosen
        )

    return diverse_top(pool, limit, lambda c: c.score, group, duplicate)


def as_sentence(candidate: Candidate) -> CheckedSentence:
    """A passage sentence as a cited summary sentence, in the article's own words."""
    return CheckedSentence(
        text=candidate.text.strip(),
        citations=[candidate.passage.n],
        supported=True,
        score=candidate.score,
        origin="quoted",
        evidence={candidate.passage.n: candidate.span},
    )
