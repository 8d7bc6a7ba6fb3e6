"""The paragraph classifier behind cleaning: cues, jusText classes, neighbours."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from index import boilerplate
from index.boilerplate import (
    initial_class,
    is_furniture_sentence,
    is_quotation,
    stopword_density,
    strip_furniture,
    strip_widget_prefix,
)

PROSE = (
    "The harbour authority said on Monday that the northern quay would stay closed until "
    "the spring, when engineers expect to finish strengthening the old sea wall."
)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        (PROSE, 0.3, 0.7),
        ("Harbour FC 2, Port United 1", 0.0, 0.29),
        ("Smart Quarterly ₹900 3 Months", 0.0, 0.29),
        ("", 0.0, 0.0),
    ],
)
def test_stopword_density_uses_the_english_stoplist(text: str, low: float, high: float) -> None:
    assert low <= stopword_density(text) <= high


@pytest.mark.parametrize(
    ("line", "cls"),
    [
        (PROSE, "good"),
        ("No one was hurt in the fire.", "good"),  # a short complete sentence
        ("Proportional response", "short"),
        ("Harbour FC 2, Port United 1", "short"),
        ("Warlock Spell Slot — Used to cast Warlock spells, regained by a short rest", "good"),
        ("Fanatics iOS and Android apps FanCash Rewards, bettable search, Discover page, cash "
         "outs, secure deposit, Withdrawal Tracker", "near"),
        ("", "blank"),
    ],
)
def test_initial_class_follows_justext_length_and_stopwords(line: str, cls: str) -> None:
    assert initial_class(line) == cls


@pytest.mark.parametrize(
    "sentence",
    [
        "Sign up for Harbour Daily's Deals newsletter.",
        "Subscribe here!",
        "Get the latest from the coast delivered to your inbox.",
        "CLICK HERE TO GET THE COURIER APP",
        "For more on the regatta results click here!",
        "Get in touch with the Courier",
        "Do you work at the port authority and know more about the closure?",
        "Follow us!",
        "Join more than 12,000 followers and keep up with the best deals with @courierdeals",
        "If you buy something through a link, we may earn a commission.",
        "Please enter a valid email address",
        "By submitting your email, you agree to our Terms and Privacy Notice .",
        "This story was originally published on CoastWire.example",
        "Read more about how we test products.",
        "(Read more about this condition here.)",
    ],
)
def test_calls_to_action_and_form_text_are_furniture_sentences(sentence: str) -> None:
    assert is_furniture_sentence(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        PROSE,
        '"Sign up for this? No chance," the mayor said.',
        "Viewers in Canada can sign up for the streaming service.",
        "The council's newsletter carried the first notice of the closure in March.",
        "The card is live from 8 p.m. (subscribe now) and starts an hour earlier.",
        "Click here, she told me, and the screen went dark.",
        "Users can download the ChatGPT app from the app store, the company said.",
        "Meta's cookie policy was criticised by regulators.",
        # one cue in a long sentence is prose, not a prompt
        "Bankman-Fried's lawyers, who asked the judge for more time, said the defence would "
        "call witnesses who had worked at the exchange, and that readers of the firm's "
        "newsletter had been told about the loans, a claim prosecutors rejected in a filing "
        "that ran to more than forty pages and was made public on Friday; you can sign up "
        "here for alerts, a footnote added.",
    ],
)
def test_prose_is_not_a_furniture_sentence(sentence: str) -> None:
    assert not is_furniture_sentence(sentence)


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [
        ("“If you want to get in touch, call us,” she said.", True),
        ("“Sign up now and you will regret it.", True),  # a sentence out of a longer quote
        ('To read more stories in the "Meet the Makers" series, click here.', False),
        ("Sign up for our newsletter.", False),
        ("‘CLICK HERE’ TO SIGN UP", False),
    ],
)
def test_quotations_are_recognised(sentence: str, quoted: bool) -> None:
    assert is_quotation(sentence) is quoted


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("Save Log in , register or subscribe to save articles for later. Got it Normal text "
         "size Larger text size Very large text size The harbour will close.",
         "The harbour will close."),
        ("Save the Children said the appeal had raised £2m.",
         "Save the Children said the appeal had raised £2m."),
        ("Share prices fell on Monday.", "Share prices fell on Monday."),
    ],
)
def test_a_toolbar_prefix_is_cut_only_when_it_is_one(line: str, rest: str) -> None:
    assert strip_widget_prefix(line) == rest


def test_strip_furniture_reports_what_it_did() -> None:
    assert strip_furniture(PROSE) == (PROSE, "")
    assert strip_furniture("Welcome to Coast Weekly. Sign up here to get it in your inbox.") == (
        None, "cta")
    kept, reason = strip_furniture(f"{PROSE} Subscribe here for updates.")
    assert (kept, reason) == (PROSE, "trimmed")


def _classify(lines: list[str], furniture: Collection[int] = (),
              markers: Collection[int] = ()) -> list[str | None]:
    """The text each line keeps; ``furniture`` and ``markers`` as the caller's rules flag."""
    flags = [i in furniture for i in range(len(lines))]
    marks = [i in markers for i in range(len(lines))]
    return [d.text for d in boilerplate.classify(lines, flags, marks)]


def test_a_short_fragment_between_furniture_is_furniture() -> None:
    box = "Please enter a valid email address SIGN UP Read our privacy notice"
    lines = [PROSE, box, "Morning Tide", box, PROSE]
    assert _classify(lines) == [PROSE, None, None, None, PROSE]
    decisions = boilerplate.classify(lines, [False] * 5, [False] * 5)
    assert decisions[2].reason == "context"


@pytest.mark.parametrize(
    "fragment",
    ["2024-08-16 09:42:49", "Harbour FC 2, Port United 1", "No one was hurt in the blaze.",
     "Quinlan agreed.", "The harbour harbour harbour harbour harbour."],
)
def test_dates_figures_and_sentences_between_furniture_stay(fragment: str) -> None:
    box = "Please enter a valid email address SIGN UP Read our privacy notice"
    assert _classify([PROSE, box, fragment, box, PROSE])[2] == fragment


def test_a_short_fragment_next_to_article_text_or_ad_slots_stays() -> None:
    box = "Please enter a valid email address SIGN UP Read our privacy notice"
    assert _classify([PROSE, "Morning Tide", box])[1] == "Morning Tide"
    assert _classify([box, "Morning Tide", PROSE])[1] == "Morning Tide"
    # ad slots sit between article paragraphs: a heading between two of them stays
    lines = [PROSE, "Advertisement", "Almost 80 attacks", "Advertisement", PROSE]
    assert _classify(lines, markers={1, 3}) == [PROSE, None, "Almost 80 attacks", None, PROSE]


def test_lines_the_rules_mark_are_dropped_and_count_as_furniture() -> None:
    lines = [PROSE, "Share:", "Lifestyle", "Leave a Reply"]
    assert _classify(lines, furniture={1, 3}) == [PROSE, None, None, None]
