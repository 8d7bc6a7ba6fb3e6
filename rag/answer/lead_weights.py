"""The lead's confidence: a logistic model over a candidate's features
(:func:`rag.answer.lead.candidate_features`), fitted by ``benchmarks/lead_fit.py`` on the
development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BIAS = -3.7335
WEIGHTS: dict[str, float] = {
    "crowd": -0.8424,
    "echo": -0.7790,
    "far": 0.5498,
    "first": 0.2957,
    "fit": 1.3642,
    "hand": 1.1773,
    "head": -0.1600,
    "head_near": 0.9719,
    "headed": 0.5619,
    "heading": -0.5464,
    "is_date": -0.0326,
    "is_entity": -0.0140,
    "is_number": -0.1322,
    "is_person": 0.2207,
    "is_place": -0.0419,
    "local": 0.1996,
    "margin": 2.9552,
    "near": 0.1280,
    "opener": 0.4458,
    "passages": 0.4968,
    "rank": 1.2304,
    "rel": 0.3549,
    "rivals": -0.1750,
    "side": -0.0089,
    "support": -0.0020,
    "words": 0.4604,
}
THRESHOLD = 0.822  # cross-validated, for lead precision


def confidence(features: Mapping[str, float]) -> float:
    """The fitted probability that a candidate is the answer (the hand-weighted score
    while no weights are fitted)."""
    if not WEIGHTS:
        return min(features["hand"], 1.0)
    z = BIAS + sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))
