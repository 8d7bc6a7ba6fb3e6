"""The Chat tab's handlers over real services with a scripted LLM: the draft streams, then
the checked answer with its sources; follow-ups, filters, stopping, failures shown in the
chat (search-only when the model fails), and how many answers run at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.dates import parse_day
from rag.container import Services, build_services
from rag.errors import BackendUnavailable, UserError
from rag.llms.select import BackendChoice
from tests.conftest import SEEDS, make_settings
from tests.support.fake_llm import ScriptedLLM, question_of
from tests.support.fakes import HashEmbedding
from tests.support.ui import KATYUSHA_Q, assert_only_our_markup, last, parse, run_chat
from ui import render
from ui.chat import ChatUI, new_state


def test_chat_streams_the_draft_then_shows_the_checked_answer(seeded: Services) -> None:
    ui = ChatUI(seeded)
    steps = run_chat(ui, KATYUSHA_Q)
    contents = [s.chatbot[-1]["content"] for s in steps if isinstance(s.chatbot, list)]
    drafts = [c for c in contents if "rag-draft-text" in c]
    assert len(drafts) >= 3, "the draft streams in pieces"
    final = contents[-1]
    assert "rag-draft" not in final and "Katyusha" in final
    href = parse(final).tags[[t for t, _ in parse(final).tags].index("a")][1]["href"]
    n = href.rsplit("-", 1)[1]
    panel = last(steps, "sources")
    card = panel[panel.index(f'id="src-1-{n}"'):]
    assert "three Katyusha rockets" in card[:card.index("</div></div>")]
    state = last(steps, "state")
    assert state.turn == 1 and state.history[0][0] == KATYUSHA_Q

def test_follow_up_passes_the_history(seeded: Services) -> None:
    ui = ChatUI(seeded)
    first = run_chat(ui, KATYUSHA_Q)
    state, messages = last(first, "state"), last(first, "chatbot")
    second = run_chat(ui, "And where did they fall?", state, messages)
    llm = seeded.llm
    assert question_of(llm.prompts[-1]) == f"And where did they fall? ({KATYUSHA_Q})"
    state = last(second, "state")
    assert state.turn == 2 and len(state.history) == 2
    chat = last(second, "chatbot")
    assert len(chat) == 4 and "#src-2-" in chat[-1]["content"]
    panel = last(second, "sources")
    assert panel.index('id="turn-2"') < panel.index('id="turn-1"'), "newest answer first"

@pytest.mark.parametrize("failure", [
    BackendUnavailable("Ollama is not running at http://127.0.0.1:9"),
    RuntimeError("segfault-ish <b>boom</b>"),
])
def test_llm_failure_mid_chat_goes_search_only(tmp_path: Path, failure: Exception) -> None:
    llm = ScriptedLLM(["Three Katyusha rockets were aimed"], fail_with=failure, fail_after=3)
    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding(),
                              llm=llm)
    services.indexer().run([SEEDS])
    try:
        steps = run_chat(ChatUI(services), KATYUSHA_Q)
    finally:
        services.close()
    final = last(steps, "chatbot")[-1]["content"]
    assert_only_our_markup(final)
    assert "The language model failed" in final
    assert render.esc(str(failure)) in final
    panel = last(steps, "sources")
    assert 'id="src-1-1"' in panel and "Katyusha" in panel

def test_user_errors_are_shown_in_the_chat(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding(),
                              llm=ScriptedLLM(["x"]))
    try:
        ui = ChatUI(services)
        final = last(run_chat(ui, "Anything?"), "chatbot")[-1]["content"]
        assert "rag-error" in final and "index is empty" in final
        final = last(run_chat(ui, "Anything?", since="yesterday"), "chatbot")[-1]["content"]
        assert "not a date" in final
    finally:
        services.close()

def test_stop_marks_the_draft_as_stopped(seeded: Services) -> None:
    ui = ChatUI(seeded)
    messages = [{"role": "user", "content": [{"type": "text", "text": "q"}]},
                {"role": "assistant", "content": [{"type": "text",
                                                   "text": render.pending_html("Thr")}]}]
    stopped = ui.stopped(messages, new_state())
    out, panel = stopped.chatbot, stopped.sources
    assert "Stopped." in out[-1]["content"] and out[0]["content"] == "q"
    assert "Thr" in out[-1]["content"] and "not checked" in out[-1]["content"]
    assert panel == render.EMPTY_SOURCES

def test_date_filters_reach_retrieval(seeded: Services) -> None:
    ui = ChatUI(seeded)
    panel = last(run_chat(ui, KATYUSHA_Q, since="2020-01-01", until="2020-12"), "sources")
    assert "2020" in panel and "2024" not in panel

def test_parse_day() -> None:
    assert str(parse_day("2020-03")) == "2020-03-01"
    assert str(parse_day("2020-02", end=True)) == "2020-02-29"
    assert str(parse_day("2021", end=True)) == "2021-12-31"
    assert parse_day("  ") is None
    with pytest.raises(UserError, match="not a date"):
        parse_day("March")

def test_each_chat_answer_discloses_how_it_was_answered(seeded: Services) -> None:
    final = [s.chatbot[-1]["content"] for s in run_chat(ChatUI(seeded), KATYUSHA_Q)
             if isinstance(s.chatbot, list)][-1]
    assert "How this was answered" in final
    details = final[final.index('<details class="rag-plan">'):]
    assert "answer type: number" in details and "part 1:" in details

@pytest.mark.parametrize(("backend", "setting", "expected"),
                         [("ollama", 4, 4), ("ollama", 1, 1), ("embedded", 4, 1)])
def test_answers_run_at_once_as_the_backend_allows(backend: str, setting: int,
                                                   expected: int) -> None:
    from rag.settings import load_settings
    from ui.chat import answer_concurrency

    settings = load_settings(Path("/dev/null")).model_copy(update={"ollama_concurrency": setting})
    assert answer_concurrency(BackendChoice(backend, "m", "why"), settings) == expected
