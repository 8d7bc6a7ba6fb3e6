"""``rag eval generate``: draft new cases from indexed passages with the LLM, for review.

The embedded model is a small *base* model, so the prompt is a completion with one
worked example; a draft is kept only when its answer is written in the passage it
came from. Drafts go to a new file; an existing set is only extended when asked.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from rag.errors import UserError
from rag.evaluation.sets import CaseYaml, load_set

MAX_PASSAGE_CHARS = 1200
MAX_DRAFT_TOKENS = 80
STOP = ["\n\n", "\nPassage", "\nTitle:"]

# A made-up example, so the model sees the shape of the answer it should write.
EXAMPLE = (
    "Title: Council approves new cycle lanes\n"
    "Passage: The city council voted on Tuesday to build 12 kilometres of protected cycle "
    "lanes by 2025. The plan will cost 4 million euros, paid from the transport budget.\n"
    "Question: How many kilometres of protected cycle lanes will the city build?\n"
    "Answer: 12 kilometres"
)
INSTRUCTIONS = (
    "Write a question that the passage answers, and the short answer copied from the "
    "passage."
)


@dataclass(frozen=True)
class SourceChunk:
    """A passage to draft a question from."""

    doc_id: str
    seq: int
    title: str
    text: str


@dataclass(frozen=True)
class Draft:
    """A drafted case."""

    id: str
    question: str
    answer: str
    doc_id: str

    def to_case(self) -> CaseYaml:
        """The draft in the YAML set format."""
        return {
            "id": self.id,
            "question": self.question,
            "facts": [[self.answer]],
            "sources": [self.doc_id],
            "answerable": True,
        }


def sample_chunks(chunks: Sequence[SourceChunk], n: int, seed: int) -> list[SourceChunk]:
    """Up to ``n`` chunks, spread over documents (one per document before a second)."""
    rng = random.Random(seed)
    by_doc: dict[str, list[SourceChunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    for group in by_doc.values():
        rng.shuffle(group)
    docs = sorted(by_doc)
    rng.shuffle(docs)
    out: list[SourceChunk] = []
    round_ = 0
    while len(out) < n and any(len(by_doc[d]) > round_ for d in docs):
        out += [by_doc[d][round_] for d in docs if len(by_doc[d]) > round_][: n - len(out)]
        round_ += 1
    return out


def draft_prompt(chunk: SourceChunk) -> str:
    """The completion prompt for one passage."""
    text = " ".join(chunk.text.split())[:MAX_PASSAGE_CHARS]
    return (
        f"{INSTRUCTIONS}\n\n{EXAMPLE}\n\n"
        f"Title: {chunk.title}\nPassage: {text}\nQuestion:"
    )


_ANSWER = re.compile(r"^(?P<q>.+?\?)\s*\n?\s*Answer:\s*(?P<a>.+)$", re.S)


def parse_draft(completion: str) -> tuple[str, str] | None:
    """``(question, answer)`` from the model's continuation, or None when malformed."""
    m = _ANSWER.match(completion.strip())
    if not m:
        return None
    question = " ".join(m.group("q").split())
    answer = " ".join(m.group("a").split("\n", 1)[0].split()).rstrip(".")
    if len(question) < 10 or not answer or len(answer) > 120:
        return None
    return question, answer


def grounded(answer: str, passage: str) -> bool:
    """The answer is written in the passage (case and whitespace aside)."""
    return " ".join(answer.split()).casefold() in " ".join(passage.split()).casefold()


def draft_cases(
    chunks: Sequence[SourceChunk],
    complete: Callable[[str], str],
    taken_ids: Collection[str] = (),
) -> Iterator[tuple[SourceChunk, Draft | None]]:
    """Ask for one draft per chunk; yields the chunk and its draft (None when rejected)."""
    taken = set(taken_ids)
    for chunk in chunks:
        parsed = parse_draft(complete(draft_prompt(chunk)))
        if parsed is None or not grounded(parsed[1], chunk.text):
            yield chunk, None
            continue
        case_id = f"draft-{chunk.doc_id}-{chunk.seq}"
        n = 2
        while case_id in taken:
            case_id = f"draft-{chunk.doc_id}-{chunk.seq}-{n}"
            n += 1
        taken.add(case_id)
        yield chunk, Draft(case_id, parsed[0], parsed[1], chunk.doc_id)


HEADER = (
    "# Drafted by `rag eval generate` from indexed passages: review every case (question,\n"
    "# facts, sources, answerable) before moving it into a regression set.\n"
)


def _dump_cases(cases: list[CaseYaml], indent: str) -> str:
    text = yaml.safe_dump(cases, sort_keys=False, allow_unicode=True, width=100)
    return "".join(indent + line + "\n" for line in text.splitlines())


def write_drafts(path: Path, drafts: Sequence[Draft], append: bool) -> None:
    """Write drafts to a new file, or append them to the existing set at ``path`` when
    ``append`` is true (its text and comments are kept; the result must load)."""
    cases = [d.to_case() for d in drafts]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + "cases:\n" + _dump_cases(cases, "  "), encoding="utf-8")
        return
    if not append:
        raise UserError(f"{path} exists: pass --append to add the drafts to it, or another --out")
    old_set = load_set(path)
    old = path.read_text(encoding="utf-8")
    m = re.search(r"^(\s*)- id:", old, re.M)
    indent = m.group(1) if m else "  "
    new = old.rstrip("\n") + "\n" + _dump_cases(cases, indent)
    loaded = yaml.safe_load(new)
    ids = [c.get("id") for c in loaded.get("cases", [])] if isinstance(loaded, dict) else []
    if ids != [c.id for c in old_set.cases] + [d.id for d in drafts]:
        raise UserError(
            f"{path}: cannot append without rewriting it (its 'cases' list is not at the end)"
        )
    path.write_text(new, encoding="utf-8")
