"""The Summaries tab: its handler renders escaped markup with working markers, and the
``/summarize`` endpoint of the served app answers through ``gradio_client``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.container import Services, build_services
from rag.summary.result import NOT_COVERED_TEXT
from tests.conftest import SEEDS, make_settings
from tests.support.fakes import HashEmbedding
from tests.support.net import free_port
from tests.support.ui import HOSTILE_TEXT, HOSTILE_TITLE, assert_only_our_markup
from ui.app import build_app
from ui.serving import launch
from ui.summaries import SummariesUI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("summary_ui")
    folder = root / "articles"
    folder.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (folder / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "hostile.txt").write_text(f"{HOSTILE_TITLE}\ndate 2024-05-02\n\n{HOSTILE_TEXT}\n",
                                        encoding="utf-8")
    services = build_services(make_settings(root / "index"), embedder=HashEmbedding())
    services.indexer().run([folder])
    yield services
    services.close()


def final(ui: SummariesUI, *args: object) -> tuple[str, str]:
    done = list(ui.run(*args))[-1]  # type: ignore[arg-type]
    return str(done.summary), str(done.sources)


def test_summary_tab_renders_escaped_markup_with_markers_to_its_sources(
    seeded: Services,
) -> None:
    ui = SummariesUI(seeded)
    summary, sources = final(ui, "", "hostile", "", "", "All outlets", False, "extractive")
    parsed = assert_only_our_markup(summary)
    assert_only_our_markup(sources)
    hrefs = {a.get("href") for tag, a in parsed.tags if tag == "a"}
    markers = {h for h in hrefs if h and h.startswith("#src-")}
    assert markers and all(f'id="{h[1:]}"' in sources for h in markers)
    assert "#pin-summary" in hrefs and "#pin-sentence-0" in hrefs  # each sentence pins
    assert "budget by 7 votes to 5" in "".join(parsed.text)
    assert "<script>" not in summary + sources


def test_summary_tab_timeline_and_bad_input(seeded: Services) -> None:
    ui = SummariesUI(seeded)
    summary, _ = final(ui, "attacks on US forces in Iraq", "", "", "", None, True, "extractive")
    assert "rag-summary-timeline" in summary
    assert re.search(r"<span class=\"rag-sent[^>]*>(?:Reported )?[^<]*\d{4} — ", summary)
    summary, sources = final(ui, "x", "", "last week", "", None, False, "extractive")
    assert "not a date" in summary
    summary, _ = final(ui, "football transfers", "", "", "", None, False, "extractive")
    assert NOT_COVERED_TEXT in summary


def test_summarize_through_gradio_client(seeded: Services, tmp_path: Path) -> None:
    from gradio_client import Client

    app = build_app(seeded)
    _, url, _ = launch(app, port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        out = client.predict(topic="attacks on US forces in Iraq", timeline=True,
                             mode="extractive", api_name="/summarize")
        assert out["covered"] and out["timeline"] and out["sentences"]
        assert len({c["doc_id"] for c in out["citations"]}) >= 3
        assert out["sentences"][0]["date"] <= out["sentences"][1]["date"]
        only = client.predict(doc="hostile", api_name="/summarize")
        assert {c["doc_id"] for c in only["citations"]} == {"hostile"}
        with pytest.raises(Exception, match="no indexed article has the id"):
            client.predict(doc="nosuch", api_name="/summarize")
    finally:
        app.close()


def test_summary_tab_offers_its_exports_and_keeps_it_for_the_brief(seeded: Services,
                                                                   tmp_path: Path) -> None:
    from ui.downloads import ExportFiles

    ui = SummariesUI(seeded, ExportFiles(seeded.store.catalog, tmp_path / "exports"))
    *_, done = list(
        ui.run("attacks on US forces in Iraq", "", "2019-01-01", "", "All outlets", False,
               "extractive"))
    item, as_html, as_md = done.last, done.as_html, done.as_md
    assert item.kind == "Summary" and item.filters == "since 2019-01-01"
    page = Path(as_html.value["path"]).read_text(encoding="utf-8")
    assert page.count('<li id="fn') == len({
        (p.chunk_id, *s.evidence.get(n, (0, 0))) for s in item.result.sentences if s.supported
        for n in s.citations for p in item.result.passages if p.n == n})
    assert "Summary: attacks on US forces in Iraq" in page and "since 2019-01-01" in page
    assert Path(as_md.value["path"]).read_text(encoding="utf-8").startswith("# Summary: ")
