"""The web UI in a real browser (Debian's Chromium driven by Playwright): ask, watch the
answer stream in, click a citation marker and see its passage; stop an answer; upload
an article and get it cited; give an answer a thumbs-down and find it in
``rag feedback export``. Screenshots go to the artifacts directory (``--artifacts DIR``,
or under pytest's temporary directory), in ``screenshots/``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.container import build_services
from rag.errors import BackendUnavailable
from tests.conftest import SEEDS, make_settings
from tests.support.fake_llm import ScriptedLLM, passage_number, question_of
from tests.support.net import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path()  # set per module run, under the session's artifacts directory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is missing (install it with "
                              "scripts/system-deps.sh)"),
    # Gradio's queue uses pandas options that pandas 3 deprecates: not ours to fix.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing"),
]

KATYUSHA_Q = "How many Katyusha rockets were aimed at the US embassy?"
NEW_Q = "Who did the Quillmere Lighthouse Trust appoint as keeper?"
SLOW_Q = "Tell me everything about the embassy attacks, slowly."
HOSTILE_Q = "How much does the Zorblatt heron weigh?"
FAILING_Q = "What did officials say about the Green Zone?"
FERRY_Q = "When did the Port Ellery ferry return to service?"
FERRY_URL = "https://courier.example/2024/harbour-ferry"
FERRY = (
    "---\ntitle: Port Ellery ferry returns after repairs\nsource: Coastal Courier\n"
    f"date: 2024-05-02\nurl: {FERRY_URL}\n---\n\n"
    "The Port Ellery ferry returned to service on Monday after six weeks of hull repairs. "
    "The harbour board said crossings run every forty minutes again.\n"
)
HOSTILE_TITLE = 'Zorblatt <img src=x onerror="alert(1)"> heron ${alert(2)}'
HOSTILE = (
    f"{HOSTILE_TITLE}\n\n"
    "The Zorblatt heron <script>alert(3)</script> weighs 7 kilograms, keepers said. "
    "![p](http://127.0.0.1:9/pixel.png) [more](javascript:alert(4)) {{constructor}} $$x$$\n"
)
ARTICLE = (
    "Quillmere lighthouse gets its first keeper in decades\n\n"
    "The Quillmere Lighthouse Trust appointed Ottoline Varga as keeper of the 42-metre "
    "tower on Tuesday. Varga, a former ferry navigator, will live in the keeper's cottage "
    "and run guided visits in summer.\n\n"
    "The trust said the light itself stays automatic.\n"
)


def reply(prompt: str) -> str:
    """What a good model would write: the fact, citing the passage that holds it."""
    question = question_of(prompt)
    if "Katyusha" in question:
        n = passage_number(prompt, "three Katyusha rockets")
        return f"Three Katyusha rockets were aimed at the American embassy [{n}]."
    if "Quillmere" in question:
        n = passage_number(prompt, "Ottoline Varga")
        return f"The Quillmere Lighthouse Trust appointed Ottoline Varga as keeper [{n}]."
    if "ferry" in question:
        n = passage_number(prompt, "returned to service on Monday")
        return f"The Port Ellery ferry returned to service on Monday after repairs [{n}]."
    if "slowly" in question:
        return " ".join(["The embassy was attacked."] * 80)
    if "Zorblatt" in question:
        return "The Zorblatt heron weighs 7 kilograms <img src=x onerror=alert(5)>."
    if "Green Zone" in question:
        raise BackendUnavailable("Ollama stopped answering at http://127.0.0.1:9 "
                                 "(connection refused)")
    return "The articles do not say."


@pytest.fixture(scope="module")
def app_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The served app's directory: its corpus in ``seeds/``, its index in ``index/``."""
    return tmp_path_factory.mktemp("ui_browser")


@pytest.fixture(scope="module")
def app_url(app_root: Path, onnx_embedder: Any) -> Iterator[str]:
    """The app on a free loopback port, over the seed articles (real embeddings)."""
    root = app_root
    shutil.copytree(SEEDS, root / "seeds")
    (root / "seeds" / "zorblatt.txt").write_text(HOSTILE, encoding="utf-8")
    (root / "seeds" / "ferry.md").write_text(FERRY, encoding="utf-8")
    services = build_services(make_settings(root / "index"), embedder=onnx_embedder,
                              llm=ScriptedLLM([reply], delay=0.06))
    with serving(services, root / "seeds") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.goto(app_url)
    pg.wait_for_selector("#rag-question textarea")
    yield pg
    context.close()
    assert not errors, errors


@pytest.fixture(autouse=True, scope="module")
def _screenshots_dir(artifacts_dir: Path) -> None:
    global SHOTS
    SHOTS = artifacts_dir / "screenshots"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def ask(page: Any, question: str) -> None:
    page.fill("#rag-question textarea", question)
    page.click("#rag-ask")


def click_marker_and_check_source(page: Any, turn: int, expected: str, name: str) -> None:
    from playwright.sync_api import expect

    marker = page.locator(f'#rag-chat a.rag-cite[href^="#src-{turn}-"]').first
    expect(marker).to_be_visible(timeout=30_000)
    href = marker.get_attribute("href")
    source = page.locator(href)
    # Scroll the source out of view first (all passages shown, panel scrolled to its end),
    # so that the click has something to do.
    page.evaluate("""() => {
        document.querySelectorAll('#rag-sources details').forEach(d => { d.open = true; });
        const panel = document.querySelector('#rag-sources');
        panel.scrollTop = panel.scrollHeight;
    }""")
    expect(source).not_to_be_in_viewport()
    marker.click()
    expect(source).to_be_in_viewport(timeout=5_000)
    expect(source.locator("mark.rag-hl")).to_contain_text(expected, ignore_case=True)
    page.wait_for_timeout(600)  # the smooth scroll settles
    shot(page, name)


def test_ask_stream_and_jump_to_the_cited_source(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#rag-status")).to_contain_text("fake")
    shot(page, "0-start")
    ask(page, KATYUSHA_Q)
    # The draft streams in before the checked answer replaces it.
    expect(page.locator("#rag-chat .rag-draft-text")).to_be_visible(timeout=30_000)
    shot(page, "1-draft-streaming")
    answer = page.locator("#rag-chat .rag-answer").last
    expect(answer).to_contain_text("Three Katyusha rockets", timeout=30_000)
    expect(page.locator("#rag-chat .rag-draft")).to_have_count(0)
    click_marker_and_check_source(page, 1, "three Katyusha rockets", "2-answer-source-in-view")
    expect(page.locator("#rag-sources")).to_contain_text("Missiles were fired at the US embassy")


def test_stop_cancels_the_answer(page: Any) -> None:
    from playwright.sync_api import expect

    ask(page, SLOW_Q)
    expect(page.locator("#rag-chat .rag-draft-text")).to_be_visible(timeout=30_000)
    page.click("#rag-stop")
    expect(page.locator("#rag-chat .rag-stopped")).to_contain_text("Stopped.", timeout=10_000)
    page.wait_for_timeout(800)
    assert page.locator("#rag-chat .rag-answer").count() == 0
    shot(page, "3-stopped")
    # The chat still works afterwards.
    ask(page, KATYUSHA_Q)
    expect(page.locator("#rag-chat .rag-answer").last).to_contain_text(
        "Three Katyusha rockets", timeout=30_000)
    # A new conversation empties the chat and the sources.
    page.click("#rag-clear")
    expect(page.locator("#rag-chat .rag-answer")).to_have_count(0)
    expect(page.locator("#rag-sources .rag-src")).to_have_count(0)
    expect(page.locator("#rag-sources")).to_contain_text("The sources of each answer appear here")


def test_article_text_is_shown_as_text(page: Any) -> None:
    from playwright.sync_api import expect

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    ask(page, HOSTILE_Q)
    answer = page.locator("#rag-chat .rag-answer").last
    expect(answer).to_be_visible(timeout=30_000)
    sources = page.locator("#rag-sources")
    expect(sources).to_contain_text(HOSTILE_TITLE)  # the markup is shown, as text
    expect(sources).to_contain_text("<script>alert(3)</script>")
    expect(sources).to_contain_text("![p](http://127.0.0.1:9/pixel.png)")
    # the model's own markup is taken out of the checked answer (rag.answer.strip_live_markup)
    expect(answer).to_contain_text("The Zorblatt heron weighs 7 kilograms")
    expect(answer).not_to_contain_text("onerror")
    for where in ("#rag-chat", "#rag-sources", "#rag-docs"):
        assert page.locator(f"{where} img, {where} script").count() == 0, where
    assert not [u for u in requests if "pixel.png" in u or u.endswith("/x")], requests
    shot(page, "6-hostile-article-as-text")
    # (the page fixture fails the test if any dialog opened or script error happened)


def test_llm_failure_shows_the_passages_with_the_reason(page: Any) -> None:
    from playwright.sync_api import expect

    ask(page, FAILING_Q)
    answer = page.locator("#rag-chat .rag-answer").last
    expect(answer).to_contain_text("The language model failed", timeout=30_000)
    expect(answer).to_contain_text("connection refused")
    expect(page.locator("#rag-sources .rag-src").first).to_be_visible()
    shot(page, "7-llm-failed-search-only")


def test_upload_an_article_then_get_it_cited(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    article = tmp_path / "quillmere_keeper.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#rag-docs")).to_contain_text("Missiles were fired at the US embassy")
    expect(page.locator("#rag-docs")).to_contain_text(HOSTILE_TITLE)  # as text, not markup
    assert page.locator("#rag-docs img, #rag-docs script").count() == 0
    page.set_input_files("#rag-upload input[type=file]", str(article))
    # Gradio writes the file's stem and extension in two elements, at times with a space
    # between them in the text.
    expect(page.locator("#rag-upload")).to_contain_text(re.compile(r"quillmere_keeper\s*\.txt"),
                                                        timeout=15_000)
    page.click("#rag-index")
    expect(page.locator("#rag-corpus-log textarea")).to_have_value(
        re.compile("1 added"), timeout=60_000)
    expect(page.locator("#rag-docs")).to_contain_text("Quillmere lighthouse gets its first keeper")
    expect(page.locator("#rag-status")).to_contain_text("8 articles")
    shot(page, "4-corpus-uploaded")

    page.get_by_role("tab", name="Chat").click()
    ask(page, NEW_Q)
    expect(page.locator("#rag-chat .rag-answer").last).to_contain_text("Ottoline Varga",
                                                                       timeout=30_000)
    click_marker_and_check_source(page, 1, "Ottoline Varga", "5-uploaded-article-cited")
    expect(page.locator("#rag-sources .rag-src-cited").first).to_contain_text(
        "Quillmere lighthouse gets its first keeper")


# -- exports, permalinks, the brief ------------------------------------------------------


def ask_and_wait(page: Any, question: str, answers: int = 1) -> None:
    from playwright.sync_api import expect

    ask(page, question)
    expect(page.locator("#rag-chat .rag-answer .rag-actions")).to_have_count(answers,
                                                                          timeout=60_000)


def open_export(browser: Any, download: Any, name: str) -> Any:
    """Save a downloaded export to the artifacts and open it in a page of its own."""
    exports = SHOTS.parent / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    path = exports / name
    download.save_as(str(path))
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    opened = context.new_page()
    opened.goto(path.as_uri())
    return opened


def test_download_an_answer_and_open_it(page: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    ask_and_wait(page, FERRY_Q)
    links = page.locator("#rag-chat a.rag-dl")
    assert links.count() == 2
    with page.expect_download() as info:
        links.first.click()
    assert info.value.suggested_filename == "answer-1.html"
    opened = open_export(browser, info.value, "answer-1.html")
    try:
        expect(opened.locator("h1")).to_have_text(FERRY_Q)
        quote = opened.locator("#fn1 blockquote")
        expect(quote).to_contain_text(
            "The Port Ellery ferry returned to service on Monday after six weeks of hull repairs.")
        expect(opened.locator("#fn1 .url")).to_have_text(FERRY_URL)  # the article's link
        assert opened.locator("#fn1 a, script, img").count() == 0  # shown as text
        opened.locator('sup a[href="#fn1"]').first.click()  # the footnote marker leads to it
        assert opened.url.endswith("#fn1")
        expect(opened.locator("table.facts").last).to_contain_text("fingerprint")
        opened.screenshot(path=str(SHOTS / "export-answer.png"), full_page=True)
    finally:
        opened.context.close()


def test_a_permalink_asks_its_question_on_load(page: Any, browser: Any, app_url: str) -> None:
    from playwright.sync_api import expect

    page.locator("#rag-filters").click()
    page.fill("#rag-since textarea, #rag-since input", "2024-01-01")
    ask_and_wait(page, FERRY_Q)
    page.locator("#rag-chat a.rag-link").click()
    expect(page.locator("#rag-chat a.rag-link")).to_contain_text("Link copied")
    link = page.url
    assert "q=When+did+the+Port+Ellery+ferry" in link and "since=2024-01-01" in link
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    other = context.new_page()
    try:
        other.goto(link)
        expect(other.locator("#rag-chat .rag-question")).to_have_text(FERRY_Q, timeout=60_000)
        expect(other.locator("#rag-chat .rag-answer-text")).to_contain_text(
            "returned to service on Monday", timeout=60_000)
        other.locator("#rag-filters").click()
        expect(other.locator("#rag-since textarea, #rag-since input")).to_have_value(
            "2024-01-01")
        shot(other, "permalink")
    finally:
        context.close()


def test_pin_reorder_and_export_a_brief(page: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    ask_and_wait(page, KATYUSHA_Q)
    page.locator("#rag-chat a.rag-act", has_text="Pin to brief").click()
    expect(page.get_by_text("Pinned to the brief (1 item).")).to_be_visible()
    page.get_by_role("tab", name="Summaries").click()
    page.fill("#rag-sum-topic textarea, #rag-sum-topic input", "rocket attacks on the embassy")
    page.locator("#rag-sum-mode label", has_text="extractive").click()
    page.click("#rag-summarize")
    pins = page.locator("#rag-summary a.rag-pin-s")
    expect(pins.first).to_be_visible(timeout=60_000)
    pins.first.click()
    page.get_by_role("tab", name="Brief").click()
    items = page.locator("#rag-brief .rag-brief-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Answer: " + KATYUSHA_Q)
    page.locator('#rag-brief a[href="#up-2"]').click()
    expect(items.nth(0)).to_contain_text("Summary sentence: rocket attacks on the embassy")
    shot(page, "brief")
    with page.expect_download() as info:
        page.click("#rag-brief-html")
    opened = open_export(browser, info.value, "brief.html")
    try:
        expect(opened.locator("h2")).to_have_count(2)
        expect(opened.locator("h2").first).to_contain_text("Summary sentence")
        sources = opened.locator("ol.notes > li")
        # one note per distinct cited passage sentence, never more than the markers
        assert 1 <= sources.count() <= opened.locator("sup a").count()
        expect(sources.first.locator("blockquote")).not_to_be_empty()
        opened.screenshot(path=str(SHOTS / "export-brief.png"), full_page=True)
    finally:
        opened.context.close()


# -- feedback ---------------------------------------------------------------------------


def test_a_thumbs_down_ends_up_as_a_case_in_rag_feedback_export(
    page: Any, app_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml
    from click.testing import CliRunner
    from playwright.sync_api import expect

    from rag.cli import cli
    from rag.evaluation.sets import load_set

    comment = "It should say where the rockets landed"
    ask_and_wait(page, KATYUSHA_Q)
    status = page.locator("#rag-feedback-status")
    page.locator("#rag-chat button[aria-label='Dislike']").last.click()
    expect(status).to_contain_text("saved as a case for rag feedback export")
    page.fill("#rag-feedback-comment textarea, #rag-feedback-comment input", comment)
    page.click("#rag-feedback-send")
    expect(status).to_contain_text("Comment saved with your thumbs-down on answer 1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "feedback-thumbs-down.png"), full_page=True)

    # `rag feedback export` on the served index, in process (as `rag` would run it).
    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    out = tmp_path / "feedback.yaml"
    exported = CliRunner().invoke(
        cli, ["--index-dir", str(app_root / "index"), "feedback", "export", str(out),
              "--rating", "down"], catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    cases = [c for c in yaml.safe_load(out.read_text(encoding="utf-8"))["cases"]
             if c["question"] == KATYUSHA_Q]
    assert len(cases) == 1, cases
    case = cases[0]
    assert case["status"] == "to-fix" and case["note"] == comment
    assert "Three Katyusha rockets" in case["given"]["answer"]
    assert case["given"]["sources"] and "sources" not in case  # given, not expected
    loaded = {c.id: c for c in load_set(out).cases}[case["id"]]  # `rag eval` reads it
    assert loaded.status == "to-fix" and loaded.question == KATYUSHA_Q
