"""Which sentence answers: the ranked passage sentences of a value or description
question reordered by the fitted probability that each holds the answer. Pure.

The rank score (:func:`rag.grounding.quotes.rank_sentences`) favours the sentence that
repeats the question's words; the one that answers often repeats fewer of them and
stands beside it ("Property developer Miki Naimi, who is building the large office park
near the Messubim Interchange, …" ranks above "The first company to move in … is
Audicodes"). The fitted score reads, besides the rank
score, what a reader checks: whether the sentence holds a value of the asked kind,
names the question's predicate and the word for what is asked, and how much of the
question its neighbours, its passage and its article's title cover, and how much of it
the sentence holds in the words few other sentences hold ("Holiday Bowl" tells more
than "stadium"). The weights (:mod:`rag.answer.answering_weights`) are fitted by
``benchmarks/answering_fit.py`` on the development natural questions, never on the
held-out files, for the sentences of a question together: each sentence's share of
the question's odds is its chance to be the one that answers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from index.chunking import split_sentences
from rag.answer.answering_weights import WEIGHTS
from rag.answer.placement import predicate_terms
from rag.answer.plan import AnswerType
from rag.answer.types import value_spans
from rag.grounding.quotes import PASSAGE_TERMS, Candidate, coverage, question_terms
from rag.grounding.text import content_terms, lemma_terms

DEPTH = 40  # best-ranked sentences reordered (the rest keep their place after them)


def answering_features(
    kind: AnswerType, question: str, names: Sequence[str], head: set[str],
    ranked: Sequence[Candidate],
) -> list[dict[str, float]]:
    """The features of each of the first :data:`DEPTH` ranked sentences, in rank order."""
    ranked = ranked[:DEPTH]
    if not ranked:
        return []
    wanted = question_terms(question)
    pred = predicate_terms(question, names, head)
    rarity = _rarity(wanted, ranked)
    best_of: dict[str, float] = {}
    for c in ranked:
        best_of[c.passage.chunk_id] = max(best_of.get(c.passage.chunk_id, 0.0), c.score)
    read: dict[str, tuple[list[tuple[int, int]], list[set[str]]]] = {}
    out = []
    for r, c in enumerate(ranked):
        own = c.own_text
        terms = set(content_terms(own))
        lemmas = set(lemma_terms(own))
        around, whole = _neighbourhood(c, wanted, read)
        best = best_of[c.passage.chunk_id]
        out.append({
            "score": c.score,
            "hrank": 1.0 / (1 + r),
            "own": coverage(wanted, terms),
            "ctx": float(c.context > 0),
            "hasval": float(any(a >= c.context for a, _ in value_spans(kind, c.text, question))),
            "pred": len(pred & lemmas) / len(pred) if pred else 0.0,
            "head": len(head & terms) / len(head) if head else 0.0,
            "tcov": coverage(wanted, set(content_terms(c.passage.title or ""))),
            "win": around,
            "pcov": whole,
            "pbest": c.score / best if best > 0 else 0.0,
            "rare": sum(rarity[t] for t in wanted & set(content_terms(c.text))),
        })
    return out


def _rarity(wanted: set[str], ranked: Sequence[Candidate]) -> dict[str, float]:
    """Each of the question's terms weighted by how few of the ranked sentences hold it
    (an inverse document frequency over them), the weights summing to 1."""
    held = [set(content_terms(c.own_text)) for c in ranked]
    n = len(held)
    idf = {t: math.log((n + 1) / (sum(t in h for h in held) + 0.5)) for t in wanted}
    total = sum(idf.values())
    return {t: v / total if total > 0 else 0.0 for t, v in idf.items()}


def _neighbourhood(
    c: Candidate, wanted: set[str],
    read: dict[str, tuple[list[tuple[int, int]], list[set[str]]]],
) -> tuple[float, float]:
    """The question's coverage by the sentence with the ones before and after it, and by
    its whole passage (each passage's sentences read once into ``read``)."""
    p = c.passage
    if p.chunk_id not in read:
        spans = split_sentences(p.text)
        read[p.chunk_id] = (spans, [set(content_terms(p.text[a:b])) for a, b in spans])
    spans, terms = read[p.chunk_id]
    if not spans:
        return 0.0, 0.0
    start = c.span[0] + c.context
    i = min(range(len(spans)), key=lambda k: abs(spans[k][0] - start))
    around = set().union(*terms[max(0, i - 1) : i + 2])
    return coverage(wanted, around), coverage(wanted, set().union(*terms), PASSAGE_TERMS)


def answering_score(features: dict[str, float]) -> float:
    """The fitted log-odds of a sentence with these features, against the other
    sentences of its question."""
    return sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())


def by_answering(
    kind: AnswerType, question: str, names: Sequence[str], head: set[str],
    ranked: Sequence[Candidate],
) -> list[Candidate]:
    """The first :data:`DEPTH` ranked sentences reordered by :func:`answering_score`, each
    scored with its chance to be the one that answers (its share of their odds); the
    rest follow unchanged."""
    features = answering_features(kind, question, names, head, ranked)
    odds = [answering_score(f) for f in features]
    top = max(odds, default=0.0)
    shares = [math.exp(o - top) for o in odds]
    total = sum(shares)
    scored = [replace(c, score=share / total)
              for c, share in zip(ranked, shares, strict=False)]
    scored.sort(key=lambda c: -c.score)
    return scored + list(ranked[len(scored):])
