"""Relative dates in questions, read as of a reference date. Pure."""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer.answerer import UNDATED, only_time
from rag.container import Services
from rag.query.hints import without_outlets
from rag.query.relative_dates import read_time_frame, reads_latest
from rag.retrieval import Filters

AS_OF = date(2023, 10, 5)  # a Thursday


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What happened last week?", date(2023, 9, 25), date(2023, 10, 1)),
        ("What did the courts decide yesterday?", date(2023, 10, 4), date(2023, 10, 4)),
        ("Any news today?", AS_OF, AS_OF),
        ("What has TechCrunch reported this week?", date(2023, 10, 2), AS_OF),
        ("What happened this month in football?", date(2023, 10, 1), AS_OF),
        ("What happened last month?", date(2023, 9, 1), date(2023, 9, 30)),
        ("What happened last year?", date(2022, 1, 1), date(2022, 12, 31)),
        ("What changed since Monday?", date(2023, 10, 2), AS_OF),
        ("What changed since Thursday?", AS_OF, AS_OF),
        ("What changed since Friday?", date(2023, 9, 29), AS_OF),
        ("What did the court decide on Tuesday?", date(2023, 10, 3), date(2023, 10, 3)),
        ("Who scored last Sunday?", date(2023, 10, 1), date(2023, 10, 1)),
        ("What was reported in the last 3 days?", date(2023, 10, 3), AS_OF),
        ("What was reported over the past two weeks?", date(2023, 9, 22), AS_OF),
    ],
)
def test_a_relative_date_is_a_range(question: str, since: date, until: date) -> None:
    frame = read_time_frame(question, AS_OF)
    assert frame is not None and (frame.since, frame.until) == (since, until)


def test_last_month_in_january_is_december() -> None:
    frame = read_time_frame("What happened last month?", date(2024, 1, 15))
    assert frame is not None and (frame.since, frame.until) == (date(2023, 12, 1),
                                                                date(2023, 12, 31))


@pytest.mark.parametrize(
    ("question", "latest"),
    [
        ("What is the latest on the OpenAI board?", True),
        ("Who is currently the CEO of OpenAI?", True),
        ("What is the most recent figure for inflation?", True),
        ("Who was the CEO of OpenAI in 2019?", False),
    ],
)
def test_the_latest(question: str, latest: bool) -> None:
    assert reads_latest(question) is latest
    frame = read_time_frame(question, AS_OF)
    assert (frame is not None and frame.latest and frame.since is None) is latest


@pytest.mark.parametrize("question", [
    "What happened in October 2023?",
    "Who won the week-long tournament?",
    "Is the company's last quarter better than expected?",
    # a name that opens with a weekday
    "Who starred on Sunday Night Football in November 2023?",
    "What did the host say on Monday Night Football?",
])
def test_no_relative_date(question: str) -> None:
    assert read_time_frame(question, AS_OF) is None


def test_the_frame_says_its_dates_and_as_of() -> None:
    frame = read_time_frame("What happened last week?", AS_OF)
    assert frame is not None
    assert frame.describe() == ("last week = 25 September 2023 – 1 October 2023 "
                                "(as of 5 October 2023)")


@pytest.mark.parametrize(
    ("user", "since", "until", "expected"),
    [
        (Filters(), date(2020, 3, 16), date(2020, 3, 22), (date(2020, 3, 16), date(2020, 3, 22))),
        (Filters(since=date(2020, 3, 18)), date(2020, 3, 16), date(2020, 3, 22),
         (date(2020, 3, 18), date(2020, 3, 22))),
        # A range the user chose that the question's dates do not meet is kept.
        (Filters(since=date(2021, 1, 1)), date(2020, 3, 16), date(2020, 3, 22),
         (date(2021, 1, 1), None)),
    ],
)
def test_filters_narrowed(user: Filters, since: date, until: date,
                          expected: tuple[date | None, date | None]) -> None:
    narrowed = user.narrowed(since, until)
    assert (narrowed.since, narrowed.until) == expected


def test_an_answer_about_this_week_cites_only_this_weeks_articles(
    seed_index: Services,
) -> None:
    result = seed_index.answerer.answer("What happened at Camp Taji this week?",
                                        mode="extractive", as_of=date(2020, 3, 20))
    assert result.time_frame == "this week = 16 March 2020 – 20 March 2020 (as of 20 March 2020)"
    assert not result.abstained and result.passages
    assert {p.published_at for p in result.passages} == {"2020-03-16"}
    later = seed_index.answerer.answer("What happened at Camp Taji this week?",
                                       mode="extractive", as_of=date(2024, 8, 16))
    assert later.passages
    assert {p.published_at for p in later.passages} == {"2024-08-16"}


def test_a_range_no_article_falls_in_is_said_and_not_applied(seed_index: Services) -> None:
    result = seed_index.answerer.answer("What happened at Camp Taji this week?",
                                        mode="extractive", as_of=date(2026, 12, 1))
    assert result.time_frame is not None
    assert result.time_frame.endswith("no indexed article is dated then")
    assert result.passages


def test_a_question_only_of_a_time_no_article_is_dated_is_not_answered_from_other_days(
    seed_index: Services,
) -> None:
    result = seed_index.answerer.answer("What was in the news this week?",
                                        mode="extractive", as_of=date(2026, 12, 1))
    assert result.abstained and not result.sentences
    assert result.time_frame is not None and result.time_frame.endswith(UNDATED)
    assert result.reason == ("no indexed article is dated this week (30 November 2026 – "
                             "1 December 2026), and the question asks about nothing else")


@pytest.mark.parametrize(("question", "phrase", "only"), [
    ("What was in the news last week?", "last week", True),
    ("Any news from yesterday?", "yesterday", True),
    ("Summarize what happened in the world this week", "this week", True),
    ("What happened at Camp Taji this week?", "this week", False),
    ("What did Pompeo say last week?", "last week", False),
])
def test_only_time(question: str, phrase: str, only: bool) -> None:
    frame = f"{phrase} = 1 December 2026 (as of 2 December 2026)"
    assert only_time(question, frame) is only
    assert only_time(question, frame + UNDATED) is only
    assert not only_time(question, f"{phrase}: the newest reports first (as of 2 December 2026)")


def test_a_question_only_of_a_time_gets_the_headlines_of_its_articles(
    seed_index: Services,
) -> None:
    result = seed_index.answerer.answer("What happened this week?", mode="extractive",
                                        as_of=date(2020, 3, 20))
    assert not result.abstained and result.sentences
    assert all(" headlined: “" in s.text for s in result.sentences)
    cited = {result.passages[n - 1].published_at for s in result.sentences for n in s.citations}
    assert cited and all("2020-03-16" <= day <= "2020-03-20" for day in cited)


@pytest.mark.parametrize(("question", "outlets", "kept"), [
    ("Does Business Today | Latest Stock Market News say so today?",
     ["business today | latest stock market news"], "say so today"),
    ("Did USA Today report it?", ["usa today"], "report it"),
])
def test_outlet_names_are_not_read_for_dates(question: str, outlets: list[str], kept: str) -> None:
    text = without_outlets(question, outlets)
    assert kept in text and "Latest" not in text and "USA" not in text


def test_the_ui_reads_dates_as_of_the_day_it_is_given(seed_index: Services) -> None:
    from ui.chat import ChatUI

    out = ChatUI(seed_index).ask("What happened at Camp Taji this week?", mode="extractive",
                                 as_of="2020-03-20")
    assert out["time_frame"].startswith("this week = 16 March 2020")
    assert {c["published_at"] for c in out["citations"]} == {"2020-03-16"}


def test_a_month_without_its_year_is_the_latest_such_month_with_articles(
    seed_index: Services,
) -> None:
    # Asked in December 2026: no March of 2026 or 2025 has an article; March 2020 has.
    result = seed_index.answerer.answer("What happened at Camp Taji in March?",
                                        mode="extractive", as_of=date(2026, 12, 1))
    assert result.time_frame == ("in march = 1 March 2020 – 31 March 2020 (as of 1 December "
                                 "2026), the latest with indexed articles")
    assert {p.published_at for p in result.passages} == {"2020-03-16"}
