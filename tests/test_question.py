"""Reading a question: answer type, relation, parts with their own constraints. Pure."""

from __future__ import annotations

import pytest

from rag.answer.question import (
    AnswerType,
    Part,
    Relation,
    attribution_terms,
    claim_terms,
    names_in,
    order_of,
    read_question,
)
from rag.grounding.text import content_terms

OUTLETS = ["techcrunch", "verge", "fortune", "sporting news", "new york times", "engadget"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many Katyusha rockets were aimed at the US embassy?", AnswerType.NUMBER),
        ("How much will the new opening hours cost?", AnswerType.NUMBER),
        ("What percentage of voters backed the plan?", AnswerType.NUMBER),
        ("When was Soleimani killed?", AnswerType.DATE),
        ("In what year did the war begin?", AnswerType.DATE),
        ("Where was the contractor killed?", AnswerType.PLACE),
        ("Which city hosted the summit?", AnswerType.PLACE),
        # The wh-word after a preposition, a place asked in the plural
        ("In which cities did demonstrators torch US flags?", AnswerType.PLACE),
        ("For which team does Kane play?", AnswerType.ENTITY),
        ("To whom did Pompeo speak after the strikes?", AnswerType.ENTITY),
        ("In what year was the exchange founded?", AnswerType.DATE),
        ("By how much did sales rise?", AnswerType.NUMBER),
        ("Who told Congress that the force presence is conditions-based?", AnswerType.ENTITY),
        ("Which company was sued by Epic Games?", AnswerType.ENTITY),
        ("What is the name of the exchange that collapsed?", AnswerType.ENTITY),
        ("Considering reports by Fortune, which company faces an antitrust suit?",
         AnswerType.ENTITY),
        ("Does the TechCrunch article report a rise in revenue?", AnswerType.YES_NO),
        ("Was the embassy attacked, or not?", AnswerType.YES_NO),
        ("Between the Fortune report and the TechCrunch report, was there consistency in "
         "the portrayal of the founder?", AnswerType.YES_NO),
        ("Did Engadget report the discount before The Verge reported the sale?",
         AnswerType.ORDER),
        ("Before The New York Times reported the loss, did Sporting News praise the team?",
         AnswerType.ORDER),
        ("Roughly how many people attended the final?", AnswerType.NUMBER),
        ("What was the Swans' average home attendance last season?", AnswerType.NUMBER),
        ("What was the final score of the game?", AnswerType.NUMBER),
        # A measure: its figure and unit are the answer, not a description.
        ("How tall is Victor Wembanyama?", AnswerType.NUMBER),
        ("How heavy was the satellite?", AnswerType.NUMBER),
        ("What is the height of the new tower?", AnswerType.NUMBER),
        ("What was the name of the new record label?", AnswerType.ENTITY),
        ("Since when has the company been public?", AnswerType.DATE),
        ("By what year does the plan aim to cut emissions?", AnswerType.DATE),
        ("What was the festival formerly known as?", AnswerType.ENTITY),
        # a term asked for, which may be in lower case ("puck line")
        ("What do betting sites call hockey's version of the point spread?", AnswerType.ENTITY),
        ("What is it called when a moneyline bet ends in a tie?", AnswerType.ENTITY),
        ("What did the agreement call for?", AnswerType.DESCRIPTION),
        ("Why did the United States threaten to close its embassy?", AnswerType.DESCRIPTION),
        ("What happened after the contractor was killed?", AnswerType.OVERVIEW),
        ("What's new with the Steam Deck OLED?", AnswerType.OVERVIEW),
        ("Any news on the Cruise robotaxis?", AnswerType.OVERVIEW),
        ("What is the EU doing about Elon Musk's X?", AnswerType.OVERVIEW),
        ("What's in Biden's AI executive order?", AnswerType.OVERVIEW),
        ("How has Google's Gemini been received?", AnswerType.OVERVIEW),
        ("How was the Beeper Mini received?", AnswerType.OVERVIEW),
        ("How much was the receiver paid?", AnswerType.NUMBER),
        ("Give me an update on the FTX trial", AnswerType.OVERVIEW),
        ("Catch me up on the Michigan sign-stealing scandal", AnswerType.OVERVIEW),
        ("What is new in the Steam Deck OLED's screen?", AnswerType.OVERVIEW),
        ("What new feature did the Steam Deck OLED get?", AnswerType.ENTITY),
        # a day or a deadline asked for; a name asked for by "called" or "'s name"; a
        # rank ("number one") is no figure
        ("What's the last day to ship a gift with UPS Next Day Air?", AnswerType.DATE),
        ("What is the deadline for the applications?", AnswerType.DATE),
        ("What is the day's biggest story?", AnswerType.DESCRIPTION),
        ("What is Sequoia Capital China called now that it has split off?", AnswerType.ENTITY),
        ("What was Alameda Research's internal name before?", AnswerType.ENTITY),
        ("What was the number one search term on Bing in 2021?", AnswerType.DESCRIPTION),
        ("What was the number of search terms on Bing in 2021?", AnswerType.NUMBER),
        # the thing that did something is a name asked for; what it said is not
        ("In the newsletter, what third-party Reddit app said it hopes to survive?",
         AnswerType.ENTITY),
        ("What startup won the award?", AnswerType.ENTITY),
        ("What Apple said about the iPhone", AnswerType.DESCRIPTION),
        # a time that says which thing is meant orders no two events
        ("Does the headset that was on sale after Prime Day work with Xbox consoles?",
         AnswerType.YES_NO),
        ("Was the headset on sale after Prime Day?", AnswerType.ORDER),
        ("What exactly happened to him?", AnswerType.DESCRIPTION),
        ("What evidence showed that?", AnswerType.DESCRIPTION),
        # "What's" is read as "What is"
        ("What's the name of the podcast Travis Kelce hosts?", AnswerType.ENTITY),
        ("What’s the starting price of the Echo Frames?", AnswerType.NUMBER),
        ("What's been moving the ASX?", AnswerType.DESCRIPTION),
    ],
)
def test_answer_type(question: str, kind: AnswerType) -> None:
    assert read_question(question, OUTLETS).answer_type is kind


@pytest.mark.parametrize(
    ("question", "relation"),
    [
        ("Does the TechCrunch article say X, while the Verge article says Y?", Relation.ALL),
        ("Was the portrayal in the Fortune report consistent with the later TechCrunch "
         "report?", Relation.CONSISTENT),
        ("Has the portrayal of the founder changed between the two TechCrunch reports?",
         Relation.CHANGED),
        ("Is the information about the transfer consistent or inconsistent?",
         Relation.CONSISTENT),
        ("Did Engadget report X before The Verge reported Y?", Relation.BEFORE),
    ],
)
def test_relation(question: str, relation: Relation) -> None:
    assert read_question(question, OUTLETS).relation is relation


def test_a_comparison_has_one_part_per_side_with_its_own_outlet() -> None:
    plan = read_question(
        "Does the TechCrunch article on software companies report rising revenue, while "
        "the Fortune article on shipping reports falling profits?",
        OUTLETS,
    )
    assert [p.sources for p in plan.parts] == [("techcrunch",), ("fortune",)]
    assert "software" in plan.parts[0].text and "shipping" in plan.parts[1].text


def test_each_part_keeps_its_own_date() -> None:
    plan = read_question(
        "Between the Sporting News report on the injury published on November 11, 2023, and "
        "the Sporting News report on the return published on December 21, 2023, was the "
        "reporting consistent?",
        OUTLETS,
    )
    assert len(plan.parts) == 2
    first, second = (p.date_ranges[0] for p in plan.parts)
    assert first[1] < second[0]


def test_one_claim_borne_out_by_several_outlets_is_one_part_per_outlet() -> None:
    plan = read_question(
        "Who is the individual facing a fraud trial, as reported by both The Verge and "
        "TechCrunch?",
        OUTLETS,
    )
    assert sorted(p.sources for p in plan.parts) == [("techcrunch",), ("verge",)]
    assert len({p.text for p in plan.parts}) == 1


def test_a_list_of_outlets_is_not_a_list_of_claims() -> None:
    plan = read_question(
        "Who is the individual covered by sources like Fortune, and TechCrunch, and accused "
        "of fraud?",
        OUTLETS,
    )
    assert all(len(p.text.split()) > 3 for p in plan.parts)


def test_a_question_without_outlets_or_dates_is_one_part() -> None:
    plan = read_question("How many Katyusha rockets were aimed at the US embassy?", OUTLETS)
    assert len(plan.parts) == 1 and not plan.parts[0].sources


@pytest.mark.parametrize(
    ("question", "order"),
    [
        ("Did Engadget report X before The Verge reported Y?", (0, 1)),
        ("Did Engadget report X after The Verge reported Y?", (1, 0)),
        ("Before The Verge reported Y, did Engadget report X?", (1, 0)),
        ("After The Verge reported Y, did Engadget report X?", (0, 1)),
    ],
)
def test_order_of_the_parts(question: str, order: tuple[int, int]) -> None:
    plan = read_question(question, OUTLETS)
    assert len(plan.parts) == 2
    assert order_of(question, plan.parts) == order


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("What did Camp Taji see after the Hezbollah Brigades attack?",
         ["Camp Taji", "Hezbollah Brigades"]),
        ("The film \"The First Time\" was reviewed", ["The First Time"]),
        ("However, nothing happened", []),
        # A surname's particle is part of it, before the name or inside it.
        ("Of the top-order, de Kock scored most", ["de Kock"]),
        ("He met Ursula von der Leyen in Brussels", ["Ursula von der Leyen", "Brussels"]),
        ("Erik ten Hag said so", ["Erik ten Hag"]),
        # Letters beyond ASCII, at a name's end or its start
        ("It was spotted by technologist Danny Mekić last month", ["Danny Mekić"]),
        ("Mesut Özil and Ángel Di María played", ["Mesut Özil", "Ángel Di María"]),
    ],
)
def test_names_in(text: str, names: list[str]) -> None:
    found = names_in(text)
    assert set(names) <= set(found) and bool(found) == bool(names)


def test_the_plan_describes_each_part() -> None:
    plan = read_question("Does the TechCrunch article say X, while Fortune says Y?", OUTLETS)
    lines = plan.describe()
    assert lines[0] == "answer type: yes/no"
    assert any("outlet techcrunch" in line for line in lines)


@pytest.mark.parametrize(
    ("part", "claim"),
    [
        # The outlet and the date are met by the passages' metadata, not their words.
        (Part("the TechCrunch report on Sam Bankman-Fried's trial published on October 2, 2023",
              ("techcrunch",)), "Sam Bankman-Fried's trial"),
        # How an article treats a claim, and how two reports relate, are framing.
        (Part("Does the Guardian article suggest that Scott McTominay is the tactical leader",
              ("guardian",)), "Scott McTominay tactical leader"),
        (Part("was there a change in the portrayal of Google's business practices"),
         "Google's business practices"),
        (Part("before September 26, 2023"), ""),
    ],
)
def test_claim_terms(part: Part, claim: str) -> None:
    assert claim_terms(part) == set(content_terms(claim))


@pytest.mark.parametrize(
    "question",
    [
        "Between the report by The Verge on Apple's search deal published before September "
        "26, 2023, and the report by TechCrunch on the antitrust suit against Google "
        "published after that date, was there a change in the portrayal of Google?",
        "Did both the Sporting News report on the injury and the Engadget report on the "
        "console say the same thing?",
    ],
)
def test_a_piece_that_claims_nothing_joins_a_part(question: str) -> None:
    plan = read_question(question, OUTLETS)
    assert all(claim_terms(p) for p in plan.parts)
    assert len(plan.parts) >= 2


@pytest.mark.parametrize(
    ("question", "publication"),
    [
        # A date said of a report is when it was published: the part's search keeps to it.
        ("What did the TechCrunch article published on October 5, 2023 say about Apple?", True),
        ("Which company was reported in November 2023 to be cutting jobs?", True),
        # Any other date is when the event happened: reports of it come later.
        ("How many commercial jets did Boeing deliver in September 2023?", False),
        ("Who won the election held in January 2020?", False),
    ],
)
def test_a_date_filters_publication_only_when_said_of_a_report(question: str,
                                                               publication: bool) -> None:
    plan = read_question(question, OUTLETS)
    assert bool(plan.parts[0].date_ranges) is publication


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("According to Polygon's gift guide, do Vudu gift cards expire", "Polygon guide"),
        # a word the claim says too stays the claim's
        ("According to the Cybertruck explainer, does the Cybertruck seat six", "explainer"),
        ("Do Vudu gift cards expire, according to the Polygon guide", "Polygon guide"),
        ("Do Vudu gift cards expire", ""),
    ],
)
def test_attribution_terms(text: str, terms: str) -> None:
    assert attribution_terms(text) == set(content_terms(terms))
