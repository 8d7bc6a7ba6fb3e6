"""What one case scored, and the totals of a run, computed from the metric functions."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from rag.evaluation import metrics

T = TypeVar("T")

# One metric of a run: a count (``cases``), a rate or a latency; None where the run had
# nothing to measure it on.
Metric = int | float | None
# A run's metrics by name (``hit@4``, ``accuracy``, ...; the names depend on the run).
Totals = dict[str, Metric]

# Metrics where lower is better, or that depend on the machine: never gated.
UNGATED = ("latency_p50_ms", "latency_p95_ms", "overview_words_p50")
# Metrics where lower is better and that are gated: a rise beyond the tolerance fails.
LOWER_BETTER = ("wrong_leads", "overview_abstained")


@dataclass
class CaseResult:
    """One case of a run: what was retrieved and answered, and how it scored."""

    id: str
    question: str
    question_type: str | None
    answerable: bool
    retrieved: list[str]  # doc ids of the retrieved chunks, best first
    hits: dict[str, bool]  # "hit@4" -> relevant chunk in the top 4 (empty: nothing to find)
    rr: float | None  # reciprocal rank of the first relevant chunk (None: nothing to find)
    fact_hits: dict[str, bool] = field(default_factory=dict)  # MultiHop-RAG's own relevance
    fact_rr: float | None = None
    evidence_share: float | None = None  # share of the evidence facts retrieved
    evidence_share_at_5: float | None = None  # ... by the single query's top 5
    pooled_evidence_share: float | None = None  # ... in the passages the answer pooled
    answer: str | None = None  # None in retrieval-only runs
    abstained: bool | None = None
    fact_recall: float | None = None
    correct: bool | None = None
    citations: int = 0
    supported_citations: int = 0
    on_source_citations: int = 0  # supported citations into an expected source
    checked_sources: bool = False  # the case has sources to check citations against
    forbidden: list[str] = field(default_factory=list)  # forbidden strings it must not say
    forbidden_found: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    answer_type: str | None = None  # the kind of answer the question was read as wanting
    lead: str | None = None  # the short answer or verdict the answer states first, if any
    lead_correct: bool | None = None  # None: no lead stated, or nothing to grade it by
    lead_expected: bool = False  # answerable, with an expected lead to grade it by
    gold_verdict: str | None = None  # "yes" / "no" when the expected answer is a verdict
    stages: dict[str, bool] = field(default_factory=dict)  # expected answer still there
    cited_articles: int = 0  # distinct articles the supported citations point into
    expected_articles: int = 0  # articles the case names as covering it
    words: int = 0  # words of the answer as a reader sees it (sources list apart)

    @property
    def wrong_lead(self) -> bool:
        """A lead was stated and it is not the expected answer (on an unanswerable
        question, any lead)."""
        return self.lead is not None and self.lead_correct is False

    def checks(self) -> dict[str, bool]:
        """Pass/fail per aspect, for naming the cases that flipped between runs."""
        out = dict(self.hits)
        if self.correct is not None:
            out["correct"] = self.correct
        if self.forbidden and self.answer is not None:
            out["canary"] = not self.forbidden_found
        if self.lead is not None and self.lead_correct is not None:
            out["lead"] = self.lead_correct
        return out

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (read back by :meth:`from_json`)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CaseResult:
        """A case result from :meth:`to_json`'s output (unknown keys are ignored)."""
        return from_fields(cls, cls.__dataclass_fields__, data)


def from_fields(make: Callable[..., T], fields: Collection[str],
                data: Mapping[str, object]) -> T:
    """``make(**data)`` with the keys of ``data`` that are among ``fields`` (a record read
    back from JSON: keys it no longer has are ignored; a value of the wrong kind is the
    constructor's ``TypeError``, or passes unchecked)."""
    return make(**{k: v for k, v in data.items() if k in fields})


def _mean_of(values: Sequence[float | bool | None]) -> float | None:
    return metrics.mean([float(v) for v in values if v is not None])


def lead_totals(results: Sequence[CaseResult]) -> dict[str, float | None]:
    """What a reader takes as the answer, graded: lead accuracy (the expected answer is
    the stated lead, over the answerable cases that have one), coverage (a lead is
    stated), precision (stated leads that are right; any lead on an unanswerable question
    is wrong) and wrong leads (share of the graded cases whose stated lead is wrong); then
    verdict precision and coverage for gold-yes and gold-no questions apart."""
    expected = [r for r in results if r.lead_expected]
    graded = expected + [r for r in results if not r.answerable and r.answer is not None]
    stated = [r for r in graded if r.lead is not None]
    out: dict[str, float | None] = {
        "lead_accuracy": _mean_of([r.lead_correct is True for r in expected]),
        "lead_coverage": _mean_of([r.lead is not None for r in expected]),
        "lead_precision": _mean_of([r.lead_correct is True for r in stated]),
        "wrong_leads": _mean_of([r.wrong_lead for r in graded]),
    }
    for gold in ("yes", "no"):
        group = [r for r in expected if r.gold_verdict == gold]
        if group:
            said = [r for r in group if r.lead is not None]
            out[f"verdict_precision_{gold}"] = _mean_of([r.lead_correct is True for r in said])
            out[f"verdict_coverage_{gold}"] = _mean_of([r.lead is not None for r in group])
    return out


def overview_totals(answered: Sequence[CaseResult]) -> dict[str, Metric]:
    """The answers given as overviews (open questions): how many, their key-fact
    coverage, the share that cite two articles or more where the case names two, the
    share that abstained on an answerable question, and their median length in words."""
    group = [r for r in answered if r.answer_type == "overview"]
    if not group:
        return {}
    several = [r for r in group if r.expected_articles >= 2 and not r.abstained]
    return {
        "overviews": len(group),
        "overview_fact_recall": _mean_of([r.fact_recall for r in group]),
        "overview_two_sources": _mean_of([r.cited_articles >= 2 for r in several]),
        "overview_abstained": _mean_of([bool(r.abstained) for r in group if r.answerable]),
        "overview_words_p50": metrics.percentile(
            [float(r.words) for r in group if not r.abstained], 50),
    }


def totals(results: Sequence[CaseResult], hit_ks: Sequence[int], depth: int) -> Totals:
    """The run's metrics (None where a metric has nothing to measure)."""
    out: Totals = {"cases": len(results)}
    scored = [r for r in results if r.rr is not None]
    for k in hit_ks:
        out[f"hit@{k}"] = _mean_of([r.hits.get(f"hit@{k}") for r in scored])
    out[f"mrr@{depth}"] = _mean_of([r.rr for r in scored])
    fact_scored = [r for r in results if r.fact_rr is not None]
    if fact_scored:
        for k in hit_ks:
            out[f"fact_hit@{k}"] = _mean_of([r.fact_hits.get(f"hit@{k}") for r in fact_scored])
        out[f"fact_mrr@{depth}"] = _mean_of([r.fact_rr for r in fact_scored])
        shares = [r.evidence_share for r in fact_scored if r.evidence_share is not None]
        out[f"evidence_recall@{depth}"] = metrics.mean(shares)
        out[f"all_evidence@{depth}"] = _mean_of([s == 1.0 for s in shares])
        at5 = [r.evidence_share_at_5 for r in fact_scored if r.evidence_share_at_5 is not None]
        out["evidence_recall@5"] = metrics.mean(at5)
        out["all_evidence@5"] = _mean_of([s == 1.0 for s in at5])
        pooled = [r.pooled_evidence_share for r in fact_scored
                  if r.pooled_evidence_share is not None]
        if pooled:
            out["pooled_evidence_recall"] = metrics.mean(pooled)
            out["pooled_all_evidence"] = _mean_of([s == 1.0 for s in pooled])
    answered = [r for r in results if r.answer is not None]
    if answered:
        out["fact_recall"] = _mean_of([r.fact_recall for r in answered])
        out["accuracy"] = _mean_of([r.correct for r in answered])
        out["citation_precision"] = metrics.ratio(
            sum(r.supported_citations for r in answered), sum(r.citations for r in answered)
        )
        with_sources = [r for r in answered if r.checked_sources]
        out["citation_source_accuracy"] = metrics.ratio(
            sum(r.on_source_citations for r in with_sources),
            sum(r.supported_citations for r in with_sources),
        )
        precision, recall = metrics.abstention_scores(
            [bool(r.abstained) for r in answered], [r.answerable for r in answered]
        )
        out["abstention_precision"] = precision
        out["abstention_recall"] = recall
        canaries = [r for r in answered if r.forbidden]
        if canaries:
            out["canary_pass_rate"] = _mean_of([not r.forbidden_found for r in canaries])
        out.update({k: v for k, v in lead_totals(answered).items() if v is not None})
        out.update(overview_totals(answered))
        staged = [r.stages for r in answered if r.stages]
        for stage in dict.fromkeys(k for st in staged for k in st):
            out[f"in {stage}"] = _mean_of([st.get(stage) for st in staged])
    latencies = [r.latency_ms for r in results]
    out["latency_p50_ms"] = metrics.percentile(latencies, 50)
    out["latency_p95_ms"] = metrics.percentile(latencies, 95)
    return out


def by_type(
    results: Sequence[CaseResult],
    hit_ks: Sequence[int],
    depth: int,
    key: Callable[[CaseResult], str | None] = lambda r: r.question_type,
) -> dict[str, Totals]:
    """Per question type (or another ``key``, such as the answer type the question was
    read as): hit rates, and answer and lead figures when the run answered."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        label = key(r)
        if label:
            groups.setdefault(label, []).append(r)
    out: dict[str, Totals] = {}
    for qtype, group in sorted(groups.items()):
        row: Totals = {"cases": len(group)}
        scored = [r for r in group if r.rr is not None]
        for k in hit_ks:
            row[f"hit@{k}"] = _mean_of([r.hits.get(f"hit@{k}") for r in scored])
        if any(r.fact_rr is not None for r in group):
            for k in hit_ks:
                row[f"fact_hit@{k}"] = _mean_of(
                    [r.fact_hits.get(f"hit@{k}") for r in group if r.fact_rr is not None]
                )
        answered = [r for r in group if r.answer is not None]
        if answered:
            row["accuracy"] = _mean_of([r.correct for r in answered])
            row.update({k: v for k, v in lead_totals(answered).items() if v is not None})
        out[qtype] = row
    return out
