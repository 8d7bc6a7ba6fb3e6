"""The map step's prompt: completion style, so a small base model can follow. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from rag.grounding.passages import Passage
from rag.prompts import STOP_SEQUENCES, format_passages

# The prompt ends with a bullet: the base model goes on with a list of sentences.
SUMMARY_STOP = [*STOP_SEQUENCES, "\nSummary", "\nPassages"]


def summary_prompt(topic: str | None, passages: Sequence[Passage]) -> str:
    """The prompt that asks for a cited summary of one batch of passages."""
    about = f" about {topic.strip()}" if topic else ""
    return (
        f"Summarize what the numbered news passages report{about}. Write short factual "
        "sentences. After each sentence, cite the passage it comes from like [1]. Copy "
        "numbers, names and dates exactly as the passages write them. Where passages "
        "disagree, say so and cite both.\n\n"
        f"Passages:\n\n{format_passages(passages)}\n\n"
        f"Summary{about}:\n-"
    )
