"""Values of the expected type in a sentence, and the check that a sentence answers."""

from __future__ import annotations

import pytest

from rag.answer.check import bare_name, echoes, why_not_an_answer
from rag.answer.question import AnswerType, read_question
from rag.answer.types import values_of
from rag.answer.values import (
    dateline,
    entities_in,
    is_a_total,
    listed_with,
    naming_question,
    new_to,
    places_in,
    term_spans,
    total_after,
)

S = ("On March 11, three Katyusha rockets, aimed at the American embassy, fell near the "
     "Green Zone and wounded 14 others.")


@pytest.mark.parametrize(
    ("kind", "sentence", "question", "first"),
    [
        (AnswerType.NUMBER, S, "How many Katyusha rockets were aimed at the embassy?", "three"),
        (AnswerType.NUMBER, S, "How many people were wounded?", "14"),
        (AnswerType.NUMBER, "The strikes killed 25 and wounded 51, the Hashed said.",
         "How many were wounded in the strikes?", "51"),
        (AnswerType.NUMBER, "The change costs about 18,000 pounds a year, after 1,300 signed.",
         "How much will the change cost each year?", "about 18,000 pounds"),
        (AnswerType.NUMBER, "The Jets lost 40-6 at home, their third defeat in a row.",
         "What was the final score?", "40-6"),
        (AnswerType.NUMBER, "The Bears fell to 5-10-4 after a loss in which 12 players sat out.",
         "What is the Bears' record?", "5-10-4"),
        (AnswerType.NUMBER, "The rally drew more than 9,000 people to the square.",
         "How many people attended the rally?", "more than 9,000"),
        # A part of a whole: the count asked is the part, not the whole.
        (AnswerType.NUMBER, "Klopp has lost one of his 17 encounters with Everton.",
         "How many of his encounters with Everton has Klopp lost?", "one"),
        (AnswerType.NUMBER, "Klopp has lost one of his 17 encounters with Everton.",
         "How many encounters with Everton has Klopp had?", "17"),
        (AnswerType.NUMBER, "Two of the 14 victims were Americans.",
         "How many of the victims were Americans?", "Two"),
        (AnswerType.NUMBER, "Revenue rose 3.5 percent to $2 billion.",
         "How much did revenue rise?", "3.5 percent"),
        (AnswerType.NUMBER, "The House approved House Bill No. 8980, the P5.768-trillion budget.",
         "How large is the budget?", "P5.768-trillion"),
        # A figure keeps its unit of measure, but a counted noun is not one.
        (AnswerType.NUMBER, "His 7-foot-4 height and 8-foot wingspan stand out.",
         "How tall is Wembanyama?", "7-foot-4"),
        (AnswerType.NUMBER, "The tower is 330 metres tall.", "How tall is the tower?",
         "330 metres"),
        (AnswerType.NUMBER, "He stands 6ft 2in and weighs 95kg.", "How tall is he?",
         "6ft 2in"),
        (AnswerType.NUMBER, "The trial lasted 22 days, with 18 witnesses.",
         "How long did the trial last?", "22 days"),
        (AnswerType.NUMBER, "The tour sold 2.2m tickets.", "How many tickets did it sell?",
         "2.2m"),
        # "How old": only a figure said as an age.
        (AnswerType.NUMBER, "After 3 games and $50 million, at 28, he is in his prime.",
         "How old is Giannis Antetokounmpo?", "28"),
        (AnswerType.NUMBER, "Stapleton, 45, told Fox News about his 5 kids in 2023.",
         "How old is Chris Stapleton?", "45"),
        (AnswerType.NUMBER, "The 19-year-old striker scored 12 goals.",
         "How old is the striker?", "19-year-old"),
        (AnswerType.DATE, S, "When were rockets fired at the embassy?", "March 11"),
        # A year of any century; "not until 1863" is 1863.
        (AnswerType.DATE, "It was not until 1863 that Lincoln declared a Thanksgiving Day.",
         "In what year did Lincoln declare a Thanksgiving Day?", "1863"),
        (AnswerType.DATE, "The fort was built in 1787 of coral and gypsum.",
         "When was the fort built?", "in 1787"),
        (AnswerType.DATE, "The ban lasts until 2025.", "When does the ban end?", "until 2025"),
        # Two days of a month are one date.
        (AnswerType.DATE, "The draft will be held on November 20 and 21 with the rookie "
         "draft a day later.", "When is the AFL draft?", "November 20 and 21"),
        (AnswerType.DATE, "The summit runs 20-21 November in Paris.", "When is the summit?",
         "20-21 November"),
        # A title the question already says is not part of the name after it.
        (AnswerType.ENTITY, "It will get no sympathy from new Fair Work Ombudsman "
         "Anna Booth.", "Who is Australia's new Fair Work Ombudsman?", "Anna Booth"),
        (AnswerType.ENTITY, "Former U.S. Ambassador to NATO Kurt Volker told CNBC so.",
         "Which former U.S. ambassador to NATO told CNBC?", "Kurt Volker"),
        # ... said as the question writes it: "WIN" is not the question's "win".
        (AnswerType.ENTITY, "The Hawks won at WIN Entertainment Centre on Thursday.",
         "Which arena saw the Hawks' win?", "WIN Entertainment Centre"),
        (AnswerType.PLACE, "The contractor was killed near Kirkuk in December.",
         "Where was the contractor killed?", "Kirkuk"),
        # A place and the one after its comma are one place, unless a list goes on.
        (AnswerType.PLACE, "He was streaming from Brisbane, Australia, when it happened.",
         "Where was he streaming from?", "Brisbane, Australia"),
        (AnswerType.PLACE, "Talks in Doha, Cairo and Amman went on.", "Where were talks held?",
         "Doha"),
        (AnswerType.PLACE, "Talks in Doha, Cairo, Amman went on.", "Where were talks held?",
         "Doha"),
        (AnswerType.ENTITY, "However, Sam Bankman-Fried told the court that FTX was fine.",
         "Who is the founder on trial?", "Sam Bankman-Fried"),
        # A question that asks what something is called takes a quoted term, in lower case too.
        (AnswerType.ENTITY, 'At NHL betting sites, the "puck line" is akin to the point spread.',
         "What do NHL betting sites call hockey's version of the point spread?", "puck line"),
        (AnswerType.ENTITY, "If there's a tie in a moneyline bet, it is referred to as a “push.”",
         "What is it called when a moneyline bet ends in a tie?", "push"),
    ],
)
def test_values_of(kind: AnswerType, sentence: str, question: str, first: str) -> None:
    assert values_of(kind, sentence, question)[0] == first


@pytest.mark.parametrize(
    ("sentence", "question", "values"),
    [
        # "How much" never asks an age; "how much was the deal" asks a sum of money.
        ("The 26-year-old avoided arbitration and signed a $9.95 million contract.",
         "How much was the one-year deal Torres signed?", ["$9.95 million"]),
        ("At 31, she lifted 140 kilograms.", "How much did she lift?", ["140 kilograms"]),
        ("The card's annual fee is $99 after a first year at 0.", "How much is the annual fee?",
         ["$99"]),
        ("At 31, she lifted 140 kilograms.", "How old was she?", ["31"]),
        ("It looked cool and, at $299, was reasonably priced.", "How much does it cost?",
         ["$299"]),
        # "How much money" asks a sum, also after a phrase that sets the scene
        ("He wanted ten houses and took $413 million.",
         "At the trial, how much money went to him?", ["$413 million"]),
        ("He wanted ten houses and took $413 million.", "How much did he want?",
         ["ten", "$413 million"]),
        ("Converse sales rose 16% to $590 million.", "How much did Converse bring in?",
         ["$590 million"]),
    ],
)
def test_the_figures_a_question_can_ask(sentence: str, question: str, values: list[str]) -> None:
    assert values_of(AnswerType.NUMBER, sentence, question) == values


def test_no_value_the_question_already_names() -> None:
    assert values_of(AnswerType.ENTITY, "Pompeo said so.", "What did Pompeo say?") == []
    assert values_of(AnswerType.NUMBER, "One of the most radical factions.", "How many?") == []


@pytest.mark.parametrize(
    ("sentence", "question", "echo"),
    [
        ("The State Department told Congress the presence is conditions-based.",
         "Did the State Department tell Congress the presence is conditions-based?", True),
        ("David Helvey told Congress the presence is conditions-based.",
         "Who told Congress the presence is conditions-based?", False),
    ],
)
def test_echoes(sentence: str, question: str, echo: bool) -> None:
    assert echoes(sentence, question) is echo


@pytest.mark.parametrize(
    ("sentence", "bare"),
    [
        ("The State Department", True),
        ("Secretary of State Mike Pompeo", True),
        ("Pompeo warned the Iraqi prime minister on Sunday.", False),
    ],
)
def test_bare_name(sentence: str, bare: bool) -> None:
    assert bare_name(sentence) is bare


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Secretary of State Mike Pompeo", "only names, no statement"),
        ("Katyusha rockets were aimed at the US embassy.", "echoes the question"),
        ("Rockets were aimed at the embassy by militias in Baghdad.", "holds no number"),
        ("Three Katyusha rockets fell near the Green Zone on Monday.", None),
    ],
)
def test_why_not_an_answer(sentence: str, reason: str | None) -> None:
    plan = read_question("How many Katyusha rockets were aimed at the US embassy?", [])
    got = why_not_an_answer(sentence, plan)
    assert (got is None) if reason is None else (got is not None and got.startswith(reason))


def test_a_repeat_is_not_an_answer() -> None:
    plan = read_question("Why did the US threaten to close its embassy?", [])
    first = "The US threatened to close the embassy over rocket attacks by militias."
    assert why_not_an_answer(first, plan) is None
    assert why_not_an_answer(first, plan, [first]) == "repeats an earlier sentence"


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("Using Caroline Ellison as a witness, prosecutors argued.", ["Caroline Ellison"]),
        # ... also where a full stop the splitter did not cut at ends the sentence before
        ("It was his fund, argued Rehn. Using Caroline Ellison as a front, he took it.",
         ["Rehn", "Caroline Ellison"]),
        # ... and a verb alone that opens a sentence is no name; a city in -ing is one
        ("Setting it apart from the rest, BetMGM streams games.", ["BetMGM"]),
        ("Beijing said it would respond. Bowing to pressure, Apple quit.", ["Beijing", "Apple"]),
        ("Though India won, Kenya played well.", ["India", "Kenya"]),
        ("However, Peyton Manning threw.", ["Peyton Manning"]),
        # Only the sentence's opening verb goes: inside, the words are the name's own.
        ("He joined Reading FC in 2019.", ["Reading FC"]),
        # A title before a name is not the name; a name that only begins like one keeps it.
        ("Former FTX Co-Founder Sam Bankman-Fried spoke.", ["Sam Bankman-Fried"]),
        ("Attorney General Merrick Garland said so.", ["Merrick Garland"]),
        ("General Motors CEO Mary Barra said so.", ["Mary Barra"]),
        ("Secretary of State Mike Pompeo spoke.", ["Secretary of State Mike Pompeo"]),
        ("Sir Alex Ferguson and General Electric Company met.",
         ["Sir Alex Ferguson", "General Electric Company"]),
        ("Two of Sam Bankman-Fried’s friends testified.", ["Sam Bankman-Fried"]),
        ("I’ve said Kenya won.", ["Kenya"]),
        ("We’ve reached out to Tan. They’re sure.", ["Tan"]),
        ("It was in October the Commission wrote.", ["Commission"]),
        # An initial inside a name is part of it; a sentence's end is not.
        ("The book, edited by David W. Orr, is out from MIT Press.", ["David W. Orr", "MIT Press"]),
        ("He met Biden. Then Trump spoke.", ["Biden", "Trump"]),
        ("They beat Mexico under Jaime Lozano B. You could see why.", ["Mexico", "Jaime Lozano"]),
        # a live blog's time zone is no part of the name after it
        ("29 Oct 2023 03.08 GMT The Arizona Diamondbacks win", ["Arizona Diamondbacks"]),
    ],
)
def test_entities_in(sentence: str, names: list[str]) -> None:
    assert entities_in(sentence) == names


FLAGS = ("Demonstrators torched US flags in the Shiite-dominated southern cities of Basra and "
         "Najaf, and in Kirkuk north of Baghdad.")


@pytest.mark.parametrize(
    ("sentence", "places"),
    [
        (FLAGS, ["Basra", "Najaf", "Kirkuk"]),
        ("He flew from London to Paris and Berlin.", ["London", "Paris", "Berlin"]),
        ("Talks in Doha, Cairo and Amman went on.", ["Doha", "Cairo", "Amman"]),
        ("Apple and Google met in Cupertino.", ["Cupertino"]),
        ("Crowds gathered in the town of Kidal.", ["Kidal"]),
        ("Rockets were fired by Iran-backed militias in Iraq.", ["Iraq"]),
    ],
)
def test_places_in(sentence: str, places: list[str]) -> None:
    assert places_in(sentence) == places


@pytest.mark.parametrize(
    ("value", "others", "listed"),
    [
        ("Basra", ["Najaf", "Kirkuk", "Baghdad"], ["Najaf", "Kirkuk"]),
        ("Najaf", ["Basra", "Kirkuk"], ["Kirkuk"]),
        ("Kirkuk", ["Basra", "Baghdad"], []),  # "north of Baghdad" is no list
    ],
)
def test_listed_with(value: str, others: list[str], listed: list[str]) -> None:
    assert listed_with(value, FLAGS, others) == listed


@pytest.mark.parametrize(
    ("value", "question", "new"),
    [
        ("CEO Caroline Ellison", "Who told Caroline Ellison to take the money?", False),
        ("Sam Bankman-Fried", "Who told Caroline Ellison to take the money?", True),
        ("Caroline Ellison", "Who testified against Sam Bankman-Fried?", True),
        ("CEO", "Who is the CEO of Alameda?", False),
        # The name an abbreviation of the question stands for is the question's own.
        ("Indian Premier League", "Which IPL team bought Pat Cummins?", False),
        ("Sunrisers Hyderabad", "Which IPL team bought Pat Cummins?", True),
    ],
)
def test_new_to(value: str, question: str, new: bool) -> None:
    assert new_to(value, question) is new


@pytest.mark.parametrize(
    ("value", "after", "label"),
    [
        ("Published", " 27 October", True),
        ("Updated", " March 5, 2023", True),
        ("Ahmed", " said on Monday", False),
        ("Jones", " 27 October", False),  # a name is not a past tense
    ],
)
def test_dateline(value: str, after: str, label: bool) -> None:
    assert dateline(value, after) is label


@pytest.mark.parametrize(
    ("question", "naming"),
    [
        ("What do NHL betting sites call hockey's version of the point spread?", True),
        ("What is it called when a moneyline bet ends in a tie?", True),
        ("What was Ghana's AfroFuture festival formerly known as?", True),
        ("What nickname is given to the Permian-Triassic mass extinction?", True),
        ("What is the name of the pilgrim-masked killer in Thanksgiving?", True),
        # "call for" is a demand, not a name; a term limit is no term asked for
        ("What did the COP28 agreement call for?", False),
        ("What is the term limit for senators?", False),
        ("What is the first letter of the name of the company?", False),
        ("Who was called into the squad?", False),
    ],
)
def test_naming_question(question: str, naming: bool) -> None:
    assert naming_question(question) is naming


@pytest.mark.parametrize(
    ("sentence", "terms"),
    [
        ('At NHL betting sites, the "puck line" is akin to the point spread.', ["puck line"]),
        ("It is typically referred to as a “push.”", ["push"]),
        # a quoted remark is no term; nor is a term the question already says
        ("He said “we will win this game and the next one” on Friday.", []),
        ('The "moneyline" and the "spread" differ.', ["spread"]),
    ],
)
def test_term_spans(sentence: str, terms: list[str]) -> None:
    question = "What is the moneyline called?"
    assert [sentence[a:b] for a, b in term_spans(sentence, question)] == terms


@pytest.mark.parametrize(
    ("sentence", "question", "names"),
    [
        # what a sentence calls something is the name asked for, not the names about it
        ("It pays to book through the Fly Delta app and get a 15% discount called Takeoff15.",
         "What is the discount called that cardholders get?", ["Takeoff15"]),
        ("The bet is referred to as a “push.” Bettors get their Money back.",
         "What is it called when a bet ends in a tie?", ["push"]),
        # without such a word, every name is a candidate
        ("It pays to book through the Fly Delta app to get the Takeoff15 discount.",
         "What is the discount called that cardholders get?", ["Fly Delta", "Takeoff15"]),
        # and a question that asks no name keeps them all
        ("It pays to book through the Fly Delta app and get a 15% discount called Takeoff15.",
         "Who offers the discount?", ["Fly Delta", "Takeoff15"]),
    ],
)
def test_a_name_asked_for_is_what_the_sentence_calls_it(sentence: str, question: str,
                                                       names: list[str]) -> None:
    assert values_of(AnswerType.ENTITY, sentence, question) == names


@pytest.mark.parametrize(
    ("question", "dates"),
    [
        # a question that asks the year takes a year alone ("the 1976 Draft")
        ("Since which year's draft has the title been given?", ["1976", "in 2023"]),
        ("In what year did it start?", ["1976", "in 2023"]),
        ("When did it start?", ["in 2023"]),
        ("What decade is it like?", []),
    ],
)
def test_years_alone_answer_what_year(question: str, dates: list[str]) -> None:
    sentence = "It has been a staple since the 1976 Draft, and in 2023 it cost $2019."
    assert values_of(AnswerType.DATE, sentence, question) == dates


@pytest.mark.parametrize(
    ("sentence", "part", "whole"),
    [
        # "five of the Rangers' first 10 runs": five is a part of the 10
        ("Semien drove in five of the Rangers' first 10 runs.", "five", "10"),
        ("He lost one of his 17 encounters.", "one", "17"),
        ("He drove in five runs of 10.", "five", None),
    ],
)
def test_a_part_and_its_whole(sentence: str, part: str, whole: str | None) -> None:
    end = total_after(sentence, sentence.index(part) + len(part))
    if whole is None:
        assert end is None
    else:
        at = sentence.index(whole)
        assert end == at + len(whole)
        assert is_a_total(sentence, at) and not is_a_total(sentence, sentence.index(part))


def test_a_decade_answers_what_decade() -> None:
    sentence = "Economists said the 1990s, not the '70s or 2008, are the better comparison."
    found = values_of(AnswerType.DATE, sentence, "Which decade is the better comparison?")
    assert sorted(found) == ["'70s", "1990s"]  # not 2008
