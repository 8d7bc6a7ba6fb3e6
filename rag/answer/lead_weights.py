"""The lead's confidence: a logistic model over a candidate's features
(:func:`rag.answer.lead.candidate_features`), fitted by ``benchmarks/lead_fit.py`` on the
development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BIAS = -3.8657
WEIGHTS: dict[str, float] = {
    "crowd": -0.9740,
    "echo": -0.3084,
    "far": 0.0352,
    "first": 0.1777,
    "fit": 1.3907,
    "hand": 1.3000,
    "head": -0.2941,
    "head_near": 1.0163,
    "headed": 0.5641,
    "heading": -0.0896,
    "is_date": -0.2845,
    "is_entity": 0.0427,
    "is_number": -0.2076,
    "is_person": 0.3430,
    "is_place": 0.1064,
    "local": 0.3691,
    "margin": 3.1805,
    "near": -0.1534,
    "opener": 0.8566,
    "passages": -0.1148,
    "rank": 1.5785,
    "rel": 0.3368,
    "rivals": -0.1275,
    "side": -0.0536,
    "support": 0.5060,
    "words": 0.4812,
}
THRESHOLD = 0.803  # cross-validated, for lead precision


def confidence(features: Mapping[str, float]) -> float:
    """The fitted probability that a candidate is the answer (the hand-weighted score
    while no weights are fitted)."""
    if not WEIGHTS:
        return min(features["hand"], 1.0)
    z = BIAS + sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))
