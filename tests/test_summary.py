"""Summaries on made-up passages: dating, batching, the map-reduce (a tiny budget forces
several map batches and reduce levels), disagreements, and the generative map's check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rag.container import build_services
from rag.errors import UserError
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage
from rag.grounding.similarity import CachedSimilarity
from rag.summary.batching import pack
from rag.summary.claims import Claim
from rag.summary.dating import date_sentence
from rag.summary.disagreement import (
    disagreement_kind,
    figures,
    find_disagreements,
    fold_disagreements,
)
from rag.summary.diversity import diverse_top
from rag.summary.reduce import cost, dedupe, reduce_claims, same_fact
from rag.summary.result import NOT_COVERED_TEXT
from rag.summary.scope import Scope
from rag.summary.service import verify
from tests.conftest import make_settings
from tests.support.fake_llm import ScriptedLLM, passage_number
from tests.support.fakes import HashEmbedding

SIM = CachedSimilarity(HashEmbedding())


def words(texts: list[str] | tuple[str, ...]) -> list[int]:
    return [len(t.split()) for t in texts]


# -- dating -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "expected", "precision", "source"),
    [
        ("One attack came in December 2019 and another in March 2020.", "2020-09-28",
         "2019-12-01", "month", "text"),
        ("The embassy was attacked on Dec. 31 by militiamen.", "2020-01-09", "2019-12-31",
         "day", "text"),
        ("The strikes on Sunday killed 25 fighters.", "2019-12-30", "2019-12-29", "day", "text"),
        ("An offensive in January killed the commander.", "2020-03-16", "2020-01-01", "month",
         "text"),
        ("The talks ended on September 28, 2020 without a deal.", None, "2020-09-28", "day",
         "text"),
        ("Officials met to discuss the budget.", "2021-05-04", "2021-05-04", "day", "article"),
        # A date after the article's own is a plan, not an event: the article date stands.
        ("The vote is set for March 3, 2031.", "2021-05-04", "2021-05-04", "day", "article"),
        ("Some may say it rained.", "2021-08-04", "2021-08-04", "day", "article"),
    ],
)
def test_a_sentence_is_dated_by_what_it_mentions_else_by_its_article(
    text: str, published: str | None, expected: str, precision: str, source: str
) -> None:
    when = date_sentence(text, published)
    assert when is not None
    assert (when.day.isoformat(), when.precision, when.source) == (expected, precision, source)


@pytest.mark.parametrize("text", ["The embassy was attacked on Dec. 31.", "It happened on Monday."])
def test_a_day_without_a_year_in_an_undated_article_is_undated(text: str) -> None:
    assert date_sentence(text, None) is None


# -- batching and selection -----------------------------------------------------------


@pytest.mark.parametrize(
    ("costs", "budget", "expected"),
    [
        ([3, 3, 3], 6, [[0, 1], [2]]),
        ([3, 3, 3], 9, [[0, 1, 2]]),
        ([10, 1, 1], 5, [[0], [1, 2]]),  # over the budget alone: a batch of one
        ([], 5, []),
    ],
)
def test_pack_keeps_order_and_budget(costs: list[int], budget: int,
                                     expected: list[list[int]]) -> None:
    assert pack(list(range(len(costs))), costs, budget) == expected


def test_diverse_top_prefers_an_unseen_group_over_a_slightly_better_item() -> None:
    items = [("a", 0.9), ("a", 0.85), ("b", 0.8), ("a", 0.3)]
    chosen = diverse_top(items, 2, lambda x: x[1], lambda x: x[0], bonus=0.1)
    assert chosen == [("a", 0.9), ("b", 0.8)]
    assert diverse_top(items, 2, lambda x: x[1], lambda x: x[0], bonus=0.0)[1] == ("a", 0.85)


def test_scope_rejects_an_inverted_date_range() -> None:
    with pytest.raises(UserError, match="after"):
        Scope(since=date(2021, 1, 1), until=date(2020, 1, 1))


# -- claims on made-up passages -------------------------------------------------------------


def passage(n: int, text: str, doc: str | None = None, published: str | None = "2024-05-02",
            title: str = "Harbour news") -> Passage:
    return Passage(n=n, doc_id=doc or f"doc{n}", chunk_id=f"{doc or f'doc{n}'}:{n}:x",
                   title=title, text=text, published_at=published)


def claim(p: Passage, salience: float = 0.5, text: str | None = None) -> Claim:
    text = text or p.text
    start = p.text.find(text)
    return Claim(
        sentence=CheckedSentence(text=text, citations=[p.n], supported=True, score=salience,
                                 origin="quoted", evidence={p.n: (start, start + len(text))}),
        doc_ids=(p.doc_id,), salience=salience, order=(p.n, max(start, 0)),
    )


ROCKETS_A = "Three rockets hit the harbour warehouse of Quillmere on Sunday night."
ROCKETS_B = "Five rockets hit the harbour warehouse of Quillmere on Sunday night, officials said."
DENY_A = "The Varga militia claimed the rocket attack on the Quillmere harbour warehouse."
DENY_B = "The Varga militia denied the rocket attack on the Quillmere harbour warehouse."


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (ROCKETS_A, ROCKETS_B, "figures"),
        (DENY_A, DENY_B, "denial"),
        # Same figures: they agree.
        (ROCKETS_A, "Three rockets hit the harbour warehouse of Quillmere late on Sunday.", None),
        # One figure in common (the other is about something else): no disagreement.
        ("Two sailors and three dockers were hurt at the Quillmere harbour warehouse.",
         "Two sailors were hurt at the Quillmere harbour warehouse.", None),
        # Different points altogether.
        (ROCKETS_A, "The council approved 12 new bus routes for the old town centre.", None),
        # A negation elsewhere in a long sentence denies nothing the short claim says.
        ("The Quillmere board fired the harbour master.",
         "Days before the season the Quillmere board fired the harbour master, arguing that he "
         "had not been candid about the repairs to the northern pier and the fish market.", None),
        # Dates are not figures: different days of one story do not disagree.
        ("Rockets hit the Quillmere harbour warehouse on May 3, 2024.",
         "Rockets hit the Quillmere harbour warehouse on May 4, 2024.", None),
    ],
)
def test_disagreement_kind(a: str, b: str, expected: str | None) -> None:
    similarity = float(SIM([a], [b])[0, 0])
    assert disagreement_kind(a, b, similarity) == expected


def test_figures_leave_dates_out() -> None:
    assert figures("On Dec. 31, 2019, 25 fighters died and 51 were wounded.") == {"25", "51"}


def test_disagreements_are_across_articles_only() -> None:
    same_doc = [claim(passage(1, ROCKETS_A, doc="d1")), claim(passage(2, ROCKETS_B, doc="d1"))]
    assert find_disagreements(same_doc, SIM) == []
    two_docs = [claim(passage(1, ROCKETS_A)), claim(passage(2, ROCKETS_B))]
    (d,) = find_disagreements(two_docs, SIM)
    assert (d.kind, d.first.citations, d.second.citations) == ("figures", [1], [2])


def test_folded_disagreement_is_one_pinned_claim_with_both_sides() -> None:
    other = claim(passage(3, "The ferry timetable changes in June for the summer season."))
    folded = fold_disagreements([claim(passage(1, DENY_A)), other,
                                 claim(passage(2, DENY_B))], SIM)
    assert len(folded) == 2
    pair = next(c for c in folded if c.contrast is not None)
    assert pair.pinned and pair.kind == "denial"
    assert (pair.text, pair.contrast.text) == (DENY_A, DENY_B)


def test_dedupe_merges_one_fact_from_two_articles_but_never_conflicting_figures() -> None:
    a = claim(passage(1, "The harbour warehouse of Quillmere burned down on Sunday night."), 0.6)
    b = claim(passage(2, "The harbour warehouse of Quillmere burned down on Sunday night."), 0.4)
    (merged,) = dedupe([a, b], SIM)
    assert merged.citations == [1, 2] and merged.doc_ids == ("doc1", "doc2")
    assert set(merged.sentence.evidence) == {1, 2}
    assert len(dedupe([claim(passage(1, ROCKETS_A)), claim(passage(2, ROCKETS_A.replace(
        "Three", "Four")))], SIM)) == 2


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("The harbour master was fired.", "The harbour master was fired.", True),
        # The short claim's words are all inside the longer one.
        ("Ottoline Varga was fired from the Quillmere trust.",
         "Ottoline Varga was fired from the Quillmere trust, the body that runs the lighthouse "
         "and the harbour.", True),
        # The same sentence about another town is another fact.
        ("The harbour of Quillmere reopened after the storm.",
         "The harbour of Dunhollow reopened after the storm.", False),
        ("Three boats sank in the harbour.", "Four boats sank in the harbour.", False),
        ("The board fired the harbour master.", "The board never fired the harbour master.",
         False),
    ],
)
def test_same_fact(a: str, b: str, same: bool) -> None:
    assert same_fact(a, b, float(SIM([a], [b])[0, 0])) is same


def test_verify_drops_a_claim_its_passage_does_not_support() -> None:
    p1 = passage(1, "The council approved the harbour budget by 7 votes to 5.")
    p2 = passage(2, "Ferries to the islands will run every hour from June.")
    good = claim(p1)
    bad = Claim(sentence=CheckedSentence(text="The council approved the harbour budget by "
                                              "9 votes to 2.", citations=[1], supported=True),
                doc_ids=("doc1",), salience=0.9, order=(1, 0))
    kept, failed = verify([good, bad], [p1, p2], SIM)
    assert [c.text for c in kept] == [good.text]
    assert [f.text for f in failed] == [bad.text] and failed[0].supported is False


# -- the map-reduce through the service, on made-up articles ---------------------------------

TOWNS = ["Quillmere", "Dunhollow", "Brackwater", "Fenmarsh", "Ostenby", "Larkspur"]


def town_article(town: str, i: int) -> str:
    return (
        f"{town} harbour reopens after the storm\n"
        f"date 2024-0{i + 1}-1{i}\n\n"
        f"The harbour of {town} reopened to fishing boats after the winter storm damaged "
        f"its northern pier. Engineers from {town} rebuilt {i + 2} berths of the harbour "
        f"in {i + 3} weeks. The harbour master of {town} said the storm surge flooded the "
        f"fish market for two days. Fishing crews in {town} returned to the harbour at dawn "
        f"on the first morning. A new sea wall for the harbour of {town} is planned for next "
        f"year, the town council said.\n"
    )


@pytest.fixture
def harbour_services(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, town in enumerate(TOWNS):
        (folder / f"{town.lower()}.txt").write_text(town_article(town, i), encoding="utf-8")
    # Two reports of one event that disagree on the figure.
    (folder / "herald.txt").write_text(
        "Storm at Quillmere\ndate 2024-02-20\n\nThe winter storm sank three fishing boats in "
        "the harbour of Quillmere overnight, the coastguard said.\n", encoding="utf-8")
    (folder / "gazette.txt").write_text(
        "Quillmere counts the cost\ndate 2024-02-21\n\nThe winter storm sank seven fishing boats "
        "in the harbour of Quillmere overnight, the coastguard said.\n", encoding="utf-8")
    settings = make_settings(
        tmp_path / "index",
        chunking={"chunk_tokens": 40, "overlap_tokens": 0},
        summary={"k": 40, "per_doc": 4, "batch_tokens": 120, "sentences_per_batch": 3,
                 "max_tokens": 120},
    )
    services = build_services(settings, embedder=HashEmbedding(),
                              llm=ScriptedLLM([lambda prompt: _cite_harbour(prompt)]))
    services.indexer().run([folder])
    yield services
    services.close()


def _cite_harbour(prompt: str) -> str:
    """A model that writes one right and one wrong sentence about the first town of a batch."""
    town = next((t for t in TOWNS if f"The harbour of {t} reopened" in prompt), None)
    if town is None:
        return "The storm was bad. [1]"
    n = passage_number(prompt.rsplit("\nSummary", 1)[0] + "\nQuestion:",
                       f"The harbour of {town} reopened")
    return (f"- The harbour of {town} reopened to fishing boats after the winter storm. [{n}]\n"
            f"- The harbour of {town} was closed for 41 years by a volcano. [{n}]\n")


def test_map_reduce_over_several_batches_fits_the_budget_and_keeps_citations(
    harbour_services,  # type: ignore[no-untyped-def]
) -> None:
    summarizer = harbour_services.summarizer
    result = summarizer.summarize(Scope(topic="harbour storm fishing boats"), mode="extractive")
    assert result.covered
    assert result.batches >= 3
    assert len(result.reduce_levels) >= 2 and result.reduce_levels[-1] < result.reduce_levels[0]
    assert cost(result.claims, harbour_services.token_counter) <= 120 or len(result.claims) == 1
    by_n = {p.n: p for p in result.passages}
    for c in result.claims:
        for side in (c, c.contrast) if c.contrast else (c,):
            # An extractive claim is a sentence of each passage it cites.
            assert side.citations and all(side.text in by_n[n].text for n in side.citations)
    assert len({d for c in result.claims for d in c.doc_ids}) >= 3


def test_reduce_recurses_until_the_budget_holds() -> None:
    claims = [claim(passage(i, f"The harbour of {t} reopened after the storm of the "
                               f"year {i} with {i} boats."), salience=i / 10)
              for i, t in enumerate(TOWNS, 1)]
    levels: list[int] = []
    out = reduce_claims(claims, SIM, words, budget=25, batch_budget=30, levels=levels)
    assert levels[0] == 6 and levels[-1] == len(out) and len(levels) >= 3
    assert cost(out, words) <= 25
    assert [c.order for c in out] == sorted(c.order for c in out)


def test_disagreeing_reports_are_said_to_differ_and_both_are_cited(
    harbour_services,  # type: ignore[no-untyped-def]
) -> None:
    result = harbour_services.summarizer.summarize(
        Scope(topic="how many fishing boats did the winter storm sink at Quillmere"),
        mode="extractive")
    differ = [s for s in result.sentences if s.text.startswith("Reports differ:")]
    assert len(differ) == 1
    cited_docs = {p.doc_id for p in result.passages if p.n in differ[0].citations}
    assert cited_docs == {"herald", "gazette"}
    assert "three" in differ[0].text and "seven" in differ[0].text
    item = next(s for s in result.to_json()["sentences"] if s.get("sides"))
    assert item["kind"] == "figures" and len(item["sides"]) == 2


def test_generative_map_keeps_the_models_supported_sentences_and_rejects_the_rest(
    harbour_services,  # type: ignore[no-untyped-def]
) -> None:
    events = list(harbour_services.summarizer.stream(
        Scope(topic="harbour storm fishing boats"), mode="generative"))
    result = events[-1].result
    assert any(type(e).__name__ == "Token" for e in events)
    generated = [c for c in result.claims if c.sentence.origin == "generated"]
    assert generated and all("reopened to fishing boats" in c.text for c in generated)
    assert any("volcano" in r.text for r in result.rejected)
    assert not any("volcano" in s.text for s in result.sentences)
    out = result.to_json()
    assert any(not s["supported"] and "volcano" in s["text"] for s in out["sentences"])
    assert {"n", "doc_id", "chunk_id", "title", "source", "published_at", "text",
            "supported"} <= set(out["citations"][0])


def test_a_topic_the_articles_do_not_cover_gets_a_short_statement(
    harbour_services,  # type: ignore[no-untyped-def]
) -> None:
    result = harbour_services.summarizer.summarize(Scope(topic="football transfer window"))
    assert not result.covered and result.summary == NOT_COVERED_TEXT
    assert result.sentences == [] and result.to_json()["citations"] == []


def test_an_article_scope_cites_only_that_article(
    harbour_services,  # type: ignore[no-untyped-def]
) -> None:
    result = harbour_services.summarizer.summarize(Scope(doc_id="dunhollow"))
    assert result.covered and result.claims
    assert {d for c in result.claims for d in c.doc_ids} == {"dunhollow"}
    with pytest.raises(UserError, match="nosuch"):
        harbour_services.summarizer.summarize(Scope(doc_id="nosuch"))


def test_a_date_range_scope_reads_only_articles_inside_it(
    harbour_services,  # type: ignore[no-untyped-def]
) -> None:
    result = harbour_services.summarizer.summarize(
        Scope(since=date(2024, 3, 1), until=date(2024, 4, 30)), timeline=True)
    published = {p.published_at for p in result.passages}
    assert published and all("2024-03" <= d <= "2024-04-30" for d in published if d)
    days = [c.when.day for c in result.claims if c.when]
    assert days == sorted(days)
    assert all(s.text.split(" — ")[0] for s in result.sentences)


@pytest.mark.parametrize(
    ("setting", "backend", "expected"),
    [("auto", "embedded", "extractive"), ("auto", "ollama", "generative"),
     ("generative", "embedded", "generative"), ("extractive", "ollama", "extractive")],
)
def test_auto_mode_uses_the_llm_only_with_ollama(setting: str, backend: str,
                                                 expected: str) -> None:
    from rag.llms.select import BackendChoice
    from rag.summary.mode import summary_mode

    assert summary_mode(setting, BackendChoice(backend, "m", "why")) == expected


@pytest.mark.parametrize(("sentence", "entry"), [
    ("6:07 p.m.: For the first time since his injury, Rodgers is back with the Jets.",
     "For the first time"),
    ("7:18 p.m. — Max Scherzer is also off the World Series roster for Texas.", "Max Scherzer"),
    ("2 hours to kickoff: Inter Miami were eliminated from playoff contention.", "Inter Miami"),
    ("1 hour 30 mins until kickoff: Chelsea have won three of their last four.", "Chelsea"),
    ("29 Oct 2023 02.25 GMT Diamondbacks 4-1 Rangers, top 8th.", "Diamondbacks"),
    ("At 7:18 p.m. the Rangers announced that Scherzer was off the roster.", "At 7:18"),
])
def test_a_live_blog_entry_is_read_without_its_time_stamp(sentence: str, entry: str) -> None:
    from rag.grounding.quotes import STAMP

    stamp = STAMP.match(sentence)
    assert sentence[stamp.end() if stamp else 0:].startswith(entry)


@pytest.mark.parametrize(("sentence", "kept"), [
    ("Sam Bankman-Fried listens as Assistant U.S. Attorney Nicolas Roos questions Gary Wang "
     "during the trial, at Federal Court in New York City, October 6, 2023, in this courtroom "
     "sketch.", False),
    ("Protesters gather outside the embassy in this photo taken on January 1, 2020.", False),
    ("Photo: Smoke rises over the Green Zone after the rockets landed on Sunday.", False),
    ("Follow along for all the latest news and regular updates from the trial.", False),
    ("The photo was shared widely on social media before police removed it, officials said.",
     True),
    ("The jury found Bankman-Fried guilty on all seven counts of fraud and conspiracy.", True),
    ("GO DEEPER Michigan should be punished, say 94% of coaches in our poll.", False),
    ("The Sporting News is tracking the latest updates from the Michigan scandal.", False),
    ("NCAA investigators interviewed Michigan staff about the scheme last week.", True),
    ("Combination showing Former FTX CEO, Sam Bankman-Fried (L) and Zhao Changpeng (R), "
     "founder of Binance.", False),
    ("Sam Altman, pictured at the DevDay conference, spoke for forty minutes.", False),
    ("Bellingham celebrates scoring Real Madrid’s third goal during their 3-0 win.", False),
    ("U.S. President Joe Biden shakes hands with Chinese President Xi Jinping at the summit.",
     False),
    ("Bellingham celebrated his third goal with the travelling fans in Girona.", True),
    ("The crowd reacts to every call, said the Bellingham family on Sunday.", True),
    ("Jurors leave court in New York. REUTERS/Brendan McDermid took the photo.", False),
    ("7:18 p.m. — Max Scherzer is also off the World Series roster for Texas.", False),
    ("10:05 ET: The Rangers take the lead on a two-run homer in the third.", False),
    ("At 7:18 p.m. the Rangers announced that Max Scherzer was off the roster.", True),
    ("Watch This Story: Shohei Ohtani's Two-Way Dream: Before Injury, He Always Wanted Both.",
     False),
    ("The Independent has contacted representatives for Taylor Swift and Travis Kelce for "
     "comment.", False),
    ("Meta did not immediately respond to a request for comment on the ruling.", False),
    ("Israel wanted a reason, and #Hamas gave them one, a user wrote.", False),
    ("World Series: You can bet on which team will become the next champion.", False),
    ("You’ll find futures odds for these as soon as the previous season ends.", False),
    ("Welcome to the World Series, Pavin Smith!", False),
    ("You Are What You Eat, the Netflix series, was released on January 1.", True),
    # A caption of names, dates and the words that join them: nothing happens in it.
    ("Britney Spears and Justin Timberlake in 2002.", False),
    ("Prince William and Prince Harry with Diana in Paris in August 1997.", False),
    ("Britney Spears and Justin Timberlake split in 2002.", True),
])
def test_captions_and_live_blog_furniture_are_no_summary_sentences(
    sentence: str, kept: bool
) -> None:
    from rag.grounding.quotes import is_summary_sentence

    assert is_summary_sentence(sentence) is kept


def test_a_headline_in_title_case_is_no_caption() -> None:
    from rag.grounding.quotes import is_summary_sentence

    title = "Potential Conor McGregor Fight Could Help Canelo Alvarez Come a Step Closer."
    assert not is_summary_sentence(title)
    assert is_summary_sentence(title, headline=True)
