"""The lead's confidence: a logistic model over a candidate's features
(:func:`rag.answer.lead.candidate_features`), fitted by ``benchmarks/lead_fit.py`` on the
development natural questions (never the held-out files). Pure.

The weights below are written by that script; refit after changing a feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BIAS = -4.2401
WEIGHTS: dict[str, float] = {
    "crowd": -0.9620,
    "echo": -0.8956,
    "far": 0.0000,
    "first": -0.0377,
    "fit": 1.6026,
    "hand": 1.0270,
    "head": -0.4984,
    "head_near": 1.2092,
    "headed": 0.6615,
    "heading": -0.5636,
    "is_date": -0.3987,
    "is_entity": -0.1063,
    "is_number": -0.3551,
    "is_person": 0.4957,
    "is_place": 0.3644,
    "local": 0.2870,
    "margin": 3.2328,
    "near": 0.3886,
    "opener": 1.0317,
    "passages": 0.2889,
    "rank": 1.6515,
    "rel": 0.5069,
    "rivals": -0.1791,
    "side": 0.3229,
    "support": 0.4322,
    "words": 0.4885,
}
THRESHOLD = 0.553  # cross-validated, for lead precision


def confidence(features: Mapping[str, float]) -> float:
    """The fitted probability that a candidate is the answer (the hand-weighted score
    while no weights are fitted)."""
    if not WEIGHTS:
        return min(features["hand"], 1.0)
    z = BIAS + sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))
