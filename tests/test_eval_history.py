"""Run records, the history beside the index, the Markdown report and PNG charts, and the
comparison with a baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import InputError, UserError
from rag.evaluation.baseline import compare, describe
from rag.evaluation.history import (
    RunRecord,
    append_run,
    comparable,
    corpus_fingerprint,
    git_info,
    load_runs,
    read_record,
    save_record,
)
from rag.evaluation.report import write_report
from rag.evaluation.results import CaseResult
from rag.settings import PROJECT_ROOT

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def case(case_id: str, hit: bool) -> CaseResult:
    return CaseResult(
        id=case_id, question=f"{case_id}?", question_type=None, answerable=True,
        retrieved=["d1"], hits={"hit@1": hit}, rr=1.0 if hit else 0.5,
    )


def record(hit1: float, cases: list[CaseResult], mode: str = "retrieval-only",
           set_name: str = "seeds", latency: float = 10.0) -> RunRecord:
    return RunRecord(
        set_name=set_name, mode=mode, cases=cases, started_at="2026-11-23T10:00:00+00:00",
        totals={"cases": len(cases), "hit@1": hit1, "mrr@1": hit1, "latency_p50_ms": latency},
        git={"commit": "0123456789abcdef", "dirty": True}, embed_model="onnx:test",
        corpus={"documents": 2, "fingerprint": "abc"},
    )


def test_history_round_trip(tmp_path: Path) -> None:
    first = record(1.0, [case("a", True), case("b", True)])
    other = record(0.5, [case("a", True)], set_name="other")
    append_run(tmp_path, first)
    append_run(tmp_path, other)
    runs = load_runs(tmp_path)
    assert [r.set_name for r in runs] == ["seeds", "other"]
    assert runs[0].cases[1].hits == {"hit@1": True}
    assert runs[0].git == {"commit": "0123456789abcdef", "dirty": True}
    assert comparable(runs, "seeds", "retrieval-only") == [runs[0]]
    assert comparable(runs, "seeds", "generative") == []


def test_broken_history_line_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "runs.jsonl").write_text("{not json\n")
    with pytest.raises(InputError, match="runs.jsonl: line 1"):
        load_runs(tmp_path)


def test_saved_baseline_round_trip_and_bad_file(tmp_path: Path) -> None:
    run = record(0.75, [case("a", True)])
    save_record(tmp_path / "b.json", run)
    back = read_record(tmp_path / "b.json")
    assert back.totals == run.totals and back.cases[0].id == "a"
    (tmp_path / "x.json").write_text('{"cases": []}')
    with pytest.raises(InputError, match="not a saved eval run"):
        read_record(tmp_path / "x.json")


def test_corpus_fingerprint_depends_on_content_not_order() -> None:
    a = corpus_fingerprint([("d1", "h1"), ("d2", "h2")])
    assert a == corpus_fingerprint([("d2", "h2"), ("d1", "h1")])
    assert a["documents"] == 2
    assert a["fingerprint"] != corpus_fingerprint([("d1", "h1"), ("d2", "CHANGED")])["fingerprint"]


def test_git_info_inside_and_outside_a_repository(tmp_path: Path) -> None:
    inside = git_info(PROJECT_ROOT)
    if inside is not None:  # the project may be exported without .git
        assert len(inside["commit"]) == 40 and isinstance(inside["dirty"], bool)
    assert git_info(tmp_path) is None


def test_report_and_charts(tmp_path: Path) -> None:
    runs = [record(0.5, [case("a", False)]), record(0.875, [case("a", True)], latency=12.5)]
    for r in runs:
        append_run(tmp_path, r)
    history = comparable(load_runs(tmp_path), "seeds", "retrieval-only")
    report = write_report(runs[-1], history, tmp_path, ["No metric dropped"])
    text = report.read_text()
    assert "0.875" in text and "0.500" in text  # this run beside the previous one
    assert "| a |" in text and "No metric dropped" in text
    assert "0123456789abcdef (uncommitted changes)" in text
    charts = sorted(tmp_path.glob("*.png"))
    assert {c.name for c in charts} == {
        "seeds-retrieval-only-hit-1.png", "seeds-retrieval-only-mrr-1.png",
        "seeds-retrieval-only-latency_p50_ms.png",
    }
    for chart in charts:
        assert chart.read_bytes()[:8] == PNG_MAGIC
        assert f"]({chart.name})" in text


def test_compare_flags_drops_beyond_tolerance_and_names_flipped_cases() -> None:
    base = record(1.0, [case("a", True), case("b", True), case("c", False)])
    now = record(2 / 3, [case("a", True), case("b", False), case("c", True)], latency=99.0)
    result = compare(now, base, tolerance=0.02)
    assert result.failed
    assert [r.name for r in result.regressions] == ["hit@1", "mrr@1"]  # latency is not gated
    assert result.flipped_worse == {"b": ["hit@1"]}
    assert result.flipped_better == {"c": ["hit@1"]}
    lines = describe(result)
    assert lines[0].startswith("REGRESSION") and "b (hit@1)" in lines[1]


@pytest.mark.parametrize(("now", "failed"), [(0.99, False), (0.98, False), (0.97, True)])
def test_tolerance_boundary(now: float, failed: bool) -> None:
    result = compare(record(now, []), record(1.0, []), tolerance=0.02)
    assert result.failed is failed


def test_a_metric_missing_from_the_run_is_a_regression() -> None:
    base = record(1.0, [])
    base.totals["canary_pass_rate"] = 1.0
    assert [r.name for r in compare(record(1.0, []), base, 0.02).regressions] == [
        "canary_pass_rate"
    ]


@pytest.mark.parametrize(("mode", "set_name"), [("generative", "seeds"), ("retrieval-only", "x")])
def test_compare_refuses_other_modes_and_sets(mode: str, set_name: str) -> None:
    with pytest.raises(UserError):
        compare(record(1.0, [], mode=mode, set_name=set_name), record(1.0, []), 0.02)
