"""What the tests of the web UI share: hostile article text, markup checks (only the UI's
own tags, attributes and links), answers to render, and running the chat handler."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from rag.answer import AnswerResult
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage
from ui.chat import ChatState, ChatUI, ChatUpdate, Message, new_state

HOSTILE_TITLE = 'Breaking <img src=x onerror="alert(1)"> news'
HOSTILE_TEXT = (
    "Officials said <script>alert('x')</script> the vote was close. "
    "![x](http://evil/p.png) and [click](javascript:alert(2)) ${alert(3)} {{constructor}} "
    "$$x^2$$ `code` <a href=\"http://evil/\">link</a> "
    "The council approved the budget by 7 votes to 5."
)
KATYUSHA_Q = "How many Katyusha rockets were aimed at the US embassy?"

# -- markup checks --------------------------------------------------------------

ALLOWED_TAGS = {"div", "span", "a", "mark", "del", "ul", "li", "strong", "code", "section",
                "details", "summary", "p"}
ALLOWED_ATTRS = {"class", "id", "href", "title", "download"}
# The page's own links: citation markers, actions, the permalink, the exports it serves.
OUR_HREFS = ("#src-", "#pin-", "?q=", "gradio_api/file=")


class _Markup(HTMLParser):
    """Collects the tags and attributes of a piece of HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    return parser


def assert_only_our_markup(markup: str) -> _Markup:
    """Only the UI's own tags and attributes; links only to the page's own targets."""
    parsed = parse(markup)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, (tag, markup)
        assert set(attrs) <= ALLOWED_ATTRS, (tag, attrs)
        if tag == "a":
            assert (attrs.get("href") or "").startswith(OUR_HREFS), attrs
    for raw in ("<script", "<img", "<a href", "![", "](", "${", "{{", "$$"):
        assert raw not in markup, raw
    return parsed


# -- answers to render ------------------------------------------------------------


def passage(n: int, text: str = HOSTILE_TEXT, title: str = HOSTILE_TITLE, **kw: Any) -> Passage:
    base: dict[str, Any] = dict(doc_id=f"doc{n}", chunk_id=f"doc{n}:0:x", title=title,
                                text=text, source="The <b>Herald</b>",
                                published_at="2024-05-02")
    base.update(kw)
    return Passage(n=n, **base)


def result(sentences: list[CheckedSentence], passages: list[Passage], **kw: Any) -> AnswerResult:
    base: dict[str, Any] = dict(
        question="Was the <script> budget approved?", standalone="budget approved?",
        answer="", abstained=False, reason="", sentences=sentences, passages=passages,
        mode="generative", backend="fake", model="scripted", timings={"total_ms": 1200.0},
    )
    base.update(kw)
    return AnswerResult(**base)


# -- the chat handler -------------------------------------------------------------


def run_chat(ui: ChatUI, question: str, state: ChatState | None = None,
             messages: list[Message] | None = None, **kw: Any) -> list[ChatUpdate]:
    """Every update the chat handler streams for ``question``."""
    args: dict[str, Any] = dict(since="", until="", outlet="All outlets", k=5,
                                mode="generative")
    args.update(kw)
    return list(ui.chat(question, messages or [], state or new_state(), **args))


def last(steps: list[ChatUpdate], output: str) -> Any:
    """The last value the output named ``output`` took (skipped updates left out)."""
    values = [getattr(s, output) for s in steps]
    values = [v for v in values if not (isinstance(v, dict) and v.get("__type__") == "update")]
    return values[-1]
