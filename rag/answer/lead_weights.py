"""The lead's confidence: a logistic model over a candidate's features
(:func:`rag.answer.lead.candidate_features`), fitted by ``benchmarks/lead_fit.py`` on the
development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BIAS = -3.6930
WEIGHTS: dict[str, float] = {
    "crowd": -0.9181,
    "echo": -0.4702,
    "far": 0.0100,
    "first": 0.1207,
    "fit": 1.1406,
    "hand": 1.1933,
    "head": -0.2358,
    "head_near": 0.9843,
    "headed": 0.6319,
    "heading": -0.0597,
    "is_date": -0.2006,
    "is_entity": 0.0125,
    "is_number": -0.1864,
    "is_person": 0.2104,
    "is_place": 0.1641,
    "local": 0.3846,
    "margin": 3.0539,
    "near": -0.0919,
    "opener": 0.1588,
    "passages": -0.1677,
    "rank": 1.6124,
    "rel": 0.3079,
    "rivals": -0.1205,
    "side": -0.0266,
    "support": 0.4234,
    "words": 0.5689,
}
THRESHOLD = 0.794  # cross-validated, for lead precision


def confidence(features: Mapping[str, float]) -> float:
    """The fitted probability that a candidate is the answer (the hand-weighted score
    while no weights are fitted)."""
    if not WEIGHTS:
        return min(features["hand"], 1.0)
    z = BIAS + sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))
