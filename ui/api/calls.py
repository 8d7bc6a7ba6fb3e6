"""What every API does, once: answer, search, summarize and list the corpus, as JSON-ready
dicts. Gradio's ``/ask`` and ``/summarize``, the MCP tools and the OpenAI routes are thin
wrappers that turn a :class:`~rag.errors.RagError` into their own error shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, cast

from index.dates import parse_day
from rag.answer import AnswerResult, Mode
from rag.answer import Request as Ask
from rag.answer.result import AnswerJson
from rag.container import Services
from rag.grounding.passages import SearchJson, search_json
from rag.retrieval import Filters
from rag.summary.mode import summary_mode
from rag.summary.result import SummaryJson, SummaryResult
from rag.summary.scope import Scope


class AnswerReply(AnswerJson):
    """What the answer APIs return: the ``rag ask --json`` object and ``llm_error``."""

    llm_error: str | None


class SummaryReply(SummaryJson):
    """What the summary APIs return: the ``rag summarize --json`` object and
    ``llm_error``."""

    llm_error: str | None


class DocumentJson(TypedDict):
    """An indexed article, as the APIs list them."""

    doc_id: str
    title: str
    outlet: str | None
    published_at: str | None
    url: str | None
    chunks: int


def outlet_list(outlet: str | Sequence[str] | None) -> tuple[str, ...]:
    """One outlet, several, or none ("" and "All outlets" are none)."""
    names = [outlet] if isinstance(outlet, str) else list(outlet or ())
    return tuple(n for n in names if n and n != "All outlets")


def ask_request(services: Services, question: str, since: str = "", until: str = "",
                outlets: str | Sequence[str] | None = None, k: int | None = None,
                mode: str = "", history: Sequence[Sequence[str]] = (),
                as_of: str = "") -> Ask:
    """The answerer's request; ``mode`` "" is the server's answer mode. Bad dates or an
    unknown mode are a :class:`~rag.errors.UserError`."""
    return Ask.of(question, mode=cast(Mode, services.answer_mode(mode or None)),
                  filters=Filters.parse(since, until, outlet_list(outlets)), k=k or None,
                  history=[(str(q), str(a)) for q, a in history], as_of=parse_day(as_of))


def answer(services: Services, request: Ask) -> AnswerResult:
    """The checked answer to ``request``."""
    return services.answerer.answer(request)


def answer_json(result: AnswerResult) -> AnswerReply:
    """The ``rag ask --json`` object plus ``llm_error``."""
    return {**result.to_json(), "llm_error": result.llm_error}


def search(services: Services, query: str, k: int = 5, since: str = "", until: str = "",
           outlets: str | Sequence[str] | None = None) -> SearchJson:
    """The ``k`` best passages for ``query`` (the ``rag retrieve --json`` object)."""
    nodes = services.retriever.search(query, k=max(1, min(int(k), 50)),
                                      filters=Filters.parse(since, until, outlet_list(outlets)))
    return search_json(query, nodes)


def summary_mode_of(services: Services, chosen: str | None) -> Mode:
    """``auto`` (or nothing) resolved as ``rag summarize`` resolves it."""
    resolved = summary_mode(chosen or services.settings.summary.mode, services.backend)
    return "generative" if resolved == "generative" else "extractive"


def summary_scope(topic: str = "", doc: str = "", since: str = "", until: str = "",
                  outlets: str | Sequence[str] | None = None) -> Scope:
    """The scope of a summary (bad dates are a :class:`~rag.errors.UserError`)."""
    return Scope(topic=(topic or "").strip() or None, doc_id=(doc or "").strip() or None,
                 since=parse_day(since), until=parse_day(until, end=True),
                 outlets=outlet_list(outlets))


def summarize(services: Services, scope: Scope, mode: str = "",
              timeline: bool = False) -> SummaryResult:
    """The checked summary of ``scope``."""
    return services.summarizer.summarize(scope, mode=summary_mode_of(services, mode),
                                         timeline=bool(timeline))


def summary_json(result: SummaryResult) -> SummaryReply:
    """The ``rag summarize --json`` object plus ``llm_error``."""
    return {**result.to_json(), "llm_error": result.llm_error}


def outlets(services: Services) -> list[str]:
    """The outlets of the indexed articles."""
    return services.store.catalog.outlets()


def documents(services: Services, outlet: str = "", limit: int = 100) -> list[DocumentJson]:
    """The indexed articles, newest first (at most ``limit``; of one outlet if named)."""
    rows = [d for d in services.store.catalog.documents().values()
            if not outlet or (d.source or "").lower() == outlet.lower()]
    rows.sort(key=lambda d: (d.published_at or "", d.doc_id), reverse=True)
    return [{"doc_id": d.doc_id, "title": d.title, "outlet": d.source,
             "published_at": d.published_at, "url": d.url, "chunks": d.n_chunks}
            for d in rows[:max(1, min(int(limit), 1000))]]
