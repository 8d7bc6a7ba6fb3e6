"""The lead's confidence: a logistic model over a candidate's features
(:func:`rag.answer.lead.candidate_features`), fitted by ``benchmarks/lead_fit.py`` on the
development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BIAS = -3.9377
WEIGHTS: dict[str, float] = {
    "crowd": -0.9564,
    "echo": -0.6261,
    "far": 0.0000,
    "first": 0.0193,
    "fit": 1.4373,
    "hand": 1.2287,
    "head": -0.4831,
    "head_near": 0.7994,
    "headed": 0.9715,
    "heading": -0.7277,
    "is_date": -0.3592,
    "is_entity": -0.1466,
    "is_number": -0.2173,
    "is_person": 0.4455,
    "is_place": 0.2776,
    "local": 0.1332,
    "margin": 3.0691,
    "near": 0.2197,
    "opener": 1.0062,
    "passages": 0.0063,
    "rank": 1.4637,
    "rel": 0.4405,
    "rivals": -0.1592,
    "side": 0.1023,
    "support": 0.4813,
    "words": 0.5772,
}
THRESHOLD = 0.718  # cross-validated, for lead precision


def confidence(features: Mapping[str, float]) -> float:
    """The fitted probability that a candidate is the answer (the hand-weighted score
    while no weights are fitted)."""
    if not WEIGHTS:
        return min(features["hand"], 1.0)
    z = BIAS + sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))
