"""Dates a question gives relative to now ("last week", "yesterday", "since Monday", "the
latest"), read against a reference date. Pure functions.

The rules here read the common phrases. What they miss ("two weeks ago", "on Tuesday",
"in March") is read by dateparser, only for a question that holds such a phrase (so most
questions never load it): the phrase says how long a range it means (a day, a week, a
month, a year), dateparser which one.
"""

from __future__ import annotations

import calendar
import re
import string
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "a": 1}
_LATEST = re.compile(r"\b(?:latest|most recent(?:ly)?|newest|currently|right now|"
                     r"at (?:the )?present|as of now|these days)\b", re.I)
_SPAN = re.compile(r"\b(?:in |over |during )?the (?:last|past) (\d+|" + "|".join(_COUNTS) +
                   r") (day|week|month)s?\b", re.I)
_SINCE_DAY = re.compile(r"\bsince (?:last )?(" + "|".join(_WEEKDAYS) + r")\b", re.I)
_NAMED = re.compile(r"\b(today|yesterday|(?:this|last|past) (?:week|month|year))\b", re.I)

# -- read by dateparser (see _fallback) --
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
# Without one of these words a question holds no phrase below: dateparser is not loaded.
# A set, not a regex of the words: every question pays for this test (1 µs, not 5).
_DATE_WORDS = frozenset(("ago", *_WEEKDAYS, *_MONTHS))
_PUNCTUATION = str.maketrans(string.punctuation, " " * len(string.punctuation))
# "two weeks ago", "a fortnight ago": up to three words before the unit, the fewest
# dateparser reads are the count ("21", "twenty-one", "a").
_AGO = re.compile(r"\b((?:[\w-]+\s+){1,3})(day|week|fortnight|month|year)s?\s+ago\b", re.I)
# A weekday, not a name that opens with one ("on Sunday Night Football", "the Sunday Times":
# a capitalised word follows).
_ON_DAY = re.compile(r"\b(?:on|last)\s+(" + "|".join(_WEEKDAYS) + r")\b(?!\s+(?-i:[A-Z]))",
                     re.I)
# A month after a preposition, not a date ("in March 2020", "the 5th of March": the query
# hints read those) nor a name ("March Madness": a capitalised word follows). Case matters
# for that word only.
_IN_MONTH = re.compile(
    r"(?i:\b(?P<day>\d{1,2}(?:st|nd|rd|th)?\s+)?(?P<prep>in|since|during|of|last)\s+"
    r"(?P<month>" + "|".join(_MONTHS) + r"))\b(?!\s*,?\s*(?i:of\s+)?\d)(?!\s+[A-Z])")


@dataclass(frozen=True)
class TimeFrame:
    """The dates a question asks about, read as of ``as_of``: a range (``since`` ..
    ``until``, inclusive), or only ``latest`` (the newest reports first), or both."""

    as_of: date
    phrase: str  # the words it was read from ("last week")
    since: date | None = None
    until: date | None = None
    latest: bool = False
    yearly: bool = False  # a month named without its year ("in March"): it comes yearly

    def year_before(self) -> TimeFrame | None:
        """The same month a year earlier, whole, for a month named without its year (None
        for any other range): "in December" asked in December 2026 of articles from 2023
        means the latest December they cover."""
        if not self.yearly or self.since is None:
            return None
        since = self.since.replace(year=self.since.year - 1)
        until = since.replace(day=calendar.monthrange(since.year, since.month)[1])
        return replace(self, since=since, until=until)

    def describe(self) -> str:
        """``last week = 25 September – 1 October 2023 (as of 5 October 2023)``."""
        as_of = _day(self.as_of)
        if self.since is None or self.until is None:
            return f"{self.phrase}: the newest reports first (as of {as_of})"
        span = _day(self.since) if self.since == self.until else (
            f"{_day(self.since)} – {_day(self.until)}")
        return f"{self.phrase} = {span} (as of {as_of})"


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _month(d: date, back: int) -> tuple[date, date]:
    year, month = d.year, d.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _named(phrase: str, as_of: date) -> tuple[date, date]:
    monday = as_of - timedelta(days=as_of.weekday())
    return {
        "today": (as_of, as_of),
        "yesterday": (as_of - timedelta(days=1),) * 2,
        "this week": (monday, as_of),
        "last week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "past week": (as_of - timedelta(days=6), as_of),
        "this month": (as_of.replace(day=1), as_of),
        "last month": _month(as_of, 1),
        "past month": (as_of - timedelta(days=29), as_of),
        "this year": (date(as_of.year, 1, 1), as_of),
        "last year": (date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31)),
        "past year": (as_of - timedelta(days=364), as_of),
    }[phrase]


def read_time_frame(question: str, as_of: date) -> TimeFrame | None:
    """The relative dates of ``question`` as of ``as_of`` (None when it names none)."""
    latest = _LATEST.search(question)
    span: tuple[str, date, date] | None = None
    if m := _SPAN.search(question):
        n = int(m.group(1)) if m.group(1).isdigit() else _COUNTS[m.group(1).lower()]
        days = {"day": 1, "week": 7, "month": 30}[m.group(2).lower()] * n
        span = (m.group(0).strip(), as_of - timedelta(days=days - 1), as_of)
    elif m := _SINCE_DAY.search(question):
        back = (as_of.weekday() - _WEEKDAYS.index(m.group(1).lower())) % 7
        span = (m.group(0), as_of - timedelta(days=back), as_of)
    elif m := _NAMED.search(question):
        since, until = _named(m.group(1).lower(), as_of)
        span = (m.group(1).lower(), since, until)
    elif not _DATE_WORDS.isdisjoint(question.translate(_PUNCTUATION).lower().split()):
        span = _fallback(question, as_of)
    if span is None and latest is None:
        return None
    if span is None:
        assert latest is not None
        return TimeFrame(as_of, latest.group(0).lower(), latest=True)
    phrase, since, until = span
    return TimeFrame(as_of, phrase.lower(), since, until, latest=latest is not None,
                     yearly=bool(_YEARLY.match(phrase)))


_YEARLY = re.compile(r"^(?:in|during|of) (?:" + "|".join(_MONTHS) + r")$", re.I)


def _fallback(question: str, as_of: date) -> tuple[str, date, date] | None:
    """A range the rules above do not read: "N days/weeks/months/years ago" (the day, week,
    month or year it falls in), "on Tuesday" / "last Tuesday" (the last one before
    ``as_of``), "in/during/of/last March" (the last March, whole, up to ``as_of``) and
    "since March" (its first day to ``as_of``)."""
    if m := _AGO.search(question):
        words = m.group(1).split()
        tail = m.group(0)[m.start(2) - m.start():]  # "weeks ago"
        for n in range(1, len(words) + 1):  # "two weeks ago", then "happened two weeks ago"
            phrase = " ".join([*words[-n:], tail])
            if (day := _parse(phrase, as_of)) is not None:
                return (phrase.lower(), *_around(day, m.group(2).lower(), as_of))
    if (m := _ON_DAY.search(question)) and (day := _parse(m.group(1), as_of)) is not None:
        return " ".join(m.group(0).lower().split()), day, day
    for m in _IN_MONTH.finditer(question):
        prep, month = m.group("prep").lower(), m.group("month").lower()
        if m.group("day") or (month == "may" and prep == "of"):  # "the legacy of May"
            continue
        first = _parse(month, as_of)
        if first is None:
            continue
        if prep == "last" and (first.year, first.month) == (as_of.year, as_of.month):
            first = first.replace(year=first.year - 1)
        if prep == "since":
            return f"since {month}", first, as_of
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return f"{prep} {month}", first, min(last, as_of)
    return None


def _parse(phrase: str, as_of: date) -> date | None:
    """The day dateparser reads ``phrase`` as, as of ``as_of`` (a month: its first day)."""
    import dateparser  # ~0.2 s to load: only for the questions that need it

    found = dateparser.parse(phrase, languages=["en"], settings={
        "RELATIVE_BASE": datetime(as_of.year, as_of.month, as_of.day),
        "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"})
    return found.date() if found is not None else None


def _around(day: date, unit: str, as_of: date) -> tuple[date, date]:
    """The day, week (Monday to Sunday), month or year ``day`` is in, up to ``as_of``."""
    if unit == "day":
        return day, day
    if unit in ("week", "fortnight"):
        monday = day - timedelta(days=day.weekday())
        return monday, min(monday + timedelta(days=6), as_of)
    if unit == "month":
        since, until = _month(day, 0)
        return since, min(until, as_of)
    return date(day.year, 1, 1), min(date(day.year, 12, 31), as_of)


def reads_latest(question: str) -> bool:
    """Whether the question asks for the latest state ("the latest", "currently")."""
    return _LATEST.search(question) is not None
