"""The summarizer: select the passages of a scope, map over batches that fit the token
budget, fold disagreements, reduce, check every citation, order (by date for a
timeline). Streams events like :class:`rag.answer.Answerer` so the CLI and the UI can
show progress and the model's drafts as they come."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from index.catalog import Catalog
from index.embedding import NewsEmbedding
from rag.answer.result import Retrieved, Token, run_to_end
from rag.errors import RagError
from rag.grounding.abstain import judge_evidence
from rag.grounding.citations import CheckedSentence, Similarity, check_sentences
from rag.grounding.passages import Passage
from rag.grounding.quotes import rank_sentences
from rag.grounding.similarity import CachedSimilarity, VectorCache
from rag.llms.generate import stream_text
from rag.llms.model import NewsLLM
from rag.llms.registry import Mode
from rag.retrieval import HybridRetriever
from rag.settings import SummarySettings
from rag.summary.batching import pack_texts
from rag.summary.claims import Claim, MapOutput
from rag.summary.disagreement import fold_disagreements
from rag.summary.mapping import extractive_map, generative_map, period
from rag.summary.prompts import SUMMARY_STOP, summary_prompt
from rag.summary.reduce import article, reduce_claims
from rag.summary.result import (
    EMPTY_SCOPE_TEXT,
    NOT_COVERED_TEXT,
    SummaryResult,
    display_sentence,
)
from rag.summary.scope import Scope, Selection, select

TokenCounter = Callable[[Sequence[str]], list[int]]


@dataclass(frozen=True)
class Progress:
    """A step of a long summary: ``stage`` is ``map`` or ``reduce``."""

    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class SummaryDone:
    """The finished, checked summary."""

    result: SummaryResult


SummaryEvent = Retrieved | Progress | Token | SummaryDone


def verify(claims: Sequence[Claim], passages: Sequence[Passage],
           similarity: Similarity) -> tuple[list[Claim], list[CheckedSentence]]:
    """Check every claim (and each side of a disagreement) against all the passages, as
    answers are checked. Claims that fail are returned apart; a disagreement with one
    failing side keeps the other side as a plain claim."""
    sides = [c for claim in claims for c in (claim, claim.contrast) if c is not None]
    checked = check_sentences([(c.text, list(c.citations)) for c in sides], passages, similarity)
    verdict = {id(c): s for c, s in zip(sides, checked, strict=True)}
    kept: list[Claim] = []
    failed: list[CheckedSentence] = []
    doc_of = {p.n: p.doc_id for p in passages}
    story_of = {p.n: p.story for p in passages}

    def docs_of(numbers: Sequence[int]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(doc_of[n] for n in numbers if n in doc_of))

    def stories_of(numbers: Sequence[int]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(story_of[n] for n in numbers if n in story_of))

    def settle(c: Claim) -> Claim | None:
        s = verdict[id(c)]
        if not s.supported:
            failed.append(replace(s, origin=c.sentence.origin))
            return None
        first = min(s.citations)
        # The check may drop a duplicate's citation: read the claim where it now rests.
        return replace(c, sentence=replace(s, origin=c.sentence.origin),
                       order=(first, s.evidence.get(first, (0, 0))[0]),
                       doc_ids=docs_of(s.citations), stories=stories_of(s.citations))

    for claim in claims:
        main = settle(claim)
        other = settle(claim.contrast) if claim.contrast is not None else None
        if main is not None and other is not None:
            kept.append(replace(main, contrast=other))
        elif main is not None:
            kept.append(replace(main, contrast=None, kind="claim"))
        elif other is not None:
            kept.append(replace(other, contrast=None, kind="claim"))
    return kept, failed


def timeline_key(claim: Claim) -> tuple[int, date, tuple[int, int]]:
    """Dated claims by date (reading order among equals), undated ones last."""
    if claim.when is None:
        return (1, date.max, claim.order)
    return (0, claim.when.day, claim.order)


class Summarizer:
    """Summaries of a scope of the corpus with verified citations."""

    def __init__(
        self,
        retriever: HybridRetriever,
        catalog: Callable[[], Catalog],
        embedder: NewsEmbedding,
        count_tokens: TokenCounter,
        llm: Callable[[], NewsLLM] | None,
        backend: Callable[[], tuple[str, str]],
        settings: SummarySettings,
        vectors: VectorCache | None = None,
    ) -> None:
        self.retriever = retriever
        self.vectors = vectors if vectors is not None else VectorCache()
        self._catalog = catalog
        self.embedder = embedder
        self.count_tokens = count_tokens
        self._llm = llm
        self._backend = backend
        self.settings = settings

    def summarize(self, scope: Scope, **kwargs: Any) -> SummaryResult:
        """The checked summary (no streaming)."""
        return run_to_end(self.stream(scope, **kwargs), SummaryDone).result

    def stream(
        self, scope: Scope, mode: Mode = "extractive", timeline: bool = False
    ) -> Iterator[SummaryEvent]:
        """Yield ``Retrieved``, then ``Progress`` (and, generative, ``Token``) events,
        then ``SummaryDone``. The stages: select the passages, judge the scope covered,
        map each batch to claims, reduce them, check them, render."""
        s = self.settings
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        selection = select(scope, self.retriever, self._catalog(), s.k, s.per_doc,
                           s.max_passages)
        passages = selection.passages
        timings["select_ms"] = (time.perf_counter() - t_start) * 1000
        yield Retrieved(passages)
        sim = CachedSimilarity(self.embedder, self.vectors)
        backend, model = ("none", "none") if mode == "extractive" else self._backend()
        base: dict[str, Any] = dict(scope=scope, passages=passages, mode=mode, backend=backend,
                                    model=model, timeline=timeline,
                                    notes=_selection_notes(selection), timings=timings)

        t0 = time.perf_counter()
        reason = self._not_covered(scope, passages, sim)
        timings["judge_ms"] = (time.perf_counter() - t0) * 1000
        if reason:
            timings["total_ms"] = (time.perf_counter() - t_start) * 1000
            text = NOT_COVERED_TEXT if passages and scope.topic else EMPTY_SCOPE_TEXT
            yield SummaryDone(SummaryResult(summary=text, covered=False, reason=reason,
                                            claims=[], sentences=[], rejected=[], **base))
            return

        batches = pack_texts(passages, lambda p: p.text, self.count_tokens, s.batch_tokens)
        t0 = time.perf_counter()
        outputs, llm_error = yield from self._map(batches, scope, mode, sim, timeline)
        timings["map_ms"] = (time.perf_counter() - t0) * 1000

        t0 = time.perf_counter()
        reduced, levels = self._reduce(outputs, sim, timeline)
        yield Progress("reduce", len(levels), len(levels))
        timings["reduce_ms"] = (time.perf_counter() - t0) * 1000

        t0 = time.perf_counter()
        claims, failed = verify(reduced, passages, sim)
        claims.sort(key=timeline_key if timeline else (lambda c: c.order))
        timings["check_ms"] = (time.perf_counter() - t0) * 1000
        shown, rejected = _shown(claims, failed, outputs, passages, timeline)
        covered = bool(claims)
        summary = ("\n" if timeline else " ").join(x.render() for x in shown)
        timings["total_ms"] = (time.perf_counter() - t_start) * 1000
        yield SummaryDone(
            SummaryResult(
                summary=summary if covered else NOT_COVERED_TEXT,
                covered=covered,
                reason="" if covered else "no passage sentence is close enough to the topic",
                claims=claims, sentences=shown, rejected=rejected, batches=len(batches),
                reduce_levels=levels, llm_error=llm_error, **base,
            )
        )

    def _map(
        self, batches: list[list[Passage]], scope: Scope, mode: Mode, sim: Similarity,
        timeline: bool,
    ) -> Generator[SummaryEvent, None, tuple[list[MapOutput], str | None]]:
        """Each batch of passages to claims: the model's checked draft (generative), else
        the best passage sentences; yields progress (and the draft's tokens), returns the
        outputs and the model's error, if it failed (the rest is then extractive)."""
        s = self.settings
        outputs: list[MapOutput] = []
        llm_error: str | None = None
        for i, batch in enumerate(batches):
            yield Progress("map", i, len(batches))
            if mode == "generative" and self._llm is not None and llm_error is None:
                draft = ""
                try:
                    llm = self._llm()
                    prompt = summary_prompt(scope.topic, batch)
                    for delta in stream_text(llm, prompt, SUMMARY_STOP, s.max_generate_tokens):
                        draft += delta
                        yield Token(delta)
                    yield Token("\n")
                except RagError as exc:
                    llm_error = str(exc)
                outputs.append(generative_map(draft, batch, scope.topic, sim,
                                              s.sentences_per_batch, timeline))
            else:
                outputs.append(extractive_map(batch, scope.topic, sim, s.sentences_per_batch,
                                              timeline))
        yield Progress("map", len(batches), len(batches))
        return outputs, llm_error

    def _reduce(self, outputs: Sequence[MapOutput], sim: Similarity,
                timeline: bool) -> tuple[list[Claim], list[int]]:
        """The claims of every batch, disagreements folded, reduced to the summary's token
        budget (grouped by period for a timeline, else by article); and the number of claims
        after each level of the reduction."""
        s = self.settings
        levels: list[int] = []
        group = (lambda c: period(c.when)) if timeline else article
        reduced = reduce_claims(fold_disagreements([c for o in outputs for c in o.claims], sim),
                                sim, self.count_tokens, s.max_tokens, s.batch_tokens,
                                levels, group)
        return reduced, levels

    def _not_covered(self, scope: Scope, passages: Sequence[Passage],
                     sim: Similarity) -> str:
        """Why the scope has nothing to summarise ("" when it has)."""
        if not passages:
            return "no indexed article is inside the scope"
        if not scope.topic:
            return ""
        ranked = rank_sentences(scope.topic, passages, sim, read_on=False)
        evidence = judge_evidence(scope.topic, passages, ranked)
        return evidence.reason.replace("question", "topic") if evidence.weak else ""


def _shown(claims: Sequence[Claim], failed: Sequence[CheckedSentence],
           outputs: Sequence[MapOutput], passages: Sequence[Passage],
           timeline: bool) -> tuple[list[CheckedSentence], list[CheckedSentence]]:
    """The checked claims as the summary shows them, and the sentences it rejected: the
    model's drafts no passage supports and the claims that failed the check."""
    by_n = {p.n: p for p in passages}
    shown = [display_sentence(c, by_n, timeline) for c in claims]
    # A small model repeats itself: each rejected sentence is listed once.
    drafts = [r for out in outputs for r in out.rejected]
    rejected = list({r.text: r for r in [*drafts, *failed]}.values())
    return shown, rejected


def _selection_notes(selection: Selection) -> list[str]:
    """What a reader should know about the passages read: a cut, copies of one story."""
    notes: list[str] = []
    if selection.total > len(selection.passages):
        notes.append(f"the scope holds {selection.total} passages; the first "
                     f"{len(selection.passages)} (spread over its articles) were read")
    if selection.copies:
        copies = ("1 article is a copy" if selection.copies == 1
                  else f"{selection.copies} articles are copies")
        notes.append(f"{copies} of a story another outlet carried: each story was "
                     "read once")
    return notes
