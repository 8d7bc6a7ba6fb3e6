"""The web UI's rendering: whatever comes from documents, the model or the reader is shown as
text (escaped, no markup of its own), citation markers link to their sources, abstentions
and unsupported sentences look different, and failures say what to do."""

from __future__ import annotations

import pytest

from rag.answer import ABSTAIN_TEXT
from rag.grounding.citations import CheckedSentence
from rag.llms.select import BackendChoice
from tests.support.ui import (
    HOSTILE_TEXT,
    HOSTILE_TITLE,
    assert_only_our_markup,
    parse,
    passage,
    result,
)
from ui import render


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
