"""Relative dates the question rules miss ("two weeks ago", "on Tuesday", "in March"), read
by dateparser as of a reference date, and the words that only look like dates ("March
Madness", "Theresa May", "a second"). Pure."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from rag.query.relative_dates import read_time_frame

AS_OF = date(2023, 10, 5)  # a Thursday


@pytest.mark.parametrize(("question", "phrase", "since", "until"), [
    # "N units ago": the day, week (Monday to Sunday), month or year it falls in
    ("What happened two weeks ago?", "two weeks ago", date(2023, 9, 18), date(2023, 9, 24)),
    ("What was said 3 days ago about Gaza?", "3 days ago", date(2023, 10, 2), date(2023, 10, 2)),
    ("What happened a month ago?", "a month ago", date(2023, 9, 1), date(2023, 9, 30)),
    ("What did the court rule twenty-one days ago?", "twenty-one days ago",
     date(2023, 9, 14), date(2023, 9, 14)),
    ("What happened a fortnight ago?", "a fortnight ago", date(2023, 9, 18), date(2023, 9, 24)),
    ("What was the budget 2 years ago?", "2 years ago", date(2021, 1, 1), date(2021, 12, 31)),
    # a weekday: the most recent one before as_of
    ("What did the court say on Tuesday?", "on tuesday", date(2023, 10, 3), date(2023, 10, 3)),
    ("What happened on Thursday?", "on thursday", date(2023, 9, 28), date(2023, 9, 28)),
    ("What was announced last Friday?", "last friday", date(2023, 9, 29), date(2023, 9, 29)),
    # a month: the most recent one not after as_of, all of it (to as_of at most)
    ("What happened in March?", "in march", date(2023, 3, 1), date(2023, 3, 31)),
    ("Who resigned during December?", "during december", date(2022, 12, 1), date(2022, 12, 31)),
    ("What happened in October?", "in october", date(2023, 10, 1), AS_OF),
    ("What has changed since March?", "since march", date(2023, 3, 1), AS_OF),
    ("What were the floods of September about?", "of september",
     date(2023, 9, 1), date(2023, 9, 30)),
    ("What happened last October?", "last october", date(2022, 10, 1), date(2022, 10, 31)),
    ("What happened last March?", "last march", date(2023, 3, 1), date(2023, 3, 31)),
    ("What did the party decide in May?", "in may", date(2023, 5, 1), date(2023, 5, 31)),
])
def test_what_the_rules_miss_dateparser_reads(
    question: str, phrase: str, since: date, until: date
) -> None:
    frame = read_time_frame(question, AS_OF)
    assert frame is not None
    assert (frame.phrase, frame.since, frame.until) == (phrase, since, until)


@pytest.mark.parametrize("question", [
    "Who won March Madness?",
    "Which team won in March Madness?",
    "What did Theresa May say about Brexit?",
    "What was the legacy of May as prime minister?",
    "May I ask what the council decided?",
    "Wait a second, who is the mayor?",
    "Who got a second term?",
    "What did protesters march for?",
    "What happened in March 2020?",  # a date, not a relative one: the query hints read it
    "What happened on 5 March?",
    "What happened on the 5th of March?",
    "What did Black Friday sales bring?",
    "What happened 3 hours ago?",  # finer than a day: no range
])
def test_words_that_only_look_like_dates(question: str) -> None:
    assert read_time_frame(question, AS_OF) is None


@pytest.mark.parametrize(("question", "phrase"), [
    ("What happened last week, not two weeks ago?", "last week"),
    ("What changed since Monday, or on Tuesday?", "since monday"),
])
def test_the_rules_go_first(question: str, phrase: str) -> None:
    frame = read_time_frame(question, AS_OF)
    assert frame is not None and frame.phrase == phrase


def test_the_latest_and_a_fallback_date_together() -> None:
    frame = read_time_frame("What is the latest from two weeks ago?", AS_OF)
    assert frame is not None and frame.latest
    assert (frame.since, frame.until) == (date(2023, 9, 18), date(2023, 9, 24))


@pytest.mark.parametrize("question", [
    "What happened last week?",
    "Who is currently the CEO of OpenAI?",
    "How many rockets were fired at the embassy?",
    "Did the mayor approve the harbour plan?",
    "What did Theresa May say about Brexit?",  # a date word, but no phrase of one
    "Who won March Madness?",
])
def test_questions_the_rules_answer_never_load_dateparser(
    question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "dateparser" or m.startswith("dateparser.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dateparser", None)  # importing it raises ImportError
    read_time_frame(question, AS_OF)


@pytest.mark.parametrize(("question", "earlier"), [
    ("What happened in March?", (date(2022, 3, 1), date(2022, 3, 31))),
    ("What was reported during December?", (date(2021, 12, 1), date(2021, 12, 31))),
    # A month named with "last", a week or a day is that one only.
    ("What happened last March?", None),
    ("What happened two weeks ago?", None),
])
def test_a_month_without_its_year_comes_a_year_earlier_too(
    question: str, earlier: tuple[date, date] | None,
) -> None:
    frame = read_time_frame(question, AS_OF)
    assert frame is not None
    before = frame.year_before()
    assert (before.since, before.until) == earlier if before else earlier is None
