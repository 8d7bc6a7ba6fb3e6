"""Readers' feedback on answers: thumbs up or down and an optional comment, with what was
asked (the question, its filters) and what was answered (the text, the citations).

The chat and the API record it in the catalog (:func:`record_feedback`); ``rag feedback
export`` turns it into a question set that ``rag eval`` runs (:func:`to_question_set`):
a thumbs-up keeps the articles the answer cited as expected sources and its short
answer as the expected one; a thumbs-down is a case to fix (``status: to-fix``), with
the reader's comment as its note and what was answered under ``given``.

The functions here are pure but for :func:`record_feedback` and :func:`stored_feedback`,
which go through the catalog (which stores plain JSON: it is below ``rag``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from index.catalog import Catalog, FeedbackRow
from index.dates import parse_day
from rag.answer import MAX_QUESTION_CHARS, AnswerResult
from rag.errors import UserError
from rag.evaluation.sets import CaseYaml, GivenYaml, SetYaml
from rag.retrieval import Filters

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")
TO_FIX = "to-fix"
MAX_COMMENT_CHARS = 2000
QUOTE_CHARS = 400  # a citation without a supporting sentence quotes its passage's start


@dataclass(frozen=True)
class CitedSource:
    """An article an answer cited, and the sentence of it the answer rests on."""

    doc_id: str
    title: str = ""
    source: str = ""  # the outlet
    quote: str = ""
    supported: bool = True  # False: the model cited it and the check rejected it

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Feedback:
    """One reader's rating of one answer, and what it rated."""

    rating: Rating
    question: str
    answer: str
    comment: str = ""
    standalone: str = ""  # the question made standalone (a follow-up resolved)
    since: str | None = None  # filters as ISO days (None: no limit)
    until: str | None = None
    outlets: tuple[str, ...] = ()
    as_of: str | None = None  # the day "last week" was read against (None: that day)
    citations: tuple[CitedSource, ...] = ()
    abstained: bool = False
    lead: str | None = None  # the short answer stated first, when one was
    mode: str = ""
    backend: str = ""
    id: int | None = None  # set once stored
    created_at: str = ""  # UTC, ISO 8601; set once stored

    @property
    def cited_ids(self) -> list[str]:
        """The ids of the articles the answer's checked sentences cite, in order."""
        return list(dict.fromkeys(c.doc_id for c in self.citations if c.supported))

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (``rag feedback list --json``, the catalog's record)."""
        data = dataclasses.asdict(self)
        data["outlets"] = list(self.outlets)
        data["citations"] = [c.to_json() for c in self.citations]
        return data


def rating_of(value: object) -> Rating:
    """``up``/``down`` from what a front end sends (also 👍/👎, like/dislike, true/false);
    anything else is a :class:`UserError`."""
    text = str(value).strip().casefold()
    if text in ("up", "👍", "like", "liked", "true", "+1", "good"):
        return "up"
    if text in ("down", "👎", "dislike", "disliked", "false", "-1", "bad"):
        return "down"
    raise UserError(f"a rating is 'up' or 'down', not {value!r}")


def _day(value: str | date | None, end: bool = False) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    day = parse_day(value, end=end)
    return day.isoformat() if day else None


def _text(value: object, limit: int | None = None) -> str:
    """``value`` as one line (whitespace runs squashed), cut to ``limit`` characters."""
    return " ".join(str(value or "").split())[:limit]


def citation_from(data: Mapping[str, object]) -> CitedSource:
    """A citation from a dict as the API or ``rag ask --json`` gives it: ``doc_id``,
    ``title``, ``source`` (or ``outlet``), ``quote`` (else the start of ``text``) and
    ``supported`` (default true). A dict without ``doc_id`` is a :class:`UserError`."""
    doc_id = _text(data.get("doc_id"))
    if not doc_id:
        raise UserError("each citation needs a 'doc_id'")
    quote = data.get("quote") or _text(data.get("text"))[:QUOTE_CHARS]
    return CitedSource(doc_id=doc_id, title=_text(data.get("title")),
                       source=_text(data.get("source") or data.get("outlet")),
                       quote=" ".join(str(quote or "").split()),
                       supported=bool(data.get("supported", True)))


def feedback_from_answer(
    question: str, answer: str, citations: Iterable[Mapping[str, object]], rating: object,
    comment: str = "", *, standalone: str = "", since: str | None = None,
    until: str | None = None, outlets: Sequence[str] = (), as_of: str | None = None,
    abstained: bool = False, lead: str | None = None, mode: str = "", backend: str = "",
) -> Feedback:
    """Feedback from plain values (what an API client sends back: the question, the
    answer's text and its citation dicts, see :func:`citation_from`). Dates are
    ``YYYY[-MM[-DD]]`` (``until`` a month or year means its last day); a bad date, an
    unknown rating or an empty question is a :class:`UserError`."""
    question = _text(question, MAX_QUESTION_CHARS)
    if not question:
        raise UserError("feedback needs the question that was asked")
    return Feedback(
        rating=rating_of(rating), question=question, answer=str(answer or "").strip(),
        comment=_text(comment, MAX_COMMENT_CHARS), standalone=_text(standalone),
        since=_day(since), until=_day(until, end=True),
        outlets=tuple(o for o in (_text(o) for o in outlets) if o and o != "All outlets"),
        as_of=_day(as_of), citations=tuple(citation_from(c) for c in citations),
        abstained=bool(abstained), lead=lead or None, mode=_text(mode), backend=_text(backend),
    )


def result_citations(result: AnswerResult) -> list[CitedSource]:
    """The passages an answer cites, each with the passage sentence its checked sentence
    rests on (else the passage's start), one per article and sentence."""
    quoted = result.quotes()
    out: dict[tuple[str, str], CitedSource] = {}
    for c in result.citations():
        quote = quoted.get(c["n"]) or " ".join(str(c["text"])[:QUOTE_CHARS].split())
        cited = CitedSource(doc_id=str(c["doc_id"]), title=str(c["title"] or ""),
                            source=str(c["source"] or ""), quote=quote,
                            supported=bool(c["supported"]))
        out.setdefault((cited.doc_id, cited.quote), cited)
    return list(out.values())


def feedback_from_result(
    result: AnswerResult, filters: Filters | None, rating: object, comment: str = "",
    as_of: date | None = None,
) -> Feedback:
    """Feedback on a checked answer asked under ``filters`` (None: none) and ``as_of``."""
    filters = filters or Filters()
    return Feedback(
        rating=rating_of(rating), question=_text(result.question), answer=result.answer.strip(),
        comment=_text(comment, MAX_COMMENT_CHARS), standalone=result.standalone.strip(),
        since=_day(filters.since), until=_day(filters.until), outlets=tuple(filters.sources),
        as_of=_day(as_of), citations=tuple(result_citations(result)),
        abstained=result.abstained, lead=result.lead, mode=result.mode,
        backend=result.backend,
    )


def from_row(row: FeedbackRow) -> Feedback:
    """Stored feedback back as :class:`Feedback` (the row's rating and comment win: they
    are what a reader changed last)."""
    data = row.data
    return Feedback(
        rating=rating_of(row.rating), question=row.question, answer=str(data.get("answer", "")),
        comment=row.comment, standalone=str(data.get("standalone", "")),
        since=data.get("since"), until=data.get("until"),
        outlets=tuple(data.get("outlets") or ()), as_of=data.get("as_of"),
        citations=tuple(citation_from(c) for c in data.get("citations") or ()),
        abstained=bool(data.get("abstained", False)), lead=data.get("lead"),
        mode=str(data.get("mode", "")), backend=str(data.get("backend", "")),
        id=row.id, created_at=row.created_at,
    )


def record_feedback(catalog: Catalog, feedback: Feedback) -> Feedback:
    """Store ``feedback`` in the catalog; returns it with its id and time."""
    data = feedback.to_json()
    for key in ("id", "created_at", "rating", "question", "comment"):
        data.pop(key)
    row = catalog.add_feedback(feedback.rating, feedback.question, feedback.comment, data)
    return dataclasses.replace(feedback, id=row.id, created_at=row.created_at)


def stored_feedback(catalog: Catalog, rating: str | None = None) -> list[Feedback]:
    """The feedback in the catalog, oldest first (only ``up`` or ``down`` with ``rating``)."""
    return [from_row(r) for r in catalog.feedbacks(rating_of(rating) if rating else None)]


def case_id(feedback: Feedback) -> str:
    """The id of the case a piece of feedback becomes (stable across exports)."""
    return f"feedback-{feedback.id if feedback.id is not None else 0}-{feedback.rating}"


def to_case(feedback: Feedback) -> CaseYaml:
    """One case of a question set (the YAML of :mod:`rag.evaluation.sets`).

    A thumbs-up expects what the reader approved: the articles cited (``sources``), the
    short answer stated (``answer``), or an abstention (``answerable: false``). A
    thumbs-down expects nothing yet: it is marked ``status: to-fix``, with the reader's
    comment as its ``note``; either way ``given`` says what was answered and cited."""
    case: CaseYaml = {"id": case_id(feedback),
                      "question": feedback.standalone or feedback.question}
    filters: dict[str, str | list[str]] = {key: value for key, value in (
        ("since", feedback.since), ("until", feedback.until),
        ("outlets", list(feedback.outlets)), ("as_of", feedback.as_of)) if value}
    if filters:
        case["filters"] = filters
    if feedback.rating == "up":
        if feedback.abstained:
            case["answerable"] = False
        else:
            if feedback.cited_ids:
                case["sources"] = feedback.cited_ids
            if feedback.lead:
                case["answer"] = feedback.lead
    else:
        case["status"] = TO_FIX
    if feedback.comment:
        case["note"] = feedback.comment
    given: GivenYaml = {"rating": feedback.rating, "answer": feedback.answer,
                        "sources": feedback.cited_ids}
    if feedback.standalone and feedback.standalone != feedback.question:
        given["asked"] = feedback.question
    if feedback.created_at:
        given["at"] = feedback.created_at
    case["given"] = given
    return case


def to_question_set(items: Iterable[Feedback]) -> SetYaml:
    """Feedback as a question set ``rag eval`` runs (``{"cases": [...]}``); an empty set
    is a :class:`UserError` (the loader refuses one)."""
    cases = [to_case(f) for f in items]
    if not cases:
        raise UserError("there is no feedback to export yet")
    return {"cases": cases}


def rating_label(rating: str) -> str:
    """A rating in words ("thumbs-up", "thumbs-down")."""
    return "thumbs-up" if rating == "up" else "thumbs-down"


def list_rows(items: Iterable[Feedback]) -> list[tuple[str, str, str, str]]:
    """Rows of ``rag feedback list``: date (UTC, to the minute), rating, question, comment."""
    return [((f.created_at or "")[:16].replace("T", " "), f.rating, f.question, f.comment)
            for f in items]


def table_lines(rows: Sequence[tuple[str, str, str, str]], width: int = 60) -> list[str]:
    """``rows`` (see :func:`list_rows`) as aligned lines under a header; the question is
    cut to ``width`` characters, and a total follows."""
    def cut(text: str, n: int) -> str:
        return text if len(text) <= n else text[: n - 1] + "…"

    lines = [f"{'date (UTC)':16}  {'rating':6}  {'question':{width}}  comment"]
    lines += [f"{at:16}  {rating:6}  {cut(q, width):{width}}  {comment}".rstrip()
              for at, rating, q, comment in rows]
    down = sum(1 for r in rows if r[1] == "down")
    lines.append(f"{len(rows)} feedback ({len(rows) - down} up, {down} down)")
    return lines


__all__ = [
    "RATINGS", "TO_FIX", "CitedSource", "Feedback", "Rating", "case_id", "citation_from",
    "feedback_from_answer", "feedback_from_result", "from_row", "list_rows", "rating_label",
    "rating_of", "record_feedback", "result_citations", "stored_feedback", "table_lines",
    "to_case", "to_question_set",
]
