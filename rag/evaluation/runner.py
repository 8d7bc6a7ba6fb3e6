"""Runs cases through the retriever and the answerer and scores them."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, Protocol, TypedDict

from llama_index.core.schema import NodeWithScore

from index.dates import parse_day
from rag.answer import AnswerResult, Mode
from rag.answer.result import Citation
from rag.evaluation import metrics
from rag.evaluation.results import CaseResult
from rag.evaluation.sets import Case
from rag.retrieval import Filters

if TYPE_CHECKING:
    from rag.evaluation.oracle import GoldPassages

RETRIEVAL_ONLY = "retrieval-only"


class Retriever(Protocol):
    """What the runner needs of :class:`rag.retrieval.HybridRetriever`."""

    def search(
        self, query: str, k: int | None = ..., *, filters: Filters | None = ...,
        max_per_doc: int | None = ..., mode: str = ..., use_hints: bool = ...,
    ) -> list[NodeWithScore]: ...


class Answerer(Protocol):
    """What the runner needs of :class:`rag.answer.Answerer`."""

    def answer(
        self, question: str, *, mode: Mode, per_doc: int | None,
        filters: Filters | None = ..., as_of: date | None = ...,
    ) -> AnswerResult: ...


class CaseScope(TypedDict, total=False):
    """What a case is asked under, as keyword arguments of the answerer."""

    filters: Filters
    as_of: date | None


@dataclass(frozen=True)
class RunOptions:
    """How a run retrieves and answers."""

    mode: str = RETRIEVAL_ONLY  # or "generative" / "extractive"
    hit_ks: tuple[int, ...] = (1, 4, 10)
    per_doc: int | None = None  # at most this many chunks of one article (None: settings)
    oracle: bool = False  # answer from the gold evidence passages (rag.evaluation.oracle)
    # "bm25": BM25 alone over the same chunks (no dense side, no hints, no per-article
    # cap), the baseline every retrieval figure is compared with (retrieval-only runs).
    search: Literal["hybrid", "bm25"] = "hybrid"

    @property
    def depth(self) -> int:
        """How many chunks are retrieved for the retrieval metrics."""
        return max(self.hit_ks)


def score_retrieval(
    case: Case, doc_ids: Sequence[str], texts: Sequence[str], options: RunOptions
) -> CaseResult:
    """A case result holding the retrieval metrics of one search."""
    depth = options.depth
    has_targets = bool(case.sources or case.evidence_facts)
    hits: dict[str, bool] = {}
    rr: float | None = None
    fact_hits: dict[str, bool] = {}
    fact_rr: float | None = None
    share: float | None = None
    share_at_5: float | None = None
    if has_targets:
        flags = metrics.relevant_flags(doc_ids, texts, case.sources, case.evidence_facts)
        for k in options.hit_ks:
            hits[f"hit@{k}"] = (
                metrics.all_sources_at(doc_ids, case.sources, k)
                if case.all_sources
                else metrics.hit_at(flags, k)
            )
        rr = metrics.reciprocal_rank(flags, depth)
    if case.evidence_facts:
        fflags = metrics.fact_flags(texts, case.evidence_facts)
        fact_hits = {f"hit@{k}": metrics.hit_at(fflags, k) for k in options.hit_ks}
        fact_rr = metrics.reciprocal_rank(fflags, depth)
        share = metrics.evidence_share(texts[:depth], case.evidence_facts)
        share_at_5 = metrics.evidence_share(texts[:5], case.evidence_facts)
    return CaseResult(
        id=case.id,
        question=case.question,
        question_type=case.question_type,
        answerable=case.answerable,
        retrieved=list(doc_ids),
        hits=hits,
        rr=rr,
        fact_hits=fact_hits,
        fact_rr=fact_rr,
        evidence_share=share,
        evidence_share_at_5=share_at_5,
        forbidden=list(case.forbidden),
    )


def is_correct(case: Case, answer: str, abstained: bool) -> bool | None:
    """Whether an answer gets the case right: an abstention on an unanswerable question;
    for an answerable one the gold answer (its verdict for a yes/no gold answer, else
    the words) or every fact. None: no key."""
    if not case.answerable:
        return abstained
    if abstained:
        return False
    if case.gold_answer:
        return metrics.gold_correct(answer, case.gold_answer)
    if case.facts:
        return all(metrics.holds_fact(answer, alts) for alts in case.facts)
    expected = expected_lead(case)
    if expected is not None:
        # Wherever it stands in the answer, as the benchmark rule grades (the lead is graded apart).
        return metrics.lead_right(answer, *expected)
    return None


Expected = tuple[str | None, tuple[tuple[str, ...], ...]]


def expected_lead(case: Case) -> Expected | None:
    """What a right lead states: (the verdict, for a yes/no question; else None, and the
    groups of wordings it must hold one of each). The case's short answer, else its key
    words (why/how), else the benchmark's gold answer, else its facts; None when the case
    gives nothing to grade a lead by."""
    if not case.answerable:
        return None
    gold = list(case.answers) or ([case.gold_answer] if case.gold_answer else [])
    verdicts = {metrics.gold_verdict(g) for g in gold}
    if gold and len(verdicts) == 1 and None not in verdicts:
        return verdicts.pop(), ()
    if case.keywords:
        return None, case.keywords
    if gold:
        return None, (tuple(gold),)
    return (None, case.facts) if case.facts else None


def score_lead(result: CaseResult, case: Case, lead: str | None) -> None:
    """Grade the lead an answer stated (None: it stated none) against the case."""
    result.lead = lead
    expected = expected_lead(case)
    result.lead_expected = expected is not None  # an abstention states no lead
    if expected is not None:
        result.gold_verdict = expected[0]
    if lead is None:
        result.lead_correct = None
    elif not case.answerable:
        result.lead_correct = False
    elif expected is not None:
        result.lead_correct = metrics.lead_right(lead, *expected)


STAGES = ("first passage", "first 5 passages", "answer's passages", "answer",
          "first sentence", "lead")


def answer_stages(
    case: Case, retrieved: Sequence[str], kept: Sequence[str], answer: str, lead: str | None,
    first: str = "",
) -> dict[str, bool]:
    """Where the expected short answer still stands, stage by stage: the first retrieved
    passage, the first five, the passages the answer was built from, the answer, its
    first sentence as a reader sees it (``first``: the lead, or the first quote with its
    attribution), its lead. Empty for a case without one (unanswerable, yes/no, no key),
    so that every loss has a stage and a number."""
    expected = expected_lead(case)
    if expected is None or expected[0] is not None:
        return {}
    groups = expected[1]

    def holds(text: str) -> bool:
        return metrics.lead_right(text, None, groups)

    return dict(zip(STAGES, (
        bool(retrieved) and holds(retrieved[0]),
        holds(" ".join(retrieved[:5])),
        holds(" ".join(kept)),
        holds(answer),
        holds(first),
        lead is not None and holds(lead),
    ), strict=True))


def score_answer(
    result: CaseResult,
    case: Case,
    answer: str,
    abstained: bool,
    citations: Sequence[Citation],
    lead: str | None = None,
    answer_type: str | None = None,
) -> None:
    """Add the answer metrics to ``result``. ``citations`` as ``AnswerResult.citations()``
    gives them: dicts with ``doc_id`` and ``supported``; ``lead``: the short answer or
    verdict the answer states first (None: none)."""
    result.answer = answer
    result.abstained = abstained
    result.answer_type = answer_type
    if case.answerable and case.facts:
        result.fact_recall = 0.0 if abstained else metrics.fact_recall(answer, case.facts)
    result.correct = is_correct(case, answer, abstained)
    result.citations = len(citations)
    supported = [c for c in citations if c.get("supported")]
    result.cited_articles = len({str(c["doc_id"]) for c in supported})
    result.expected_articles = len(case.sources)
    result.words = len(answer.split())
    result.supported_citations = len(supported)
    result.checked_sources = bool(case.sources) and case.answerable
    if result.checked_sources:
        result.on_source_citations = sum(
            metrics.source_matches(str(c["doc_id"]), case.sources) for c in supported
        )
    result.forbidden_found = metrics.forbidden_found(answer, case.forbidden)
    score_lead(result, case, None if abstained else lead)


def case_scope(case: Case) -> CaseScope:
    """The filters and as-of day a case is asked under, as keyword arguments of the
    answerer (empty for a case without: then nothing extra is passed)."""
    scope: CaseScope = {}
    if case.since or case.until or case.outlets:
        scope["filters"] = Filters.parse(case.since, case.until, case.outlets)
    if case.as_of:
        scope["as_of"] = parse_day(case.as_of)
    return scope


def run_case(
    case: Case, retriever: Retriever, answerer: Answerer | None, options: RunOptions,
    gold: GoldPassages | None = None,
) -> CaseResult:
    """Retrieve (for the retrieval metrics) and, unless retrieval-only, answer one case,
    under its filters. With ``gold`` (an oracle run) the case's gold evidence passages
    stand in for retrieval, in the metrics and in the answer."""
    scope = case_scope(case)
    t0 = time.perf_counter()
    if gold is not None:
        nodes = gold.nodes(case)
    elif options.search == "bm25":
        nodes = retriever.search(case.question, k=options.depth, max_per_doc=options.depth,
                                 filters=scope.get("filters"), mode="keyword", use_hints=False)
    else:
        nodes = retriever.search(case.question, k=options.depth, max_per_doc=options.per_doc,
                                 filters=scope.get("filters"))
    if gold is not None and answerer is not None:
        from rag.evaluation.oracle import answering_from

        answerer = answering_from(answerer, nodes)  # type: ignore[arg-type]
    retrieval_ms = (time.perf_counter() - t0) * 1000
    doc_ids = [str(n.node.metadata["doc_id"]) for n in nodes]
    texts = [n.node.get_content() for n in nodes]
    result = score_retrieval(case, doc_ids, texts, options)
    result.latency_ms = retrieval_ms
    if options.mode != RETRIEVAL_ONLY and answerer is not None:
        t0 = time.perf_counter()
        mode: Mode = "extractive" if options.mode == "extractive" else "generative"
        answered = answerer.answer(case.question, mode=mode, per_doc=options.per_doc, **scope)
        result.latency_ms = (time.perf_counter() - t0) * 1000
        score_answer(result, case, answered.answer, answered.abstained, answered.citations(),
                     lead=answered.lead, answer_type=answered.answer_type)
        shown = [s for s in answered.sentences if s.supported is not False]
        result.stages = answer_stages(case, texts, [p.text for p in answered.passages],
                                      answered.answer, result.lead,
                                      shown[0].render() if shown else "")
        if case.evidence_facts:
            result.pooled_evidence_share = metrics.evidence_share(
                [p.text for p in answered.passages], case.evidence_facts
            )
    return result


def run_cases(
    cases: Sequence[Case],
    retriever: Retriever,
    answerer: Answerer | None,
    options: RunOptions,
    progress: Callable[[int, int, CaseResult], None] | None = None,
    gold: GoldPassages | None = None,
) -> list[CaseResult]:
    """Run every case in order; ``progress(done, total, result)`` after each."""
    out = []
    for i, case in enumerate(cases, 1):
        out.append(run_case(case, retriever, answerer, options, gold))
        if progress is not None:
            progress(i, len(cases), out[-1])
    return out
