"""Open questions ("What happened to X?", "Tell me about Y") get a short overview: cited
sentences from several articles, in time order, the latest last."""

from __future__ import annotations

import pytest

from rag.answer.overview import MAX_WORDS, PER_ARTICLE, overview
from rag.answer.question import AnswerType, answer_type
from rag.grounding.passages import Passage
from rag.grounding.quotes import rank_sentences
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
        # Not open: a figure, a name, a verdict, a cause.
        ("How many troops are in Iraq?", AnswerType.NUMBER),
        ("Who did Pompeo speak with?", AnswerType.ENTITY),
        ("Did the US respond to the attacks?", AnswerType.YES_NO),
        ("What caused the crash?", AnswerType.DESCRIPTION),
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
    days = [3 if "(3 October" in t else 20 if "(20 October" in t else 34 for t in texts[1:]]
    assert days == sorted(days)
    # An article's sentences in its own order: the trial began, then the plea.
    began = next(i for i, t in enumerate(texts) if "began" in t)
    assert began < next(i for i, t in enumerate(texts) if "pleaded" in t)


def test_the_latest_report_is_said_to_be_the_latest() -> None:
    sim = CachedSimilarity(HashEmbedding())
    question = "Tell me about the Sam Bankman-Fried trial"
    result = overview(question, rank_sentences(question, PASSAGES, sim), sim)
    texts = [s.text for s in result.sentences]
    assert texts[-1].startswith("The latest: Outlet b (3 November 2023) reported:")
    assert not any(t.startswith("The latest") for t in texts[:-1])
