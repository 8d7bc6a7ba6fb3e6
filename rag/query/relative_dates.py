"""Dates a question gives relative to now ("last week", "yesterday", "since Monday", "the
latest"), read against a reference date. Pure functions."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "a": 1}
_LATEST = re.compile(r"\b(?:latest|most recent(?:ly)?|newest|currently|right now|"
                     r"at (?:the )?present|as of now|these days)\b", re.I)
_SPAN = re.compile(r"\b(?:in |over |during )?the (?:last|past) (\d+|" + "|".join(_COUNTS) +
                   r") (day|week|month)s?\b", re.I)
_SINCE_DAY = re.compile(r"\bsince (?:last )?(" + "|".join(_WEEKDAYS) + r")\b", re.I)
_NAMED = re.compile(r"\b(today|yesterday|(?:this|last|past) (?:week|month|year))\b", re.I)


@dataclass(frozen=True)
class TimeFrame:
    """The dates a question asks about, read as of ``as_of``: a range (``since`` ..
    ``until``, inclusive), or only ``latest`` (the newest reports first), or both."""

    as_of: date
    phrase: str  # the words it was read from ("last week")
    since: date | None = None
    until: date | None = None
    latest: bool = False

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
    if span is None and latest is None:
        return None
    if span is None:
        assert latest is not None
        return TimeFrame(as_of, latest.group(0).lower(), latest=True)
    phrase, since, until = span
    return TimeFrame(as_of, phrase.lower(), since, until, latest=latest is not None)


def reads_latest(question: str) -> bool:
    """Whether the question asks for the latest state ("the latest", "currently")."""
    return _LATEST.search(question) is not None
