"""Drafting cases: sampling passages, the prompt, parsing and grounding the model's draft."""

from __future__ import annotations

import pytest

from rag.evaluation.generate import (
    SourceChunk,
    draft_cases,
    draft_prompt,
    grounded,
    parse_draft,
    sample_chunks,
)


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        (" How many steps does the tower have?\nAnswer: 214 steps.", ("How many steps does the tower have?", "214 steps")),
        (" Who was appointed keeper? Answer: Ottoline Varga\nPassage: more", ("Who was appointed keeper?", "Ottoline Varga")),
        (" No question mark here\nAnswer: x", None),
        (" Why?\nAnswer: short question", None),
        (" What happened next in the story?\nAnswer: ", None),
        (" What is this?", None),
    ],
)
def test_parse_draft(completion: str, expected: tuple[str, str] | None) -> None:
    assert parse_draft(completion) == expected


@pytest.mark.parametrize(
    ("answer", "passage", "expected"),
    [
        ("Ottoline  Varga", "appointed ottoline\nvarga as keeper", True),
        ("Someone else", "appointed Ottoline Varga", False),
    ],
)
def test_grounded(answer: str, passage: str, expected: bool) -> None:
    assert grounded(answer, passage) is expected


def chunks() -> list[SourceChunk]:
    return [SourceChunk(f"d{d}", s, f"T{d}", f"text {d} {s}") for d in range(3) for s in range(4)]


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_sample_spreads_over_documents_before_repeating_one(seed: int) -> None:
    picked = sample_chunks(chunks(), 5, seed)
    assert len(picked) == 5 and len(set(picked)) == 5
    assert {c.doc_id for c in picked[:3]} == {"d0", "d1", "d2"}
    assert sample_chunks(chunks(), 5, seed) == picked  # the seed fixes the sample


def test_sample_takes_what_there_is() -> None:
    assert len(sample_chunks(chunks(), 100, 0)) == 12


def test_prompt_is_a_completion_ending_at_the_question() -> None:
    prompt = draft_prompt(SourceChunk("d", 0, "A title", "Some   passage\ntext."))
    assert prompt.endswith("Title: A title\nPassage: Some passage text.\nQuestion:")
    assert "Answer:" in prompt  # the worked example shows the shape


def test_draft_ids_do_not_collide_with_taken_ones() -> None:
    chunk = SourceChunk("d", 3, "T", "The tower has 214 steps.")
    drafts = list(draft_cases([chunk, chunk], lambda p: " How many steps?\nAnswer: 214",
                              taken_ids={"draft-d-3"}))
    assert [d.id for _, d in drafts if d] == ["draft-d-3-2", "draft-d-3-3"]
    assert drafts[0][1] is not None and drafts[0][1].to_case()["facts"] == [["214"]]
