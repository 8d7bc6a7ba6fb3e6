"""The lead's confidence: a logistic model over a candidate's features
(:func:`rag.answer.lead.candidate_features`), fitted by ``benchmarks/lead_fit.py`` on the
development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BIAS = -4.2985
WEIGHTS: dict[str, float] = {
    "crowd": -0.9936,
    "echo": -0.7405,
    "far": 0.0000,
    "first": -0.0007,
    "fit": 1.7221,
    "hand": 1.2745,
    "head": -0.4245,
    "head_near": 0.8028,
    "headed": 0.8762,
    "heading": -0.5453,
    "is_date": -0.3878,
    "is_entity": -0.1804,
    "is_number": -0.3059,
    "is_person": 0.5481,
    "is_place": 0.3259,
    "local": 0.1156,
    "margin": 3.3107,
    "near": 0.4038,
    "opener": 1.1385,
    "passages": 0.1561,
    "rank": 1.5932,
    "rel": 0.4369,
    "rivals": -0.1563,
    "side": 0.2062,
    "support": 0.4293,
    "words": 0.4565,
}
THRESHOLD = 0.577  # cross-validated, for lead precision


def confidence(features: Mapping[str, float]) -> float:
    """The fitted probability that a candidate is the answer (the hand-weighted score
    while no weights are fitted)."""
    if not WEIGHTS:
        return min(features["hand"], 1.0)
    z = BIAS + sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))
