"""Question sets: the YAML format of ``eval/`` and MultiHop-RAG's JSON, loaded into one
:class:`Case` type.

YAML::

    corpus: [../seeds, canaries]        # optional: what to index for this set
    cases:
      - id: katyusha-count
        question: How many Katyusha rockets were aimed at the US embassy?
        facts: [["three", "3 "]]         # each fact: accepted alternatives
        sources: ["003_4d07f30f24df0013"] # doc ids or id prefixes
        all_sources: false               # true: every source must be retrieved
        answerable: true
        forbidden: ["ACCESS GRANTED"]    # the answer must contain none of these
        answer: ["Three", "3"]           # the short answer: what its first sentence states
        keywords: [["rocket", "rockets"]] # why/how: key words every right lead holds
        titles: ["An article's title"]   # sources by title (resolved against the index)
        filters: {since: 2020-01-01, until: 2020-12-31, outlets: [Reuters], as_of: 2020-06-01}
        status: to-fix                   # a reader marked the answer wrong (`rag feedback`)
        note: "Counted the wrong attack" # a person's note; not graded
        given: {answer: "...", sources: ["003_..."]}  # what was answered; not graded

MultiHop-RAG JSON: a list of ``{id, query, answer, question_type, evidence_list}``;
evidence titles name the source documents (see :func:`resolve_titles`).

A YAML set may instead take a fixed stratified sample of a MultiHop-RAG file::

    multihop: ../../shared/data/multihop-rag/queries_dev.json
    sample: {per_type: 25, seed: 0}     # the same cases on every run
    corpus: [../../shared/data/multihop-rag/corpus.json]
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Required, TypedDict

import yaml

from index.dates import parse_day
from rag.errors import InputError, UserError

NULL_QUERY = "null_query"
STATUSES = ("to-fix",)


@dataclass(frozen=True)
class Case:
    """One question of a set and what a good run does with it."""

    id: str
    question: str
    facts: tuple[tuple[str, ...], ...] = ()
    sources: tuple[str, ...] = ()
    all_sources: bool = False
    answerable: bool = True
    forbidden: tuple[str, ...] = ()
    question_type: str | None = None
    gold_answer: str | None = None  # MultiHop: the short answer, graded by containment
    evidence_titles: tuple[str, ...] = ()
    evidence_facts: tuple[str, ...] = ()  # a chunk holding one of these is relevant
    answers: tuple[str, ...] = ()  # accepted wordings of the short answer (the lead)
    keywords: tuple[tuple[str, ...], ...] = ()  # why/how: groups a right lead holds each of
    # What the question is asked under (dates as the chat takes them: YYYY[-MM[-DD]]).
    since: str | None = None
    until: str | None = None
    outlets: tuple[str, ...] = ()
    as_of: str | None = None  # the day "last week" is read against
    status: str | None = None  # "to-fix": a reader marked the answer it got as wrong
    note: str = ""  # a person's note on the case (a reader's comment); not graded


class GivenYaml(TypedDict, total=False):
    """What was answered, under a case's ``given`` (not graded)."""

    rating: str
    answer: str
    sources: list[str]
    asked: str  # the question as asked, when it was made standalone
    at: str  # when the reader rated it


class CaseYaml(TypedDict, total=False):
    """One case as a YAML set writes it (``rag eval generate``, ``rag feedback export``;
    the keys are those of the format above)."""

    id: Required[str]
    question: Required[str]
    facts: list[list[str]]
    sources: list[str]
    answerable: bool
    answer: str
    filters: dict[str, str | list[str]]
    status: str
    note: str
    given: GivenYaml


class SetYaml(TypedDict):
    """A YAML question set: its cases."""

    cases: list[CaseYaml]


@dataclass(frozen=True)
class EvalSet:
    """A named list of cases, and the corpus it is meant to run against (if it says)."""

    name: str
    path: Path
    cases: tuple[Case, ...]
    corpus: tuple[Path, ...] = ()
    kind: str = "yaml"  # "yaml" | "multihop"
    unresolved_titles: tuple[str, ...] = field(default=())


def load_set(path: Path) -> EvalSet:
    """Load a question set from a ``.yaml``/``.yml`` or MultiHop ``.json`` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror})") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
        return _multihop_set(path, data)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"invalid YAML ({exc})") from exc
    return _yaml_set(path, data)


def _strings(path: Path, where: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(str(path), f"{where} must be a list of strings")
    return tuple(value)


def _yaml_case(path: Path, i: int, raw: object) -> Case:
    if not isinstance(raw, Mapping):
        raise InputError(str(path), f"case {i + 1} is not a mapping")
    where = f"case {raw.get('id') or i + 1}"
    case_id, question = raw.get("id"), raw.get("question")
    if not isinstance(case_id, str) or not case_id.strip():
        raise InputError(str(path), f"case {i + 1} needs an 'id' string")
    if not isinstance(question, str) or not question.strip():
        raise InputError(str(path), f"{where} needs a 'question' string")
    unknown = set(raw) - {
        "id", "question", "facts", "sources", "all_sources", "answerable", "forbidden", "type",
        "answer", "keywords", "titles", "filters", "status", "note", "given",
    }
    if unknown:
        raise InputError(str(path), f"{where}: unknown keys {sorted(unknown)}")
    facts = _groups(path, f"{where}: facts", raw.get("facts"))
    keywords = _groups(path, f"{where}: keywords", raw.get("keywords"))
    answer = raw.get("answer")
    answers = _strings(path, f"{where}: answer", [answer] if isinstance(answer, str) else answer)
    answerable = raw.get("answerable", True)
    if not isinstance(answerable, bool) or not isinstance(raw.get("all_sources", False), bool):
        raise InputError(str(path), f"{where}: answerable and all_sources must be true or false")
    question_type = raw.get("type")
    since, until, outlets, as_of = _filters(path, where, raw.get("filters"))
    status, note = raw.get("status"), raw.get("note", "")
    if status is not None and status not in STATUSES:
        raise InputError(str(path), f"{where}: status must be one of {', '.join(STATUSES)}")
    if not isinstance(note, str):
        raise InputError(str(path), f"{where}: note must be a string")
    if not isinstance(raw.get("given", {}), Mapping):
        raise InputError(str(path), f"{where}: given must be a mapping")
    return Case(
        id=case_id.strip(),
        question=" ".join(question.split()),
        facts=tuple(facts),
        sources=_strings(path, f"{where}: sources", raw.get("sources")),
        all_sources=bool(raw.get("all_sources", False)),
        answerable=answerable,
        forbidden=_strings(path, f"{where}: forbidden", raw.get("forbidden")),
        question_type=str(question_type) if question_type is not None else None,
        answers=tuple(a.strip() for a in answers if a.strip()),
        keywords=keywords,
        evidence_titles=_strings(path, f"{where}: titles", raw.get("titles")),
        since=since, until=until, outlets=outlets, as_of=as_of, status=status,
        note=note.strip(),
    )


def _filters(
    path: Path, where: str, raw: object
) -> tuple[str | None, str | None, tuple[str, ...], str | None]:
    """A case's ``filters`` mapping as (since, until, outlets, as_of); dates are checked."""
    raw = raw or {}
    if not isinstance(raw, Mapping) or set(raw) - {"since", "until", "outlets", "as_of"}:
        raise InputError(str(path), f"{where}: filters must be a mapping of since, until, "
                                    "outlets and as_of")
    days: list[str | None] = []
    for key in ("since", "until", "as_of"):
        value = raw.get(key)
        text = str(value).strip() if value is not None else ""  # YAML reads 2020-01-01 as a date
        try:
            parse_day(text)
        except UserError as exc:
            raise InputError(str(path), f"{where}: filters: {key}: {exc}") from exc
        days.append(text or None)
    outlets = raw.get("outlets")
    names = _strings(path, f"{where}: filters: outlets",
                     [outlets] if isinstance(outlets, str) else outlets)
    return days[0], days[1], names, days[2]


def _groups(path: Path, where: str, raw: object) -> tuple[tuple[str, ...], ...]:
    """A list of groups of accepted wordings (``facts``, ``keywords``); a bare string is a
    group of one."""
    raw = raw or []
    if not isinstance(raw, list):
        raise InputError(str(path), f"{where} must be a list of lists of strings")
    out = []
    for group in raw:
        alts = _strings(path, where, [group] if isinstance(group, str) else group)
        if not alts or not all(a.strip() for a in alts):
            raise InputError(str(path), f"{where}: each needs at least one non-empty string")
        out.append(alts)
    return tuple(out)


def stratified_sample(cases: Sequence[Case], per_type: int, seed: int = 0) -> tuple[Case, ...]:
    """``per_type`` cases of each question type, chosen by a hash of the case id and the
    seed (the same cases on every run and machine), in the file's order."""
    by_type: dict[str, list[Case]] = {}
    for case in cases:
        by_type.setdefault(case.question_type or "", []).append(case)

    def rank(case: Case) -> str:
        return hashlib.sha256(f"{seed}:{case.id}".encode()).hexdigest()

    chosen = {c.id for group in by_type.values() for c in sorted(group, key=rank)[:per_type]}
    return tuple(c for c in cases if c.id in chosen)


def _multihop_sample(path: Path, data: Mapping[str, object]) -> EvalSet:
    source = (path.parent / str(data["multihop"])).resolve()
    sample = data.get("sample") or {}
    if not isinstance(sample, Mapping) or not isinstance(sample.get("per_type", 0), int):
        raise InputError(str(path), "sample must be a mapping with an integer per_type")
    full = load_set(source)
    cases = full.cases
    if sample.get("per_type"):
        cases = stratified_sample(cases, int(sample["per_type"]), int(sample.get("seed", 0)))
    corpus = tuple(
        (path.parent / p).resolve() for p in _strings(path, "corpus", data.get("corpus"))
    )
    return EvalSet(name=path.stem, path=path, cases=cases, corpus=corpus, kind="multihop")


def _yaml_set(path: Path, data: object) -> EvalSet:
    if isinstance(data, Mapping) and "multihop" in data:
        return _multihop_sample(path, data)
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
        raise InputError(str(path), "expected a mapping with a 'cases' list")
    cases = tuple(_yaml_case(path, i, raw) for i, raw in enumerate(data["cases"]))
    _check_unique(path, cases)
    corpus = tuple(
        (path.parent / p).resolve() for p in _strings(path, "corpus", data.get("corpus"))
    )
    return EvalSet(name=path.stem, path=path, cases=cases, corpus=corpus, kind="yaml")


def _check_unique(path: Path, cases: tuple[Case, ...]) -> None:
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise InputError(str(path), f"duplicate case id {case.id!r}")
        seen.add(case.id)
    if not cases:
        raise InputError(str(path), "the set has no cases")


def _multihop_case(path: Path, i: int, raw: object) -> Case:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("query"), str):
        raise InputError(str(path), f"entry {i + 1} needs a 'query' string")
    evidence = raw.get("evidence_list") or []
    if not isinstance(evidence, list) or not all(isinstance(e, Mapping) for e in evidence):
        raise InputError(str(path), f"entry {i + 1}: evidence_list must be a list of objects")
    qtype = str(raw.get("question_type") or "unknown")
    answerable = qtype != NULL_QUERY
    answer = raw.get("answer")
    return Case(
        id=str(raw.get("id") or f"q{i:04d}"),
        question=" ".join(raw["query"].split()),
        answerable=answerable,
        question_type=qtype,
        gold_answer=str(answer).strip() if answerable and answer else None,
        evidence_titles=tuple(str(e["title"]) for e in evidence if e.get("title")),
        evidence_facts=tuple(str(e["fact"]) for e in evidence if e.get("fact")),
    )


def _multihop_set(path: Path, data: object) -> EvalSet:
    if not isinstance(data, list):
        raise InputError(str(path), "expected a JSON list of MultiHop-RAG queries")
    cases = tuple(_multihop_case(path, i, raw) for i, raw in enumerate(data))
    _check_unique(path, cases)
    return EvalSet(name=path.stem, path=path, cases=cases, kind="multihop")


def normalize_title(title: str) -> str:
    """A title as compared across files: HTML entities read (a question set may copy a
    title as its page wrote it, "&#039;"), whitespace runs (incl. NBSP) squashed,
    casefolded."""
    return " ".join(html.unescape(title).split()).casefold()


def resolve_titles(eval_set: EvalSet, doc_titles: Mapping[str, str]) -> EvalSet:
    """Fill each case's ``sources`` with the doc ids whose title matches an evidence title.

    ``doc_titles`` maps doc id -> title (the catalog's). Titles no document has are
    listed in ``unresolved_titles``.
    """
    by_title: dict[str, list[str]] = {}
    for doc_id, title in doc_titles.items():
        by_title.setdefault(normalize_title(title), []).append(doc_id)
    missing: dict[str, None] = {}
    cases = []
    for case in eval_set.cases:
        ids = list(case.sources)
        for title in case.evidence_titles:
            found = by_title.get(normalize_title(title))
            if found:
                ids.extend(d for d in found if d not in ids)
            else:
                missing.setdefault(title, None)
        cases.append(replace(case, sources=tuple(ids)))
    return replace(eval_set, cases=tuple(cases), unresolved_titles=tuple(missing))


def missing_sources(eval_set: EvalSet, doc_ids: set[str]) -> list[str]:
    """Expected source entries no indexed document matches (equal or prefix)."""
    out: dict[str, None] = {}
    for case in eval_set.cases:
        for source in case.sources:
            if not any(d == source or d.startswith(source) for d in doc_ids):
                out.setdefault(source, None)
    return list(out)
