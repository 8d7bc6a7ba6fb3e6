"""Comparing a run with a saved baseline: which metrics dropped, which cases flipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.errors import UserError
from rag.evaluation.history import RunRecord
from rag.evaluation.results import LOWER_BETTER, UNGATED

DEFAULT_TOLERANCE = 0.02
_EPSILON = 1e-9  # a drop of exactly the tolerance passes despite float rounding


@dataclass(frozen=True)
class MetricChange:
    """One metric in the baseline and now."""

    name: str
    baseline: float
    current: float | None

    @property
    def delta(self) -> float | None:
        """Current minus baseline (None when the metric is gone)."""
        return None if self.current is None else self.current - self.baseline


@dataclass
class Comparison:
    """The outcome of comparing a run with its baseline."""

    tolerance: float
    changes: list[MetricChange] = field(default_factory=list)
    regressions: list[MetricChange] = field(default_factory=list)
    flipped_worse: dict[str, list[str]] = field(default_factory=dict)  # case -> aspects
    flipped_better: dict[str, list[str]] = field(default_factory=dict)
    missing_cases: list[str] = field(default_factory=list)  # in the baseline, not run now
    new_cases: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when a gated metric dropped by more than the tolerance."""
        return bool(self.regressions)


def check_compatible(current: RunRecord, baseline: RunRecord) -> None:
    """Refuse to compare runs of different sets or modes."""
    if baseline.mode != current.mode:
        raise UserError(
            f"the baseline is a {baseline.mode!r} run and this run is {current.mode!r}: "
            "compare runs of the same mode"
        )
    if baseline.set_name != current.set_name:
        raise UserError(
            f"the baseline is a run of set {baseline.set_name!r}, not {current.set_name!r}"
        )


def compare(current: RunRecord, baseline: RunRecord, tolerance: float) -> Comparison:
    """Compare metric totals (a drop beyond ``tolerance`` is a regression; latency is not
    gated) and per-case checks (what passed in the baseline and fails now)."""
    check_compatible(current, baseline)
    out = Comparison(tolerance=tolerance)
    for name, base in baseline.totals.items():
        if name in UNGATED or name == "cases" or not isinstance(base, int | float):
            continue
        now = current.totals.get(name)
        change = MetricChange(name, float(base), float(now) if now is not None else None)
        out.changes.append(change)
        if _worse(change) > tolerance + _EPSILON:
            out.regressions.append(change)
    before = {c.id: c.checks() for c in baseline.cases}
    after = {c.id: c.checks() for c in current.cases}
    out.missing_cases = [c for c in before if c not in after]
    out.new_cases = [c for c in after if c not in before]
    for case_id, old in before.items():
        new = after.get(case_id)
        if new is None:
            continue
        worse = [k for k, ok in old.items() if ok and new.get(k) is False]
        better = [k for k, ok in old.items() if not ok and new.get(k) is True]
        if worse:
            out.flipped_worse[case_id] = worse
        if better:
            out.flipped_better[case_id] = better
    return out


def _worse(change: MetricChange) -> float:
    """How much worse a metric got: its drop, or its rise for a lower-is-better metric
    (wrong leads). A metric that disappeared counts as fallen to zero, or, when lower is
    better, risen to one."""
    if change.name in LOWER_BETTER:
        now = 1.0 if change.current is None else change.current
        return now - change.baseline
    return -(change.delta if change.delta is not None else -change.baseline)


def describe(comparison: Comparison) -> list[str]:
    """Lines for the terminal: the verdict, the regressions, the flipped cases."""
    lines = []
    if comparison.failed:
        names = ", ".join(
            f"{c.name} {c.baseline:.3f} -> "
            + ("missing" if c.current is None else f"{c.current:.3f}")
            for c in comparison.regressions
        )
        lines.append(f"REGRESSION (tolerance {comparison.tolerance}): {names}")
    else:
        lines.append(
            f"No metric dropped more than {comparison.tolerance} below the baseline."
        )
    if comparison.flipped_worse:
        lines.append(
            "Flipped to fail: "
            + "; ".join(f"{c} ({', '.join(a)})" for c, a in comparison.flipped_worse.items())
        )
    if comparison.flipped_better:
        lines.append(
            "Flipped to pass: "
            + "; ".join(f"{c} ({', '.join(a)})" for c, a in comparison.flipped_better.items())
        )
    if comparison.missing_cases:
        lines.append("Not in this run: " + ", ".join(comparison.missing_cases))
    if comparison.new_cases:
        lines.append("Not in the baseline: " + ", ".join(comparison.new_cases))
    return lines
