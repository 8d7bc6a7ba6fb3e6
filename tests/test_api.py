"""The APIs other tools use, against a real ``rag serve`` on the seeds (behind a login):
the OpenAI-compatible chat with the real ``openai`` client, MCP over streamable HTTP with
the real ``mcp`` client, and ``rag mcp`` over stdio in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.support.net import free_port
from tests.support.reliability import RAG, http_ok, wait_until

pytestmark = pytest.mark.subprocess

USER, PASSWORD = "ann", "s3cret-api"
KATYUSHA_Q = "How many Katyusha rockets were aimed at the US embassy?"


@dataclass
class Served:
    url: str
    index_dir: Path
    env: dict[str, str]


def _env(index_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir),
               RAG_OLLAMA_HOST="http://127.0.0.1:9", RAG_UI_AUTH=f"{USER}:{PASSWORD}")
    return env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    index_dir = tmp_path_factory.mktemp("api") / "index"
    env = _env(index_dir)
    port = free_port()
    proc = subprocess.Popen(
        [str(RAG), "serve", "--port", str(port), "--index-if-empty", str(SEEDS)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http_ok(url), 180, "rag serve", proc)
        yield Served(url, index_dir, env)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _client(served: Served, key: str = PASSWORD) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=f"{served.url}/v1", api_key=key, max_retries=0, timeout=120)


def _assert_katyusha(content: str, extra: dict[str, Any]) -> None:
    assert "three Katyusha rockets" in content and "Sources:" in content, content
    cited = extra["citations"]
    assert cited and all(f"[{c['n']}]" in content for c in cited if c["supported"])
    quoted = [c for c in cited if "Katyusha" in c["quote"]]
    assert quoted and quoted[0]["doc_id"] and quoted[0]["title"], cited


def test_models_name_the_answer_modes(served: Served) -> None:
    ids = [m.id for m in _client(served).models.list()]
    assert ids[0] == "newsrag" and {"newsrag-extractive", "newsrag-generative"} <= set(ids)


def test_a_chat_completion_is_the_checked_answer_with_its_citations(served: Served) -> None:
    reply = _client(served).chat.completions.create(
        model="newsrag", messages=[{"role": "system", "content": "Be brief."},
                                   {"role": "user", "content": KATYUSHA_Q}])
    choice = reply.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    _assert_katyusha(choice.message.content or "", (reply.model_extra or {})["newsrag"])


def test_a_streamed_chat_completion_ends_with_its_citations_and_done(served: Served) -> None:
    stream = _client(served).chat.completions.create(
        model="newsrag-extractive", stream=True,
        messages=[{"role": "user", "content": KATYUSHA_Q}])
    text, finish, extra = [], None, None
    for chunk in stream:
        delta = chunk.choices[0].delta
        text.append(delta.content or "")
        finish = chunk.choices[0].finish_reason or finish
        extra = (chunk.model_extra or {}).get("newsrag", extra)
    assert finish == "stop" and extra is not None
    _assert_katyusha("".join(text), extra)


def test_a_follow_up_reads_the_earlier_turns(served: Served) -> None:
    client = _client(served)
    first = client.chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": KATYUSHA_Q}])
    follow = client.chat.completions.create(model="newsrag", messages=[
        {"role": "user", "content": KATYUSHA_Q},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "And where did they fall?"}])
    extra = (follow.model_extra or {})["newsrag"]
    assert KATYUSHA_Q in extra["standalone_question"], extra
    assert "Green Zone" in (follow.choices[0].message.content or "")


def test_filters_travel_in_the_newsrag_field(served: Served) -> None:
    reply = _client(served).chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": KATYUSHA_Q}],
        extra_body={"newsrag": {"until": "1999-12-31"}})
    extra = (reply.model_extra or {})["newsrag"]
    assert extra["abstained"] and not [c for c in extra["citations"] if c["supported"]]


def test_a_thumbs_down_through_the_api_becomes_a_case_to_fix(served: Served,
                                                             tmp_path: Path) -> None:
    import yaml

    question = "Who fired the rockets at the Green Zone?"
    reply = _client(served).chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": question}])
    body = {"rating": "down", "question": question, "comment": "names no one",
            "answer": reply.choices[0].message.content,
            "citations": (reply.model_extra or {})["newsrag"]["citations"]}
    request = urllib.request.Request(
        f"{served.url}/v1/feedback", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {PASSWORD}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201 and json.loads(response.read())["id"]
    out = tmp_path / "feedback.yaml"
    done = subprocess.run([str(RAG), "feedback", "export", str(out), "--rating", "down"],
                          env=served.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    cases = yaml.safe_load(out.read_text())["cases"]
    case = next(c for c in cases if c["question"] == question)
    assert case["status"] == "to-fix" and case["note"] == "names no one"


def test_a_wrong_login_is_refused_with_401(served: Served) -> None:
    from openai import AuthenticationError

    with pytest.raises(AuthenticationError) as caught:
        _client(served, key="wrong").chat.completions.create(
            model="newsrag", messages=[{"role": "user", "content": KATYUSHA_Q}])
    assert caught.value.status_code == 401
    # The login as basic auth and as user:password are taken too.
    token = f"{USER}:{PASSWORD}"
    assert [m.id for m in _client(served, key=token).models.list()]
    request = urllib.request.Request(f"{served.url}/v1/models")
    import base64
    request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": "newsrag", "messages": []}, 400, "messages"),
        ({"model": "newsrag", "messages": [{"role": "assistant", "content": "Hi"}]}, 400,
         "messages"),
        ({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}, 404, "model"),
        ({"model": "newsrag", "messages": [{"role": "user", "content": "Hi"}],
          "newsrag": {"since": "not a date"}}, 400, "newsrag"),
        ("{not json", 400, None),
        ("[" * 100_000, 400, None),
    ],
)
def test_a_bad_request_gets_openais_error_shape(served: Served, body: object, status: int,
                                                 param: str | None) -> None:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{served.url}/v1/chat/completions", data=data, method="POST",
        headers={"Authorization": f"Bearer {PASSWORD}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == status
    error = json.loads(caught.value.read())["error"]
    assert error["message"] and error["type"] == "invalid_request_error"
    assert error["param"] == param


def test_a_body_over_the_limit_is_refused_before_it_is_read(served: Served) -> None:
    from openai import APIStatusError

    with pytest.raises(APIStatusError) as caught:
        _client(served).chat.completions.create(
            model="newsrag", messages=[{"role": "user", "content": "x" * (2 * 1024 * 1024)}])
    assert caught.value.status_code == 413


# -- MCP ---------------------------------------------------------------------------


async def _mcp_session(transport: Any) -> dict[str, Any]:
    from mcp import Client

    async with Client(transport) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        asked = await client.call_tool("ask", {"question": KATYUSHA_Q})
        found = await client.call_tool("search", {"query": "Katyusha rockets embassy", "k": 3})
        empty = await client.call_tool("ask", {"question": KATYUSHA_Q, "since": "not a date"})
        outlets = await client.call_tool("list_outlets", {})
    return {"tools": tools, "ask": asked, "search": found, "bad": empty, "outlets": outlets}


def _assert_mcp(got: dict[str, Any]) -> None:
    tools = got["tools"]
    assert {"ask", "search", "summarize", "list_outlets", "list_documents"} <= set(tools)
    assert "question" in tools["ask"].input_schema["properties"]
    assert tools["search"].input_schema["properties"]["k"]["maximum"] == 50
    answer = got["ask"].structured_content
    assert not got["ask"].is_error and "three Katyusha rockets" in answer["answer"]
    assert answer["citations"], answer
    results = got["search"].structured_content["results"]
    assert len(results) == 3 and "Katyusha" in results[0]["text"]
    assert got["bad"].is_error and "not a date" in got["bad"].content[0].text
    assert not got["outlets"].is_error


def test_mcp_over_http_lists_the_tools_and_answers(served: Served) -> None:
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    http = create_mcp_http_client(headers={"Authorization": f"Bearer {PASSWORD}"})
    _assert_mcp(asyncio.run(_mcp_session(streamable_http_client(f"{served.url}/mcp",
                                                                http_client=http))))


def test_mcp_over_http_needs_the_login(served: Served) -> None:
    request = urllib.request.Request(
        f"{served.url}/mcp", method="POST", data=b"{}",
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 401


def test_rag_mcp_over_stdio(served: Served) -> None:
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=str(RAG), args=["mcp"], env=served.env)
    _assert_mcp(asyncio.run(_mcp_session(params)))
