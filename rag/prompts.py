"""Prompt building. Pure functions; completion style, so a small base model can follow."""

from __future__ import annotations

from collections.abc import Sequence

from rag.grounding.passages import Passage

ANSWER_INSTRUCTIONS = (
    "Answer the question using only the numbered news passages. After each sentence, cite "
    "the passage it comes from like [1]. Copy numbers and names exactly as the passages "
    "write them. Mention when the reported events happened. If the passages do not answer "
    "the question, write: The articles do not say."
)


def format_passages(passages: Sequence[Passage], max_chars: int | None = None) -> str:
    """The passages as numbered blocks with title, outlet and date."""
    blocks = []
    for p in passages:
        text = p.text if max_chars is None else p.text[:max_chars]
        blocks.append(f"[{p.n}] {p.header()}\n{text}")
    return "\n\n".join(blocks)


def answer_prompt(question: str, passages: Sequence[Passage]) -> str:
    """The prompt that asks for a cited answer."""
    return (
        f"{ANSWER_INSTRUCTIONS}\n\n"
        f"Passages:\n\n{format_passages(passages)}\n\n"
        f"Question: {question.strip()}\n"
        "Answer:"
    )


def condense_prompt(history: Sequence[tuple[str, str]], question: str) -> str:
    """The prompt that rewrites a follow-up into a standalone question."""
    turns = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history[-3:])
    return (
        "Rewrite the last user question so that it can be understood without the "
        "conversation. Keep names, places and dates. Write only the question.\n\n"
        f"{turns}\nUser: {question.strip()}\n"
        "Standalone question:"
    )


STOP_SEQUENCES = ["\nQuestion:", "\nPassages:", "\n\n\n", "<end_of_turn>", "\nUser:"]
