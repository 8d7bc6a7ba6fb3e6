"""When the events a sentence tells of happened: the dates it names, read with its
article's own date as the anchor ("on Dec. 31" in an article of March 2020 is 31 December
2019; "in January" is the January before it). Pure functions.

Dates are day-number ranges (``date.toordinal()``, inclusive), as the question reader
gives them. Weekdays and words such as "recently" are left unread: without a week they
name no day a reader could check.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, timedelta

from index.dates import MONTHS

DayRange = tuple[int, int]

# Month names as articles write them: capitalised ("may" the verb is not a month).
_MONTH = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
# Alone (no day, no year), a month is written in full: "Jan" and "Mar" are also names.
_FULL_MONTH = "|".join(m.capitalize() for m in MONTHS if len(m) > 4 or m in ("may", "june", "july"))
_DATE = re.compile(
    rf"\b(?P<iso>(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d))\b"
    rf"|\b(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>(?:19|20)\d\d)\b)?"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\b\.?(?:,?\s+(?P<y2>(?:19|20)\d\d)\b)?"
    rf"|\b(?P<m3>{_MONTH})\.?\s+(?:of\s+)?(?P<y3>(?:19|20)\d\d)\b"
    rf"|\b(?P<m4>{_FULL_MONTH})\b"
    rf"|\b(?P<y4>(?:19|20)\d\d)\b"
    rf"|\b(?i:(?P<rel>yesterday|today|last\s+(?:week|month|year)|this\s+(?:week|month|year)))\b",
)
# A month alone is read as the latest one that began by this long after the anchor.
_AHEAD = timedelta(days=31)


def event_days(text: str, anchor: date | None, relative: bool = True) -> list[DayRange]:
    """The days ``text`` names, as ranges: a day, a month or a year. Dates without a
    year take the anchor's (the year before when that would put them well after it);
    without an anchor they are left out, as are the relative ones ("last week"), which
    ``relative=False`` leaves out too (an anchor that is a guess places no "yesterday")."""
    out: list[DayRange] = []
    for m in _DATE.finditer(text):
        if m.group("rel") and not relative:
            continue
        span = _read(m, anchor)
        if span is not None:
            out.append((span[0].toordinal(), span[1].toordinal()))
    return out


def _read(m: re.Match[str], anchor: date | None) -> tuple[date, date] | None:
    g = m.groupdict()
    if g["iso"]:
        day = _day(int(g["iy"]), int(g["im"]), int(g["id"]))
        return (day, day) if day else None
    month_name = g["m1"] or g["m2"] or g["m3"] or g["m4"]
    if month_name:
        month = MONTHS[month_name.lower()]
        year_text = g["y1"] or g["y2"] or g["y3"]
        day_text = g["d1"] or g["d2"]
        if year_text:
            year = int(year_text)
        elif anchor is None:
            return None
        else:
            year = anchor.year
            if date(year, month, 1) > anchor + _AHEAD:
                year -= 1
        if day_text:
            day = _day(year, month, int(day_text))
            return (day, day) if day else None
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if g["y4"]:
        year = int(g["y4"])
        return date(year, 1, 1), date(year, 12, 31)
    return _relative(g["rel"].lower().split(), anchor) if anchor else None


def _relative(words: list[str], anchor: date) -> tuple[date, date]:
    if words == ["yesterday"]:
        return anchor - timedelta(days=1), anchor - timedelta(days=1)
    if words == ["today"]:
        return anchor, anchor
    back = words[0] == "last"
    unit = words[-1]
    if unit == "week":
        start = anchor - timedelta(days=anchor.weekday() + (7 if back else 0))
        return start, start + timedelta(days=6)
    if unit == "month":
        first = anchor.replace(day=1)
        if back:
            first = (first - timedelta(days=1)).replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    year = anchor.year - back
    return date(year, 1, 1), date(year, 12, 31)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def day_of(published_at: str | None) -> date | None:
    """The day of an ISO publication date (None when absent or unreadable)."""
    try:
        return date.fromisoformat(published_at[:10]) if published_at else None
    except ValueError:
        return None


def overlaps(days: Sequence[DayRange], wanted: Sequence[DayRange]) -> bool:
    """Whether any of ``days`` falls within any of ``wanted``."""
    return any(a <= y and x <= b for a, b in days for x, y in wanted)
