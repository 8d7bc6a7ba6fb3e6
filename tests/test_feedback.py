"""Feedback (issue 26): thumbs up / down on answers, stored in the catalog, listed and
exported by ``rag feedback`` as a question set that ``rag eval`` runs; the chat's 👍/👎
handlers. (The browser test: tests/test_ui_browser.py.)"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
import yaml
from click.testing import CliRunner, Result

from index.catalog import Catalog
from rag.cli import cli
from rag.container import Services, build_services
from rag.errors import InputError, UserError
from rag.evaluation.runner import RunOptions, case_scope, run_cases
from rag.evaluation.sets import load_set
from rag.feedback import (
    CitedSource,
    Feedback,
    citation_from,
    feedback_from_answer,
    feedback_from_result,
    list_rows,
    rating_of,
    record_feedback,
    stored_feedback,
    table_lines,
    to_case,
    to_question_set,
)
from rag.retrieval import Filters
from tests.conftest import SEEDS, make_settings
from tests.support.fakes import HashEmbedding
from ui import render
from ui.chat import ChatState, ChatUI, new_state
from ui.feedback import FeedbackUI, new_rated

KATYUSHA_Q = "How many Katyusha rockets were aimed at the US embassy?"
KATYUSHA_DOC = "003_4d07f30f24df0013"
CITED = (CitedSource(KATYUSHA_DOC, "Missiles were fired", "AFP", "three Katyusha rockets"),
         CitedSource("001_x", "Other", "", "", supported=False))
BASE = Feedback(rating="up", question="And how many?", standalone=KATYUSHA_Q,
                answer="Three [1].", citations=CITED, lead="Three", id=7,
                created_at="2024-08-20T10:11:12+00:00")


# -- pure functions --------------------------------------------------------------------


@pytest.mark.parametrize(("value", "rating"), [
    ("up", "up"), (" UP ", "up"), ("👍", "up"), ("like", "up"), (True, "up"),
    ("down", "down"), ("👎", "down"), ("Dislike", "down"), (False, "down"),
])
def test_rating_of_reads_what_front_ends_send(value: object, rating: str) -> None:
    assert rating_of(value) == rating


@pytest.mark.parametrize("value", ["", "meh", None, 3])
def test_rating_of_refuses_anything_else(value: object) -> None:
    with pytest.raises(UserError, match="'up' or 'down'"):
        rating_of(value)


@pytest.mark.parametrize(("feedback", "expected"), [
    # a thumbs-up expects the cited articles (checked ones only) and the short answer
    (BASE, {"id": "feedback-7-up", "question": KATYUSHA_Q, "sources": [KATYUSHA_DOC],
            "answer": "Three",
            "given": {"rating": "up", "answer": "Three [1].", "sources": [KATYUSHA_DOC],
                      "asked": "And how many?", "at": "2024-08-20T10:11:12+00:00"}}),
    # an approved abstention: the question is not answerable from the articles
    (replace(BASE, abstained=True, citations=(), lead=None, standalone="", comment="right"),
     {"id": "feedback-7-up", "question": "And how many?", "answerable": False,
      "note": "right", "given": {"rating": "up", "answer": "Three [1].", "sources": [],
                                 "at": "2024-08-20T10:11:12+00:00"}}),
    # a thumbs-down expects nothing yet: a case to fix, the comment its note, with filters
    (replace(BASE, rating="down", comment="wrong attack", since="2024-01-01",
             until="2024-12-31", outlets=("AFP",), as_of="2024-09-01", standalone="",
             question=KATYUSHA_Q, created_at=""),
     {"id": "feedback-7-down", "question": KATYUSHA_Q,
      "filters": {"since": "2024-01-01", "until": "2024-12-31", "outlets": ["AFP"],
                  "as_of": "2024-09-01"},
      "status": "to-fix", "note": "wrong attack",
      "given": {"rating": "down", "answer": "Three [1].", "sources": [KATYUSHA_DOC]}}),
])
def test_to_case(feedback: Feedback, expected: dict[str, Any]) -> None:
    assert to_case(feedback) == expected


def test_an_empty_question_set_is_refused() -> None:
    with pytest.raises(UserError, match="no feedback"):
        to_question_set([])


@pytest.mark.parametrize(("kwargs", "field", "value"), [
    ({"since": "2024", "until": "2024-02"}, "since", "2024-01-01"),
    ({"since": "2024", "until": "2024-02"}, "until", "2024-02-29"),  # a month: its last day
    ({"outlets": ["All outlets", " AFP ", ""]}, "outlets", ("AFP",)),
    ({"as_of": "2024-09-01"}, "as_of", "2024-09-01"),
    ({}, "since", None),
    ({"comment": "  too\n long ago  "}, "comment", "too long ago"),
    ({"lead": ""}, "lead", None),
])
def test_feedback_from_answer_normalises_what_a_client_sends(
    kwargs: dict[str, Any], field: str, value: object
) -> None:
    fb = feedback_from_answer(KATYUSHA_Q, "Three [1].", [{"doc_id": KATYUSHA_DOC}], "down",
                              **kwargs)
    assert getattr(fb, field) == value


@pytest.mark.parametrize(("question", "citations", "since", "message"), [
    ("", [], None, "needs the question"),
    ("q?", [{"title": "no id"}], None, "doc_id"),
    ("q?", [], "yesterday", "not a date"),
])
def test_feedback_from_answer_refuses_bad_input(
    question: str, citations: list[dict[str, Any]], since: str | None, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        feedback_from_answer(question, "a", citations, "up", since=since)


@pytest.mark.parametrize(("data", "expected"), [
    ({"doc_id": "d", "title": "T", "outlet": "AFP", "quote": " a  b ", "supported": True},
     CitedSource("d", "T", "AFP", "a b", True)),  # the API's shape
    ({"doc_id": "d", "source": "AFP", "text": "x " * 300, "supported": False},
     CitedSource("d", "", "AFP", ("x " * 200).strip(), False)),  # rag ask --json's shape
])
def test_citation_from(data: dict[str, Any], expected: CitedSource) -> None:
    assert citation_from(data) == expected


def test_list_table() -> None:
    rows = list_rows([BASE, replace(BASE, rating="down", comment="wrong")])
    assert rows[0] == ("2024-08-20 10:11", "up", "And how many?", "")
    lines = table_lines(rows, width=10)
    assert lines[0].startswith("date (UTC)") and "And how m…" in lines[1]
    assert lines[2].endswith("wrong") and lines[-1] == "2 feedback (1 up, 1 down)"


@pytest.mark.parametrize(("message", "expected"), [
    (render.answer_html.__name__, None),  # any text without the answer's marks
    (render.error_html("index is empty"), None),
    (render.user_html("How many?"), None),
    ('<div class="rag-answer">' + render.answer_actions(
        3, "?q=How+many%3F&since=2024-01&outlet=A%26B&as_of=2024-09-01") + "</div>",
     (3, {"q": "How many?", "since": "2024-01", "outlet": "A&B", "as_of": "2024-09-01"})),
    (render.answer_actions(2, "?q=x"), (2, {"q": "x"})),
])
def test_answer_ref_reads_the_turn_and_filters_of_an_answer(
    message: str, expected: tuple[int, dict[str, str]] | None
) -> None:
    assert render.answer_ref(message) == expected


def test_feedback_line_is_escaped_but_shows_commands_as_code() -> None:
    out = render.feedback_html("saved for `rag feedback export` <b>x</b>")
    assert "<code>rag feedback export</code>" in out and "<b>" not in out
    assert "rag-feedback-hint" in render.feedback_html("first rate", saved=False)


# -- question sets -----------------------------------------------------------------------


@pytest.mark.parametrize(("case", "message"), [
    ({"status": "done"}, "status must be one of to-fix"),
    ({"note": ["x"]}, "note must be a string"),
    ({"given": "x"}, "given must be a mapping"),
    ({"filters": {"since": "last week"}}, "filters: since: 'last week' is not a date"),
    ({"filters": {"outlet": "AFP"}}, "filters must be a mapping of"),
    ({"filters": {"outlets": [1]}}, "outlets must be a list of strings"),
])
def test_loader_checks_the_feedback_fields(
    tmp_path: Path, case: dict[str, Any], message: str
) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump({"cases": [{"id": "a", "question": "q?", **case}]}))
    with pytest.raises(InputError, match=message):
        load_set(path)


def test_exported_set_loads_with_its_filters(tmp_path: Path) -> None:
    down = replace(BASE, rating="down", comment="wrong", since="2024-01-01",
                   outlets=("AFP",), as_of="2024-09-01", id=8)
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(to_question_set([BASE, down]), allow_unicode=True))
    up_case, down_case = load_set(path).cases
    assert up_case.sources == (KATYUSHA_DOC,) and up_case.answers == ("Three",)
    assert up_case.status is None and case_scope(up_case) == {}
    assert down_case.status == "to-fix" and down_case.note == "wrong"
    assert down_case.sources == () and down_case.facts == ()
    assert case_scope(down_case) == {"filters": Filters(date(2024, 1, 1), None, ("AFP",)),
                                     "as_of": date(2024, 9, 1)}


# -- the catalog -------------------------------------------------------------------------


def test_catalog_round_trip(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    try:
        first = record_feedback(catalog, replace(BASE, id=None, created_at=""))
        second = record_feedback(catalog, replace(BASE, rating="down", comment="no", id=None,
                                                  created_at=""))
        assert first.id is not None and second.id == first.id + 1 and first.created_at
        assert stored_feedback(catalog) == [first, second]
        assert stored_feedback(catalog, "down") == [second]
        assert catalog.update_feedback(first.id, rating="down", comment="changed my mind")
        assert stored_feedback(catalog, "down")[0] == replace(first, rating="down",
                                                              comment="changed my mind")
        catalog.reset()  # (a rebuilt index keeps what readers said)
        assert catalog.delete_feedback(second.id) and not catalog.delete_feedback(second.id)
        assert not catalog.update_feedback(second.id, comment="x")
        assert [f.id for f in stored_feedback(catalog)] == [first.id]
    finally:
        catalog.close()


# -- answers, the chat's handlers ---------------------------------------------------------


def chat(ui: ChatUI, question: str, **kw: Any) -> tuple[list[Any], ChatState]:
    """Ask in the chat; the final messages and state."""
    args: dict[str, Any] = {"since": "", "until": "", "outlet": "All outlets", "k": 5,
                            "mode": "generative", **kw}
    steps = list(ui.chat(question, [], new_state(), **args))
    messages = [s.chatbot for s in steps if isinstance(s.chatbot, list)][-1]
    state = [s.state for s in steps if isinstance(s.state, ChatState)][-1]
    return messages, state


def like(index: int, liked: bool | str) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": [], "liked": liked})


def test_feedback_from_result_keeps_what_was_asked_and_cited(seeded: Services) -> None:
    result = seeded.answerer.answer(KATYUSHA_Q, filters=Filters.parse("2024", "", ["AFP"]))
    fb = feedback_from_result(result, Filters.parse("2024", "", ["AFP"]), "down", "wrong",
                              as_of=date(2024, 9, 1))
    assert (fb.rating, fb.comment, fb.question, fb.answer) == ("down", "wrong", KATYUSHA_Q,
                                                               result.answer)
    assert (fb.since, fb.until, fb.outlets, fb.as_of) == ("2024-01-01", None, ("AFP",),
                                                          "2024-09-01")
    assert (fb.mode, fb.backend) == (result.mode, result.backend)
    cited = {c["doc_id"] for c in result.citations() if c["supported"]}
    assert set(fb.cited_ids) == cited and all(c.quote for c in fb.citations)


def test_thumbs_down_then_comment_in_the_chat(seeded: Services) -> None:
    ui = ChatUI(seeded)
    messages, state = chat(ui, KATYUSHA_Q, since="2024-01", as_of="2024-09-01")
    catalog = seeded.store.catalog
    line, box, rated = FeedbackUI(seeded).rate(messages, state, "", new_rated(), like(1, False))
    assert "Thumbs-down on answer 1" in line and "rag feedback export" in line
    assert isinstance(box, dict)  # (the comment box is left as it is)
    [fb] = stored_feedback(catalog)
    assert (fb.rating, fb.question, fb.since, fb.as_of) == ("down", KATYUSHA_Q, "2024-01-01",
                                                            "2024-09-01")
    assert "Three Katyusha rockets" in fb.answer and fb.cited_ids
    line, box, rated = FeedbackUI(seeded).send_comment("  It missed the  second attack ", rated)
    assert "Comment saved with your thumbs-down on answer 1" in line and box == ""
    assert stored_feedback(catalog)[0].comment == "It missed the second attack"
    # the other thumb changes the rating (one record per answer); the same again takes it back
    line, _, rated = FeedbackUI(seeded).rate(messages, state, "", rated, like(1, True))
    assert [(f.id, f.rating) for f in stored_feedback(catalog)] == [(fb.id, "up")]
    line, _, rated = FeedbackUI(seeded).rate(messages, state, "", rated, like(1, ""))
    assert "taken back" in line and stored_feedback(catalog) == [] and rated == new_rated()


@pytest.mark.parametrize(("index", "comment", "expected"), [
    (0, "", "Only a checked answer can be rated."),  # the question itself
    (5, "", "Only a checked answer can be rated."),  # no such message
])
def test_only_answers_can_be_rated(seeded: Services, index: int, comment: str,
                                   expected: str) -> None:
    ui = ChatUI(seeded)
    messages, state = chat(ui, KATYUSHA_Q)
    line, _, rated = FeedbackUI(seeded).rate(messages, state, comment, new_rated(), like(index, True))
    assert expected in line and rated == new_rated()
    assert stored_feedback(seeded.store.catalog) == []


def test_a_comment_typed_first_goes_with_the_thumb(seeded: Services) -> None:
    ui = ChatUI(seeded)
    messages, state = chat(ui, KATYUSHA_Q)
    line, box, _ = FeedbackUI(seeded).rate(messages, state, "spot on", new_rated(), like(1, True))
    assert box == "" and "Thumbs-up" in line
    assert stored_feedback(seeded.store.catalog)[0].comment == "spot on"


@pytest.mark.parametrize(("comment", "expected"), [
    ("", "Write a comment first"),
    ("why", "Rate an answer with the thumbs under it first"),
])
def test_a_comment_needs_a_rating(seeded: Services, comment: str, expected: str) -> None:
    line, box, _ = FeedbackUI(seeded).send_comment(comment, new_rated())
    assert expected in line and "rag-feedback-hint" in line and isinstance(box, dict)


# -- the command line, and `rag eval` on the export ---------------------------------------


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An index of the seeds (hash embeddings, as the commands will use) with a thumbs-up
    and a thumbs-down in its catalog."""
    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding())
    services.indexer().run([SEEDS])
    catalog = services.store.catalog
    record_feedback(catalog, replace(BASE, id=None, created_at=""))
    record_feedback(catalog, feedback_from_answer(
        KATYUSHA_Q, "Two rockets [1].", [{"doc_id": KATYUSHA_DOC, "quote": "rockets"}],
        "down", "it was three", since="2024"))
    services.close()
    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_EMBED_BACKEND", "hash")
    monkeypatch.setenv("RAG_OLLAMA_HOST", "http://127.0.0.1:9")
    return tmp_path / "index"


def rag(index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--index-dir", str(index_dir), *args],
                              catch_exceptions=False)


def test_feedback_list(index_dir: Path) -> None:
    out = rag(index_dir, "feedback", "list")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["date", "(UTC)", "rating", "question", "comment"]
    assert " up " in lines[1] and "And how many?" in lines[1]
    assert " down " in lines[2] and lines[2].endswith("it was three")
    assert lines[-1] == "2 feedback (1 up, 1 down)"
    data = json.loads(rag(index_dir, "feedback", "list", "--rating", "down", "--json").stdout)
    assert [(d["rating"], d["comment"], d["since"]) for d in data] == [
        ("down", "it was three", "2024-01-01")]
    assert data[0]["citations"][0]["doc_id"] == KATYUSHA_DOC


def test_feedback_export_runs_under_rag_eval(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "feedback.yaml"
    out = rag(index_dir, "feedback", "export", str(path))
    assert out.exit_code == 0, out.output
    assert "2 cases written" in out.stderr and "(1 to fix)" in out.stderr
    assert path.read_text().startswith("# Made by `rag feedback export`")
    assert [c.status for c in load_set(path).cases] == [None, "to-fix"]
    only_down = tmp_path / "down.yaml"
    assert rag(index_dir, "feedback", "export", str(only_down), "--rating", "down").exit_code == 0
    assert [c.id for c in load_set(only_down).cases] == ["feedback-2-down"]
    ran = rag(index_dir, "eval", str(path), "--retrieval-only", "--json",
              "--history-dir", str(tmp_path / "history"))
    assert ran.exit_code == 0, ran.output
    cases = json.loads(ran.stdout)["cases"]
    assert [c["id"] for c in cases] == ["feedback-1-up", "feedback-2-down"]
    assert cases[0]["hits"]  # the thumbs-up's cited article is its expected source


def test_export_without_feedback_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_EMBED_BACKEND", "hash")
    out = CliRunner().invoke(cli, ["--index-dir", str(tmp_path / "index"), "feedback",
                                   "export", str(tmp_path / "x.yaml")])
    assert out.exit_code == 2 and "no feedback to export yet" in out.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_exported_cases_run_with_their_filters_on_the_seed_index(
    seed_index: Services, tmp_path: Path
) -> None:
    """An approved answer (asked since 2024) becomes a case the eval runner answers right
    again, under the same filters; a thumbs-down runs too, ungraded until it is fixed."""
    filters = Filters.parse("2024", "", [])
    result = seed_index.answerer.answer(KATYUSHA_Q, mode="extractive", filters=filters)
    up = replace(feedback_from_result(result, filters, "up"), id=1)
    down = replace(feedback_from_result(result, filters, "down", "wrong"), id=2)
    assert up.cited_ids and KATYUSHA_DOC in up.cited_ids
    path = tmp_path / "feedback.yaml"
    path.write_text(yaml.safe_dump(to_question_set([up, down]), allow_unicode=True))
    cases = load_set(path).cases
    assert cases[0].since == "2024-01-01"
    ran = run_cases(cases, seed_index.retriever, seed_index.answerer,
                    RunOptions(mode="extractive"))
    assert ran[0].hits["hit@4"] and ran[0].correct is (True if up.lead else None)
    dates = {d.doc_id: d.published_at or "" for d in seed_index.store.catalog.documents().values()}
    assert ran[0].retrieved and all(dates[d] >= "2024" for d in ran[0].retrieved)
    assert ran[1].id == "feedback-2-down" and ran[1].correct is None
