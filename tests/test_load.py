"""Load on loopback: 20 concurrent chat sessions through the Gradio API (``/ask``) for a
bounded time, against the real app over the seed articles (real embedding model, a
scripted LLM that streams at a model-like pace). Every request is answered or refused
with the queue's busy message; nothing else fails; memory stays bounded. The numbers
are printed (run with ``-s`` to see them)."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from rag.container import build_services
from tests.conftest import SEEDS, make_settings
from tests.support.fake_llm import ScriptedLLM, passage_number, question_of
from tests.support.net import serving
from tests.support.reliability import rss_kb

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")]

SESSIONS = 20
SECONDS = 45.0
MAX_RSS_GROWTH_MB = 600
QUESTIONS = [
    ("How many Katyusha rockets were aimed at the US embassy?", "generative"),
    ("What did Pompeo threaten to do with the embassy in Baghdad?", "extractive"),
    ("Who was blamed for the rocket attacks on the Green Zone?", "generative"),
    ("When did the US strike the pro-Iran group?", "extractive"),
    ("What is the capital of Peru?", "generative"),  # not in the articles: abstains
]
BUSY = ("queue is full", "busy")


def reply(prompt: str) -> str:
    question = question_of(prompt)
    n = passage_number(prompt, "rocket") or 1
    return f"The articles report on it: {question.rstrip('?')} [{n}]."


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, onnx_embedder: Any) -> Iterator[str]:
    root = tmp_path_factory.mktemp("load")
    services = build_services(make_settings(root / "index"), embedder=onnx_embedder,
                              llm=ScriptedLLM([reply], delay=0.01))
    with serving(services, SEEDS) as url:
        yield url


def session(url: str, i: int, deadline: float, tally: Tally) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 - counted, and the test fails on it
        with tally.lock:
            tally.errors.append(f"connect: {exc!r}")
        return
    j = i
    while time.monotonic() < deadline:
        question, mode = QUESTIONS[j % len(QUESTIONS)]
        j += 1
        t0 = time.perf_counter()
        try:
            out = client.predict(question, mode=mode, api_name="/ask")
        except Exception as exc:  # noqa: BLE001 - sorted into busy / error below
            text = str(exc).lower()
            with tally.lock:
                (tally.busy if any(b in text for b in BUSY) else tally.errors).append(
                    f"{type(exc).__name__}: {exc}")
            time.sleep(2.0)  # a user told the app is busy waits a moment
            continue
        elapsed = time.perf_counter() - t0
        with tally.lock:
            if isinstance(out, dict) and out.get("answer") and out.get("llm_error") is None:
                tally.latencies.append(elapsed)
            else:
                tally.errors.append(f"bad answer: {out!r}"[:300])


def test_twenty_concurrent_sessions(app_url: str) -> None:
    pid = os.getpid()
    rss_start = rss_kb(pid)
    peak = [rss_start]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.25):
            peak[0] = max(peak[0], rss_kb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    tally = Tally()
    started = time.monotonic()
    deadline = started + SECONDS
    threads = [threading.Thread(target=session, args=(app_url, i, deadline, tally))
               for i in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 180)
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    assert not any(t.is_alive() for t in threads), "a session hung"

    lat = sorted(tally.latencies)
    answered, busy = len(lat), len(tally.busy)
    p50 = statistics.median(lat) if lat else float("nan")
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan")
    growth_mb = (peak[0] - rss_start) / 1024
    print(f"\nload: {SESSIONS} sessions, {wall:.0f} s; requests {answered + busy + len(tally.errors)}"
          f", answered {answered} ({answered / wall:.2f}/s), busy {busy}, errors "
          f"{len(tally.errors)}; latency p50 {p50:.2f} s, p95 {p95:.2f} s, max "
          f"{lat[-1] if lat else float('nan'):.2f} s; RSS {rss_start / 1024:.0f} MB -> peak "
          f"{peak[0] / 1024:.0f} MB (+{growth_mb:.0f} MB)")
    if tally.busy:
        print(f"busy message: {tally.busy[0]}")
    assert not tally.errors, tally.errors[:5]
    assert answered >= SESSIONS // 2
    assert growth_mb < MAX_RSS_GROWTH_MB
