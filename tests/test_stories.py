"""Stories: one wire story lightly rewritten by three outlets is one story; two different
articles on the same event are not. Grouping, its catalog record, retrieval capped per
story, the "also carried by" source line and summaries that read a story once."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index import stories
from index.stories import (
    NUM_PERM,
    StoryDoc,
    StoryMap,
    earliest,
    from_bytes,
    group,
    jaccard,
    shingles,
    signature,
    to_bytes,
    words,
)
from rag.container import Services
from rag.grounding.passages import Passage, number_passages, source_line
from rag.summary.scope import Scope, one_per_story, select
from ui.render import sources_section

# An invented wire story, in paragraphs.
WIRE = [
    "The Port Halden city council voted 7-2 on Tuesday to build a movable flood barrier "
    "across the mouth of the Tarrow estuary, ending a decade of argument over how to "
    "protect the harbour district from winter storm surges.",
    "The barrier, a row of steel gates that would rise from the riverbed when forecasters "
    "warn of a surge, is expected to cost $48 million and take four years to build. Mayor "
    "Elena Brandt said the first contracts could be signed before the end of the year.",
    "Councillor Ruth Okafor, who voted against the plan, said the council had not answered "
    "questions about who would pay to maintain the gates once federal grants ran out, and "
    "warned that fishing crews would lose access to the upper estuary during construction.",
    "Storm surges flooded the harbour district three times in the past six winters. The "
    "worst, in January 2021, pushed seawater into more than 400 homes and closed the ferry "
    "terminal for eleven days, according to the city's own damage report.",
    "Engineers from the regional water authority told the council that the gates would be "
    "tested twice a year and closed, on average, four times each winter. They said the "
    "design allowed the barrier to be raised by another metre if sea levels rose faster "
    "than expected.",
    "Residents will be able to comment on the construction schedule at two public meetings "
    "in November, the council said. A final design is due to be published in the spring.",
]

# Three outlets' copies: a new headline and byline each, a sentence changed, a
# paragraph moved or the last one cut.
COURIER = "\n\n".join(["By Dana Whitfield", *WIRE])
LEDGER = "\n\n".join([
    "By Marcus Ellery, Northern Ledger staff",
    WIRE[0],
    WIRE[1].replace("Mayor Elena Brandt said the first contracts could be signed before "
                    "the end of the year.",
                    "Mayor Elena Brandt told reporters she hoped to sign the first "
                    "contracts within weeks."),
    WIRE[3], WIRE[2], WIRE[4], WIRE[5],
])
VALLEY = "\n\n".join([
    "PORT HALDEN (Valley Wire) —",
    *WIRE[:4],
    WIRE[4].replace("They said the design allowed the barrier to be raised by another "
                    "metre if sea levels rose faster than expected.",
                    "The design can be extended later, they said."),
])

# Another article on the same vote: the same names, places and figures, its own words.
REACTION = "\n\n".join([
    "Fishing crews in Port Halden said on Wednesday they felt shut out of the decision to "
    "build a flood barrier on the Tarrow estuary, a day after the council approved the "
    "$48 million project.",
    "At the harbour co-operative, skippers said they supported protecting homes but feared "
    "four years of construction would close their route to the upper estuary, where most "
    "of the town's oyster beds lie. Councillor Ruth Okafor met them on the quay.",
    "Mayor Elena Brandt said the city would publish a plan for keeping a channel open "
    "during the works and promised compensation if boats lost fishing days. The "
    "co-operative has asked for a seat on the committee that will oversee construction.",
])

OTHER = "\n\n".join([
    "The Bramblecote library reopened on Saturday after an eighteen-month renovation that "
    "added a children's wing, a rooftop reading garden and a workshop with two 3D "
    "printers.",
    "Librarians said more than 900 people visited on the first day, and that the "
    "workshop was booked out until March.",
])

ARTICLES = {
    "courier": ("Council backs $48m flood barrier for Port Halden harbour", "Coastal Courier",
                "2023-10-03", COURIER),
    "ledger": ("Port Halden to build estuary flood gates after 7-2 vote", "Northern Ledger",
               "2023-10-04", LEDGER),
    "valley": ("Flood barrier approved in Port Halden", "Valley Wire", "2023-10-04", VALLEY),
    "reaction": ("Port Halden fishing crews fear barrier works", "Coastal Courier",
                 "2023-10-04", REACTION),
    "library": ("Bramblecote library reopens with children's wing", "Valley Wire",
                "2023-10-02", OTHER),
}


def write_articles(folder: Path, names: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or list(ARTICLES):
        title, source, day, body = ARTICLES[name]
        (folder / f"{name}.md").write_text(
            f"---\ntitle: \"{title}\"\nsource: {source}\ndate: {day}\n---\n\n{body}\n",
            encoding="utf-8",
        )
    return folder


def story_doc(doc_id: str, text: str, day: str | None) -> StoryDoc:
    return StoryDoc(doc_id, day, signature(text))


# -- pure functions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", set()),
        ("  ...  ", set()),
        ("Flood gates", {"flood gates"}),
        ("One two three four five", {"one two three four five"}),
        ("One two three four five six", {"one two three four five", "two three four five six"}),
        ("The COUNCIL voted, 7-2; gates rise", {"the council voted 7 2", "council voted 7 2 gates",
                                               "voted 7 2 gates rise"}),
        ("Don’t close the quay", {"dont close the quay"}),
    ],
)
def test_shingles(text: str, expected: set[str]) -> None:
    assert shingles(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("U.S. Army", ["u", "s", "army"]), ("It's  OK", ["its", "ok"]), ("", [])],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(set(), set(), 0.0), ({"x"}, {"x"}, 1.0), ({"x", "y"}, {"y", "z"}, 1 / 3), ({"x"}, {"y"}, 0.0)],
)
def test_jaccard(a: set[str], b: set[str], expected: float) -> None:
    assert jaccard(a, b) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        ([("b", "2023-10-04"), ("a", "2023-10-04"), ("c", "2023-10-05")], "a"),  # tie: smallest
        ([("b", "2023-10-04"), ("a", "2023-10-05")], "b"),  # earliest wins over smaller id
        ([("a", None), ("z", "2023-10-05")], "z"),  # dated before undated
        ([("b", None), ("a", None)], "a"),
    ],
)
def test_story_is_named_by_its_earliest_member(
    docs: list[tuple[str, str | None]], expected: str
) -> None:
    assert earliest(StoryDoc(i, day, None) for i, day in docs).doc_id == expected


def test_signature_round_trips_and_is_deterministic() -> None:
    values = signature(COURIER)
    assert values is not None and values.dtype == np.uint32 and len(values) == NUM_PERM
    again = signature(COURIER)
    assert again is not None and np.array_equal(values, again)
    restored = from_bytes(to_bytes(values))
    assert restored is not None and np.array_equal(restored, values)
    assert from_bytes(b"\x00" * 12) is None
    assert signature("  ") is None


def test_light_rewrites_for_three_outlets_are_one_story() -> None:
    texts = {"courier": COURIER, "ledger": LEDGER, "valley": VALLEY}
    sets = {k: shingles(v) for k, v in texts.items()}
    # the copies really are near-duplicates, and the estimate agrees with the exact value
    for a, b in [("courier", "ledger"), ("courier", "valley"), ("ledger", "valley")]:
        exact = jaccard(sets[a], sets[b])
        assert exact >= 0.5, (a, b, exact)
        sig_a, sig_b = signature(texts[a]), signature(texts[b])
        assert sig_a is not None and sig_b is not None
        assert abs(stories.estimated_jaccard(sig_a, sig_b) - exact) < 0.15
    docs = [
        story_doc("ledger", LEDGER, "2023-10-04"),
        story_doc("valley", VALLEY, "2023-10-04"),
        story_doc("courier", COURIER, "2023-10-03"),
        story_doc("reaction", REACTION, "2023-10-04"),
        story_doc("library", OTHER, "2023-10-02"),
    ]
    assert group(docs) == {
        "courier": "courier", "ledger": "courier", "valley": "courier",
        "reaction": "reaction", "library": "library",
    }


def test_two_articles_on_the_same_event_are_not_one_story() -> None:
    # the same people, place and figures...
    for name in ("Port Halden", "Ruth Okafor", "Elena Brandt", "$48 million", "Tarrow"):
        assert name in COURIER and name in REACTION
    # ...in other words: few shingles in common, far below the threshold
    assert jaccard(shingles(COURIER), shingles(REACTION)) < 0.05
    assert group([story_doc("courier", COURIER, "2023-10-03"),
                  story_doc("reaction", REACTION, "2023-10-04")]) == {
        "courier": "courier", "reaction": "reaction"}


def test_groups_are_transitive() -> None:
    """A ~ B and B ~ C make one story even when A and C alone are below the threshold."""
    a = np.arange(NUM_PERM, dtype=np.uint32)
    b = a.copy()
    b[:40] += 1000  # shares 88 of 128 values with a
    c = b.copy()
    c[40:80] += 1000  # shares 88 with b, 48 (0.375) with a
    assert stories.estimated_jaccard(a, c) < stories.THRESHOLD
    docs = [StoryDoc("a", "2023-01-02", a), StoryDoc("b", "2023-01-01", b),
            StoryDoc("c", None, c), StoryDoc("empty", None, None)]
    assert group(docs) == {"a": "b", "b": "b", "c": "b", "empty": "empty"}


def test_story_map_members_and_others() -> None:
    stories_map = StoryMap.build([
        ("ledger", "courier", "Northern Ledger", "2023-10-04"),
        ("courier", "courier", "Coastal Courier", "2023-10-03"),
        ("alone", "alone", "X", None),
    ])
    assert stories_map.story("ledger") == "courier" and stories_map.story("alone") == "alone"
    assert stories_map.story("unknown") == "unknown"
    assert [m.doc_id for m in stories_map.others("ledger")] == ["courier"]
    assert stories_map.others("alone") == []


@pytest.mark.parametrize(
    ("doc_ids", "expected"),
    [
        (["a", "x", "b", "c", "y"], ["a", "x", "y"]),
        (["b", "x", "a", "c"], ["a", "x"]),  # the story's own article, where its first was
        (["c", "b", "y"], ["c", "y"]),  # without it: the first member given
    ],
)
def test_one_per_story(doc_ids: list[str], expected: list[str]) -> None:
    story = {"b": "a", "c": "a"}
    assert one_per_story(doc_ids, lambda d: story.get(d, d)) == expected


@pytest.mark.parametrize(
    ("source", "when", "also", "expected"),
    [
        ("AP", "3 October 2023", (), "AP, 3 October 2023"),
        (None, "3 October 2023", (), "3 October 2023"),
        ("AP", "3 October 2023", ("Reuters", "Yahoo News"),
         "reported by AP (3 October 2023), also carried by Reuters, Yahoo News"),
        ("AP", None, ("Reuters",), "reported by AP, also carried by Reuters"),
        ("AP", "updated 5 October 2023 (first published 3 October 2023)", ("Reuters",),
         "reported by AP, updated 5 October 2023 (first published 3 October 2023), "
         "also carried by Reuters"),
    ],
)
def test_source_line(source: str | None, when: str | None, also: tuple[str, ...],
                     expected: str) -> None:
    assert source_line(source, when, also) == expected


# -- indexed ----------------------------------------------------------------------


@pytest.fixture
def indexed(fake_services: Services, tmp_path: Path) -> Services:
    report = fake_services.indexer().run([write_articles(tmp_path / "articles")])
    assert report.added == 5 and "stories" in report.stages
    return fake_services


def test_index_records_the_story_of_each_document(indexed: Services) -> None:
    docs = indexed.store.catalog.documents()
    assert {d: docs[d].story_id for d in docs} == {
        "courier": "courier", "ledger": "courier", "valley": "courier",
        "reaction": "reaction", "library": "library",
    }
    signatures = indexed.store.catalog.signatures()
    assert set(signatures) == set(docs)
    assert all(s.kind == stories.SIGNATURE_KIND and s.hashvalues for s in signatures.values())
    assert indexed.store.catalog.stories_current()


def test_retrieval_caps_passages_per_story(indexed: Services) -> None:
    query = "Port Halden council flood barrier vote estuary gates Okafor Brandt"
    nodes = indexed.retriever.search(query, k=10, max_per_doc=1)
    docs = [n.node.metadata["doc_id"] for n in nodes]
    # the three copies give one slot, not three; the other article on the vote keeps its own
    assert len({"courier", "ledger", "valley"} & set(docs)) == 1
    assert "reaction" in docs and len(docs) == len(set(docs)) == 3
    with_copies = indexed.retriever.search(query, k=10, max_per_doc=3)
    assert sum(n.node.metadata["story_id"] == "courier" for n in with_copies) >= 3


def test_source_line_names_the_other_outlets(indexed: Services) -> None:
    nodes = indexed.retriever.search("Port Halden flood barrier steel gates cost", k=5,
                                     max_per_doc=1)
    passages = number_passages(nodes)
    copy = next(p for p in passages if p.story == "courier")
    outlets = {"Coastal Courier", "Northern Ledger", "Valley Wire"}
    m = re.fullmatch(r"reported by (.+) \((\d+ October 2023)\), also carried by (.+)",
                     copy.source_line())
    assert m, copy.source_line()
    assert {m.group(1), *m.group(3).split(", ")} == outlets
    assert copy.header().startswith(f"{copy.title} — reported by ")
    # an article that stands alone keeps the plain line
    alone = next(p for p in passages if p.doc_id == "reaction")
    assert alone.source_line() == "Coastal Courier, 4 October 2023"
    html = sources_section(1, "q", [copy, alone])
    assert "also carried by" in html and "reported by " in html
    assert html.count("also carried by") == 1


def test_summary_reads_a_story_once(indexed: Services) -> None:
    selection = select(Scope(), indexed.retriever, indexed.store.catalog, 20, 2, 60)
    docs = {p.doc_id for p in selection.passages}
    assert selection.copies == 2
    assert docs == {"courier", "reaction", "library"}
    result = indexed.summarizer.summarize(Scope(since=None), mode="extractive")
    assert any("each story was read once" in note for note in result.notes)


def test_unchanged_documents_keep_their_signatures(
    indexed: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[str] = []
    original = stories.signature

    def counting(text: str) -> np.ndarray | None:
        computed.append(text[:20])
        return original(text)

    monkeypatch.setattr(stories, "signature", counting)
    folder = tmp_path / "articles"
    assert indexed.indexer().run([folder]).unchanged == 5 and computed == []
    path = folder / "library.md"
    path.write_text(path.read_text().replace("900 people", "1,100 people"))
    report = indexed.indexer().run([folder])
    assert report.updated == 1 and len(computed) == 1


def test_removing_members_regroups(indexed: Services) -> None:
    indexed.indexer().remove(["courier"])
    docs = indexed.store.catalog.documents()
    # the earliest remaining copy names the story now (a tie on the date: the smaller id)
    assert docs["ledger"].story_id == "ledger" and docs["valley"].story_id == "ledger"
    nodes = indexed.retriever.search("Port Halden flood barrier", k=10, max_per_doc=1)
    assert len({"ledger", "valley"} & {n.node.metadata["doc_id"] for n in nodes}) == 1
    indexed.indexer().remove(["ledger"])
    assert indexed.store.catalog.documents()["valley"].story_id == "valley"


def test_interrupted_run_regroups(indexed: Services, tmp_path: Path) -> None:
    """A run killed after its catalog commit and before regrouping leaves the index
    dirty; the next run regroups even when no document changed."""
    catalog = indexed.store.catalog
    with sqlite3.connect(catalog.path) as db:
        db.execute("UPDATE documents SET story_id = NULL")
    catalog.set_meta("dirty", "1")
    indexed.indexer().run([tmp_path / "articles"])
    assert catalog.documents()["ledger"].story_id == "courier"


def test_passage_story_defaults_to_its_document() -> None:
    p = Passage(n=1, doc_id="d", chunk_id="d:0", title="T", text="x")
    assert p.story == "d" and p.source_line() == ""
