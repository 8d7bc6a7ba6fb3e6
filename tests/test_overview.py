"""Open questions ("What happened to X?", "Tell me about Y") get a short overview: cited
sentences from several articles, in time order, the latest last."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.outlets import short_outlet
from rag.answer.overview import (
    MAX_WORDS,
    PER_ARTICLE,
    choose,
    latest_outcome,
    overview,
    searches,
    within_words,
)
from rag.answer.question import AnswerType, answer_type
from rag.grounding.passages import Passage
from rag.grounding.quotes import Candidate, rank_sentences
from rag.grounding.similarity import CachedSimilarity
from tests.support.fakes import HashEmbedding


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What happened to Sam Bankman-Fried?", AnswerType.OVERVIEW),
        ("What's going on with the Michigan sign-stealing scandal?", AnswerType.OVERVIEW),
        ("What is going on with OpenAI?", AnswerType.OVERVIEW),
        ("Tell me about the attacks on the US embassy in Baghdad", AnswerType.OVERVIEW),
        ("Summarize the FTX trial", AnswerType.OVERVIEW),
        ("What do the articles say about the Gaza fence?", AnswerType.OVERVIEW),
        ("What's the latest on Roblox?", AnswerType.OVERVIEW),
        ("What are people saying about the new Mario game?", AnswerType.OVERVIEW),
        ("What did Apple announce at its October event?", AnswerType.OVERVIEW),
        ("How did the USMNT do against Germany?", AnswerType.OVERVIEW),
        ("How are the Dodgers doing this season?", AnswerType.OVERVIEW),
        # The forms a separate session typed without seeing this table.
        ("What's been happening in the NBA this season?", AnswerType.OVERVIEW),
        ("How is the team doing under its new coach?", AnswerType.OVERVIEW),
        ("What's the latest in the FA Cup?", AnswerType.OVERVIEW),
        ("What's the latest news on the strike?", AnswerType.OVERVIEW),
        ("What have players said about the new rules?", AnswerType.OVERVIEW),
        ("What have studies found about sleep and memory?", AnswerType.OVERVIEW),
        ("How is the drought affecting farmers?", AnswerType.OVERVIEW),
        ("What should I know about the new tax year?", AnswerType.OVERVIEW),
        ("How is Jude Bellingham playing for Real Madrid?", AnswerType.OVERVIEW),
        # Not open: a figure, a name, a verdict, a cause.
        ("How many troops are in Iraq?", AnswerType.NUMBER),
        ("Who did Pompeo speak with?", AnswerType.ENTITY),
        ("Did the US respond to the attacks?", AnswerType.YES_NO),
        ("What caused the crash?", AnswerType.DESCRIPTION),
        ("How is poker played?", AnswerType.DESCRIPTION),
        ("How did Swift get her film into cinemas without going through a studio?",
         AnswerType.DESCRIPTION),
    ],
)
def test_open_questions_are_an_answer_type_of_their_own(question: str,
                                                        kind: AnswerType) -> None:
    assert answer_type(question) is kind


def _passage(n: int, doc: str, day: str | None, text: str) -> Passage:
    return Passage(n, doc, f"{doc}:0", f"{doc} title", text, source=f"Outlet {doc}",
                   published_at=day)


PASSAGES = [
    _passage(1, "a", "2023-10-03",
             "The trial of Sam Bankman-Fried began in Manhattan federal court on Tuesday. "
             "Prosecutors said Sam Bankman-Fried stole billions from FTX customers. "
             "Sam Bankman-Fried pleaded not guilty to the fraud charges at the trial. "
             "Sam Bankman-Fried in this courtroom sketch at the trial in Manhattan."),
    _passage(2, "b", "2023-11-03",
             "A jury convicted Sam Bankman-Fried of fraud on all seven counts at the trial. "
             "Sam Bankman-Fried faces decades in prison after the trial verdict."),
    _passage(3, "c", "2023-10-20",
             "Caroline Ellison testified that Sam Bankman-Fried directed the fraud at FTX. "
             "Sam Bankman-Fried trial updates"),
]


@pytest.fixture
def told() -> tuple[list[str], str]:
    sim = CachedSimilarity(HashEmbedding())
    question = "What happened to Sam Bankman-Fried at the trial?"
    ranked = rank_sentences(question, PASSAGES, sim)
    result = overview(question, ranked, sim)
    return [s.text for s in result.sentences], result.note


def test_an_overview_cites_several_articles_within_its_budget(
    told: tuple[list[str], str],
) -> None:
    texts, note = told
    assert 3 <= len(texts) <= 5
    outlets = {t.split(" (")[0].removeprefix("The latest: ") for t in texts}
    assert len(outlets) >= 2
    assert all(sum(o in t for t in texts) <= PER_ARTICLE for o in outlets)
    assert sum(len(t.split()) for t in texts) <= MAX_WORDS + 20 * len(texts)  # + attributions
    assert "sentences from" in note


def test_an_overview_leaves_out_captions_and_headings(told: tuple[list[str], str]) -> None:
    texts, _ = told
    assert not any("courtroom sketch" in t or "trial updates" in t for t in texts)


def test_what_happened_to_opens_with_the_outcome_then_tells_the_rest_in_time_order(
    told: tuple[list[str], str],
) -> None:
    texts, _ = told
    assert "A jury convicted" in texts[0]  # the latest outcome, not the plea a month before
    days: list[int] = []
    for t in texts[1:]:
        # A quote right after one of its article's has no outlet and date of its own.
        run_on = t.removeprefix("The latest: ").startswith("“")
        days.append(days[-1] if run_on and days else
                    3 if "(3 October" in t else 20 if "(20 October" in t else 34)
    assert days == sorted(days)
    # An article's sentences in its own order: the trial began, then the plea.
    began = next(i for i, t in enumerate(texts) if "began" in t)
    assert began < next(i for i, t in enumerate(texts) if "pleaded" in t)


def test_the_latest_report_is_said_to_be_the_latest() -> None:
    sim = CachedSimilarity(HashEmbedding())
    question = "Tell me about the Sam Bankman-Fried trial"
    result = overview(question, rank_sentences(question, PASSAGES, sim), sim)
    texts = [s.text for s in result.sentences]
    assert texts[-1].startswith("The latest: ")
    # Its outlet and date: its own, or those of the sentence of its article it follows.
    said = next(t for t in reversed(texts) if not t.removeprefix("The latest: ").startswith("“"))
    assert "Outlet b (3 November 2023) reported:" in said
    assert not any(t.startswith("The latest") for t in texts[:-1])


def test_an_overview_fits_its_budget_as_shown_so_the_latest_is_not_cut() -> None:
    # Long sentences from articles of six days: counted without their citation markers
    # and "The latest:", the chosen ones outgrew the budget once rendered, and the last
    # in time order, the latest report, was cut from what the reader saw.
    told = ["union leaders marched downtown carrying banners past city hall toward the old harbour",
            "negotiators traded offers over wages pensions healthcare overtime rules and weekend shifts",
            "the governor urged both sides toward mediation before the busy winter shipping season",
            "retailers warned shoppers about empty shelves delayed parcels and rising prices this month",
            "economists estimated weekly losses nearing four hundred million dollars for the whole nation",
            "workers voted overwhelmingly approving a tentative contract that ended weeks of walkouts"]
    passages = [_passage(n, f"d{n}", f"2023-10-{10 + n}",
                         f"During the Acme strike on day {n}, {what} across several southern states.")
                for n, what in enumerate(told, 1)]
    sim = CachedSimilarity(HashEmbedding())
    question = "What is going on with the Acme strike?"
    shown = overview(question, rank_sentences(question, passages, sim), sim).sentences
    assert within_words(shown) == shown
    assert sum(len(s.render().split()) for s in shown) <= MAX_WORDS
    assert shown[-1].text.startswith("The latest:")


@pytest.mark.parametrize(
    ("question", "first", "subject", "extra"),
    [
        # The names in the form the passages use, and the outcome of "what happened to X".
        ("What happened to SBF?", ["Sam Bankman-Fried went on trial."],
         "SBF (Sam Bankman-Fried)", ["SBF Sam Bankman-Fried", "Sam Bankman-Fried found"]),
        ("What happened to Sam Bankman-Fried?", ["The trial began."], "Sam Bankman-Fried",
         ["Sam Bankman-Fried found"]),
        # A month as reports abbreviate it before a day.
        ("What happened between the US and Iraq in January 2020?", ["x"],
         "the US and Iraq in January 2020", ["the US and Iraq in Jan. 2020"]),
        ("Tell me about the attacks on the US embassy in Baghdad", ["x"],
         "the attacks on the US embassy in Baghdad", []),
        # The subject of "What did X announce at Y" and "How did X do against Y".
        ("What did Apple announce at its Scary Fast event?", ["x"],
         "Apple at its Scary Fast event", []),
        ("How did the USMNT do against Germany?", ["x"], "the USMNT against Germany", []),
        # "What have X said about Y", "How is X affecting Y": both are the subject.
        ("What have celebrities said about raising kids?", ["x"],
         "celebrities about raising kids", []),
        ("How is the war affecting Israel's economy?", ["x"], "the war Israel's economy", []),
    ],
)
def test_an_open_question_adds_searches_for_other_forms_and_the_outcome(
    question: str, first: list[str], subject: str, extra: list[str]
) -> None:
    more = searches(question, first)
    assert more.subject == subject
    assert len(more.extra) == len(extra)
    assert all(got.startswith(want) for got, want in zip(more.extra, extra, strict=True))


TIMED = [
    _passage(1, "early", "2019-11-20",
             "Protesters in Baghdad marched against the government and the US embassy."),
    _passage(2, "later", "2020-03-16",
             "The United States launched a strike in January that killed Soleimani in Iraq. "
             "The US and Iraq argued about troops in Iraq for months."),
    _passage(3, "undated", None,
             "Soleimani was killed by a US airstrike on Jan. 3 near the airport in Iraq. "
             "Iran fired missiles at bases in Iraq where US troops are stationed."),
    _passage(4, "much-later", "2024-08-16",
             "The US embassy in Iraq was attacked again, with rockets fired from Baghdad."),
]


def test_a_time_in_an_open_question_is_when_the_events_happened() -> None:
    sim = CachedSimilarity(HashEmbedding())
    question = "What happened between the US and Iraq in January 2020?"
    texts = [s.text for s in overview(question, rank_sentences(question, TIMED, sim),
                                      sim).sentences]
    joined = " ".join(texts)
    # The sentences that name January 2020 (an undated article's "Jan. 3" read as of it).
    assert "Jan. 3" in joined and "in January" in joined
    assert "Protesters" not in joined  # reported before January 2020
    assert "rockets" not in joined  # a report of 2024 that names no day of January 2020
    assert "for months" not in joined  # a report of March that names no day of January


_SBF = "What happened to Bankman-Fried?"


@pytest.mark.parametrize(
    ("texts", "expected", "question"),
    [
        # The latest outcome that ends a story, not a hedge or a step.
        (["Bankman-Fried could be convicted of fraud.", "Bankman-Fried stepped down as the "
          "witness and the defense rested.", "A jury found Bankman-Fried guilty of fraud."],
         "A jury found", _SBF),
        (["If convicted, Bankman-Fried faces decades in prison.", "The trial began today."],
         None, _SBF),
        # Another person's outcome is not the one asked about, however late its report.
        (["Bankman-Fried was injured in a fall.", "Sam Jones was injured in a crash."],
         "Bankman-Fried was", _SBF),
        # The outcome is of the name asked about, not of another the question names: of
        # Jim Jordan, not the House; of the founder, not of Binance; of the team, not the
        # competition.
        (["Jim Jordan was elected chair of the committee.", "The House ousted McCarthy."],
         "Jim Jordan was", "What happened to Jim Jordan's bid for House speaker?"),
        (["Changpeng Zhao resigned as chief executive.", "Binance was fined $4.3 billion."],
         "Changpeng Zhao", "What happened to Binance founder Changpeng Zhao?"),
        (["Newcastle were knocked out and lost 2-1.", "Champions League rules were changed."],
         "Newcastle were", "What happened to Newcastle in the Champions League?"),
        # "X and Y": an outcome of either is asked about.
        (["Altman was hired by Microsoft.", "OpenAI was banned in Italy."], "OpenAI was",
         "What happened with Sam Altman and OpenAI?"),
    ],
)
def test_the_outcome_is_one_that_happened(texts: list[str], expected: str | None,
                                          question: str) -> None:
    sim = CachedSimilarity(HashEmbedding())
    passages = [_passage(i, f"d{i}", f"2023-10-{10 + i}", t) for i, t in enumerate(texts, 1)]
    found = latest_outcome(rank_sentences(question, passages, sim), question)
    assert (found.own_text[: len(expected)] if found and expected else found) == expected


@pytest.mark.parametrize(
    ("outlet", "short"),
    [
        ("The Independent - Life and Style", "The Independent"),
        ("Cnbc | World Business News Leader", "Cnbc"),
        ("Live Science: The Most Interesting Articles", "Live Science"),
        ("BBC News - Entertainment & Arts", "BBC News"),
        ("TechCrunch", "TechCrunch"),
        ("Hindustan-Times", "Hindustan-Times"),  # a hyphen inside a name is no section
        (None, None),
    ],
)
def test_an_overview_names_the_outlet_without_its_section(outlet: str | None,
                                                          short: str | None) -> None:
    assert short_outlet(outlet) == short


def test_an_overview_quotes_with_the_short_outlet_name() -> None:
    sim = CachedSimilarity(HashEmbedding())
    passages = [replace(p, source=f"{p.source} - Life and Style") for p in PASSAGES]
    question = "What happened to Sam Bankman-Fried at the trial?"
    told = overview(question, rank_sentences(question, passages, sim), sim)
    assert told.sentences
    assert all(" - Life and Style" not in s.text for s in told.sentences)
    assert all("Outlet " in s.text or s.text.removeprefix("The latest: ").startswith("“")
               for s in told.sentences)


@pytest.mark.parametrize(("title", "opens"), [
    # A headline that names the whole subject says what happened: the overview opens with it.
    ("Jury finds Sam Bankman-Fried guilty at his fraud trial", True),
    # Part of the subject only, a live blog, a listing or a question: no headline.
    ("Sam Bankman-Fried's parents speak out", False),
    ("Sam Bankman-Fried trial: live updates", False),
    ("Why is the Sam Bankman-Fried trial so big?", False),
    # A headline that only restates the question says nothing new.
    ("This is what happened at the Sam Bankman-Fried trial", False),
])
def test_an_overview_opens_with_a_headline_that_names_its_subject(title: str,
                                                                  opens: bool) -> None:
    sim = CachedSimilarity(HashEmbedding())
    question = "What happened at the Sam Bankman-Fried trial?"
    passages = [replace(PASSAGES[1], title=title), PASSAGES[0], PASSAGES[2]]
    result = overview(question, rank_sentences(question, passages, sim), sim)
    texts = [s.text for s in result.sentences]
    headline = f"Outlet b (3 November 2023) headlined: “{title}”"
    assert (headline in texts) is opens
    if opens:  # cited to its article's passage, and within the overview's budget
        s = result.sentences[texts.index(headline)]
        assert s.citations == [2]
        assert sum(len(s.render().split()) for s in result.sentences) <= MAX_WORDS


@pytest.mark.parametrize(("question", "texts", "kept"), [
    # A passage that does not name one of the subject's names is about something else.
    ("What's going on with Frank Reich and the Panthers?",
     ["The Panthers fired Frank Reich after a 1-10 start.",
      "Panthers owner David Tepper hired Reich in January.",
      "Reich: incredibly talented improvisers, so good on their feet."], [0, 1]),
    # A name's last word names it (a surname), not its first: "Andy Cole" is not Cole
    # Palmer. A short form stands for the long name, either way.
    ("How has Cole Palmer been doing at Chelsea?",
     ["Cole Palmer scored a penalty for Chelsea.", "Palmer joined Chelsea from City.",
      "Blackburn since Andy Cole scored have drifted; Chelsea won 2-0."], [0, 1]),
    ("What happened to Qassem Soleimani?",
     ["A US strike killed Soleimani in Baghdad.", "Qassem Soleimani led the Quds Force.",
      "Iran fired missiles at US bases."], [0, 1]),
    ("What happened to SBF?",
     ["Sam Bankman-Fried was found guilty.", "SBF took the stand.", "FTX collapsed."], [0, 1]),
    ("What happened to Sam Bankman-Fried?",
     ["Sam Bankman-Fried was found guilty.", "SBF took the stand.", "FTX collapsed."], [0, 1]),
    # ... and a month is no name; nor is a question without names narrowed.
    ("What happened in Iraq in January 2020?",
     ["Iraq's parliament voted on Jan. 5.", "Rockets hit Iraq's Green Zone.",
      "The Fed held rates."], [0, 1]),
    ("What is going on with interest rates?",
     ["Rates rose.", "Rates held.", "Prices fell."], [0, 1, 2]),
    # When fewer than two articles would be left, nothing is left out.
    ("Tell me about Beeper Mini",
     ["Beeper Mini brings iMessage to Android.", "Apple cut off the app.",
      "Android users lost iMessage again."], [0, 1, 2]),
])
def test_an_overview_keeps_to_passages_that_name_its_subject(
        question: str, texts: list[str], kept: list[int]) -> None:
    from rag.answer.overview import named_subject

    passages = [_passage(i + 1, f"d{i}", "2023-10-01", t) for i, t in enumerate(texts)]
    ranked = rank_sentences(question, passages, CachedSimilarity(HashEmbedding()))
    left = {c.passage.n - 1 for c in named_subject(ranked, question)}
    assert left == set(kept) & {c.passage.n - 1 for c in ranked}


@pytest.mark.parametrize("question", ["How are the Lions doing this season?",
                                      "Tell me about the Lions' season"])
def test_how_a_team_is_doing_is_told_with_a_result_over_talk_about_it(question: str) -> None:
    # Six reports talk about the Lions' season; one gives their score. Ranked by the
    # question's words alone the result comes last and is left out.
    talk = ["Fans of the Lions are dreaming big about this season in Detroit.",
            "Analysts debate the plans of the Lions for this season.",
            "The waiting list for Lions tickets grew again this season.",
            "Bars were packed this season to watch the Lions on television.",
            "The schedule of the Lions this season includes a trip abroad.",
            "Sales of Lions shirts rose this season across the state."]
    result = "The Lions beat Green Bay 29-22 this season to improve to 9-3."
    sim = CachedSimilarity(HashEmbedding())
    passages = [_passage(n, f"d{n}", f"2023-10-{10 + n}", t)
                for n, t in enumerate([*talk, result], 1)]
    told = [s.text for s in overview(question, rank_sentences(question, passages, sim),
                                     sim).sentences]
    assert any("29-22" in t for t in told), told


def test_a_sentence_after_one_of_its_article_is_quoted_without_its_outlet_again() -> None:
    sim = CachedSimilarity(HashEmbedding())
    question = "Tell me about the Sam Bankman-Fried trial"
    result = overview(question, rank_sentences(question, PASSAGES, sim), sim)
    texts = [s.text.removeprefix("The latest: ") for s in result.sentences]
    run_on = [i for i, t in enumerate(texts) if t.startswith("“")]
    assert run_on  # the trial's opening day gives two sentences of article a
    for i in run_on:
        before, this = result.sentences[i - 1], result.sentences[i]
        assert i > 0 and before.citations == this.citations and "reported:" in before.text


def _candidate(n: int, doc: str, text: str, score: float) -> Candidate:
    return Candidate(_passage(n, doc, f"2023-10-0{n}", text), (0, len(text)), score)


def test_a_sentence_that_tells_more_is_taken_before_one_that_says_the_subject_again() -> None:
    sim = CachedSimilarity(HashEmbedding())
    echo = _candidate(1, "a", "The Acme strike is the talk of the town as the Acme strike goes on.",
                      0.9)
    news = _candidate(2, "b", "During the Acme strike, dockers blocked the harbour gates and the "
                      "governor called in federal mediators on Friday.", 0.8)
    chosen = choose([echo, news], sim, "Tell me about the Acme strike")
    assert chosen[0] is news
