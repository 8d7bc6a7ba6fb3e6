"""The answer pipeline end to end over the seeds, with a scripted LLM (mechanism) and
the real embedding model (realistic retrieval and support scores)."""

from __future__ import annotations

import pytest

from rag.answer import ABSTAIN_TEXT, Answerer, Done, Retrieved, Token
from rag.container import Services
from rag.errors import BackendUnavailable
from tests.support.fake_llm import ScriptedLLM

KATYUSHA = "How many Katyusha rockets were aimed at the US embassy?"


def answerer(services: Services, llm: ScriptedLLM | None) -> Answerer:
    return Answerer(
        services.retriever,
        services.embedder,
        llm=(lambda: llm) if llm else None,
        backend=lambda: ("fake", "scripted"),
    )


def katyusha_n(result) -> int:  # type: ignore[no-untyped-def]
    return next(p.n for p in result.passages if "three Katyusha rockets" in p.text)


def test_supported_answer_keeps_its_checked_citation(seed_index: Services) -> None:
    llm = ScriptedLLM(["Three Katyusha rockets were aimed at the American embassy [{n}]."])
    ans = answerer(seed_index, llm)
    # the scripted reply cites whatever number the Katyusha passage gets
    first = ans.answer(KATYUSHA)
    llm.replies = [
        f"Three Katyusha rockets were aimed at the American embassy [{katyusha_n(first)}]."
    ]
    result = ans.answer(KATYUSHA)
    assert not result.abstained
    [sentence] = [s for s in result.sentences if s.origin == "generated"]
    assert sentence.supported and sentence.citations == [katyusha_n(result)]
    [cite] = result.citations()
    assert cite["doc_id"] == "003_4d07f30f24df0013" and cite["supported"]


def test_wrong_figure_falls_back_to_a_quote(seed_index: Services) -> None:
    result = answerer(
        seed_index, ScriptedLLM(["100 Katyusha rockets were fired at the embassy [1]."])
    ).answer(KATYUSHA)
    assert not result.abstained
    generated = [s for s in result.sentences if s.origin == "generated"]
    assert generated and generated[0].supported is False
    quoted = [s for s in result.sentences if s.origin == "quoted"]
    assert quoted and "three Katyusha rockets" in quoted[0].text
    assert "100" not in result.answer and f"[{katyusha_n(result)}]" in result.answer


def test_model_that_cites_nothing_gets_attributed(seed_index: Services) -> None:
    result = answerer(
        seed_index, ScriptedLLM(["Three Katyusha rockets were aimed at the American embassy."])
    ).answer(KATYUSHA)
    [s] = [s for s in result.sentences if s.origin == "generated"]
    assert s.supported and s.citations == [katyusha_n(result)]


@pytest.mark.parametrize(
    "question",
    [
        "What happened at the US embassy in Baghdad in 2025?",
        "How much does a Smart Quarterly subscription cost?",
        "What did Emmanuel Macron say about the Katyusha rockets?",
    ],
)
def test_questions_the_seeds_cannot_answer_abstain(seed_index: Services, question: str) -> None:
    llm = ScriptedLLM(["It costs 900 rupees [1]."])
    result = answerer(seed_index, llm).answer(question)
    assert result.abstained and result.answer == ABSTAIN_TEXT
    assert result.passages  # the closest passages are still shown
    assert llm.prompts == []  # weak evidence: the LLM was not even asked


def test_extractive_mode_needs_no_llm(seed_index: Services) -> None:
    result = answerer(seed_index, None).answer(KATYUSHA, mode="extractive")
    assert not result.abstained and "three Katyusha rockets" in result.answer
    assert result.answer.startswith("Three [")  # the count first
    assert "(16 August 2024) reported:" in result.answer  # the quote dated by its article


def test_stream_order_and_prompt_content(seed_index: Services) -> None:
    llm = ScriptedLLM(["Three Katyusha rockets were aimed at the embassy."])
    events = list(answerer(seed_index, llm).stream(KATYUSHA))
    assert isinstance(events[0], Retrieved) and isinstance(events[-1], Done)
    assert [e.text for e in events if isinstance(e, Token)]
    [prompt] = llm.prompts
    assert "[1] " in prompt and prompt.rstrip().endswith("Answer:") and KATYUSHA in prompt
    dates = [p.published_at or "9999" for p in events[0].passages]
    assert dates == sorted(dates)  # passages are numbered in date order


def test_llm_failure_still_answers_from_the_passages(seed_index: Services) -> None:
    llm = ScriptedLLM(
        ["Three Katyusha"], fail_with=BackendUnavailable("Ollama is not reachable"), fail_after=1
    )
    result = answerer(seed_index, llm).answer(KATYUSHA)
    assert result.llm_error and "not reachable" in result.llm_error
    assert not result.abstained and "three Katyusha rockets" in result.answer


def test_follow_up_question_uses_the_history(seed_index: Services) -> None:
    ans = answerer(seed_index, None)
    first = ans.answer(
        "How many coalition service members were killed at Camp Taji?", mode="extractive"
    )
    follow = ans.answer(
        "And how many were injured?", mode="extractive", history=[(first.standalone, first.answer)]
    )
    assert "Camp Taji" in follow.standalone
    assert not follow.abstained and "14" in follow.answer
