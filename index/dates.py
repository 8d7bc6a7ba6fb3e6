"""Finding and normalising publication dates. Pure functions."""

from __future__ import annotations

import re
from datetime import date, datetime

from index.errors import UserError

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
# "September 28, 2020", "Sept. 28 2020"
MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)
# "28 September 2020"
DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I
)

# A line that is only a date marker: "date 2020-03-16", "Published: September 28, 2020",
# "2024-08-16 09:42:49".
_LABEL = r"(?:date|dated|published(?:\s+on)?|updated(?:\s+on)?|posted(?:\s+on)?)\s*:?\s*"
DATE_LINE = re.compile(
    rf"^\s*(?:{_LABEL})?(?:"
    rf"\d{{4}}-\d{{2}}-\d{{2}}"
    rf"(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?(?:\.\d+)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?"
    rf"|(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?:,?\s+\d{{1,2}}:\d{{2}}\s*(?:[ap]\.?m\.?)?)?"
    rf"|\d{{1,2}}\s+(?:{_MONTH_RE})\.?,?\s+\d{{4}}"
    rf")\s*$",
    re.I,
)
# A labelled date at the very start of a line that goes on with text: "date 2020-03-16 US ..."
LEADING_DATE_LABEL = re.compile(r"^\s*date\s*:?\s*(\d{4}-\d{2}-\d{2})\s+", re.I)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first calendar date written in ``text`` (ISO or with a month name), if any."""
    candidates: list[tuple[int, date]] = []
    for m in ISO_DATE.finditer(text):
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            candidates.append((m.start(), d))
    for m in MONTH_DAY_YEAR.finditer(text):
        d = _safe_date(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
        if d:
            candidates.append((m.start(), d))
    for m in DAY_MONTH_YEAR.finditer(text):
        d = _safe_date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        if d:
            candidates.append((m.start(), d))
    return min(candidates)[1] if candidates else None


def is_date_line(line: str) -> bool:
    """True when the line holds nothing but a date (optionally labelled or timestamped)."""
    return bool(DATE_LINE.match(line))


def to_iso(value: object) -> str | None:
    """Normalise a date or timestamp (string, date, datetime) to ``YYYY-MM-DD``; None if unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        found = find_date(value)
        return found.isoformat() if found else None
    return None


def day_number(iso: str | None) -> int | None:
    """Days since 0001-01-01 for an ISO date: an integer Chroma can range-filter on."""
    return date.fromisoformat(iso).toordinal() if iso else None


# A day a person asks about lies in these years; outside them it is a slip of the keys
# (and "last week" of 0001-01-01 is no date at all).
FIRST_YEAR, LAST_YEAR = 1800, 2200


def parse_day(value: str | None, end: bool = False) -> date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (a month or year means its first or, with
    ``end``, last day) from :data:`FIRST_YEAR` to :data:`LAST_YEAR`; empty means no
    limit. Anything else is a :class:`UserError` saying what to write."""
    text = (value or "").strip() if isinstance(value, str | None) else str(value)
    if not text:
        return None
    day = _day(text, end)
    if day is None:
        raise UserError(f"{text[:40]!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UserError(f"{text!r}: give a date from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def _day(text: str, end: bool) -> date | None:
    import calendar

    parts = text.split("-")
    try:
        if len(parts) == 3:
            return date.fromisoformat(text)
        year = int(parts[0])
        if len(parts) == 2:
            month = int(parts[1])
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        if len(parts) == 1:
            return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        pass
    return None
