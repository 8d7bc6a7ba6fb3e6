"""Which questions lean on the conversation (and get the previous question's words)."""

from __future__ import annotations

import pytest

from rag.query.followup import is_follow_up, standalone_question


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("And how many were injured?", True),
        ("Where did they fall?", True),
        ("What did he say about it?", True),
        ("Who fired them?", True),
        ("What happened there?", True),
        ("What did its spokesperson say?", True),
        ("What did Pompeo say about them?", True),
        ("Why?", True),
        ("How many died?", True),
        # Short, but it names whom it asks about.
        ("Where was Soleimani killed?", False),
        ("Who is Morgan Ortagus?", False),
        # A pronoun after a name the question gives itself stands for that name.
        ("What did the State Department say it would do if the attacks continued?", False),
        ("How many troops does the US keep in Iraq and where are they based?", False),
        ("Why did Pompeo threaten to close the embassy in Baghdad?", False),
        ("Who was killed in the rocket attack in Kirkuk?", False),
    ],
)
def test_is_follow_up(question: str, follow_up: bool) -> None:
    assert is_follow_up(question) is follow_up


def test_a_follow_up_carries_the_previous_question_and_a_new_question_does_not() -> None:
    history = [("Where did the Katyusha rockets land?", "Near the Green Zone [1].")]
    assert standalone_question("Where did they fall?", history).endswith(
        "(Where did the Katyusha rockets land?)")
    new = "What did the State Department say it would do if the attacks continued?"
    assert standalone_question(new, history) == new
