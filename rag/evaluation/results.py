"""What one case scored, and the totals of a run, computed from the metric functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.evaluation import metrics

# Metrics where lower is better, or that depend on the machine: never gated.
UNGATED = ("latency_p50_ms", "latency_p95_ms")


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

    def checks(self) -> dict[str, bool]:
        """Pass/fail per aspect, for naming the cases that flipped between runs."""
        out = dict(self.hits)
        if self.correct is not None:
            out["correct"] = self.correct
        if self.forbidden and self.answer is not None:
            out["canary"] = not self.forbidden_found
        return out

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (read back by :meth:`from_json`)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseResult:
        """A case result from :meth:`to_json`'s output (unknown keys are ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _mean_of(values: Sequence[float | bool | None]) -> float | None:
    return metrics.mean([float(v) for v in values if v is not None])


def totals(results: Sequence[CaseResult], hit_ks: Sequence[int], depth: int) -> dict[str, Any]:
    """The run's metrics (None where a metric has nothing to measure)."""
    out: dict[str, Any] = {"cases": len(results)}
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
    latencies = [r.latency_ms for r in results]
    out["latency_p50_ms"] = metrics.percentile(latencies, 50)
    out["latency_p95_ms"] = metrics.percentile(latencies, 95)
    return out


def by_type(
    results: Sequence[CaseResult], hit_ks: Sequence[int], depth: int
) -> dict[str, dict[str, Any]]:
    """Per question type: hit rates (and answer accuracy when the run answered)."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        if r.question_type:
            groups.setdefault(r.question_type, []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for qtype, group in sorted(groups.items()):
        row: dict[str, Any] = {"cases": len(group)}
        scored = [r for r in group if r.rr is not None]
        for k in hit_ks:
            row[f"hit@{k}"] = _mean_of([r.hits.get(f"hit@{k}") for r in scored])
        if any(r.fact_rr is not None for r in group):
            for k in hit_ks:
                row[f"fact_hit@{k}"] = _mean_of(
                    [r.fact_hits.get(f"hit@{k}") for r in group if r.fact_rr is not None]
                )
        if any(r.answer is not None for r in group):
            row["accuracy"] = _mean_of([r.correct for r in group if r.answer is not None])
        out[qtype] = row
    return out
