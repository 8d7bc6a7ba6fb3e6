"""Exports of a checked answer: footnotes that match its citations, the left-out sentences
marked, a footer that says how it was made, and article markup kept as text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.answer import AnswerResult
from rag.cli import cli
from rag.container import Services
from rag.export import (
    ExportContext,
    ExportItem,
    footnotes,
    md_text,
    sentence_only,
    to_html,
    to_markdown,
    write_export,
)
from rag.grounding.citations import CheckedSentence
from rag.grounding.passages import Passage

HOSTILE = ('The bakery won <script>alert("x")</script> the prize. See '
           '![chart](http://attacker.example/leak.png) and [this](http://attacker.example/).')
CTX = ExportContext(made_at="2023-11-02T10:00", corpus_documents=5, corpus_fingerprint="abc123")


def _result() -> AnswerResult:
    first = Passage(n=1, doc_id="bakery", chunk_id="bakery:0:x", title="Bakery wins",
                    text=HOSTILE, source="Valley Wire", published_at="2023-10-04",
                    url="https://valley.example/bakery")
    second = Passage(n=2, doc_id="mill", chunk_id="mill:0:y", title="Mill reopens",
                     text="The old mill reopened on Friday. It employs forty people.",
                     source="Northern Ledger", published_at="2023-10-05",
                     first_published_at="2023-10-05", updated_at="2023-10-07")
    prize = (0, HOSTILE.index(" See") + 0)
    sentences = [
        CheckedSentence("The bakery won the prize.", [1], True, 0.9, "quoted", {1: prize}),
        CheckedSentence("It won it <b>again</b>, and the mill reopened.", [1, 2], True, 0.8,
                        "generated", {1: prize, 2: (0, 32)}),
        CheckedSentence("The mayor resigned.", [], False, 0.1, "generated", {},
                        note="no passage says so"),
    ]
    return AnswerResult(
        question="What did the bakery win?", standalone="What did the Valley bakery win?",
        answer="The bakery won the prize [1]. It won it again, and the mill reopened [1][2].",
        abstained=False, reason="", sentences=sentences, passages=[first, second],
        mode="generative", backend="fake", model="scripted",
    )


def _item(result: AnswerResult | None = None) -> ExportItem:
    return ExportItem(result or _result(), filters="since 2023-10-01", as_of="2023-11-01")


def test_a_source_cited_twice_is_one_footnote() -> None:
    [section], notes = footnotes([_item()])
    assert [s.footnotes for s in section.kept] == [(1,), (1, 2)]
    assert [n.passage.doc_id for n in notes] == ["bakery", "mill"]
    assert notes[1].quote == "The old mill reopened on Friday."
    assert [s.text for s in section.left_out] == ["The mayor resigned."]


def test_footnotes_are_merged_across_the_items_of_a_brief() -> None:
    answer = _result()
    # the same bakery sentence, as passage 4 of another answer; then an uncited sentence
    other = Passage(**{**answer.passages[0].__dict__, "n": 4})
    second = AnswerResult(
        question="Who won?", standalone="Who won?", answer="The bakery won the prize [4].",
        abstained=False, reason="", passages=[other], mode="extractive", backend="none",
        model="", sentences=[CheckedSentence("The bakery won the prize.", [4], True, 0.9,
                                             "quoted", {4: answer.sentences[0].evidence[1]})])
    sections, notes = footnotes([_item(second), _item(), _item(sentence_only(answer, 1))])
    assert [s.footnotes for s in sections[0].kept] == [(1,)]
    assert [s.footnotes for s in sections[1].kept] == [(1,), (1, 2)]
    assert [s.footnotes for s in sections[2].kept] == [(1, 2)]
    assert len(notes) == 2 and sections[2].left_out == []
    page = to_html([_item(second), _item()], CTX, title="Brief")
    assert page.count('<li id="fn') == 2 and page.count("<h2") == 2
    text = to_markdown([_item(second), _item()], CTX, title="Brief")
    assert text.startswith("# Brief") and "## 2. What did the bakery win?" in text
    assert len(re.findall(r"^\[\^\d\]:", text, re.M)) == 2


def test_markdown_export() -> None:
    text = to_markdown([_item()], CTX)
    assert text.startswith("# What did the bakery win?")
    assert "won the prize.[^1] It won it" in text
    assert "reopened.[^1][^2]" in text
    assert len(re.findall(r"^\[\^\d\]:", text, re.M)) == 2
    assert "~~The mayor resigned.~~ (no passage says so)" in text
    mill = next(line for line in text.splitlines() if line.startswith("[^2]:"))
    assert "Mill reopens — Northern Ledger, updated 7 October 2023" in mill
    assert "document `mill`" in mill
    for fact in ("Standalone question:** What did the Valley bakery win?",
                 "Filters:** since 2023-10-01", "As of:** 2023-11-01",
                 "fingerprint abc123", "fake (scripted), generative mode"):
        assert fact in text, fact
    # an article's link, image and markup stay text
    assert "![chart](" not in text and "](http" not in text and "<script>" not in text
    assert "\\<script\\>alert" in text
    assert "\\!\\[chart\\](http" in md_text(HOSTILE)


def test_html_export_escapes_the_article() -> None:
    page = to_html([_item()], CTX)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<b>" not in page and "&lt;b&gt;again&lt;/b&gt;" in page
    assert 'href="http' not in page and "<img" not in page
    assert page.count('<li id="fn') == 2
    assert '<sup><a href="#fn2"' in page
    assert "https://valley.example/bakery" in page  # the URL, as text
    assert "The mayor resigned." in page.split('class="left-out"')[1]
    assert "default-src 'none'" in page  # nothing is fetched when it is opened


@pytest.mark.parametrize(("text", "expected"), [
    ("a [link](http://x)", "a \\[link\\](http://x)"),
    ("*bold* and _it_", "\\*bold\\* and \\_it\\_"),
    ("two\n\nlines", "two lines"),
    ("<img src=x>", "\\<img src=x\\>"),
])
def test_md_text(text: str, expected: str) -> None:
    assert md_text(text) == expected


def test_a_wrong_suffix_is_a_misuse(tmp_path: Path) -> None:
    from rag.errors import UserError

    with pytest.raises(UserError, match=r"\.md or \.html"):
        write_export([_item()], CTX, tmp_path / "answer.pdf")


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_rag_ask_exports_the_seed_answer(seed_index: Services, tmp_path: Path, suffix: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_INDEX_DIR", str(seed_index.settings.index_dir))
    question = "How many Katyusha rockets were aimed at the US embassy?"
    out = tmp_path / f"answer{suffix}"
    run = CliRunner().invoke(cli, ["ask", "--mode", "extractive", "--json", "--export",
                                   str(out), question])
    assert run.exit_code == 0, run.output
    answer = json.loads(run.stdout.splitlines()[0])
    text = out.read_text(encoding="utf-8")
    cited = [c for c in answer["citations"] if c["supported"]]
    assert cited
    for c in cited:  # every cited article is a footnote, with its id and title
        assert c["doc_id"] in text
        assert (md_text(c["title"]) if suffix == ".md" else c["title"]) in text
    notes = re.findall(r"^\[\^\d+\]:" if suffix == ".md" else r'<li id="fn\d+">', text, re.M)
    assert 1 <= len(notes) <= len(cited) * 3
    assert re.search(r"Three\.(\[\^1\]|<sup>)", text), "the short answer, ended and cited"
    assert question.split()[0] in text
    assert "fingerprint " in text and "5 articles" in text


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_rag_summarize_exports_the_seed_summary(seed_index: Services, tmp_path: Path,
                                                suffix: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_INDEX_DIR", str(seed_index.settings.index_dir))
    out = tmp_path / f"summary{suffix}"
    run = CliRunner().invoke(cli, ["summarize", "--mode", "extractive", "--json", "--quiet",
                                   "--export", str(out), "rocket attacks on the US embassy"])
    assert run.exit_code == 0, run.output
    summary = json.loads(run.stdout.splitlines()[0])
    text = out.read_text(encoding="utf-8")
    cited = {c["doc_id"] for c in summary["citations"] if c["supported"]}
    assert cited and all(doc in text for doc in cited)
    assert text.count("[^1]") >= 2 if suffix == ".md" else 'id="fn1"' in text
    # each footnote quotes a sentence of a cited passage
    passages = {c["n"]: c["text"] for c in summary["citations"]}
    quotes = re.findall(r"^\[\^\d+\]: “(.*?)” —" if suffix == ".md"
                        else r"<blockquote>“(.*?)”</blockquote>", text, re.M)
    assert quotes
    flat = " ".join(" ".join(t.split()) for t in passages.values())
    for q in quotes:
        plain = q.replace("\\", "") if suffix == ".md" else html.unescape(q)
        assert plain in flat, q


def _cited_spans(items: list[ExportItem]) -> set[tuple[str, int, int]]:
    """What the footnotes must be: the distinct supporting passage sentences cited."""
    spans = set()
    for item in items:
        by_n = {p.n: p for p in item.result.passages}
        for s in item.result.sentences:
            for n in s.citations if s.supported else ():
                if n in by_n:
                    start, end = s.evidence.get(n, (0, min(len(by_n[n].text), 400)))
                    spans.add((by_n[n].chunk_id, start, end))
    return spans


def _check_against_citations(text: str, suffix: str, items: list[ExportItem]) -> None:
    spans = _cited_spans(items)
    assert spans, "the seed answers cite passages"
    if suffix == ".md":
        quotes = [q.replace("\\", "") for q in re.findall(r"^\[\^\d+\]: “(.*?)” —", text, re.M)]
    else:
        quotes = [html.unescape(q) for q in re.findall(r"<blockquote>“(.*?)”</blockquote>", text)]
    passages = {p.chunk_id: p for item in items for p in item.result.passages}
    expected = sorted(" ".join(passages[c].text[a:b].split()) for c, a, b in spans)
    assert sorted(quotes) == expected  # one footnote per cited sentence, each quoted as is
    for chunk, _, _ in spans:
        assert passages[chunk].doc_id in text
    for item in items:  # each item's question (or topic) is in the export
        assert (md_text(item.result.question) if suffix == ".md"
                else html.escape(item.result.question)) in text


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_an_answer_a_summary_and_a_brief_of_the_seeds(seed_index: Services, tmp_path: Path,
                                                      suffix: str) -> None:
    from rag.export import context_for
    from rag.summary.scope import Scope

    answer = ExportItem(seed_index.answerer.answer(
        "How many Katyusha rockets were aimed at the US embassy?", mode="extractive"))
    summary = seed_index.summarizer.summarize(Scope(topic="rocket attacks on the US embassy"),
                                              mode="extractive")
    whole = ExportItem(summary.as_answer(), kind="Summary")
    pinned = ExportItem(sentence_only(summary.as_answer(), 0), kind="Summary sentence")
    ctx = context_for(seed_index.store.catalog)
    exports: dict[str, list[ExportItem]] = {
        "answer": [answer], "summary": [whole], "brief": [answer, pinned, whole]}
    for name, items in exports.items():
        path = write_export(items, ctx, tmp_path / f"{name}{suffix}",
                            title="Brief" if name == "brief" else None)
        _check_against_citations(path.read_text(encoding="utf-8"), suffix, items)
    brief = (tmp_path / f"brief{suffix}").read_text(encoding="utf-8")
    # the pinned sentence cites what the summary cites: no footnote of its own
    assert len(_cited_spans([answer, pinned, whole])) == len(_cited_spans([answer, whole]))
    assert brief.count("Summary sentence: rocket attacks") == 1
