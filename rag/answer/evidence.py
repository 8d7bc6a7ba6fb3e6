"""Evidence per part: each part of the question is retrieved with its own outlet and date
constraints, the passages are pooled so every side of a comparison reaches the composer,
and each part is judged on the passages that may bear it out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from llama_index.core.schema import NodeWithScore

from index.outlets import normalize_source
from rag.answer.overview import PER_ARTICLE, searches
from rag.answer.plan import AnswerType, Part, QuestionPlan
from rag.answer.question import claim_terms
from rag.grounding.abstain import Evidence, judge_evidence, missing_specifics
from rag.grounding.citations import Similarity
from rag.grounding.passages import Passage, number_passages
from rag.grounding.quotes import Candidate, rank_sentences
from rag.retrieval import Filters

PER_PART = 3  # passages each part adds to the pool
MAX_POOL = 10  # passages an answer is built from, at most
EXCERPT_SENTENCES = 4  # sentences of each part the model's prompt shows


class Searcher(Protocol):
    """What evidence gathering needs of :class:`rag.retrieval.HybridRetriever`."""

    def search(
        self, query: str, k: int | None = ..., filters: Filters | None = ...,
        max_per_doc: int | None = ...,
    ) -> list[NodeWithScore]: ...


@dataclass
class PartEvidence:
    """What one part retrieved, and whether its passages bear it out."""

    part: Part
    chunk_ids: list[str] = field(default_factory=list)
    ranked: list[Candidate] = field(default_factory=list)
    verdict: Evidence | None = None

    @property
    def supported(self) -> bool:
        return self.verdict is not None and not self.verdict.weak

    @property
    def best(self) -> Candidate | None:
        return self.ranked[0] if self.ranked else None


@dataclass
class Gathered:
    """The pooled, numbered passages and each part's share of them."""

    passages: list[Passage]
    parts: list[PartEvidence]


def part_filters(base: Filters, part: Part) -> Filters:
    """The user's filters narrowed by a part's own outlet and (single) date range."""
    sources = base.sources or part.sources
    since, until = base.since, base.until
    if len(part.date_ranges) == 1:
        a, b = part.date_ranges[0]
        lo, hi = date.fromordinal(a), date.fromordinal(b)
        since = max(since, lo) if since else lo
        until = min(until, hi) if until else hi
        if since > until:  # the part's date lies outside the user's range: keep the user's
            since, until = base.since, base.until
    return Filters(since=since, until=until, sources=tuple(sources))


def _constrained(plan: QuestionPlan) -> bool:
    return len(plan.parts) > 1 or any(p.sources or p.date_ranges for p in plan.parts)


def gather(
    plan: QuestionPlan,
    query: str,
    retriever: Searcher,
    filters: Filters,
    k: int,
    per_doc: int | None = None,
) -> Gathered:
    """Retrieve for the whole question and for each part; pool the passages (at most
    ``per_doc`` of one article in each search; None: the retriever's setting)."""
    pooled: dict[str, NodeWithScore] = {}
    if plan.answer_type is AnswerType.OVERVIEW:
        # An overview draws on several articles: at most as many passages of one as it
        # may quote sentences of one.
        k = max(k, MAX_POOL)
        per_doc = per_doc or PER_ARTICLE
    for node in retriever.search(query, k=k, filters=filters, max_per_doc=per_doc):
        pooled.setdefault(node.node.node_id, node)
    if plan.answer_type is AnswerType.OVERVIEW:
        return _gather_overview(plan, query, retriever, filters, per_doc, pooled)
    per_part: list[list[str]] = []
    if _constrained(plan):
        for part in plan.parts:
            f = part_filters(filters, part)
            nodes = retriever.search(part.text, k=PER_PART, filters=f, max_per_doc=per_doc)
            if not nodes and (f.since, f.until) != (filters.since, filters.until):
                nodes = retriever.search(part.text, k=PER_PART, filters=replace(
                    f, since=filters.since, until=filters.until), max_per_doc=per_doc)
            per_part.append([n.node.node_id for n in nodes])
            for n in nodes:
                if len(pooled) < MAX_POOL + PER_PART:
                    pooled.setdefault(n.node.node_id, n)
    passages = number_passages(list(pooled.values())[: MAX_POOL + PER_PART])
    if not per_part:
        per_part = [[p.chunk_id for p in passages]]
    parts = [PartEvidence(part, ids) for part, ids in zip(plan.parts, per_part, strict=True)]
    return Gathered(passages, parts)


def _gather_overview(
    plan: QuestionPlan, query: str, retriever: Searcher, filters: Filters,
    per_doc: int | None, pooled: dict[str, NodeWithScore],
) -> Gathered:
    """An open question's pool: the first search's passages, then those of the searches
    it adds (its names in the passages' other forms, its subject's outcome), each adding
    at most :data:`PER_PART`. A single part is ranked against the subject, its names in
    both forms."""
    more = searches(query, [n.node.get_content() for n in pooled.values()])
    room = MAX_POOL + PER_PART * max(1, len(more.extra))
    for extra in more.extra:
        for n in retriever.search(extra, k=PER_PART, filters=filters, max_per_doc=per_doc):
            pooled.setdefault(n.node.node_id, n)
    passages = number_passages(list(pooled.values())[:room])
    ids = [p.chunk_id for p in passages]
    parts = plan.parts
    if len(parts) == 1:
        parts = (replace(parts[0], text=more.subject),)
    return Gathered(passages, [PartEvidence(part, ids) for part in parts])


def passages_for(part: PartEvidence, passages: Sequence[Passage]) -> list[Passage]:
    """The pooled passages that may bear a part out: its own retrieval's, and any other
    of the outlets it names (all passages when it names none)."""
    wanted = {normalize_source(s) for s in part.part.sources}
    own = set(part.chunk_ids)
    return [
        p
        for p in passages
        if p.chunk_id in own
        or (not wanted and not part.chunk_ids)
        or (wanted and normalize_source(p.source) in wanted)
    ]


def judge_parts(gathered: Gathered, question: str, similarity: Similarity) -> None:
    """Rank each part's passage sentences against the part and judge its evidence.

    Figures and names are required of the pooled passages for the whole question, and of
    each part's own passages when the part is a claim of its own; a claim that several
    outlets share is one text, and each outlet need bear out only some of its names.
    """
    texts = [pe.part.text for pe in gathered.parts]
    absent = missing_specifics(question, gathered.passages) if gathered.passages else None
    for pe in gathered.parts:
        mine = passages_for(pe, gathered.passages)
        wanted = claim_terms(pe.part) or None
        pe.ranked = rank_sentences(pe.part.text, mine, similarity, wanted)
        if absent:
            pe.verdict = Evidence(True, absent, 0.0, pe.ranked[0].score if pe.ranked else 0.0)
            continue
        own_claim = texts.count(pe.part.text) == 1
        shared = None if own_claim else [
            p for other in gathered.parts if other.part.text == pe.part.text
            for p in passages_for(other, gathered.passages)
        ]
        pe.verdict = judge_evidence(
            pe.part.text, mine, pe.ranked, specifics=own_claim, covering=shared, wanted=wanted
        )


def excerpts(gathered: Gathered, per_part: int = EXCERPT_SENTENCES) -> list[Passage]:
    """The passages as the model reads them: each cut to the sentences its parts rank
    highest (``per_part`` a part, each with the sentence before it, read for "it"), in
    passage order and joined with " … "; a passage none of whose sentences rank is left
    out. A third of the whole passages' tokens, so the prompt is read in a third of the
    time. With nothing ranked, the passages are returned whole."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for pe in gathered.parts:
        for candidate in pe.ranked[:per_part]:
            spans.setdefault(candidate.passage.n, []).append(candidate.span)
    if not spans:
        return list(gathered.passages)
    out = []
    for p in gathered.passages:
        merged: list[list[int]] = []
        for a, b in sorted(spans.get(p.n, [])):
            if merged and a <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        if merged:
            out.append(replace(p, text=" … ".join(p.text[a:b].strip() for a, b in merged)))
    return out
