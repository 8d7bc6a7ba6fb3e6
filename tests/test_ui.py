"""The web UI: rendering (escaping, markers, abstention and unsupported styling), the
chat and corpus handlers over real services with a scripted LLM, and the app served
and called through ``gradio_client``."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from index.dates import parse_day
from rag.answer import ABSTAIN_TEXT, AnswerResult
from rag.container import Services, build_services
from rag.errors import BackendUnavailable, UserError
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage
from rag.ingestion import safe_filename
from rag.llms.select import BackendChoice
from rag.settings import Settings
from tests.conftest import SEEDS, katyusha_reply, make_settings, scripted_seeds
from tests.support.fake_llm import ScriptedLLM, question_of
from tests.support.fakes import HashEmbedding
from tests.support.net import free_port, serving
from ui import render
from ui.app import build_app
from ui.chat import ChatState, ChatUI, ChatUpdate, Message, new_state
from ui.corpus import CorpusUI
from ui.serving import auth_from_env, check_exposure, is_loopback, launch

# Gradio's queue uses pandas options that pandas 3 deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")

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


# -- escaping ---------------------------------------------------------------------


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "![x](http://evil/p.png)",
    "[click](javascript:alert(1))",
    "${alert(1)} {{constructor}} `x` $$x$$",
])
def test_esc_makes_text_inert(hostile: str) -> None:
    out = render.esc(hostile)
    assert "<" not in out and ">" not in out and '"' not in out
    for raw in ("![", "](", "${", "{{", "`", "$$"):
        assert raw not in out
    # ... and the browser shows exactly the original text.
    assert "".join(parse(f"<p>{out}</p>").text) == hostile


def test_answer_html_escapes_document_and_model_text() -> None:
    p1, p2 = passage(1), passage(2)
    start = HOSTILE_TEXT.index("The council")
    sentences = [
        CheckedSentence("The council <img src=x onerror=alert(9)> approved the budget.",
                        citations=[2], supported=True, evidence={2: (start, len(HOSTILE_TEXT))}),
    ]
    html = render.answer_html(result(sentences, [p1, p2]), turn=3)
    parsed = assert_only_our_markup(html)
    assert "<img src=x onerror=alert(9)>" in "".join(parsed.text)  # shown as text


def test_markers_link_to_their_source_in_the_panel() -> None:
    p1, p2 = passage(1), passage(2)
    start = HOSTILE_TEXT.index("The council")
    sentences = [CheckedSentence("The council approved the budget by 7 votes to 5.",
                                 citations=[2], supported=True,
                                 evidence={2: (start, len(HOSTILE_TEXT))})]
    res = result(sentences, [p1, p2])
    html = render.answer_html(res, turn=3)
    links = [a for tag, a in parse(html).tags if tag == "a"]
    assert [a["href"] for a in links] == ["#src-3-2"]
    assert "[2]" in html

    panel = render.sources_panel([render.sources_section(3, res.question, res.passages,
                                                         res.sentences)])
    parsed = assert_only_our_markup(panel)
    ids = [a["id"] for _, a in parsed.tags if a.get("id")]
    assert "src-3-2" in ids and "src-3-1" in ids  # the cited one and the other retrieved
    cited = panel.index('id="src-3-2"')
    assert cited < panel.index('id="src-3-1"'), "cited passages come first"
    card = parse(panel[cited:panel.index("</div></div>", cited)])
    text = "".join(card.text)
    assert "The <b>Herald</b>" in text and "2 May 2024" in text and HOSTILE_TITLE in text
    # The cited sentence is highlighted, and only it.
    mark = panel[panel.index('<mark class="rag-hl">', cited):]
    highlighted = "".join(parse(mark[:mark.index("</mark>")]).text)
    assert highlighted == "The council approved the budget by 7 votes to 5."


def test_highlighted_handles_overlapping_and_out_of_range_spans() -> None:
    text = "One <b>two</b>. Three."
    out = render.highlighted(text, [(0, 15), (4, 10), (16, 99)])
    assert out.count("<mark") == 2
    assert "".join(parse(out).text) == text


def test_abstention_looks_different_and_lists_closest_passages() -> None:
    res = result([], [passage(1), passage(2)], abstained=True, answer=ABSTAIN_TEXT,
                 reason="no passage mentions 1999")
    html = render.answer_html(res, turn=1)
    assert_only_our_markup(html)
    assert 'class="rag-abstain"' in html
    assert "The indexed articles do not answer this question" in html
    assert "no passage mentions 1999" in html
    assert [a["href"] for t, a in parse(html).tags if t == "a"] == ["#src-1-1", "#src-1-2"]
    section = render.sources_section(1, res.question, res.passages, res.sentences)
    assert "Closest passages" in section


def test_unsupported_sentences_are_struck_and_flagged() -> None:
    good = CheckedSentence("The budget passed.", citations=[1], supported=True,
                           evidence={1: (0, 5)})
    bad = CheckedSentence("The mayor resigned <b>in 1999</b>.", citations=[], supported=False,
                          claimed=[1])
    html = render.answer_html(result([good, bad], [passage(1)]), turn=2)
    assert_only_our_markup(html)
    answer_part = html[html.index("rag-answer-text"):html.index("rag-removed")]
    assert "mayor" not in answer_part
    removed = html[html.index("rag-removed"):]
    struck = removed[removed.index("<del>"):removed.index("</del>")]
    assert "".join(parse(struck).text) == "The mayor resigned <b>in 1999</b>."
    assert "not supported by the articles" in removed


def test_llm_failure_notice_says_what_failed_and_what_to_do() -> None:
    res = result([], [passage(1)], abstained=True, answer=ABSTAIN_TEXT,
                 llm_error="Ollama <down> at http://localhost:11434")
    html = render.answer_html(res, 1, BackendChoice("ollama", "llama3.2", "set"))
    assert_only_our_markup(html)
    assert "The language model failed" in html and "&lt;down&gt;" in html
    assert "ollama serve" in html


def test_status_line_tells_what_to_do_when_ollama_is_down() -> None:
    down = BackendChoice("embedded", "gemma.gguf", "Ollama not used: connection refused")
    html = render.status_html(down, 5, 17, "minilm", "qwen3:4b")
    assert "embedded" in html and "gemma.gguf" in html and "ollama serve" in html
    assert "ollama pull qwen3:4b" in html
    assert "connection refused" in html


def test_user_question_and_draft_are_escaped() -> None:
    assert_only_our_markup(render.user_html("<img src=x onerror=alert(1)>?"))
    assert_only_our_markup(render.pending_html("Draft <script>x</script> [1]"))


def test_parse_day() -> None:
    assert str(parse_day("2020-03")) == "2020-03-01"
    assert str(parse_day("2020-02", end=True)) == "2020-02-29"
    assert str(parse_day("2021", end=True)) == "2021-12-31"
    assert parse_day("  ") is None
    with pytest.raises(UserError, match="not a date"):
        parse_day("March")


# -- serving safety ---------------------------------------------------------------


def test_exposure_rules() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    check_exposure("127.0.0.1", None, share=False, force=False)
    with pytest.raises(UserError, match="RAG_UI_AUTH"):
        check_exposure("0.0.0.0", None, share=False, force=False)
    with pytest.raises(UserError, match="share link"):
        check_exposure("127.0.0.1", None, share=True, force=False)
    check_exposure("0.0.0.0", ("u", "p"), share=False, force=False)
    check_exposure("0.0.0.0", None, share=False, force=True)


def test_auth_from_env() -> None:
    assert auth_from_env({}) is None
    assert auth_from_env({"RAG_UI_AUTH": "ann:se:cret"}) == ("ann", "se:cret")
    with pytest.raises(UserError):
        auth_from_env({"RAG_UI_AUTH": "no-password"})


def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd.txt") == "passwd.txt"
    assert safe_filename(".hidden.md") == "hidden.md"
    assert safe_filename("a<b>?.txt") == "a_b_.txt"


# -- handlers over real services --------------------------------------------------


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Services]:
    yield from scripted_seeds(tmp_path)


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


def test_upload_and_remove(seeded: Services, tmp_path: Path) -> None:
    ui = CorpusUI(seeded)
    article = tmp_path / "in" / "quillmere.txt"
    article.parent.mkdir()
    article.write_text("Quillmere lighthouse gets a keeper\n\nThe Quillmere Lighthouse Trust "
                       "appointed Ottoline Varga as keeper of the 42-metre tower.\n",
                       encoding="utf-8")
    bad = tmp_path / "in" / "notes.exe"
    bad.write_bytes(b"MZ")
    done = ui.index_files([str(article), str(bad)])
    log, rows, status, cleared = done.log, done.docs, done.status, done.entry
    assert "1 added" in log and "skipped notes.exe" in log
    assert cleared is None
    assert any(r[0] == "quillmere" and "Quillmere" in r[1] for r in rows)
    assert "6 articles" in status
    assert (seeded.settings.index_dir / "uploads" / "quillmere.txt").is_file()

    done = ui.remove("quillmere, nosuchdoc")
    log, rows, status = done.log, done.docs, done.status
    assert log == "1 removed, 1 not found"
    assert not any(r[0] == "quillmere" for r in rows)
    assert not (seeded.settings.index_dir / "uploads" / "quillmere.txt").exists()



def test_every_registered_format_is_uploadable(seeded: Services, tmp_path: Path) -> None:
    """The upload types, the label and removal come from the format registry (a PDF
    is accepted with no UI edit), and each upload is indexed by the handler."""
    from index import formats
    from tests.support.pdf import make_pdf
    from ui.corpus import UPLOAD_TYPES, upload_label

    assert set(UPLOAD_TYPES) == set(formats.suffixes())
    assert {".pdf", ".htm", ".markdown"} <= set(UPLOAD_TYPES)
    assert "PDF (.pdf)" in upload_label(Settings()) and ".htm" in upload_label(Settings())
    src = tmp_path / "in"
    src.mkdir()
    (src / "keeper.pdf").write_bytes(make_pdf(
        [["Quillmere lighthouse gets a keeper",
          "The trust appointed Ottoline Varga as keeper of the 42-metre tower."]]))
    (src / "ferry.htm").write_text(
        "<html><head><title>Quillmere ferry sails again</title></head><body><article>"
        "<p>The Quillmere ferry resumed service after winter repairs to its hull, the "
        "harbour master said.</p></article></body></html>", encoding="utf-8")
    (src / "bridge.markdown").write_text(
        "# Harwick bridge reopens\n\nThe **Harwick** bridge reopened after a year.\n",
        encoding="utf-8")
    ui = CorpusUI(seeded)
    done = ui.index_files([str(p) for p in sorted(src.iterdir())])
    log, rows, status, cleared = done.log, done.docs, done.status, done.entry
    assert "3 added" in log and "0 failed" in log and "skipped" not in log, log
    assert cleared is None and "8 articles" in status
    titles = {r[0]: r[1] for r in rows}
    assert titles["keeper"] == "Quillmere lighthouse gets a keeper"
    assert titles["ferry"] == "Quillmere ferry sails again"
    assert titles["bridge"] == "Harwick bridge reopens"
    uploads = seeded.settings.index_dir / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == [
        "bridge.markdown", "ferry.htm", "keeper.pdf"]

    log = ui.remove("keeper ferry bridge").log
    assert log == "3 removed, 0 not found"
    assert not list(uploads.iterdir())  # removal suffixes come from the registry too


# -- the served app through gradio_client -------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("ui_app")
    services = build_services(make_settings(root / "index"), embedder=HashEmbedding(),
                              llm=ScriptedLLM([katyusha_reply]))
    with serving(services, SEEDS) as url:
        yield url


def test_ask_through_gradio_client(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    out = client.predict(KATYUSHA_Q, api_name="/ask")
    assert not out["abstained"] and "Katyusha" in out["answer"]
    assert any("three Katyusha rockets" in c["text"] for c in out["citations"])
    assert out["llm_error"] is None and out["backend"] == "fake"

    follow = client.predict(question="And where did they fall?", k=3,
                            history=[[out["standalone_question"], out["answer"]]],
                            api_name="/ask")
    assert follow["standalone_question"].endswith(f"({KATYUSHA_Q})")

    with pytest.raises(Exception, match="not a date"):
        client.predict(KATYUSHA_Q, since="last week", api_name="/ask")


def test_only_the_ask_endpoint_is_public(served: str) -> None:
    from gradio_client import Client

    api = Client(served, verbose=False).view_api(print_info=False, return_format="dict")
    assert sorted(api["named_endpoints"]) == ["/ask", "/summarize"]
    assert not api["unnamed_endpoints"]


def test_uploads_over_the_limit_are_refused(served: str) -> None:
    import httpx

    limit = Settings().ui_max_upload_mb * 1024 * 1024  # what the served app was given
    big = httpx.post(served + "gradio_api/upload", timeout=30,
                     files={"files": ("big.txt", b"a" * (limit + 1))})
    assert big.status_code == 413


def test_the_handler_checks_the_size_too(seeded: Services, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seeded.settings, "ui_max_upload_mb", 1)
    article = tmp_path / "long.txt"
    article.write_text("Long article\n\n" + "words " * 200_000, encoding="utf-8")
    log = CorpusUI(seeded).index_files([str(article)]).log
    assert "skipped long.txt" in log and "limit" in log


def test_project_files_are_not_served(served: str) -> None:
    target = Path(__file__).resolve().parents[1] / "pyproject.toml"
    for path in (f"gradio_api/file={target}", "gradio_api/file=/etc/passwd"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(served + path, timeout=10)
        assert err.value.code in (403, 404)


def test_login_required_when_auth_is_set(tmp_path: Path) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding(),
                              llm=ScriptedLLM([katyusha_reply]))
    services.indexer().run([SEEDS])
    app = build_app(services)
    _, url, _ = launch(app, port=free_port(), auth=("ann", "s3cret"), prevent_thread_lock=True,
                       quiet=True)
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "gradio_api/info", timeout=10)
        assert err.value.code == 401
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("ann", "wrong"), verbose=False)
        client = Client(url, auth=("ann", "s3cret"), verbose=False)
        assert "Katyusha" in client.predict(KATYUSHA_Q, api_name="/ask")["answer"]
    finally:
        app.close()
        services.close()


# -- rag serve ------------------------------------------------------------------------


def serve_env(index_dir: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_CONFIG="/dev/null", RAG_INDEX_DIR=str(index_dir),
               RAG_OLLAMA_HOST="http://127.0.0.1:9", **extra)
    return env


@pytest.mark.subprocess
def test_rag_serve_refuses_to_expose_without_login(tmp_path: Path) -> None:
    import subprocess
    import sys

    rag = Path(sys.executable).parent / "rag"
    proc = subprocess.run([str(rag), "serve", "--host", "0.0.0.0"], capture_output=True,
                          text=True, timeout=60, env=serve_env(tmp_path / "index"))
    assert proc.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a login" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.subprocess
def test_rag_serve_indexes_when_empty_then_answers(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from gradio_client import Client

    rag = Path(sys.executable).parent / "rag"
    port = free_port()
    proc = subprocess.Popen(
        [str(rag), "serve", "--port", str(port), "--index-if-empty", str(SEEDS)],
        env=serve_env(tmp_path / "index"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "rag serve did not start"
                time.sleep(0.5)
        out = Client(url, verbose=False).predict(KATYUSHA_Q, mode="extractive", api_name="/ask")
        assert "three Katyusha rockets" in out["answer"] and out["citations"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            log = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            log = proc.communicate()[0]
    assert "The index is empty: indexing" in log and "5 added" in log, log
    assert proc.returncode == 0, log


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
