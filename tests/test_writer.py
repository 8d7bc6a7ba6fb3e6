"""What the model is handed and how much it may write (generative mode): the evidence
sentences rather than whole passages, a token cap by answer type, and a draft cut at its
cap or copying a passage heading kept out of the answer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from rag.answer.check import heading
from rag.answer.overview import MAX_WORDS
from rag.container import Services, build_services
from rag.grounding.citations import finished
from tests.conftest import make_settings
from tests.support.fake_llm import ScriptedLLM, tokens
from tests.support.fakes import HashEmbedding


@pytest.mark.parametrize(("draft", "expected"), [
    ("Sam Bankman-Fried [1]", "Sam Bankman-Fried [1]"),
    ("He was fired [1]. The board said that [2]", "He was fired [1]."),
    ("He was fired. [1] Then he", "He was fired. [1]"),
    ("He said “no.” [2]", "He said “no.” [2]"),
    ("One. Two? [3][4]", "One. Two? [3][4]"),
    ("Costs rose 4.5 percent [1]", "Costs rose 4.5 percent [1]"),
    ("Costs rose 4.5 percent. It was U.S. policy", "Costs rose 4.5 percent."),
    ("It was U.S. policy. [2]", "It was U.S. policy. [2]"),
    ("", ""),
])
def test_a_last_sentence_cut_off_is_left_out(draft: str, expected: str) -> None:
    assert finished(draft) == expected


TITLE = "Martin Scorsese's late-stage career has proved Quentin Tarantino wrong"


@pytest.mark.parametrize(("sentence", "is_heading"), [
    (TITLE, True),
    (f"{TITLE} — Polygon, 26 October 2023", True),
    (f"{TITLE.upper()} - Polygon.", True),
    (f"{TITLE} by making three films in five years.", False),
    ("Scorsese made three films in five years.", False),
])
def test_a_copied_passage_heading_is_not_an_answer(sentence: str, is_heading: bool) -> None:
    assert heading(sentence, ["Another title", TITLE]) is is_heading


FILLER = [
    "The harbour master counted forty yachts at the marina on Sunday.",
    "A bakery on Quay Street sold out of rye loaves before noon.",
    "Tourists queued for the cable car despite the drizzle.",
    "The library extended its opening hours for the exam season.",
    "Cyclists complained about potholes near the old tannery.",
    "A choir rehearsed carols in the town hall basement.",
    "The ferry timetable was reprinted with larger type.",
    "Local fishermen reported a good week for mackerel.",
    "The museum lent two paintings to a gallery in Leeds.",
    "Volunteers planted tulip bulbs along the promenade.",
]
ANSWER = "The Quillmere council appointed Ottoline Varga as lighthouse keeper on Monday."


def _services(tmp_path: Path, reply: str, sentences: Sequence[str] = (
        *FILLER[:5], ANSWER, *FILLER[5:])) -> tuple[Services, ScriptedLLM]:
    folder = tmp_path / "in"
    folder.mkdir()
    body = " ".join(sentences)
    (folder / "keeper.txt").write_text(f"Town news\n\n{body}\n")
    llm = ScriptedLLM([reply])
    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding(),
                              llm=llm)
    services.indexer().run([folder])
    return services, llm


def test_the_model_reads_the_evidence_sentences_not_the_whole_passage(tmp_path: Path) -> None:
    services, llm = _services(tmp_path, "Ottoline Varga [1].")
    try:
        services.answerer.answer("Who did the Quillmere council appoint as lighthouse keeper?",
                                 mode="generative")
        prompt = llm.prompts[-1]
        assert ANSWER in prompt
        left_out = [f for f in FILLER if f not in prompt]
        assert left_out, "every sentence of the passage reached the prompt"
    finally:
        services.close()


@pytest.mark.parametrize(("question", "cap"), [
    ("Who did the Quillmere council appoint as lighthouse keeper?", 64),
    ("What happened in Quillmere?", 256),
    ("Did the Quillmere council appoint a lighthouse keeper?", 48),
])
def test_the_draft_is_capped_by_what_the_question_asks(tmp_path: Path, question: str,
                                                       cap: int) -> None:
    long_reply = " ".join(["Ottoline Varga was appointed keeper [1]."] * 60)
    services, _ = _services(tmp_path, long_reply)
    try:
        result = services.answerer.answer(question, mode="generative")
        assert len(tokens(result.draft)) <= cap
        assert len(tokens(result.draft)) > cap - 10  # no shorter than the cap asks
        assert result.draft.endswith(".")  # cut to its last whole sentence
    finally:
        services.close()


def test_an_overview_with_the_models_sentences_stays_within_its_words(tmp_path: Path) -> None:
    local = [f"In Quillmere, {f[0].lower()}{f[1:-1]}, the town clerk told the weekly meeting."
             for f in FILLER]
    services, _ = _services(tmp_path, " ".join(f"{f} [1]" for f in local), local)
    try:
        result = services.answerer.answer("What happened in Quillmere?", mode="generative")
        assert not result.abstained
        assert len(result.sentences) >= 2
        assert len(result.answer.split()) <= MAX_WORDS
    finally:
        services.close()


@pytest.mark.parametrize("reply", ["The articles do not say.", "The article does not say.",
                                   "The passage does not mention it."])
def test_a_model_that_says_the_articles_do_not_say_adds_nothing(tmp_path: Path,
                                                                reply: str) -> None:
    services, _ = _services(tmp_path, " ".join([reply] * 5))
    try:
        result = services.answerer.answer(
            "Who did the Quillmere council appoint as lighthouse keeper?", mode="generative")
        assert not [s for s in result.sentences if s.origin == "generated"]
        assert "Ottoline Varga" in result.answer  # the composer's answer stands
    finally:
        services.close()
