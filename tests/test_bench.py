"""The benchmark code: its pure helpers, and one smoke run of the whole suite on tiny inputs.

Benchmarks are not timed tests: nothing here asserts a speed, only that the numbers
are produced and have the fields the README table is built from.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.settings import PROJECT_ROOT

BENCH = PROJECT_ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import ingest_bench  # noqa: E402
import report  # noqa: E402
import synthetic  # noqa: E402

MULTIHOP = PROJECT_ROOT.parent / "shared" / "data" / "multihop-rag" / "corpus.json"


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5.0], 50, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([3.0, 1.0, 2.0], 100, 3.0),
        ([0.0, 10.0], 95, 9.5),
        (list(map(float, range(101))), 95, 95.0),
    ],
)
def test_percentile_interpolates(values: list[float], q: float, expected: float) -> None:
    assert harness.percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_nan() -> None:
    assert math.isnan(harness.percentile([], 50))


@pytest.mark.parametrize(
    "text",
    [
        "The council approved the tram line on Thursday, 52 votes to 11.",
        "Short words only: a an to of.\nSecond line with Longer Capitalised Words.",
        "",
    ],
)
def test_vary_keeps_every_span(text: str) -> None:
    vocab = synthetic.vocabulary(["council approved project tramway markets Thursday votes"])
    varied = synthetic.vary(text * 3, vocab, random.Random(1))
    assert len(varied) == len(text * 3)
    # non-letters (spaces, digits, punctuation, line breaks) stay where they were
    assert [i for i, ch in enumerate(varied) if not ch.isalpha()] == [
        i for i, ch in enumerate(text * 3) if not ch.isalpha()
    ]


def test_vary_replaces_some_words_by_words_of_the_same_length() -> None:
    letters = random.Random(2)
    words = ["".join(letters.choice("abcdefgh") for _ in range(6)) for _ in range(2000)]
    vocab = {6: ["zzzzzz"]}
    varied = synthetic.vary(" ".join(words), vocab, random.Random(3)).split()
    replaced = sum(v == "zzzzzz" for v in varied)
    assert 0.10 * len(words) < replaced < 0.20 * len(words)


def test_perturbed_vectors_are_unit_and_close() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(50, 384)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    out = synthetic.perturb(base, rng)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    cosines = (out * base).sum(axis=1)
    assert cosines.min() > 0.9 and cosines.max() < 0.999


@pytest.mark.parametrize(
    ("iso", "days", "expected"),
    [("2023-10-05", 30, "2023-11-04"), ("2024-02-28T10:00:00", 1, "2024-02-29"), (None, 5, None)],
)
def test_shift_date(iso: str | None, days: int, expected: str | None) -> None:
    assert synthetic.shift_date(iso, days) == expected


@pytest.mark.parametrize(
    "body", ["one two three four five six seven", "a b", "single", "x " * 50 + "end"]
)
def test_edit_middle_changes_one_word(body: str) -> None:
    edited = ingest_bench.edit_middle(body)
    before, after = body.split(), edited.split()
    assert len(before) == len(after)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    assert "meanwhile" in after


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.skipif(not MULTIHOP.exists(), reason="MultiHop-RAG corpus not available")
def test_suite_smoke_run_writes_table_and_json(tmp_path: Path) -> None:
    """Every benchmark runs on tiny inputs (real models, a real Chroma server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["RAG_BENCH_CACHE"] = str(tmp_path / "cache")
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--smoke", "--out", str(out)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads((out / "latest.json").read_text())
    assert {"timestamp", "machine", "benchmarks"} <= set(data)
    assert {"cpu", "cores", "ram_gib", "os", "python", "packages"} <= set(data["machine"])
    b = data["benchmarks"]
    assert set(b) == {"ingestion", "retrieval", "retrieval_server", "llm"}
    for name, run in b.items():
        assert run["exit_code"] == 0 and run["process_peak_rss_mib"] > 0, name
    ing = b["ingestion"]["result"]
    assert ing["chunks"] > 0 and ing["pipeline"]["chunks_per_s"] > 0
    assert ing["ratio_pipeline_to_raw"] > 0
    assert {"embed", "chunk", "clean", "vectors", "catalog", "keyword"} <= set(
        ing["pipeline"]["stages_s"]
    )
    assert ing["reindex_unchanged"]["share_of_first_run"] >= 0
    for key in ("changed_middle_word", "changed_appended_sentence"):
        changed = ing[key]
        assert changed["documents_changed"] == 1
        assert 0 < changed["chunks_reembedded"] < changed["chunks_of_changed_documents"]
    ret = b["retrieval"]["result"]
    assert ret["query_embedding"]["n"] == 3
    assert set(ret["embedded"]) == {"multihop", "synthetic"}
    assert ret["embedded"]["synthetic"]["chunks"] >= 200
    for level in ret["embedded"].values():
        for mode in ("hybrid", "dense", "keyword"):
            assert level[mode]["p95_ms"] >= level[mode]["p50_ms"] > 0
    server = b["retrieval_server"]["result"]
    assert set(server["server"]) == {"multihop", "synthetic"}
    assert server["server"]["synthetic"]["copy"]["vectors"] == ret["embedded"]["synthetic"]["chunks"]
    llm = b["llm"]["result"]["summary"]
    for backend in ("raw", "ours"):
        for call in ("cold", "warm"):
            assert llm[backend][call]["ttft_ms"] > 0
    table = (out / "latest.md").read_text()
    assert "| figure | target | measured | met |" in table
    assert "Hybrid retrieval, Chroma server" in table and "Peak memory, llm" in table


@pytest.mark.parametrize(
    ("value", "unit", "digits", "expected"),
    [(12345.678, " ms", 1, "12,345.7 ms"), (3, "", 1, "3"), (None, " s", 1, "–"),
     (float("nan"), "", 2, "–"), (0.5, "", 2, "0.50")],
)
def test_table_numbers(value: object, unit: str, digits: int, expected: str) -> None:
    assert report.fmt(value, unit, digits) == expected


def test_dig_stops_at_missing_keys() -> None:
    data = {"a": {"b": {"c": 1}}, "x": None}
    assert report.dig(data, "a", "b", "c") == 1
    assert report.dig(data, "a", "z") is None
    assert report.dig(data, "x", "y") is None
