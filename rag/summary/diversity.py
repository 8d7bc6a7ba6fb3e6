"""Greedy selection that spreads a summary over articles (or, for a timeline, over
periods of time): an item from a group nothing chosen so far belongs to gets a bonus.
Pure."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
NOVELTY_BONUS = 0.1


def diverse_top(
    items: Sequence[T],
    n: int,
    score: Callable[[T], float],
    group: Callable[[T], Hashable | None],
    skip: Callable[[T, list[T]], bool] = lambda item, chosen: False,
    bonus: float = NOVELTY_BONUS,
) -> list[T]:
    """Up to ``n`` items chosen one at a time by ``score`` plus ``bonus`` when the item's
    group (None: no group) is not among the chosen ones' yet; ``skip`` rejects an item
    given those chosen (a near-duplicate). Returned in the order chosen."""
    chosen: list[T] = []
    seen: set[Hashable] = set()
    left = list(items)
    while left and len(chosen) < n:
        def value(item: T) -> float:
            g = group(item)
            return score(item) + (bonus if g is not None and g not in seen else 0.0)

        best = max(left, key=value)
        left.remove(best)
        if skip(best, chosen):
            continue
        chosen.append(best)
        g = group(best)
        if g is not None:
            seen.add(g)
    return chosen
