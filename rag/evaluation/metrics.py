"""Metric functions. Pure: plain values in, numbers out; one implementation of each."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from rag.grounding.numbers import number_values, states_number

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """``text`` without whitespace (how MultiHop-RAG matches evidence facts to chunks)."""
    return _WS.sub("", text)


def contains(text: str, needle: str, whole_words: bool = False) -> bool:
    """Case-insensitive containment; ``whole_words`` stops "no" matching inside "not"."""
    if not needle.strip():
        return False
    if not whole_words:
        return needle.casefold() in text.casefold()
    pattern = (
        (r"(?<!\w)" if needle[0].isalnum() else "")
        + re.escape(needle)
        + (r"(?!\w)" if needle[-1].isalnum() else "")
    )
    return re.search(pattern, text, re.IGNORECASE) is not None


def holds_fact(answer: str, alternatives: Sequence[str]) -> bool:
    """True when the answer contains one accepted wording of a fact."""
    return any(contains(answer, alt) for alt in alternatives)


def fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float:
    """Share of ``facts`` the answer holds (1.0 when there are none to hold)."""
    if not facts:
        return 1.0
    return sum(holds_fact(answer, alts) for alts in facts) / len(facts)


def source_matches(doc_id: str, sources: Sequence[str]) -> bool:
    """A document matches an expected source when its id equals or starts with the entry."""
    return any(doc_id == s or doc_id.startswith(s) for s in sources)


def relevant_flags(
    doc_ids: Sequence[str],
    texts: Sequence[str],
    sources: Sequence[str],
    evidence_facts: Sequence[str] = (),
) -> list[bool]:
    """Per retrieved chunk: relevant when its document is an expected source, or when it
    contains one evidence fact (whitespace removed)."""
    facts = [squash(f) for f in evidence_facts if f.strip()]
    return [
        source_matches(d, sources) or any(f in squash(t) for f in facts)
        for d, t in zip(doc_ids, texts, strict=True)
    ]


def fact_flags(texts: Sequence[str], evidence_facts: Sequence[str]) -> list[bool]:
    """Per retrieved chunk: contains one evidence fact (MultiHop-RAG's own relevance)."""
    facts = [squash(f) for f in evidence_facts if f.strip()]
    return [any(f in squash(t) for f in facts) for t in texts]


def evidence_share(texts: Sequence[str], evidence_facts: Sequence[str]) -> float:
    """Share of the evidence facts found in at least one of ``texts`` (whitespace removed)."""
    facts = [squash(f) for f in evidence_facts if f.strip()]
    if not facts:
        return 0.0
    squashed = [squash(t) for t in texts]
    return sum(any(f in t for t in squashed) for f in facts) / len(facts)


def hit_at(flags: Sequence[bool], k: int) -> bool:
    """A relevant result among the first ``k``."""
    return any(flags[:k])


def all_sources_at(doc_ids: Sequence[str], sources: Sequence[str], k: int) -> bool:
    """Every expected source matched by one of the first ``k`` documents."""
    top = doc_ids[:k]
    return bool(sources) and all(any(source_matches(d, [s]) for d in top) for s in sources)


def reciprocal_rank(flags: Sequence[bool], k: int) -> float:
    """1 / rank of the first relevant result within ``k`` (0 when none)."""
    for i, flag in enumerate(flags[:k]):
        if flag:
            return 1.0 / (i + 1)
    return 0.0


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when there is nothing to divide."""
    return numerator / denominator if denominator else None


def mean(values: Sequence[float]) -> float | None:
    """The mean, or None for no values."""
    return sum(values) / len(values) if values else None


def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> tuple[
    float | None, float | None
]:
    """(precision, recall) of abstaining as a detector of unanswerable questions.

    Precision: share of abstentions that were on unanswerable questions; recall:
    share of unanswerable questions abstained on. None when undefined.
    """
    pairs = list(zip(abstained, answerable, strict=True))
    true_pos = sum(a and not ok for a, ok in pairs)
    return (
        ratio(true_pos, sum(a for a, _ in pairs)),
        ratio(true_pos, sum(not ok for _, ok in pairs)),
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


# MultiHop-RAG's yes/no gold answers come in several wordings.
_YES = frozenset(
    "yes true consistent consistently agree agreement align aligned similar same".split()
)
_NO = frozenset("no false inconsistent different disagree".split())
_VERDICT = re.compile(r"^\W*(yes|no)\b", re.I)


def gold_verdict(gold: str) -> str | None:
    """``yes`` or ``no`` when a gold answer is a verdict ("Yes", "no", "True",
    "Consistent" ...), else None (an entity or phrase)."""
    word = gold.strip().strip(".").casefold()
    return "yes" if word in _YES else "no" if word in _NO else None


def answer_verdict(answer: str) -> str | None:
    """The verdict an answer opens with ("Yes." / "No ..."), lower-cased, or None."""
    m = _VERDICT.match(answer)
    return m.group(1).lower() if m else None


def gold_correct(answer: str, gold: str) -> bool:
    """MultiHop-RAG's rule: a yes/no gold answer must be the answer's verdict; any other
    gold answer must appear in the answer (whole words, case-insensitive)."""
    verdict = gold_verdict(gold)
    if verdict is not None:
        return answer_verdict(answer) == verdict
    return contains(answer, gold.strip().rstrip("."), whole_words=True)


def forbidden_found(answer: str, forbidden: Sequence[str]) -> list[str]:
    """The forbidden strings the answer contains (case-insensitive)."""
    return [f for f in forbidden if contains(answer, f)]


_THE_NAME = re.compile(r"^the\s+(?=\S+\s+\S)", re.I)  # "The" before a name of two words


def holds_wording(text: str, wording: str) -> bool:
    """``text`` states ``wording``: as whole words, without the "The" that opens a name
    of two words or more ("Federal Reserve" holds "The Federal Reserve"; "Age" does not
    hold "The Age"), or as the same quantity when the wording is a figure ("2.5
    thousand" holds "2,500"; "Three" holds "3")."""
    if contains(text, _THE_NAME.sub("", wording.strip().rstrip(".")), whole_words=True):
        return True
    wanted = number_values(wording)
    return len(wanted) == 1 and states_number(text, wanted[0])


def lead_right(lead: str, verdict: str | None, groups: Sequence[Sequence[str]]) -> bool:
    """Whether a stated lead is the expected answer: the expected verdict for a yes/no
    question, else one wording of every group."""
    if verdict is not None:
        return answer_verdict(lead) == verdict
    return bool(groups) and all(any(holds_wording(lead, w) for w in g) for g in groups)
