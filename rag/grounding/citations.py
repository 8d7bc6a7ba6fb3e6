"""Citation checking: the system verifies every sentence against the passages. Pure.

A sentence's support by a passage is its support by the passage's best
sentence: lexical support (share of the claim's content words found in that
sentence and the article's title) combined with embedding similarity. A number
the sentence states that the passage does not contain makes the support zero: a
fluent wrong figure is the typical failure of a small model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from index.chunking import split_sentences
from rag.grounding.passages import Passage
from rag.grounding.text import content_terms, lexical_support, missing_numbers

# similarity(texts_a, texts_b) -> matrix of cosine similarities, shape (len(a), len(b))
Similarity = Callable[[Sequence[str], Sequence[str]], np.ndarray]

_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
SUPPORT_THRESHOLD = 0.55
MOVE_MARGIN = 0.15
LEXICAL_WEIGHT = 0.5
# Where a sentence of an answer comes from: the model, a passage quoted, or composed.
Origin = Literal["generated", "quoted", "composed"]


@dataclass
class CheckedSentence:
    """One sentence of an answer after the check."""

    text: str
    citations: list[int] = field(default_factory=list)
    supported: bool | None = None  # None: no claim to check ("I cannot tell.")
    score: float = 0.0
    origin: Origin = "generated"
    # passage number -> character span of the passage sentence that supports it
    evidence: dict[int, tuple[int, int]] = field(default_factory=dict)
    claimed: list[int] = field(default_factory=list)  # what the model cited, before the check
    note: str = ""  # why the sentence was left out of the answer, when it was

    def render(self) -> str:
        """The sentence with its citation markers (a composed short answer such as
        "Three" gets its full stop after the markers: "Three [3].")."""
        marks = "".join(f"[{n}]" for n in self.citations)
        text = f"{self.text} {marks}".rstrip()
        if self.origin == "composed" and marks and not self.text.endswith((".", "!", "?")):
            text += "."
        return text


_ENDED = re.compile(r"[.!?][\"'”’)]*$")
_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*")


def finished(draft: str) -> str:
    """The draft without a last sentence left unfinished (a generation cut at its token
    cap): a last sentence that does not end in ``.``, ``!`` or ``?`` (closing quotes and
    citation markers after it allowed) is left out, unless it is the only one ("Sam
    Bankman-Fried [1]" is an answer)."""
    spans = [(a, b) for a, b in split_sentences(draft) if _MARKER.sub("", draft[a:b]).strip()]
    if len(spans) < 2:
        return draft
    a, b = spans[-1]
    if _ENDED.search(_MARKER.sub("", draft[a:b]).rstrip()):
        return draft
    # Markers the splitter put at the start of the cut sentence cite the one before it.
    match = _MARKERS.match(draft, a)
    return draft[: match.end() if match else a].rstrip()


def parse_cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into (sentence without markers, cited numbers), in order.

    Markers may follow the full stop ("... fired. [1]"), stand before it, or be
    grouped ("[1, 2]", "[1][3]"); a marker alone on a line joins the sentence before.
    """
    out: list[tuple[str, list[int]]] = []
    for a, b in split_sentences(answer):
        raw = answer[a:b]
        cited = [int(x) for m in _MARKER.finditer(raw) for x in re.split(r"[,;]", m.group(1))]
        text = _MARKER.sub("", raw).strip()
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        if not text.strip(" .,;:") and out:
            out[-1][1].extend(n for n in cited if n not in out[-1][1])
            continue
        if text:
            out.append((text, list(dict.fromkeys(cited))))
    return out


@dataclass(frozen=True)
class Support:
    """How well one passage supports one sentence."""

    score: float
    span: tuple[int, int]  # best passage sentence


def support_matrix(
    claims: Sequence[str], passages: Sequence[Passage], similarity: Similarity
) -> list[list[Support]]:
    """Support of every claim by every passage."""
    spans = [split_sentences(p.text) or [(0, len(p.text))] for p in passages]
    flat = [p.text[a:b] for p, sp in zip(passages, spans, strict=True) for a, b in sp]
    sims = similarity(list(claims), flat) if claims and flat else np.zeros((len(claims), 0))
    out: list[list[Support]] = []
    for i, claim in enumerate(claims):
        row = []
        offset = 0
        for p, sp in zip(passages, spans, strict=True):
            block = sims[i, offset : offset + len(sp)]
            offset += len(sp)
            if missing_numbers(claim, p.text + " " + (p.published_at or "")):
                row.append(Support(0.0, sp[int(np.argmax(block))]))
                continue
            # One sentence (with its article's title) must support the claim: words
            # scattered over a passage do not.
            scores = [
                LEXICAL_WEIGHT * lexical_support(claim, f"{p.title} {p.text[a:b]}")
                + (1 - LEXICAL_WEIGHT) * max(float(emb), 0.0)
                for (a, b), emb in zip(sp, block, strict=True)
            ]
            j = int(np.argmax(scores))
            row.append(Support(scores[j], sp[j]))
        out.append(row)
    return out


def only_numbers(text: str) -> bool:
    """A sentence whose only content is a figure ("78."): nothing to check it against."""
    terms = content_terms(text)
    return bool(terms) and all(t[0].isdigit() for t in terms)


def check_sentences(
    cited: Sequence[tuple[str, list[int]]],
    passages: Sequence[Passage],
    similarity: Similarity,
    threshold: float = SUPPORT_THRESHOLD,
) -> list[CheckedSentence]:
    """Verify each sentence's citations against the passages.

    Citations to passages that were not retrieved are removed; a citation whose
    passage does not support the sentence is dropped, or moved to the passage
    that does; a sentence without citations is attributed to its best passage;
    a sentence no passage supports is marked unsupported.
    """
    numbers = {p.n: i for i, p in enumerate(passages)}
    claims = [text for text, _ in cited]
    matrix = support_matrix(claims, passages, similarity)
    checked: list[CheckedSentence] = []
    for (text, marks), row in zip(cited, matrix, strict=True):
        if only_numbers(text):
            checked.append(CheckedSentence(text=text, supported=False, claimed=list(marks)))
            continue
        if not content_terms(text):
            checked.append(CheckedSentence(text=text, supported=None, claimed=list(marks)))
            continue
        valid = [n for n in marks if n in numbers]
        best_score = max((s.score for s in row), default=0.0)
        # A cited passage must support the sentence, and not clearly worse than another one.
        kept = [
            n
            for n in valid
            if row[numbers[n]].score >= max(threshold, best_score - MOVE_MARGIN)
        ]
        if not kept and row and not only_numbers(text):
            best = max(range(len(row)), key=lambda i: row[i].score)
            if row[best].score >= threshold:
                kept = [passages[best].n]
        checked.append(
            CheckedSentence(
                text=text,
                citations=kept,
                supported=bool(kept),
                score=max([row[numbers[n]].score for n in kept], default=best_score),
                evidence={n: row[numbers[n]].span for n in kept},
                claimed=list(marks),
            )
        )
    return checked
