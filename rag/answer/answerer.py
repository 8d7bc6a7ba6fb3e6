"""The answer driver: read the question, gather evidence per part, compose by answer
type, let the model write (its sentences checked twice), render. Streams events so the CLI
and the UI can show tokens as they come."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import NamedTuple, Unpack

from opentelemetry.trace import Span, Status, StatusCode, set_span_in_context, use_span
from opentelemetry.util.types import AttributeValue

from index.clean import normalize_text
from index.embedding import NewsEmbedding
from rag.answer.check import keep_answers
from rag.answer.compose import Composition, compose
from rag.answer.evidence import Gathered, excerpts, gather, judge_parts
from rag.answer.overview import digest, follow_up, unsaid, within_words
from rag.answer.plan import AnswerType
from rag.answer.question import QuestionPlan, day_range, read_question
from rag.answer.reader import SentenceReader
from rag.answer.render import render, strip_live_markup
from rag.answer.request import Mode, Options, Request
from rag.answer.result import (
    AnswerResult,
    Done,
    Event,
    PartReport,
    Retrieved,
    Token,
    run_to_end,
)
from rag.answer.types import spec_of
from rag.errors import RagError, UserError
from rag.grounding.abstain import proper_names
from rag.grounding.citations import (
    CheckedSentence,
    check_sentences,
    finished,
    parse_cited_sentences,
)
from rag.grounding.directives import drop_directives, mask_directives
from rag.grounding.passages import Passage
from rag.grounding.similarity import CachedSimilarity, VectorCache
from rag.grounding.text import QUESTION_WORDS, content_terms
from rag.llms.generate import stream_text
from rag.llms.model import NewsLLM
from rag.prompts import STOP_SEQUENCES, answer_prompt
from rag.query.followup import is_follow_up, standalone_question
from rag.query.hints import without_outlets
from rag.query.relative_dates import TimeFrame, read_time_frame
from rag.retrieval import Filters, HybridRetriever, filter_attributes
from rag.tracing import MeteredLLM, TokenUsage, child_span, ending, tracer

ABSTAIN_TEXT = "The indexed articles do not answer this question."
UNDATED = ": no indexed article is dated then"  # a time frame read but not applied
# What "What was in the news last week?" asks besides its time: nothing.
_ANY_NEWS = frozenset(content_terms(
    "news happened happening going latest new update updates story stories headline "
    "headlines world today tonight yesterday recent recently summarize summarise summary "
    "overview tell"))
MAX_QUESTION_CHARS = 2000
YEARS_BACK = 10  # a month named without its year is looked for this many years back
_MODEL_ABSTAINS = re.compile(
    r"\b(?:articles|passages) do not (?:say|answer|mention)\b|"
    r"\b(?:article|passage) does not (?:say|answer|mention)\b", re.I)


def _without_directives(passage: Passage) -> Passage:
    """The passage as the model sees it: sentences that address a model are left out."""
    return replace(passage, text=drop_directives(passage.text))


def part_reports(gathered: Gathered) -> list[PartReport]:
    """What each part of the plan retrieved and how it was judged, for the explanation."""
    number = {p.chunk_id: p.n for p in gathered.passages}
    out = []
    for pe in gathered.parts:
        out.append(
            PartReport(
                text=pe.part.text,
                sources=list(pe.part.sources),
                dates=[day_range(a, b) for a, b in pe.part.date_ranges],
                passages=[number[c] for c in pe.chunk_ids if c in number],
                supported=pe.supported,
                reason=pe.verdict.reason if pe.verdict else "",
            )
        )
    return out


def assemble(
    composition: Composition, generated: Sequence[CheckedSentence]
) -> list[CheckedSentence]:
    """The composed lead (short answer or verdict) first, then the model's sentences that
    passed both checks, then the composed quotes they do not already rest on."""
    lead: list[CheckedSentence] = []
    rest = list(composition.sentences)
    while rest and rest[0].origin == "composed":
        lead.append(rest.pop(0))
    used = {item for s in generated for item in s.evidence.items()}
    quotes = [q for q in rest if not any(item in used for item in q.evidence.items())]
    return lead + list(generated) + quotes


def only_time(question: str, frame: str) -> bool:
    """Whether the time ``frame`` (as read: "last week = ...") is all that ``question``
    asks about: "What was in the news last week?", not "What happened at Camp Taji this
    week?"."""
    if " = " not in frame:
        return False  # "the latest": no days of their own
    phrase = frame.split(" = ")[0].split(":")[0]
    rest = set(content_terms(question)) - set(content_terms(phrase)) - _ANY_NEWS
    return not rest - QUESTION_WORDS


class Answerer:
    """Answers questions from the index with verified citations."""

    def __init__(
        self,
        retriever: HybridRetriever,
        embedder: NewsEmbedding,
        llm: Callable[[], NewsLLM] | None,
        backend: Callable[[], tuple[str, str]],
        max_tokens: int = 256,
        k: int = 5,
        as_of: date | None = None,
        vectors: VectorCache | None = None,
        reader: SentenceReader | None = None,
    ) -> None:
        self.retriever = retriever
        self.as_of = as_of  # the date "last week" is read against (None: today)
        self.vectors = vectors if vectors is not None else VectorCache()
        self.embedder = embedder
        self._llm = llm
        self._reader = reader  # reads a short answer's sentence again before it is stated
        self._backend = backend
        self.max_tokens = max_tokens
        self.k = k

    def answer(self, question: str | Request, **options: Unpack[Options]) -> AnswerResult:
        """The checked answer (no streaming) to a request, or to a question and the
        options of :meth:`Request.of`."""
        request = question if isinstance(question, Request) else Request.of(question, **options)
        return run_to_end(self.run(request), Done).result

    def plan(self, question: str) -> QuestionPlan:
        """The query plan of a (standalone) question."""
        return read_question(question, self.retriever.known_sources())

    def _time_frame(
        self, question: str, filters: Filters, as_of: date | None
    ) -> tuple[Filters, str | None]:
        """The filters narrowed to the question's relative dates ("last week"), and how
        they were read. Outlet names are not read for dates ("USA Today"). A month named
        without its year is the latest such month with an article. A range no article
        falls in is said, and not applied: the answer then comes from any date."""
        text = without_outlets(question, self.retriever.known_sources())
        frame = read_time_frame(text, as_of or self.as_of or date.today())
        if frame is None:
            return filters, None
        if frame.since is None:
            return filters, frame.describe()
        tried: TimeFrame | None = frame
        for _ in range(YEARS_BACK + 1):
            if tried is None or tried.since is None:
                break
            narrowed = filters.narrowed(tried.since, tried.until)
            if self.retriever.search(question, k=1, filters=narrowed):
                latest = "" if tried is frame else ", the latest with indexed articles"
                return narrowed, tried.describe() + latest
            # "in December": an earlier December when this year's has no article
            tried = tried.year_before()
        return filters, f"{frame.describe()}{UNDATED}"

    def _draft(
        self, reading: Reading, gathered: Gathered, timings: dict[str, float],
        root: Span, backend: tuple[str, str],
    ) -> Generator[Token | str | RagError, None, None]:
        """Stream the model's draft from the evidence sentences (:func:`excerpts`), at most
        the answer type's ``draft_tokens``; yields tokens, then the whole draft (or the
        error). Traced as ``rag.llm`` under ``root``, with the token counts the backend
        reports."""
        max_tokens = min(self.max_tokens, spec_of(reading.plan.answer_type).draft_tokens)
        span = tracer().start_span("rag.llm", context=set_span_in_context(root))
        usage = TokenUsage()
        t0 = time.perf_counter()
        draft = ""
        with ending(span):
            try:
                if self._llm is None:
                    return
                llm = self._llm()
                if span.is_recording():
                    llm = MeteredLLM(llm, usage)
                prompt = answer_prompt(reading.standalone,
                                       [_without_directives(p) for p in excerpts(gathered)])
                for i, delta in enumerate(stream_text(llm, prompt, STOP_SEQUENCES, max_tokens)):
                    if i == 0:
                        timings["first_token_ms"] = (time.perf_counter() - t0) * 1000
                    draft += delta
                    timings["tokens"] = i + 1  # llama.cpp and Ollama stream a token a chunk
                    yield Token(delta)
            except RagError as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                yield exc
            finally:
                if span.is_recording():
                    span.set_attributes(_llm_attributes(backend, max_tokens, usage, timings,
                                                        len(draft)))
            timings["generate_ms"] = (time.perf_counter() - t0) * 1000
        yield finished(draft)

    def stream(
        self,
        question: str,
        mode: Mode = "generative",
        filters: Filters | None = None,
        k: int | None = None,
        history: Sequence[tuple[str, str]] = (),
        as_of: date | None = None,
        per_doc: int | None = None,
    ) -> Iterator[Event]:
        """:meth:`run` for a question and loose options."""
        return self.run(Request.of(question, mode, filters, k, per_doc, history, as_of))

    def run(self, request: Request) -> Iterator[Event]:
        """Yield ``Retrieved``, then ``Token`` events of the draft, then ``Done``.

        Relative dates in the question ("last week", "since Monday") are read as of
        ``request.as_of`` (else the answerer's date, else today) and narrow the filters.

        Traced (:mod:`rag.tracing`) as a ``rag.answer`` span with a child span per stage;
        the spans end even when the consumer stops early."""
        root = tracer().start_span("rag.answer")
        with ending(root):
            if root.is_recording():
                root.set_attributes(self._request_attributes(request))
            yield from self._stages(request, root)

    def _request_attributes(self, request: Request) -> dict[str, AttributeValue]:
        as_of = request.as_of or self.as_of or date.today()
        return {
            "rag.mode": request.mode,
            "rag.k": request.k or self.k,
            "rag.as_of": as_of.isoformat(),
            "rag.history_turns": len(request.history),
            **filter_attributes(request.filters),
        }

    def _stages(self, request: Request, root: Span) -> Iterator[Event]:
        """The stages in order: read the question, gather the passages, compose, draft
        and check (generative mode), render."""
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        reading = self._read(request, root)
        # Each search is its own rag.retrieve span under the answer (rag.retrieval).
        with use_span(root, end_on_exit=False, record_exception=False,
                      set_status_on_exception=False):
            gathered = gather(reading.plan, reading.standalone, self.retriever, reading.filters,
                              request.k or self.k, request.per_doc)
        timings["retrieve_ms"] = (time.perf_counter() - t_start) * 1000
        yield Retrieved(gathered.passages)

        sim = CachedSimilarity(self.embedder, self.vectors)
        composition = self._compose(reading, gathered, sim, root)
        mode = request.mode
        backend, model = ("none", "none") if mode == "extractive" else self._backend()
        # What every outcome shares; the answer itself is filled in below.
        base = AnswerResult(
            question=reading.question, standalone=reading.standalone, answer="",
            abstained=False, reason="", sentences=[],
            passages=gathered.passages, mode=mode, backend=backend, model=model,
            timings=timings, plan=reading.plan, parts=part_reports(gathered),
            verdict=composition.verdict, time_frame=reading.frame,
            lead_note=composition.lead_note,
        )
        if composition.abstained:
            timings["total_ms"] = (time.perf_counter() - t_start) * 1000
            result = replace(base, answer=ABSTAIN_TEXT, abstained=True,
                             reason=composition.reason)
            _outcome(root, result)
            yield Done(result)
            return

        draft, llm_error = "", None
        generated: list[CheckedSentence] = []
        dropped: list[CheckedSentence] = []
        if mode == "generative" and self._llm is not None:
            drafting = self._draft(reading, gathered, timings, root, (backend, model))
            try:
                for item in drafting:
                    if isinstance(item, Token):
                        yield item
                    elif isinstance(item, RagError):
                        llm_error = str(item)
                    else:
                        draft = item
            finally:
                drafting.close()  # a consumer that stopped early ends the model's stream now
            t0 = time.perf_counter()
            generated, dropped = self._check(draft, gathered.passages, composition,
                                             reading.plan, sim, root)
            timings["check_ms"] = (time.perf_counter() - t0) * 1000
        result = self._render(composition, generated, root, base, dropped=dropped,
                              draft=draft, llm_error=llm_error)
        timings["total_ms"] = (time.perf_counter() - t_start) * 1000
        _outcome(root, result)
        yield Done(result)

    def _read(self, request: Request, root: Span) -> Reading:
        """The question as asked (tidied), made standalone, planned, and its dates read."""
        question = " ".join(normalize_text(request.question).split())
        if not question:
            raise UserError("the question is empty")
        question = question[:MAX_QUESTION_CHARS]
        root.set_attribute("rag.question.length", len(question))
        said = ""
        with child_span(root, "rag.read_question") as span:
            standalone = standalone_question(question, request.history)
            if standalone != question and proper_names(question) \
                    and self.plan(question).answer_type is AnswerType.OVERVIEW:
                standalone = question  # "What did Pompeo say about it?": a subject of its own
            plan = self.plan(standalone)
            opened = _open_question(plan, request.history, self.plan) \
                if standalone != question else None
            if opened is not None:
                # A follow-up to an open question goes on with its overview; "and then?"
                # (adding nothing) is told what the answers since have not said.
                asked, answers = opened
                standalone = follow_up(asked, question)
                said = " ".join(answers) if standalone == asked else ""
                plan = self.plan(standalone)
            filters, frame = self._time_frame(standalone, request.filters, request.as_of)
            if span.is_recording():
                span.set_attributes({
                    "rag.parts": len(plan.parts),
                    "rag.answer_type": plan.answer_type.value,
                    "rag.follow_up": standalone != question,
                    "rag.time_frame": frame or "",
                })
        return Reading(question, standalone, plan, filters, frame, said)

    def _compose(self, reading: Reading, gathered: Gathered, sim: CachedSimilarity,
                 root: Span) -> Composition:
        """Each part judged against its passages, then the answer composed by type."""
        with child_span(root, "rag.compose") as span:
            # The question is embedded on its own: in one batch with the passage sentences,
            # a long question would pad every sentence to its length (seconds per answer).
            sim([reading.standalone], [reading.standalone])
            judge_parts(gathered, reading.standalone, sim)
            if reading.said:
                for pe in gathered.parts:
                    pe.ranked = unsaid(pe.ranked, reading.said)
            composition = compose(reading.plan, gathered, sim, self._reader)
            if reading.frame and only_time(reading.standalone, reading.frame):
                if reading.frame.endswith(UNDATED):
                    # No article is of the time asked about: an answer from other days
                    # would answer another question.
                    phrase, _, days = reading.frame.partition(" = ")
                    composition = Composition(abstained=True, reason=(
                        f"no indexed article is dated {phrase} ({days.split(' (as of')[0]}), "
                        "and the question asks about nothing else"))
                elif (told := digest(gathered.passages)).sentences:
                    composition = Composition(told.sentences, lead_note=told.note)
            if span.is_recording():
                span.set_attributes({
                    "rag.passages": len(gathered.passages),
                    "rag.parts_supported": sum(pe.supported for pe in gathered.parts),
                    "rag.abstained": composition.abstained,
                    "rag.sentences": len(composition.sentences),
                    "rag.lead_stated": composition.lead is not None,
                })
        return composition

    def _check(self, draft: str, passages: list[Passage], composition: Composition,
               plan: QuestionPlan, sim: CachedSimilarity,
               root: Span) -> tuple[list[CheckedSentence], list[CheckedSentence]]:
        """The model's draft checked sentence by sentence: (kept, left out)."""
        generated: list[CheckedSentence] = []
        dropped: list[CheckedSentence] = []
        with child_span(root, "rag.check") as span:
            model_abstained = bool(_MODEL_ABSTAINS.search(draft))
            if not model_abstained:
                # A sentence that orders the model about is no evidence for what it wrote.
                evidence = [replace(p, text=mask_directives(p.text)) for p in passages]
                checked = check_sentences(
                    parse_cited_sentences(strip_live_markup(draft)), evidence, sim
                )
                # The composed quotes a model sentence rests on give way to it (assemble);
                # only the composed lead can make it a repeat.
                composed = [s.text for s in composition.sentences if s.origin == "composed"]
                generated, dropped = keep_answers(checked, plan, earlier=composed,
                                                  titles=[p.title for p in passages])
            if span.is_recording():
                span.set_attributes({
                    "rag.model_abstained": model_abstained,
                    "rag.sentences_kept": len(generated),
                    "rag.sentences_dropped": len(dropped),
                })
        return generated, dropped

    def _render(self, composition: Composition, generated: list[CheckedSentence], root: Span,
                base: AnswerResult, *, dropped: list[CheckedSentence], draft: str,
                llm_error: str | None) -> AnswerResult:
        """The composed and the checked model sentences as one answer."""
        with child_span(root, "rag.render") as span:
            final = assemble(composition, generated)
            if base.plan is not None and base.plan.answer_type is AnswerType.OVERVIEW:
                final = within_words(final)  # the model's sentences count against it too
            abstained = not any(s.supported for s in final)
            stated = composition.lead
            if stated is None and final and final[0].origin == "generated":
                stated = final[0].text  # the model's first checked sentence is what one reads
            answer = ABSTAIN_TEXT if abstained else render(final)
            if span.is_recording():
                span.set_attributes({"rag.sentences": len(final), "rag.answer_length": len(answer)})
        return replace(
            base,
            answer=answer,
            abstained=abstained,
            reason="no sentence of the answer is supported by the passages"
            if abstained else "",
            sentences=final + dropped,
            draft=draft,
            llm_error=llm_error,
            lead=None if abstained else stated,
        )


class Reading(NamedTuple):
    """A question as read: tidied, standalone, planned, with its relative dates applied."""

    question: str
    standalone: str
    plan: QuestionPlan
    filters: Filters
    frame: str | None
    said: str = ""  # the overview this one goes on with: its sentences are not repeated


def _open_question(plan: QuestionPlan, history: Sequence[tuple[str, str]],
                   read: Callable[[str], QuestionPlan]) -> tuple[str, list[str]] | None:
    """The open question a follow-up goes on with, and the answers given since it was
    asked: the conversation's last question of its own (not a follow-up), when it asked
    for an overview and this one asks for nothing of its own kind (a figure, a name)."""
    if plan.answer_type not in (AnswerType.DESCRIPTION, AnswerType.OVERVIEW):
        return None
    start = next((i for i in range(len(history) - 1, -1, -1)
                  if not is_follow_up(history[i][0])), None)
    if start is None or read(history[start][0]).answer_type is not AnswerType.OVERVIEW:
        return None
    asked = history[start][0]
    # The chat keeps each turn's standalone question: "and then?" twice is asked twice.
    return asked, [a for i, (q, a) in enumerate(history) if q == asked or i > start]


def _outcome(root: Span, result: AnswerResult) -> None:
    """The answer's outcome on its span."""
    if root.is_recording():
        root.set_attributes({
            "rag.abstained": result.abstained,
            "rag.citations": len(result.cited_numbers()),
            "rag.lead_stated": result.lead is not None,
            "rag.passages": len(result.passages),
        })


def _llm_attributes(
    backend: tuple[str, str], max_tokens: int, usage: TokenUsage, timings: dict[str, float],
    draft_chars: int,
) -> dict[str, AttributeValue]:
    """The model call's span attributes (GenAI semantic conventions where one fits)."""
    out: dict[str, AttributeValue] = {
        "gen_ai.operation.name": "text_completion",
        "gen_ai.provider.name": backend[0],
        "gen_ai.request.model": backend[1],
        "gen_ai.request.max_tokens": max_tokens,
        "rag.llm.chunks": int(timings.get("tokens", 0)),
        "rag.llm.draft_length": draft_chars,
    }
    if "first_token_ms" in timings:
        out["rag.llm.first_token_ms"] = round(timings["first_token_ms"], 2)
    if usage.prompt_tokens is not None:
        out["gen_ai.usage.input_tokens"] = usage.prompt_tokens
    if usage.completion_tokens is not None:
        out["gen_ai.usage.output_tokens"] = usage.completion_tokens
    return out
