"""Which sentence answers: a logistic model over a ranked sentence's features
(:func:`rag.answer.answering.answering_features`), fitted by ``benchmarks/answering_fit.py``
on the development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

BIAS = -5.7807
WEIGHTS: dict[str, float] = {
    "ctx": 1.0761,
    "hasval": 1.1658,
    "head": 0.8756,
    "hrank": 1.9791,
    "own": -1.7078,
    "pbest": -0.2547,
    "pcov": 1.0641,
    "pred": 0.6245,
    "score": 2.6221,
    "tcov": 0.6850,
    "win": 1.9094,
}
