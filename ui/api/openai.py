"""OpenAI-compatible chat endpoints on the chat's own server: ``GET /v1/models`` and
``POST /v1/chat/completions`` (streamed as server-sent events, or not), so Open WebUI,
LibreChat or any ``openai`` client can use the corpus as a "model".

The last user message is the question and earlier turns are the history (a follow-up
works as in the chat). The reply's content is the checked answer with its ``[n]`` markers
and a sources list; the citations also travel as data in the response's ``newsrag``
field. A request's own ``newsrag`` field carries filters (``since``, ``until``,
``outlets``), ``as_of`` and ``k``. ``POST /v1/feedback`` takes a 👍/👎 on an answer, stored
as the chat's thumbs are (``rag feedback``). Errors have OpenAI's shape and status codes.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Literal, TypedDict, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from rag.answer import MAX_QUESTION_CHARS, AnswerResult, Done, Retrieved
from rag.answer import Request as Ask
from rag.container import ANSWER_MODES, Services
from rag.errors import RagError, UserError
from rag.feedback import feedback_from_answer, record_feedback
from ui.api import calls
from ui.api.auth import authorized
from ui.errors import error_message

# A chat request is a few kilobytes; anything far larger is refused before it is parsed.
MAX_BODY_BYTES = 1024 * 1024
MODEL = "newsrag"
Body = TypeVar("Body", bound=BaseModel)
Handler = Callable[[Request], Awaitable[Response]]


class ErrorJson(TypedDict):
    """OpenAI's error object."""

    message: str
    type: str
    param: str | None
    code: str | None


class ErrorBody(TypedDict):
    """The body of an error response."""

    error: ErrorJson


class ApiCitation(TypedDict):
    """A cited passage as the ``newsrag`` field of a reply carries it."""

    n: int
    doc_id: str
    title: str
    outlet: str | None
    published_at: str | None
    url: str | None
    quote: str
    supported: bool


class Extra(TypedDict):
    """The ``newsrag`` field of a reply: the citations and how the answer was made."""

    citations: list[ApiCitation]
    abstained: bool
    reason: str
    lead: str | None
    standalone_question: str
    mode: str
    backend: str


class ApiError(Exception):
    """A request the API refuses, with OpenAI's status, type and code."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.code, self.param = status, kind, code, param

    def body(self) -> ErrorBody:
        """OpenAI's error object."""
        return {"error": {"message": str(self), "type": self.kind, "param": self.param,
                          "code": self.code}}

    def response(self) -> JSONResponse:
        """The error as an HTTP response."""
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


UNAUTHORIZED = ApiError(401, "Incorrect API key: send the chat's login (RAG_UI_AUTH) as the "
                        "bearer token (password or user:password) or as basic auth.",
                        code="invalid_api_key")


class Part(BaseModel):
    """One part of a message's content (only text parts are read)."""

    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str = ""


class Message(BaseModel):
    """One chat turn."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[Part] | None = None

    def text(self) -> str:
        """The message's text (text parts joined)."""
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text").strip()
        return (self.content or "").strip()


class Options(BaseModel):
    """newsrag's own options, in the request's ``newsrag`` field."""

    model_config = ConfigDict(extra="forbid")
    since: str = ""
    until: str = ""
    outlets: list[str] = Field(default_factory=list)
    as_of: str = ""
    k: int | None = Field(default=None, ge=1, le=50)


class FeedbackRequest(BaseModel):
    """The body of ``POST /v1/feedback``: a 👍 (``up``) or 👎 (``down``) on an answer this
    API gave, with the question, the answer's content and its ``newsrag.citations``."""

    model_config = ConfigDict(extra="forbid")
    rating: Literal["up", "down"]
    question: str = Field(min_length=1)
    answer: str = ""
    comment: str = ""
    citations: list[dict[str, object]] = Field(default_factory=list)
    newsrag: Options = Field(default_factory=Options)


class ChatRequest(BaseModel):
    """The body of ``POST /v1/chat/completions`` (sampling fields are accepted and
    ignored: answers are composed from the passages, not sampled)."""

    model_config = ConfigDict(extra="allow")
    model: str = MODEL
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    newsrag: Options = Field(default_factory=Options)


def model_ids() -> list[str]:
    """The models a client can pick: the server's answer mode, and each mode by name."""
    return [MODEL, *(f"{MODEL}-{m}" for m in ANSWER_MODES if m != "auto")]


def mode_of(model: str) -> str | None:
    """The answer mode a model id names (None: the server's own)."""
    if model == MODEL:
        return None
    if model in model_ids():
        return model.removeprefix(f"{MODEL}-")
    raise ApiError(404, f"The model '{model}' does not exist: use one of "
                   f"{', '.join(model_ids())}.", code="model_not_found", param="model")


def conversation(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """The question (the last user message) and the earlier (question, answer) turns."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user" or not turns[-1].text():
        raise ApiError(400, "The last message must be the user's question.", param="messages")
    history: list[tuple[str, str]] = []
    asked: str | None = None
    for m in turns[:-1]:
        if m.role == "user":
            asked = m.text()
        elif asked is not None:
            history.append((asked, m.text()))
            asked = None
    return turns[-1].text()[:MAX_QUESTION_CHARS], history


def build_request(body: ChatRequest, services: Services) -> Ask:
    """The answerer's request for a chat request (bad dates or modes are a 400)."""
    question, history = conversation(body.messages)
    o = body.newsrag
    try:
        return calls.ask_request(services, question, o.since, o.until, o.outlets, o.k,
                                 mode_of(body.model) or "", history, o.as_of)
    except UserError as exc:
        raise ApiError(400, str(exc), param="newsrag") from exc


def citations(result: AnswerResult) -> list[ApiCitation]:
    """Each cited passage as data: document id, title, outlet, date, URL and the
    sentence of it the answer quotes or rests on."""
    quoted = result.quotes()
    return [{"n": c["n"], "doc_id": c["doc_id"], "title": c["title"], "outlet": c["source"],
             "published_at": c["published_at"], "url": c["url"],
             "quote": quoted.get(c["n"], ""), "supported": c["supported"]}
            for c in result.citations()]


def content(result: AnswerResult) -> str:
    """What a chat client shows: the answer with its markers, then the sources."""
    cited = set(result.cited_numbers())
    lines = [result.answer.strip()]
    if result.abstained and result.reason:
        lines.append(f"({result.reason})")
    sources = [p for p in result.passages if p.n in cited]
    if sources:
        lines += ["", "Sources:"]
        lines += [f"[{p.n}] {p.header()}" + (f" <{p.url}>" if p.url else "") for p in sources]
    return "\n".join(lines)


def extra(result: AnswerResult) -> Extra:
    """The response's ``newsrag`` field."""
    return {"citations": citations(result), "abstained": result.abstained,
            "reason": result.reason, "lead": result.lead,
            "standalone_question": result.standalone, "mode": result.mode,
            "backend": result.backend}


def _envelope(kind: str, model: str, rid: str) -> dict[str, object]:
    return {"id": rid, "object": kind, "created": int(time.time()), "model": model}


def completion(result: AnswerResult, model: str) -> dict[str, object]:
    """A ``chat.completion`` object for a checked answer."""
    return {**_envelope("chat.completion", model, f"chatcmpl-{uuid.uuid4().hex}"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content(result)}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "newsrag": extra(result)}


def _sse(data: Mapping[str, object] | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"


def chunks(events: Iterator[object], model: str) -> Iterator[str]:
    """The answer as ``chat.completion.chunk`` events: the role at once, a comment when
    the passages are found (the answer is checked before any of it is sent), the content
    line by line, a last chunk with ``newsrag``, then ``[DONE]``."""
    head = _envelope("chat.completion.chunk", model, f"chatcmpl-{uuid.uuid4().hex}")

    def chunk(delta: dict[str, str], finish: str | None = None,
              **more: object) -> dict[str, object]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **more}

    yield _sse(chunk({"role": "assistant", "content": ""}))
    try:
        for event in events:
            if isinstance(event, Retrieved):
                yield f": {len(event.passages)} passages found, checking the answer\n\n"
            elif isinstance(event, Done):
                for line in content(event.result).splitlines(keepends=True):
                    yield _sse(chunk({"content": line}))
                yield _sse(chunk({}, "stop", newsrag=extra(event.result)))
    except RagError as exc:
        yield _sse(failure(exc).body())
    yield _sse("[DONE]")


def failure(exc: RagError) -> ApiError:
    """A failure while answering: the caller's mistake (400) or ours (503, the model or
    the index being unavailable)."""
    if isinstance(exc, UserError):
        return ApiError(400, str(exc))
    return ApiError(503, error_message(exc, "answering"), kind="server_error")


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> object:
    """The request's JSON body, refused past ``limit`` bytes without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"The request body is too large (limit {limit // 1024} KB).")
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > limit:
            raise ApiError(413, f"The request body is too large (limit {limit // 1024} KB).")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, f"The body is not JSON: {exc}") from None


def parse(model: type[Body], raw: object) -> Body:
    """``raw`` as a ``model``; what does not fit is a 400 naming the first bad field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ApiError(400, f"Invalid request: {where}: {first['msg']}",
                       param=str(first["loc"][0]) if where else None) from None


def router(services: Services, login: tuple[str, str] | None) -> APIRouter:
    """The ``/v1`` routes over ``services``, behind ``login`` when one is set."""
    api = APIRouter(prefix="/v1")

    def guarded(handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            try:
                if not authorized(request.headers, login):
                    raise UNAUTHORIZED
                return await handler(request)
            except ApiError as exc:
                return exc.response()
        run.__name__ = handler.__name__
        return run

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": m, "object": "model", "created": 0, "owned_by": "newsrag"}
            for m in model_ids()]})

    async def chat_completions(request: Request) -> Response:
        body = parse(ChatRequest, await read_json(request))
        ask = build_request(body, services)
        if body.stream:
            return StreamingResponse(chunks(services.answerer.run(ask), body.model),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        try:
            result = await run_in_threadpool(services.answerer.answer, ask)
        except RagError as exc:
            raise failure(exc) from exc
        return JSONResponse(completion(result, body.model))

    async def feedback(request: Request) -> Response:
        body = parse(FeedbackRequest, await read_json(request))
        o = body.newsrag
        try:
            given = feedback_from_answer(
                body.question, body.answer, body.citations, body.rating, body.comment,
                since=o.since or None, until=o.until or None, outlets=o.outlets,
                as_of=o.as_of or None)
        except UserError as exc:
            raise ApiError(400, str(exc)) from exc
        saved = await run_in_threadpool(record_feedback, services.store.catalog, given)
        return JSONResponse({"id": saved.id, "object": "feedback", "rating": saved.rating,
                             "created_at": saved.created_at}, status_code=201)

    api.add_api_route("/models", guarded(models), methods=["GET"])
    api.add_api_route("/feedback", guarded(feedback), methods=["POST"])
    api.add_api_route("/chat/completions", guarded(chat_completions), methods=["POST"])
    return api
