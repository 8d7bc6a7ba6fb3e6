"""Composing answers from judged evidence, on made-up passages. Pure given a similarity."""

from __future__ import annotations

import pytest

from rag.answer.compose import best_quotes, compose, not_borne_out
from rag.answer.evidence import Gathered, PartEvidence, judge_parts
from rag.answer.plan import Part
from rag.answer.question import read_question
from rag.grounding.passages import Passage
from rag.grounding.quotes import Candidate
from rag.grounding.similarity import CachedSimilarity
from tests.support.fakes import HashEmbedding


def _passage(n: int, text: str, title: str = "Iraq", source: str = "Wire") -> Passage:
    return Passage(n, f"d{n}", f"d{n}:0", title, text, source=source, published_at="2020-01-08")


@pytest.fixture(scope="module")
def sim() -> CachedSimilarity:
    return CachedSimilarity(HashEmbedding())


def _answer(question: str, passages: list[Passage], sim: CachedSimilarity) -> list[str]:
    plan = read_question(question, [])
    gathered = Gathered(passages, [PartEvidence(p) for p in plan.parts])
    judge_parts(gathered, question, sim)
    return [s.text for s in compose(plan, gathered, sim).sentences]


def test_a_name_in_a_list_before_another_is_not_what_is_asked_for(
    sim: CachedSimilarity,
) -> None:
    passages = [
        _passage(1, "Pompeo spoke with Iraqi Prime Minister Adel Abdul-Mahdi about attacks."),
        _passage(2, "Missiles hit bases that host Iraqi, American and coalition forces, "
                    "Pompeo said in a call with Iraqi Prime Minister Mohammed al Sudani."),
    ]
    first = _answer("Which Iraqi prime ministers did Pompeo speak with about attacks?",
                    passages, sim)[0]
    assert "Abdul-Mahdi" in first and "American" not in first


def test_places_asked_in_the_plural_are_all_the_sentence_lists(sim: CachedSimilarity) -> None:
    passages = [_passage(1, "Demonstrators torched US flags in the Shiite-dominated southern "
                            "cities of Basra and Najaf, and in Kirkuk north of Baghdad.")]
    first = _answer("In which cities did demonstrators torch US flags?", passages, sim)[0]
    assert first.startswith("Basra, Najaf and Kirkuk")


@pytest.mark.parametrize(
    ("first", "quoted"),
    [
        # The best sentence covers the question: a second adds nothing.
        ("Pompeo threatened to close the embassy in Baghdad over the attacks.", 1),
        # It leaves much of it uncovered: the next, nearly as good, is quoted too.
        ("Pompeo threatened to close it over the attacks.", 2),
    ],
)
def test_a_second_quote_only_when_the_first_leaves_the_question_uncovered(
    first: str, quoted: int
) -> None:
    second = "Officials said the embassy in Baghdad was at risk."
    ranked = [Candidate(p, (0, len(p.text)), score)
              for p, score in ((_passage(1, first), 0.9), (_passage(2, second), 0.85))]
    question = "Why did Pompeo threaten to close the embassy in Baghdad?"
    assert len(best_quotes(ranked, 2, question)) == quoted


def test_a_second_quote_must_add_words_of_the_question() -> None:
    first = "Pompeo threatened to close it over the attacks."
    ranked = [Candidate(p, (0, len(p.text)), score)
              for p, score in ((_passage(1, first), 0.9), (_passage(2, first + " Again."), 0.85))]
    question = "Why did Pompeo threaten to close the embassy in Baghdad?"
    assert len(best_quotes(ranked, 2, question)) == 1


def test_each_passage_text_is_quoted_once() -> None:
    from rag.answer.compose import without_overlaps
    from rag.grounding.quotes import quote

    text = "Haaland is six goals from Norway's record. It was set by Jorgen Juve. Other news."
    p = Passage(1, "d", "d:0", "t", text, source="Wire")
    it, news = text.index("It was"), text.index("Other")
    first = Candidate(p, (0, it - 1), 0.9)  # the sentence before
    pair = Candidate(p, (0, news - 1), 0.8, context=it)  # read with it
    other = Candidate(p, (news, len(text)), 0.5)
    inside = Candidate(p, (it, news - 1), 0.4)
    kept = without_overlaps([quote(first), quote(pair), quote(other), quote(inside)])
    # The pair takes the place of the sentence it holds; a quote inside it is dropped.
    assert [s.evidence for s in kept] == [{1: pair.span}, {1: other.span}]
    assert pair.own_text == "It was set by Jorgen Juve."


def test_a_sentence_two_overlapping_passages_hold_is_quoted_once() -> None:
    from rag.answer.compose import without_overlaps
    from rag.grounding.quotes import quote

    text = "The Warriors traded Jordan Poole to the Wizards."
    one = Passage(1, "d", "d:0", "t", "Earlier news. " + text, source="Wire")
    two = Passage(2, "d", "d:1", "t", text + " Later news.", source="Wire")
    a = Candidate(one, (14, len(one.text)), 0.9)
    b = Candidate(two, (0, len(text)), 0.8)
    kept = without_overlaps([quote(a), quote(b)])
    assert [s.evidence for s in kept] == [{1: a.span}]


@pytest.mark.parametrize(
    ("part", "note"),
    [
        # The outlet as the articles write it, and the question itself as "this".
        (Part("Who said so, as reported by The Verge, and did Fortune report a fine?",
              ("verge",)),
         "No indexed article from The Verge bears this out."),
        # A part in its own words; an outlet no passage is from, as the question names it.
        (Part("did Fortune report a fine", ("fortune",)),
         "No indexed article from Fortune bears out “did Fortune report a fine”."),
    ],
)
def test_a_part_no_passage_bears_out_is_named_as_a_reader_would(part: Part, note: str) -> None:
    passage = Passage(1, "d1", "d1:0", "t", "Text.", source="The Verge",
                      published_at="2023-10-01")
    gathered = Gathered([passage], [PartEvidence(part)])
    question = "Who said so, as reported by The Verge, and did Fortune report a fine?"
    assert not_borne_out(gathered.parts[0], gathered, question).text == note


def test_without_a_short_answer_the_sentence_holding_the_value_is_quoted_first(
    sim: CachedSimilarity,
) -> None:
    # The heading repeats the question and ranks first; the sentence that answers
    # names the stadium but none of the question's words.
    passages = [_passage(1, "Military Bowl Presented by GoBowling.com: Virginia Tech vs. "
                            "Tulane\nBettors could see a new trend this week in the bowls.\n"
                            "The game will take place at the Navy-Marine Corps Memorial "
                            "Stadium in Annapolis, MD.", title="College bowl odds")]
    question = "Where is the Military Bowl between Virginia Tech and Tulane played?"
    plan = read_question(question, [])
    gathered = Gathered(passages, [PartEvidence(p) for p in plan.parts])
    judge_parts(gathered, question, sim)
    composed = compose(plan, gathered, sim)
    assert gathered.parts[0].ranked[0].text.startswith("Military Bowl")
    assert "Navy-Marine Corps" in composed.sentences[0].text
    assert not any("GoBowling" in s.text for s in composed.sentences)  # the heading is not
    assert composed.lead is not None or "quoted first" in composed.lead_note


def test_a_passage_of_headings_alone_is_still_quoted(sim: CachedSimilarity) -> None:
    passages = [_passage(1, "Military Bowl: Virginia Tech vs. Tulane\nKickoff at Navy-Marine "
                            "Corps Memorial Stadium, Annapolis")]
    question = "Where is the Military Bowl between Virginia Tech and Tulane played?"
    plan = read_question(question, [])
    gathered = Gathered(passages, [PartEvidence(p) for p in plan.parts])
    judge_parts(gathered, question, sim)
    composed = compose(plan, gathered, sim)
    assert not composed.abstained and composed.sentences
    assert any("Military Bowl" in s.text or "Navy-Marine" in s.text for s in composed.sentences)


_TRIAL = ("Who is the individual facing a criminal trial for fraud as reported by TechCrunch, "
          "and persuaded a former colleague from Jane Street to join his ventures as noted by "
          "Fortune?")


@pytest.mark.parametrize(
    ("fortune_title", "lead"),
    [
        # Fortune's sentence says "he"; its headline names him, as TechCrunch's text does.
        ("Is Sam Bankman-Fried a bad man? Lawyers swap opening statements", "Bankman-Fried"),
        ("Lawyers swap opening statements", None),
    ],
)
def test_a_question_that_describes_its_answer_gets_what_every_part_is_about(
    sim: CachedSimilarity, fortune_title: str, lead: str | None
) -> None:
    passages = [
        _passage(1, "Matt Huang of Paradigm said the criminal trial of Sam Bankman-Fried for "
                    "fraud starts Tuesday. Matt Huang will testify.", "The trial starts",
                 "TechCrunch"),
        _passage(2, "After he left Jane Street, he persuaded Yedidia, a former colleague, to "
                    "join him at Alameda. Yedidia was a trader.", fortune_title, "Fortune"),
    ]
    plan = read_question(_TRIAL, ["TechCrunch", "Fortune"])
    assert len(plan.parts) == 2
    gathered = Gathered(passages, [PartEvidence(p, [f"d{n}:0"])
                                   for n, p in enumerate(plan.parts, start=1)])
    judge_parts(gathered, _TRIAL, sim)
    composed = compose(plan, gathered, sim)
    if lead is None:
        assert composed.lead is None
    else:
        assert composed.lead is not None and lead in composed.lead, composed.lead_note
        assert lead in composed.sentences[0].text


def _sentences(p: Passage) -> list[Candidate]:
    spans, start = [], 0
    for sentence in p.text.split("\n"):
        spans.append((start, start + len(sentence)))
        start += len(sentence) + 1
    return [Candidate(p, span, 1.0 - k / 10) for k, span in enumerate(spans)]


@pytest.mark.parametrize("among", [True, False])  # among the quotes already / not among them
def test_the_sentence_of_a_withheld_lead_is_among_the_quotes(among: bool) -> None:
    from rag.answer.compose import answering_quotes

    passage = _passage(1, "Without Messi, Inter Miami lost 4-1 to the Chicago Fire.\n"
                          "Inter Miami's playoff hopes are now on life support.\n"
                          "The club is winless in four games with Messi out injured.\n"
                          "Shaqiri scored twice in front of a record crowd at Soldier Field.")
    ranked = _sentences(passage)
    plan = read_question("Where did the Chicago Fire beat Inter Miami 4-1?", [])
    plain, _ = answering_quotes(plan, ranked, 2)
    held = next(i for i, c in enumerate(ranked)
                if any(c.text in q.text for q in plain) == among)
    quoted, _ = answering_quotes(plan, ranked, 2, ranked[held])
    texts = [q.text for q in quoted]
    assert len(quoted) == len(plain) == 2
    assert any(ranked[held].text in t for t in texts)
    if among:
        assert texts == [q.text for q in plain]  # quoted already: nothing changes
    else:
        assert texts[0] == plain[0].text and ranked[held].text in texts[1]  # the last place
