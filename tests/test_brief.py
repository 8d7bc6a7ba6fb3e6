"""The brief, the chat's exports and permalinks: parsing the page's actions, editing a
brief, links in and out of the query string, and the handlers over a seeded index."""

from __future__ import annotations

import html
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rag.answer import AnswerResult
from rag.container import Services
from rag.export import ExportItem
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage
from tests.support.ui import KATYUSHA_Q, last, run_chat
from ui.brief import Action, BriefUI, apply, brief_html, move, parse_action, pin, remove
from ui.chat import ChatUI
from ui.downloads import ExportFiles
from ui.links import Link, read_link


def _item(question: str, text: str = "It rained.") -> ExportItem:
    passage = Passage(n=1, doc_id="d", chunk_id="d:0", title="T", text=text)
    sentence = CheckedSentence(text, [1], True, 0.9, "quoted", {1: (0, len(text))})
    return ExportItem(AnswerResult(question=question, standalone=question, answer=text,
                                   abstained=False, reason="", sentences=[sentence],
                                   passages=[passage], mode="extractive", backend="none",
                                   model=""))


A, B, C = _item("a?"), _item("b?"), _item("c?")


@pytest.mark.parametrize(("text", "expected"), [
    ("pin-answer-3 1733000000", Action("pin-answer", 3)),
    ("#pin-sentence-0", Action("pin-sentence", 0)),
    ("pin-summary", Action("pin-summary")),
    ("up-2", Action("up", 2)),
    ("remove-12 99", Action("remove", 12)),
    ("pin-summary-2", None),
    ("pin-answer", None),
    ("drop-table-1", None),
    ("", None),
    ("up-1234567", None),
])
def test_parse_action(text: str, expected: Action | None) -> None:
    assert parse_action(text) == expected


@pytest.mark.parametrize(("brief", "op", "expected"), [
    ([A, B], lambda b: pin(b, C), [A, B, C]),
    ([A, B], lambda b: pin(b, A), [A, B]),  # pinned once
    ([A, B, C], lambda b: move(b, 3, -1), [A, C, B]),
    ([A, B, C], lambda b: move(b, 1, -1), [A, B, C]),  # already first
    ([A, B, C], lambda b: move(b, 1, 1), [B, A, C]),
    ([A, B, C], lambda b: move(b, 3, 1), [A, B, C]),
    ([A, B, C], lambda b: move(b, 9, -1), [A, B, C]),
    ([A, B, C], lambda b: remove(b, 2), [A, C]),
    ([A], lambda b: remove(b, 5), [A]),
])
def test_editing_a_brief(brief: list[ExportItem], op: Any, expected: list[ExportItem]) -> None:
    assert op(brief) == expected


def test_apply_says_what_it_did() -> None:
    assert apply(Action("pin-answer", 2), [A], {1: B}, None) == (
        [A], "That answer is no longer in this conversation.")
    assert apply(Action("pin-answer", 1), [A], {1: B}, None)[0] == [A, B]
    assert apply(Action("pin-summary"), [A], {}, None)[1] == "Make a summary first."
    assert apply(Action("pin-sentence", 5), [A], {}, B)[1] == "That sentence is not in the summary."
    after, _ = apply(Action("pin-sentence", 0), [], {}, B)
    assert after[0].kind == "Summary sentence" and after[0].result.sentences == \
        B.result.sentences[:1]


def test_the_brief_view_escapes_and_numbers_merged_footnotes() -> None:
    hostile = _item("<b>q</b>?", "Markup <img src=x onerror=alert(1)> stays text.")
    view = brief_html([A, hostile, B])
    assert "<img" not in view and "&lt;img" in view and "<b>" not in view
    assert view.count('class="rag-brief-item"') == 3
    assert view.count('id="brief-fn') == 2  # A and B quote the same sentence: one source
    assert 'href="#up-1"' not in view and 'href="#down-3"' not in view
    assert 'href="#up-2"' in view and 'href="#remove-3"' in view


@pytest.mark.parametrize("link", [
    Link(q="How many rockets?"),
    Link(q="Who & why? <script>", since="2023-10-01", until="2023-10-31", outlet="AP & Co",
         as_of="2023-11-01"),
    Link(q="naïve “quotes” #hash ?q=x"),
])
def test_a_link_survives_the_query_string(link: Link) -> None:
    from urllib.parse import parse_qsl, urlsplit

    query = link.query()
    assert query.startswith("?") and "<" not in query and " " not in query
    assert read_link(dict(parse_qsl(urlsplit(query).query))) == link


def test_read_link_trims_and_cuts() -> None:
    link = read_link({"q": "  many\n spaces  " + "x" * 5000, "since": "2023-01-01",
                      "evil": "1"})
    assert link.q.startswith("many spaces x") and len(link.q) == 2000
    assert link.since == "2023-01-01" and link.outlet == ""


# -- handlers over the seeded index --------------------------------------------------


def _download_path(button: Any) -> str:
    """The file a download button was given (Gradio keeps its copy in its cache)."""
    value = button.value
    return str(value["path"] if isinstance(value, dict) else value)


def test_each_answer_has_its_exports_and_the_conversation_one(
        seeded: Services, tmp_path: Path) -> None:
    ui = ChatUI(seeded, ExportFiles(seeded.store.catalog, tmp_path / "exports"))
    first = run_chat(ui, KATYUSHA_Q, since="2020-01-01")
    second = run_chat(ui, "And who fired them?", last(first, "state"), last(first, "chatbot"),
                      since="2020-01-01")
    message = html.unescape(last(second, "chatbot")[-1]["content"])
    hrefs = re.findall(r'class="rag-dl" href="gradio_api/file=([^"]+)" download="([^"]+)"',
                       message)
    assert [name for _, name in hrefs] == ["answer-2.html", "answer-2.md"]
    from urllib.parse import unquote

    answer = last(second, "state").answers[2].result
    for path, _ in hrefs:
        text = Path(unquote(path)).read_text(encoding="utf-8")
        assert "And who fired them?" in text and answer.standalone in text
    link = re.search(r'class="rag-link" href="([^"]+)"', message)
    assert link and "since=2020-01-01" in link.group(1)
    assert "Katyusha" in link.group(1), "a follow-up links to its standalone question"
    whole = Path(_download_path(last(second, "conv_html"))).read_text(encoding="utf-8")
    assert whole.count("<h2") == 2 and KATYUSHA_Q in whole and "since 2020-01-01" in whole
    assert Path(_download_path(last(second, "conv_md"))).read_text(encoding="utf-8").startswith(
        "# Conversation")


def test_pins_from_the_chat_and_a_summary_make_one_brief(
        seeded: Services, tmp_path: Path) -> None:
    from rag.summary.scope import Scope

    files = ExportFiles(seeded.store.catalog, tmp_path / "exports")
    ui, brief = ChatUI(seeded, files), BriefUI(files)
    state = last(run_chat(ui, KATYUSHA_Q, mode="extractive"), "state")
    summary = seeded.summarizer.summarize(Scope(topic="rocket attacks on the embassy"),
                                          mode="extractive")
    item = ExportItem(summary.as_answer(), kind="Summary")
    items: list[ExportItem] = []
    for action in ("pin-answer-1 1", "pin-sentence-0 2", "pin-answer-1 3", "up-2 4"):
        items, view, as_html, as_md = brief.act(action, state, item, items)
    assert [i.kind for i in items] == ["Summary sentence", "Answer"]
    assert view.index("Summary sentence:") < view.index("Answer:")
    page = Path(_download_path(as_html)).read_text(encoding="utf-8")
    notes = re.findall(r'<li id="fn\d+">', page)
    spans = {(p.chunk_id, *s.evidence.get(n, (0, 0))) for i in items
             for s in i.result.sentences if s.supported
             for n in s.citations for p in i.result.passages if p.n == n}
    assert len(notes) == len(spans) >= 1
    assert Path(_download_path(as_md)).read_text(encoding="utf-8").startswith("# Brief")
    assert brief.act("nonsense", state, item, items)[0] != items  # a skip, not a change


def test_a_permalink_fills_the_chat(seeded: Services) -> None:
    ui = ChatUI(seeded)
    request = SimpleNamespace(query_params={"q": KATYUSHA_Q, "outlet": "Nowhere",
                                            "since": "2020-01-01"})
    assert ui.from_link(request) == (KATYUSHA_Q, "2020-01-01", "", "All outlets", "")  # type: ignore[arg-type]
    assert all(isinstance(v, dict) for v in ui.from_link(
        SimpleNamespace(query_params={})))  # type: ignore[arg-type]


def test_exports_that_cannot_be_written_cost_the_downloads_not_the_answer(
        seeded: Services, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")  # a file where the exports folder should be
    ui = ChatUI(seeded, ExportFiles(seeded.store.catalog, blocked))
    steps = run_chat(ui, KATYUSHA_Q)
    message = last(steps, "chatbot")[-1]["content"]
    assert "Katyusha" in message and "rag-answer-text" in message
    assert "rag-dl" not in message and "Pin to brief" in message
    assert last(steps, "conv_html").interactive is False
