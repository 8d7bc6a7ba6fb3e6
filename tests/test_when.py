"""The days a sentence tells of, read with its article's date as the anchor."""

from __future__ import annotations

from datetime import date

import pytest

from rag.grounding.when import event_days, overlaps

MARCH_2020 = date(2020, 3, 16)


def _days(text: str, anchor: date | None) -> list[tuple[str, str]]:
    return [(date.fromordinal(a).isoformat(), date.fromordinal(b).isoformat())
            for a, b in event_days(text, anchor)]


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("launched an offensive in January which killed Soleimani", MARCH_2020,
         [("2020-01-01", "2020-01-31")]),
        # A day of a month after the anchor's is the year before.
        ("The embassy was attacked on Dec. 31 by militiamen.", MARCH_2020,
         [("2019-12-31", "2019-12-31")]),
        ("On January 3, 2020, a drone strike killed him.", None, [("2020-01-03", "2020-01-03")]),
        ("one in March 2020, which killed two", None, [("2020-03-01", "2020-03-31")]),
        ("on 8 January Iran fired missiles", MARCH_2020, [("2020-01-08", "2020-01-08")]),
        ("a report of 2020-01-08", None, [("2020-01-08", "2020-01-08")]),
        ("attacks rose in 2019", None, [("2019-01-01", "2019-12-31")]),
        ("last month the board met", MARCH_2020, [("2020-02-01", "2020-02-29")]),
        # Without an anchor a date without its year is not read.
        ("attacked on Dec. 31", None, []),
        # Not dates: a name, a place, the verb.
        ("Jan Koum said so at Mar-a-Lago.", MARCH_2020, []),
        ("It may rain, the forecast says.", MARCH_2020, []),
    ],
)
def test_event_days(text: str, anchor: date | None, expected: list[tuple[str, str]]) -> None:
    assert _days(text, anchor) == expected


@pytest.mark.parametrize(
    ("days", "wanted", "expected"),
    [
        ([(5, 5)], [(1, 31)], True),
        ([(0, 0)], [(1, 31)], False),
        ([(0, 40)], [(1, 31)], True),
        ([], [(1, 31)], False),
    ],
)
def test_overlaps(days: list[tuple[int, int]], wanted: list[tuple[int, int]],
                  expected: bool) -> None:
    assert overlaps(days, wanted) is expected


def test_relative_days_can_be_left_unread() -> None:
    assert event_days("last month the board met", MARCH_2020, relative=False) == []
