"""Which sentence answers: a conditional logit over the ranked sentences' features
(:func:`rag.answer.answering.answering_features`): a sentence's odds against the others
of its question are ``exp`` of the weighted sum of its features. Fitted by
``benchmarks/answering_fit.py`` on the development natural questions (never the held-out
files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

WEIGHTS: dict[str, float] = {
    "ctx": -0.1092,
    "hasval": 3.9444,
    "head": 1.9386,
    "hrank": 0.7535,
    "own": -4.9755,
    "pbest": 0.0571,
    "pcov": 4.8280,
    "pred": 1.8540,
    "rare": 4.2589,
    "score": 5.1484,
    "tcov": 3.7180,
    "win": 1.0571,
}
