"""The lead's confidence: a logistic model over a candidate's features
(:func:`rag.answer.lead.candidate_features`), fitted by ``benchmarks/lead_fit.py`` on the
development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BIAS = -4.3138
WEIGHTS: dict[str, float] = {
    "crowd": -0.8581,
    "echo": -1.1160,
    "far": 0.0000,
    "first": 0.2114,
    "fit": 1.6153,
    "hand": 1.0268,
    "head": -0.4781,
    "head_near": 1.1515,
    "headed": 0.5801,
    "heading": -0.6099,
    "is_date": -0.2815,
    "is_entity": -0.1133,
    "is_number": -0.3662,
    "is_person": 0.3868,
    "is_place": 0.3742,
    "local": 0.3233,
    "margin": 3.2814,
    "near": 0.2002,
    "opener": 1.3256,
    "passages": 0.4295,
    "rank": 1.3552,
    "rel": 0.4864,
    "rivals": -0.1482,
    "side": 0.2973,
    "support": 0.5386,
    "words": 0.6722,
}
THRESHOLD = 0.742  # cross-validated, for lead precision


def confidence(features: Mapping[str, float]) -> float:
    """The fitted probability that a candidate is the answer (the hand-weighted score
    while no weights are fitted)."""
    if not WEIGHTS:
        return min(features["hand"], 1.0)
    z = BIAS + sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))
