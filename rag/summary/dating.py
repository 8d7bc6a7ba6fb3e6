"""When a summary sentence's events happened. Pure functions.

A sentence is dated by the earliest explicit date it mentions ("on Dec. 31",
"in December 2019", "March 16, 2020", "in January", "on Sunday"), resolved
against its article's publication date when the year (or the day) is left out:
news reports past events, so a date without a year is the latest such date on
or before the article's date. A sentence without a usable mention takes its
article's date; with neither it is undated.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from index.dates import MONTHS, find_date

Precision = Literal["day", "month", "year"]
DateSource = Literal["text", "article"]

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# "Dec. 31", "December 31st" (no year: a year right after is left to find_date)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+\d{{4}})(?!\d)", re.I
)
# "31 December" (no year)
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\b\.?(?!,?\s+\d{{4}})", re.I
)
# "December 2019", "Dec. 2019"
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
# "in January", "since early March", "late last October": a bare month after a preposition
_BARE_MONTH = re.compile(
    rf"\b(?:in|since|by|until|from|during|of|early|late|mid-?|last|this)\s+"
    rf"(?:early\s+|late\s+|mid-?)?({_MONTH_RE})\b(?!\.?\s*\d)",
    re.I,
)
# "in 2019", "since 2019"
_YEAR = re.compile(r"\b(?:in|since|during|of|by|until)\s+((?:19|20)\d{2})\b(?![-/])")
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})\b", re.I)
_YESTERDAY = re.compile(r"\byesterday\b", re.I)


@dataclass(frozen=True, order=True)
class SentenceDate:
    """A date with its precision and where it came from (the text or the article)."""

    day: date  # the first day of the month or year when less precise
    precision: Precision = "day"
    source: DateSource = "text"

    def label(self) -> str:
        """``31 December 2019``, ``December 2019`` or ``2019``."""
        if self.precision == "year":
            return str(self.day.year)
        if self.precision == "month":
            return self.day.strftime("%B %Y")
        return f"{self.day.day} {self.day.strftime('%B %Y')}"


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _latest_on_or_before(month: int, day: int | None, anchor: date) -> date | None:
    """The latest date with this month (and day) on or before ``anchor``."""
    for year in (anchor.year, anchor.year - 1):
        d = _safe(year, month, day or 1)
        if d is not None and d <= anchor:
            return d
    return None


def mentioned_dates(text: str, article_date: date | None) -> list[SentenceDate]:
    """Every date ``text`` mentions, resolved against ``article_date`` where needed."""
    found: list[SentenceDate] = []
    full = find_date(text)
    if full is not None:
        found.append(SentenceDate(full, "day"))
    for m in _MONTH_YEAR.finditer(text):
        if not re.match(r"\s*\d", text[m.end() :]):
            found.append(SentenceDate(date(int(m.group(2)), _month(m.group(1)), 1), "month"))
    for m in _YEAR.finditer(text):
        found.append(SentenceDate(date(int(m.group(1)), 1, 1), "year"))
    if article_date is None:
        return found
    for m in _MONTH_DAY.finditer(text):
        if m.group(1).lower() == "may" and not m.group(1)[0].isupper():
            continue
        d = _latest_on_or_before(_month(m.group(1)), int(m.group(2)), article_date)
        if d:
            found.append(SentenceDate(d, "day"))
    for m in _DAY_MONTH.finditer(text):
        d = _latest_on_or_before(_month(m.group(2)), int(m.group(1)), article_date)
        if d:
            found.append(SentenceDate(d, "day"))
    for m in _BARE_MONTH.finditer(text):
        name = m.group(1)
        if name.lower() == "may" and not name[0].isupper():
            continue
        d = _latest_on_or_before(_month(name), None, article_date)
        if d:
            found.append(SentenceDate(d, "month"))
    for m in _WEEKDAY.finditer(text):
        back = (article_date.weekday() - _WEEKDAYS.index(m.group(1).lower())) % 7
        found.append(SentenceDate(article_date - timedelta(days=back), "day"))
    if _YESTERDAY.search(text):
        found.append(SentenceDate(article_date - timedelta(days=1), "day"))
    return found


def date_sentence(text: str, article_date: str | None) -> SentenceDate | None:
    """The date of a sentence: the earliest date it mentions (not after its article's
    date), else its article's date, else None."""
    anchor = date.fromisoformat(article_date) if article_date else None
    mentions = [
        d
        for d in mentioned_dates(text, anchor)
        # A mention after the publication date is a plan or a misreading, not an event.
        if anchor is None or d.day <= anchor
    ]
    # "in 2019" says less than "on Dec. 31, 2019" in the same sentence: keep the finer one.
    mentions = [
        d
        for d in mentions
        if not any(
            _rank(e.precision) < _rank(d.precision) and d.day <= e.day <= last_day(d)
            for e in mentions
        )
    ]
    if mentions:
        return min(mentions, key=lambda d: (d.day, _rank(d.precision)))
    if anchor is not None:
        return SentenceDate(anchor, "day", "article")
    return None


def _rank(precision: Precision) -> int:
    return {"day": 0, "month": 1, "year": 2}[precision]


def last_day(d: SentenceDate) -> date:
    """The last day the date may stand for (a month's last day, a year's 31 December)."""
    if d.precision == "year":
        return date(d.day.year, 12, 31)
    if d.precision == "month":
        return date(d.day.year, d.day.month, calendar.monthrange(d.day.year, d.day.month)[1])
    return d.day
