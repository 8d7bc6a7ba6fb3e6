"""An MCP server over the corpus (the official ``mcp`` SDK): tools ``ask``, ``search``,
``summarize``, ``list_outlets`` and ``list_documents``, so an assistant can search and ask
the indexed news as a tool. ``rag serve`` serves it over streamable HTTP at ``/mcp`` on the
chat's own port (behind the chat's login); ``rag mcp`` over stdio for desktop assistants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from rag.container import Services
from rag.errors import RagError
from ui.api import calls
from ui.errors import error_message

T = TypeVar("T")

INSTRUCTIONS = (
    "Answers questions from a local corpus of news articles, with citations to the exact "
    "passages. Use `ask` for a question (the answer's sentences cite passages [n], listed in "
    "`citations`), `search` for passages, `summarize` for a cited overview of a topic, "
    "`list_outlets` and `list_documents` to see what is indexed. Dates are YYYY-MM-DD."
)

Since = Annotated[str, Field(description="Only articles published on or after this day "
                                         "(YYYY-MM-DD, YYYY-MM or YYYY); empty: no limit.")]
Until = Annotated[str, Field(description="Only articles published on or before this day; "
                                         "empty: no limit.")]
Outlet = Annotated[str, Field(description="Only articles of this outlet (see list_outlets); "
                                          "empty: every outlet.")]


def _tool(doing: str, work: Callable[[], T]) -> T:
    """Run ``work``; a failure of ours or of the caller becomes one line for the client."""
    try:
        return work()
    except RagError as exc:
        raise ToolError(error_message(exc, doing)) from exc


# The tools return plain JSON objects (``dict[str, object]``): the SDK then advertises an
# open object as their output and sends the result as it is.
Json = dict[str, object]


def build_mcp(services: Services) -> MCPServer:
    """The MCP server with its tools, over ``services``."""
    server: MCPServer = MCPServer("newsrag", instructions=INSTRUCTIONS)
    add_question_tools(server, services)
    add_overview_tools(server, services)
    return server


def add_question_tools(server: MCPServer, services: Services) -> None:
    """``ask`` and ``search``: checked answers with their citations, and passages."""

    @server.tool()
    def ask(
        question: Annotated[str, Field(description="The question, in plain words.")],
        since: Since = "", until: Until = "", outlet: Outlet = "",
        as_of: Annotated[str, Field(description="The day 'last week' or 'the latest' is "
                                                "read against (YYYY-MM-DD); empty: today.")] = "",
        mode: Annotated[str, Field(description="extractive (quotes the passages), generative "
                                               "(the model writes; checked), or empty for the "
                                               "server's mode.")] = "",
    ) -> Json:
        """Answer a question from the indexed news articles. Every sentence of `answer`
        cites passages as [n]; `citations` lists them (doc_id, title, source, date, URL,
        text). `abstained` is true when the articles do not answer it."""
        return _tool("answering", lambda: dict(calls.answer_json(calls.answer(
            services, calls.ask_request(services, question, since, until, outlet,
                                        mode=mode, as_of=as_of)))))

    @server.tool()
    def search(
        query: Annotated[str, Field(description="What to look for.")],
        k: Annotated[int, Field(ge=1, le=50, description="How many passages.")] = 5,
        since: Since = "", until: Until = "", outlet: Outlet = "",
    ) -> Json:
        """The passages of the indexed articles that best match `query` (hybrid keyword
        and semantic search), best first, each with its article's id, title, outlet,
        date and URL."""
        return _tool("searching", lambda: dict(calls.search(services, query, k, since, until,
                                                            outlet)))


def add_overview_tools(server: MCPServer, services: Services) -> None:
    """``summarize``, ``list_outlets`` and ``list_documents``: cited summaries, and what
    is indexed."""

    @server.tool()
    def summarize(
        topic: Annotated[str, Field(description="What to summarize; empty with an outlet "
                                                "or dates: everything in them.")] = "",
        doc_id: Annotated[str, Field(description="Summarize this one article instead "
                                                 "(see list_documents).")] = "",
        since: Since = "", until: Until = "", outlet: Outlet = "",
        timeline: Annotated[bool, Field(description="Order the summary by date.")] = False,
    ) -> Json:
        """A cited overview of a topic, an article, a date range or an outlet: each
        sentence cites its passages; disagreements between articles are shown."""
        return _tool("summarizing", lambda: dict(calls.summary_json(calls.summarize(
            services, calls.summary_scope(topic, doc_id, since, until, outlet),
            timeline=timeline))))

    @server.tool()
    def list_outlets() -> list[str]:
        """The outlets (publications) of the indexed articles."""
        return _tool("listing", lambda: calls.outlets(services))

    @server.tool()
    def list_documents(
        outlet: Outlet = "",
        limit: Annotated[int, Field(ge=1, le=1000, description="At most this many.")] = 100,
    ) -> list[Json]:
        """The indexed articles, newest first: id, title, outlet, date, URL."""
        return _tool("listing", lambda: [dict(d) for d in calls.documents(services, outlet,
                                                                           limit)])
