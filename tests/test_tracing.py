"""Traces of answers (rag.tracing): one span per stage under ``rag.answer``, with their
attributes, recorded by the SDK's in-memory exporter over the seed index; streams stopped
early still end their spans; with tracing off no provider is installed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.llms import CompletionResponse, CompletionResponseGen
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from opentelemetry.util._once import Once

from rag import tracing
from rag.answer import Answerer, Done, Retrieved, Token
from rag.container import Services
from rag.errors import BackendUnavailable, UserError
from rag.settings import load_settings
from tests.conftest import make_settings
from tests.support.fake_llm import ScriptedLLM

KATYUSHA = "How many Katyusha rockets were aimed at the US embassy?"
COMPARISON = ("Did Pompeo warn Iraq's prime minister about attacks before Katyusha rockets "
              "were aimed at the US embassy?")
USAGE = {"prompt_tokens": 321, "completion_tokens": 12, "total_tokens": 333}
Spans = Callable[[], list[ReadableSpan]]


class UsageLLM(ScriptedLLM):
    """The scripted replies, ending as llama.cpp's stream does: an empty delta with usage."""

    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        inner = super().stream_complete(prompt, formatted=formatted, **kwargs)

        def gen() -> CompletionResponseGen:
            text = ""
            for response in inner:
                text = response.text
                yield response
            yield CompletionResponse(text=text, delta="", additional_kwargs={"usage": USAGE})

        return gen()


@pytest.fixture
def no_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenTelemetry's process-wide provider as at start-up (none), restored afterwards."""
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(tracing, "_provider", None)


@pytest.fixture
def spans(no_provider: None) -> Iterator[Spans]:
    """Tracing on, into memory; call the fixture's value for the spans ended so far."""
    exporter = InMemorySpanExporter()
    provider = tracing.install(exporter)

    def finished() -> list[ReadableSpan]:
        provider.force_flush()
        return list(exporter.get_finished_spans())

    yield finished
    provider.shutdown()


def answerer(services: Services, llm: ScriptedLLM | None = None) -> Answerer:
    return Answerer(services.retriever, services.embedder,
                    llm=(lambda: llm) if llm else None, backend=lambda: ("fake", "scripted"))


def named(found: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [s for s in found if s.name == name]


def root_of(found: list[ReadableSpan]) -> ReadableSpan:
    [root] = named(found, "rag.answer")
    return root


def assert_children(found: list[ReadableSpan]) -> None:
    root = root_of(found)
    assert root.parent is None and root.context is not None
    for s in found:
        assert s.context is not None and s.context.trace_id == root.context.trace_id
        if s is not root:
            assert s.parent is not None and s.parent.span_id == root.context.span_id, s.name
            assert s.start_time and root.start_time and s.start_time >= root.start_time
            assert s.end_time and root.end_time and s.end_time <= root.end_time


def test_an_extractive_answer_has_a_span_per_stage(seed_index: Services, spans: Spans) -> None:
    result = answerer(seed_index).answer(KATYUSHA, mode="extractive", k=4)
    found = spans()
    assert sorted(s.name for s in found) == [
        "rag.answer", "rag.compose", "rag.read_question", "rag.render", "rag.retrieve"]
    assert_children(found)
    root = root_of(found)
    assert root.resource.attributes["service.name"] == "newsrag"
    a = root.attributes or {}
    assert a["rag.question.length"] == len(KATYUSHA) and a["rag.mode"] == "extractive"
    assert a["rag.k"] == 4 and "rag.as_of" in a and a["rag.history_turns"] == 0
    assert a["rag.abstained"] is False and a["rag.lead_stated"] is True
    assert a["rag.citations"] == len(result.cited_numbers()) >= 1
    assert root.status.status_code is StatusCode.UNSET
    [retrieve] = named(found, "rag.retrieve")
    r = retrieve.attributes or {}
    assert r["rag.k"] == 4 and r["rag.hits"] == len(result.passages)
    assert r["rag.query.length"] == len(KATYUSHA) and len(str(r["rag.query.sha256"])) == 16
    assert float(r["rag.top_score"]) > 0  # type: ignore[arg-type]
    assert (named(found, "rag.read_question")[0].attributes or {})["rag.answer_type"] == "number"
    assert (named(found, "rag.compose")[0].attributes or {})["rag.passages"] == len(
        result.passages)
    assert (named(found, "rag.render")[0].attributes or {})["rag.answer_length"] == len(
        result.answer)
    assert result.timings["retrieve_ms"] > 0  # --explain's timings are kept as before


def test_each_part_of_a_comparison_is_retrieved_in_its_own_span(
    seed_index: Services, spans: Spans
) -> None:
    result = answerer(seed_index).answer(COMPARISON, mode="extractive")
    found = spans()
    assert len(result.parts) == 2
    retrievals = named(found, "rag.retrieve")
    assert len(retrievals) == 3  # the whole question, then each part
    assert len({(s.attributes or {})["rag.query.sha256"] for s in retrievals}) == 3
    assert_children(found)
    assert (named(found, "rag.read_question")[0].attributes or {})["rag.parts"] == 2


def test_a_generative_answer_traces_the_model_call_and_the_check(
    seed_index: Services, spans: Spans
) -> None:
    llm = UsageLLM(["Three Katyusha rockets were aimed at the American embassy."])
    result = answerer(seed_index, llm).answer(KATYUSHA)
    found = spans()
    assert sorted(s.name for s in found) == [
        "rag.answer", "rag.check", "rag.compose", "rag.llm", "rag.read_question",
        "rag.render", "rag.retrieve"]
    assert_children(found)
    [call] = named(found, "rag.llm")
    a = call.attributes or {}
    assert a["gen_ai.provider.name"] == "fake" and a["gen_ai.request.model"] == "scripted"
    assert a["gen_ai.usage.input_tokens"] == 321 and a["gen_ai.usage.output_tokens"] == 12
    assert a["rag.llm.chunks"] == result.timings["tokens"] and "rag.llm.first_token_ms" in a
    [check] = named(found, "rag.check")
    c = check.attributes or {}
    assert c["rag.sentences_kept"] == len([s for s in result.sentences
                                           if s.origin == "generated" and s.supported])
    assert c["rag.model_abstained"] is False


def test_token_counts_are_left_out_when_the_backend_reports_none(
    seed_index: Services, spans: Spans
) -> None:
    answerer(seed_index, ScriptedLLM(["Three rockets [1]."])).answer(KATYUSHA)
    [call] = named(spans(), "rag.llm")
    assert "gen_ai.usage.input_tokens" not in (call.attributes or {})


def test_a_failed_model_call_marks_its_span_and_the_answer_still_comes(
    seed_index: Services, spans: Spans
) -> None:
    llm = ScriptedLLM(["Three rockets [1]."], fail_with=BackendUnavailable("Ollama is down"))
    result = answerer(seed_index, llm).answer(KATYUSHA)
    assert result.llm_error and not result.abstained
    found = spans()
    [call] = named(found, "rag.llm")
    assert call.status.status_code is StatusCode.ERROR
    assert [e.name for e in call.events] == ["exception"]
    assert root_of(found).status.status_code is StatusCode.UNSET


@pytest.mark.parametrize("stop_at", [Retrieved, Token])
def test_a_stream_stopped_early_ends_its_spans(
    seed_index: Services, spans: Spans, stop_at: type
) -> None:
    llm = ScriptedLLM(["Three Katyusha rockets were aimed at the American embassy [1]."])
    stream = answerer(seed_index, llm).stream(KATYUSHA)
    for event in stream:
        assert not isinstance(event, Done)
        if isinstance(event, stop_at):
            break
    assert not named(spans(), "rag.answer")  # still open while the stream is
    stream.close()  # type: ignore[attr-defined]
    found = spans()
    root = root_of(found)
    assert (root.attributes or {})["rag.stopped_early"] is True
    assert root.status.status_code is StatusCode.UNSET
    assert_children(found)
    if stop_at is Token:
        [call] = named(found, "rag.llm")
        assert (call.attributes or {})["rag.stopped_early"] is True
        assert not named(found, "rag.check") and not named(found, "rag.render")
    else:
        assert not named(found, "rag.llm") and not named(found, "rag.compose")


def test_a_refused_question_is_an_error_on_its_span(seed_index: Services, spans: Spans) -> None:
    with pytest.raises(UserError):
        answerer(seed_index).answer("   ")
    root = root_of(spans())
    assert root.status.status_code is StatusCode.ERROR


def test_with_tracing_off_no_provider_is_installed_and_answers_work(
    seed_index: Services, no_provider: None, tmp_path: Path
) -> None:
    assert tracing.configure_tracing(make_settings(tmp_path / "index")) is False
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)
    assert not tracing.tracing_on()
    assert not tracing.tracer().start_span("probe").is_recording()
    result = answerer(seed_index).answer(KATYUSHA, mode="extractive")
    assert not result.abstained and result.timings["total_ms"] > 0


def test_configure_tracing_installs_one_provider_for_the_endpoint(
    no_provider: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_OTLP_ENDPOINT", "http://127.0.0.1:4317")
    settings = load_settings(Path("/dev/null"), index_dir=tmp_path / "index")
    assert settings.otlp_endpoint == "http://127.0.0.1:4317"
    assert tracing.configure_tracing(settings) is True
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    assert provider.resource.attributes["service.name"] == "newsrag"
    assert tracing.configure_tracing(settings) is True  # idempotent
    assert trace.get_tracer_provider() is provider
    assert tracing.tracer().start_span("probe").is_recording()
    provider.shutdown()


@pytest.mark.parametrize(
    ("endpoint", "kind"),
    [
        ("http://localhost:4317", GrpcExporter),
        ("https://collector.example.com", GrpcExporter),
        ("http://localhost:4318", HttpExporter),
        ("https://collector.example.com/otlp/v1/traces", HttpExporter),
    ],
)
def test_the_exporter_follows_the_endpoint(endpoint: str, kind: type) -> None:
    exporter = tracing.otlp_exporter(endpoint)
    assert isinstance(exporter, kind)
    exporter.shutdown()


@pytest.mark.parametrize("endpoint", ["localhost:4317", "grpc://localhost:4317", "http://"])
def test_a_bad_endpoint_is_a_user_error(endpoint: str) -> None:
    with pytest.raises(UserError, match="otlp_endpoint"):
        tracing.otlp_exporter(endpoint)


def test_token_usage_is_read_from_either_backend() -> None:
    embedded = tracing.TokenUsage()
    embedded.note(CompletionResponse(text="x", additional_kwargs={"usage": USAGE}))
    ollama = tracing.TokenUsage()
    ollama.note(CompletionResponse(text="x", raw={"done": True, "usage": USAGE}))
    ollama.note(CompletionResponse(text="x", raw={"done": False}))  # a chunk without counts
    for usage in (embedded, ollama):
        assert (usage.prompt_tokens, usage.completion_tokens) == (321, 12)
