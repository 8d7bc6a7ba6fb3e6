"""The pieces of the APIs that need no server: the login check, reading an OpenAI chat
into a question and its history, model names, and the answer mode a request runs in."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest

from rag.container import Services, build_services
from tests.conftest import SEEDS, make_settings
from tests.support.fake_llm import ScriptedLLM
from tests.support.fakes import HashEmbedding
from ui.api.auth import authorized
from ui.api.openai import ApiError, Message, conversation, mode_of
from ui.chat import ChatUI

LOGIN = ("ann", "s3cret")


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("header", "login", "ok"),
    [
        ("", None, True),
        ("Bearer anything", None, True),
        ("Bearer s3cret", LOGIN, True),
        ("bearer ann:s3cret", LOGIN, True),
        (_basic("ann:s3cret"), LOGIN, True),
        ("", LOGIN, False),
        ("Bearer wrong", LOGIN, False),
        ("Bearer ann", LOGIN, False),
        (_basic("ann:wrong"), LOGIN, False),
        ("Basic not-base64!", LOGIN, False),
        ("Token s3cret", LOGIN, False),
    ],
)
def test_the_login_as_bearer_token_or_basic_auth(header: str, login: tuple[str, str] | None,
                                                 ok: bool) -> None:
    assert authorized({"authorization": header} if header else {}, login) is ok


def _messages(*turns: tuple[str, object]) -> list[Message]:
    return [Message.model_validate({"role": r, "content": c}) for r, c in turns]


@pytest.mark.parametrize(
    ("turns", "question", "history"),
    [
        ([("user", "Who?")], "Who?", []),
        ([("system", "Be brief."), ("user", " Who? ")], "Who?", []),
        ([("user", "Who?"), ("assistant", "Ann [1]."), ("user", "And when?")], "And when?",
         [("Who?", "Ann [1].")]),
        ([("user", [{"type": "text", "text": "Who"}, {"type": "image_url", "text": ""},
                    {"type": "text", "text": "came?"}])], "Who came?", []),
        # A user turn the assistant did not answer is no history.
        ([("user", "Hi"), ("user", "Who?")], "Who?", []),
    ],
)
def test_the_last_user_message_is_the_question_and_earlier_turns_the_history(
    turns: list[tuple[str, object]], question: str, history: list[tuple[str, str]]
) -> None:
    assert conversation(_messages(*turns)) == (question, history)


@pytest.mark.parametrize("turns", [[("assistant", "Hello")], [("user", "  ")],
                                   [("user", "Who?"), ("assistant", "Ann.")]])
def test_a_chat_that_does_not_end_with_a_question_is_a_400(
    turns: list[tuple[str, object]]
) -> None:
    with pytest.raises(ApiError) as caught:
        conversation(_messages(*turns))
    assert caught.value.status == 400 and caught.value.body()["error"]["param"] == "messages"


@pytest.mark.parametrize(("model", "mode"), [("newsrag", None),
                                             ("newsrag-extractive", "extractive"),
                                             ("newsrag-generative", "generative")])
def test_a_model_names_an_answer_mode(model: str, mode: str | None) -> None:
    assert mode_of(model) == mode


def test_an_unknown_model_is_a_404() -> None:
    with pytest.raises(ApiError) as caught:
        mode_of("gpt-4o")
    assert caught.value.status == 404 and caught.value.code == "model_not_found"


@pytest.fixture
def extractive_server(tmp_path: Path) -> Iterator[Services]:
    services = build_services(make_settings(tmp_path / "index", answer_mode="extractive"),
                              embedder=HashEmbedding(), llm=ScriptedLLM(["Three [1]."]))
    services.indexer().run([SEEDS])
    yield services
    services.close()


def test_ask_without_a_mode_runs_in_the_servers_mode(extractive_server: Services) -> None:
    ui = ChatUI(extractive_server)
    question = "How many Katyusha rockets were aimed at the US embassy?"
    assert ui.ask(question)["mode"] == "extractive"
    assert ui.ask(question, mode="generative")["mode"] == "generative"
    with pytest.raises(gr.Error, match="unknown answer mode 'poetic'"):
        ui.ask(question, mode="poetic")
