"""Answering: retrieve, judge the evidence, generate, check every citation, fall back to
quotes, or abstain. Streams events so the CLI and the UI can show tokens as they come."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.clean import normalize_text
from rag.abstain import judge_evidence
from rag.citations import CheckedSentence, check_sentences, parse_cited_sentences
from rag.directives import drop_directives, mask_directives
from rag.errors import RagError, UserError
from rag.extractive import extract_answer, rank_sentences
from rag.followup import standalone_question
from rag.llms.generate import stream_text
from rag.passages import Passage, number_passages
from rag.prompts import STOP_SEQUENCES, answer_prompt
from rag.retrieval import Filters, HybridRetriever
from rag.similarity import CachedSimilarity

Mode = Literal["generative", "extractive"]
ABSTAIN_TEXT = "The indexed articles do not answer this question."
MAX_QUESTION_CHARS = 2000
_MODEL_ABSTAINS = re.compile(r"\b(articles|passages) do not (say|answer|mention)\b", re.I)


@dataclass
class AnswerResult:
    """A checked answer and everything needed to show or grade it."""

    question: str
    standalone: str
    answer: str
    abstained: bool
    reason: str
    sentences: list[CheckedSentence]
    passages: list[Passage]
    mode: str
    backend: str
    model: str
    draft: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    llm_error: str | None = None

    def cited_numbers(self) -> list[int]:
        """Passage numbers cited by supported sentences, in order of first citation."""
        seen: dict[int, None] = {}
        for s in self.sentences:
            if s.supported:
                for n in s.citations:
                    seen.setdefault(n, None)
        return list(seen)

    def citations(self) -> list[dict[str, Any]]:
        """Cited passages (and passages the model cited that the check rejected)."""
        kept = set(self.cited_numbers())
        claimed = {n for s in self.sentences for n in s.claimed}
        by_n = {p.n: p for p in self.passages}
        out = []
        for n in sorted(kept | (claimed & set(by_n))):
            p = by_n[n]
            out.append(
                {
                    "n": n,
                    "doc_id": p.doc_id,
                    "chunk_id": p.chunk_id,
                    "title": p.title,
                    "source": p.source,
                    "published_at": p.published_at,
                    "text": p.text,
                    "supported": n in kept,
                }
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``rag ask --json`` object."""
        return {
            "question": self.question,
            "standalone_question": self.standalone,
            "answer": self.answer,
            "abstained": self.abstained,
            "reason": self.reason,
            "citations": self.citations(),
            "sentences": [
                {
                    "text": s.text,
                    "citations": s.citations,
                    "supported": s.supported,
                    "origin": s.origin,
                    "score": round(s.score, 3),
                }
                for s in self.sentences
            ],
            "mode": self.mode,
            "backend": self.backend,
            "model": self.model,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class Token:
    """A piece of the model's draft, as it streams."""

    text: str


@dataclass(frozen=True)
class Retrieved:
    """The passages the answer will be built from (sent before generation starts)."""

    passages: list[Passage]


@dataclass(frozen=True)
class Done:
    """The final, checked answer."""

    result: AnswerResult


Event = Token | Retrieved | Done


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_URL = re.compile(r"<?\b(?:https?|ftp)://[^\s<>)\]]+>?")


def strip_live_markup(text: str) -> str:
    """The model's text without anything a Markdown or HTML renderer would make live:
    images and links become their text, tags and URLs go. An injected article can ask
    the model for an image whose URL carries data out; the answer never holds one."""
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    return _URL.sub("", text)


def _without_directives(passage: Passage) -> Passage:
    """The passage as the model sees it: sentences that address a model are left out."""
    return replace(passage, text=drop_directives(passage.text))


def render(sentences: Sequence[CheckedSentence]) -> str:
    """Supported and neutral sentences with their markers (unsupported ones left out)."""
    return " ".join(s.render() for s in sentences if s.supported is not False).strip()


class Answerer:
    """Answers questions from the index with verified citations."""

    def __init__(
        self,
        retriever: HybridRetriever,
        embedder: BaseEmbedding,
        llm: Callable[[], Any] | None,
        backend: Callable[[], tuple[str, str]],
        max_tokens: int = 256,
        k: int = 5,
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self._llm = llm
        self._backend = backend
        self.max_tokens = max_tokens
        self.k = k

    def answer(self, question: str, **kwargs: Any) -> AnswerResult:
        """The checked answer (no streaming)."""
        for event in self.stream(question, **kwargs):
            if isinstance(event, Done):
                return event.result
        raise AssertionError("stream ended without a result")  # pragma: no cover

    def stream(
        self,
        question: str,
        mode: Mode = "generative",
        filters: Filters | None = None,
        k: int | None = None,
        history: Sequence[tuple[str, str]] = (),
    ) -> Iterator[Event]:
        """Yield ``Retrieved``, then ``Token`` events of the draft, then ``Done``."""
        question = " ".join(normalize_text(question).split())
        if not question:
            raise UserError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS]
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        standalone = standalone_question(question, history)
        nodes = self.retriever.search(standalone, k=k or self.k, filters=filters)
        passages = number_passages(nodes)
        timings["retrieve_ms"] = (time.perf_counter() - t_start) * 1000
        yield Retrieved(passages)

        sim = CachedSimilarity(self.embedder)
        # The question is embedded on its own: in one batch with the passage sentences, a
        # long question would pad every sentence to its length (seconds per answer).
        sim([standalone], [standalone])
        ranked = rank_sentences(standalone, passages, sim)
        evidence = judge_evidence(standalone, passages, ranked)
        backend, model = ("none", "none") if mode == "extractive" else self._backend()
        base: dict[str, Any] = dict(
            question=question,
            standalone=standalone,
            passages=passages,
            mode=mode,
            backend=backend,
            model=model,
            timings=timings,
        )
        if evidence.weak:
            timings["total_ms"] = (time.perf_counter() - t_start) * 1000
            yield Done(
                AnswerResult(
                    answer=ABSTAIN_TEXT,
                    abstained=True,
                    reason=evidence.reason,
                    sentences=[],
                    **base,
                )
            )  # type: ignore[arg-type]
            return

        draft = ""
        llm_error: str | None = None
        checked: list[CheckedSentence] = []
        if mode == "generative" and self._llm is not None:
            t0 = time.perf_counter()
            try:
                llm = self._llm()
                for i, delta in enumerate(
                    stream_text(
                        llm,
                        answer_prompt(standalone, [_without_directives(p) for p in passages]),
                        STOP_SEQUENCES,
                        self.max_tokens,
                    )
                ):
                    if i == 0:
                        timings["first_token_ms"] = (time.perf_counter() - t0) * 1000
                    draft += delta
                    yield Token(delta)
            except RagError as exc:
                llm_error = str(exc)
            timings["generate_ms"] = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            if not _MODEL_ABSTAINS.search(draft):
                # A sentence that orders the model about is no evidence for what it wrote.
                evidence_passages = [replace(p, text=mask_directives(p.text)) for p in passages]
                checked = check_sentences(
                    parse_cited_sentences(strip_live_markup(draft)), evidence_passages, sim
                )
            timings["check_ms"] = (time.perf_counter() - t0) * 1000

        supported = [s for s in checked if s.supported]
        unsupported = [s for s in checked if s.supported is False]
        used = {item for s in supported for item in s.evidence.items()}
        if checked and supported and not unsupported:
            # The model's answer holds up. Its best quote is added when the answer does
            # not already rest on it: a reader sees the article's own words next to the
            # paraphrase, and a supported-but-partial answer still carries the key fact.
            top = extract_answer(standalone, passages, sim, max_sentences=1, ranked=ranked)
            extra = [q for q in top if not any(item in used for item in q.evidence.items())]
            final = [s for s in checked if s.supported is not False] + extra
            checked_all = final
        else:
            quotes = [
                q
                for q in extract_answer(standalone, passages, sim, ranked=ranked)
                if not any(item in used for item in q.evidence.items())
            ]
            final = (supported + quotes) if quotes or supported else []
            checked_all = final + unsupported
        abstained = not any(s.supported for s in final)
        timings["total_ms"] = (time.perf_counter() - t_start) * 1000
        yield Done(
            AnswerResult(
                answer=ABSTAIN_TEXT if abstained else render(final),
                abstained=abstained,
                reason="no sentence of the answer is supported by the passages"
                if abstained
                else "",
                sentences=checked_all,
                draft=draft,
                llm_error=llm_error,
                **base,  # type: ignore[arg-type]
            )
        )
