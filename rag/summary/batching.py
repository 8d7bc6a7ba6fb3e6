"""Cutting work into batches that fit a token budget. Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def pack(items: Sequence[T], costs: Sequence[int], budget: int) -> list[list[T]]:
    """Consecutive items grouped so each group's cost stays within ``budget``
    (an item over the budget on its own makes a group of one). Order is kept."""
    groups: list[list[T]] = []
    current: list[T] = []
    total = 0
    for item, cost in zip(items, costs, strict=True):
        if current and total + cost > budget:
            groups.append(current)
            current, total = [], 0
        current.append(item)
        total += cost
    if current:
        groups.append(current)
    return groups


def pack_texts(
    items: Sequence[T],
    text_of: Callable[[T], str],
    count_tokens: Callable[[Sequence[str]], list[int]],
    budget: int,
) -> list[list[T]]:
    """:func:`pack` with each item's cost its token count."""
    if not items:
        return []
    return pack(items, count_tokens([text_of(i) for i in items]), budget)
