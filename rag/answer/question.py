"""Reading a question: the kind of answer it wants, what it names, and its parts. Pure.

A question such as "Does the TechCrunch article say X, while the Verge article says Y?"
is two claims, each with its own outlet (and date) constraints; "Who ..., as reported by
both Fortune and TechCrunch?" is one claim that two outlets must bear out. Each part is
retrieved and judged on its own (see :mod:`rag.answer.evidence`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.asked import WH_PREPOSITION
from rag.answer.plan import AnswerType, Part, QuestionPlan, Relation, day_range
from rag.answer.types import TYPES
from rag.grounding.text import QUESTION_WORDS, content_terms
from rag.query.hints import find_date_ranges, find_sources, names_in

__all__ = [
    "AnswerType", "Part", "QuestionPlan", "Relation", "answer_type", "attribution_terms",
    "claim_terms",
    "day_range", "names_in", "order_of", "read_question", "relation", "split_parts",
]


_AUX = (
    r"does|did|do|is|was|are|were|has|have|had|can|could|will|would|should|"
    r"might|may|must"
)
_YES_NO_START = re.compile(rf"^\s*(?:{_AUX})\b", re.I)
# A yes/no main clause after a leading phrase: "Before X reported Y, did Z ...?"
_YES_NO_CLAUSE = re.compile(rf",\s*(?:{_AUX})\s+(?:the|a|an|there|it|this|that|[A-Z])", re.I)
# The wh-word that opens the question, or its main clause: "Considering X, which company ...?",
# after any preposition ("In which cities ...?")
_WH_CLAUSE = re.compile(
    rf"(?:^|,\s*){WH_PREPOSITION}(who|whom|whose|what|which|when|where|why|how)\b", re.I)
_EITHER_OR = re.compile(
    r"\b(consistent|inconsistent|true|false) or (consistent|inconsistent|true|false)\b", re.I
)
_ORDER = re.compile(r"\b(before|after|prior to|earlier than|later than)\b", re.I)
# "the headset that was on sale after Prime Day": a time that says which thing is meant,
# not a second event to order the first against
_RELATIVE_TIME = re.compile(r"\b(?:that|which|who)\s+(?:was|were|is|are|had been|has been)\b"
                            r"[^,?]{0,60}?\b(?:before|after|prior to)\b", re.I)
_CHANGED = re.compile(
    r"\b(?:inconsisten\w*|chang\w*|shift\w*|differ\w*|contradict\w*|diverg\w*)\b", re.I
)
_CONSISTENT = re.compile(
    r"\b(?:consisten\w*|the same|similar\w*|align\w*|agree\w*|in line with|match\w*)\b",
    re.I,
)
# Where a question joins claims: "..., while ...", "..., whereas ...", "... before ...".
_STRONG_SPLIT = re.compile(
    r",?\s+(?:while|whereas|but|compared (?:to|with)|as opposed to|in contrast to)\s+"
    r"|,?\s+(?=(?:before|after|prior to)\s)",
    re.I,
)
_AND_SPLIT = re.compile(
    r",?\s+and\s+(?=(?:the|a|an|that|then|later|also|in|on|by|from)\b)|,\s+", re.I
)


_AND_HOW = re.compile(r",?\s+and\s+(?:how|why)\W*$", re.I)


def answer_type(question: str) -> AnswerType:
    """The kind of answer ``question`` wants. "Did X happen, and how?" wants the how:
    its yes is in the answer to it."""
    q = question.strip()
    if _AND_HOW.search(q):
        return AnswerType.DESCRIPTION
    wh = _WH_CLAUSE.search(q)
    if _YES_NO_START.match(q) or _EITHER_OR.search(q) or re.search(r"\bor not\b", q, re.I):
        yes_no = True
    elif wh:
        yes_no, q = False, q[wh.start(1) :]
    else:
        yes_no = bool(_YES_NO_CLAUSE.search(q))
    if yes_no:
        if _ORDER.search(q) and not (_CHANGED.search(q) or _CONSISTENT.search(q)
                                     or _RELATIVE_TIME.search(q)):
            return AnswerType.ORDER
        return AnswerType.YES_NO
    # "What's the name of ..." is read as "What is the name of ..." too.
    expanded = _WHATS.sub(r"\1 is", q)
    for spec in TYPES:
        if any(p.match(q) or p.match(expanded) for p in spec.asks):
            return spec.kind
    return AnswerType.DESCRIPTION


_WHATS = re.compile(r"^(\s*what)['’]s\b", re.I)


def relation(question: str, kind: AnswerType) -> Relation:
    """How the parts of a yes/no question must relate for the answer to be yes."""
    if kind is AnswerType.ORDER:
        return Relation.BEFORE
    if kind is not AnswerType.YES_NO:
        return Relation.ALL
    if _EITHER_OR.search(question):
        return Relation.CONSISTENT
    if _CHANGED.search(question):
        return Relation.CHANGED
    if _CONSISTENT.search(question):
        return Relation.CONSISTENT
    return Relation.ALL


# A date said of a report ("the TechCrunch article published on October 5", "reported on
# ...") is when it was published; any other ("How many jets did Boeing deliver in
# September 2023?") is when the event happened, which the reports of it follow.
_OF_A_REPORT = re.compile(r"\b(?:published|report(?:ed|s|ing)?|article|posted|wrote|written|"
                          r"story|coverage|headline)\b", re.I)


def publication_ranges(text: str, sources: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """The publication dates a question part gives: its dates when it names an outlet or
    speaks of a report; none when its dates are those of the event."""
    if not sources and not _OF_A_REPORT.search(text):
        return ()
    return tuple(find_date_ranges(text))


def _part(text: str, known_sources: Sequence[str]) -> Part:
    text = text.strip(" ,;?")
    sources = tuple(find_sources(text, list(known_sources)))
    return Part(
        text=text,
        sources=sources,
        date_ranges=publication_ranges(text, sources),
        names=tuple(names_in(text)),
    )


_SCAFFOLD = frozenset(content_terms(
    "article articles report reports reported reporting according respectively both "
    "sources source like outlets outlet published publication story stories piece news "
    "covered coverage mentioned discussed"))
# Words that frame a claim rather than state it: how an article treats it, when, and how
# two reports relate. The passages that bear a claim out do not say them.
_FRAMING = frozenset(content_terms(
    "suggest suggests suggested indicate indicates indicated imply implies implied "
    "portray portrays portrayed portrayal depict depicts depicted describe describes "
    "described description focus focuses focused approach stance mention mentions "
    "highlight highlights highlighted discuss discusses discussing regarding concerning "
    "between period time date earlier later previous prior subsequent following before "
    "after same remain remained consistent consistency inconsistent inconsistency change "
    "changed changes differ different difference contradict contradicts similar align "
    "agree agreement match january february march april may june july august september "
    "october november december monday tuesday wednesday thursday friday saturday sunday "
    "there first second one other"))


# Every word that frames a claim as somebody's report rather than states it.
FRAME_TERMS = _SCAFFOLD | _FRAMING
QUESTION_TERMS = frozenset(content_terms(" ".join(QUESTION_WORDS)))


# Who reports a claim, before or after it: "According to Polygon's gift guide, do ...?",
# "..., according to the TechCrunch explainer?"
_ACCORDING = re.compile(r"^\s*according\s+to\s+[^,]{1,80},|,\s*according\s+to\s+[^,]{1,80}$",
                        re.I)


def attribution_terms(text: str) -> set[str]:
    """The words of who reports a claim ("According to Polygon's gift guide, ..."): what
    a sentence bearing the claim out need not say, though a passage may."""
    said = {t for m in _ACCORDING.finditer(text) for t in content_terms(m.group(0))}
    return said - set(content_terms(_ACCORDING.sub("", text)))


def claim_terms(part: Part) -> set[str]:
    """The words of what a part claims: its outlet names, dates, scaffold words ("the
    article reported") and framing words ("suggest", "consistent") left out. Judging a
    part counts these, since its outlet and date are met by the passages' metadata."""
    named = {t for s in part.sources for t in content_terms(s)}
    own = {t for t in content_terms(part.text) if not t[0].isdigit()}
    return own - named - FRAME_TERMS - QUESTION_TERMS


def _merge_unconstrained(parts: list[Part], known: Sequence[str]) -> list[Part]:
    """Pieces that name no outlet and no date of their own join the piece before them,
    and so do pieces that are little more than an outlet ("..., Fortune, and TechCrunch")."""
    out: list[Part] = []
    for part in parts:
        bare = not claim_terms(part)
        if out and (bare or not part.sources and not part.date_ranges or not out[-1].sources
                    and not out[-1].date_ranges):
            out[-1] = _part(f"{out[-1].text}, {part.text}", known)
        else:
            out.append(part)
    return out


def _merge_bare(parts: list[Part], known: Sequence[str]) -> list[Part]:
    """Pieces that claim nothing of their own ("before September 26, 2023", "after that
    date") belong to the piece before them (the first, to the one after it)."""
    out: list[Part] = []
    pending = ""
    for part in parts:
        if not claim_terms(part) and len(parts) > 1:
            if out:
                out[-1] = _part(f"{out[-1].text} {part.text}", known)
            else:
                pending = f"{pending} {part.text}".strip()
            continue
        out.append(_part(f"{pending} {part.text}", known) if pending else part)
        pending = ""
    return out if out else parts


def split_parts(question: str, kind: AnswerType, known_sources: Sequence[str]) -> list[Part]:
    """The claims of a question. Strong joins ("while", "whereas", "before") always split
    a yes/no question; "and" and commas split only where each side names its own outlet
    or date. A single claim that names several outlets is one part per outlet."""
    q = question.strip().rstrip("?").strip()
    pieces: list[str] = [q]
    if kind in (AnswerType.YES_NO, AnswerType.ORDER):
        pieces = [p for p in _STRONG_SPLIT.split(q) if p and p.strip()]
    parts: list[Part] = []
    for piece in pieces:
        sub = [_part(s, known_sources) for s in _AND_SPLIT.split(piece) if s and s.strip()]
        sub = _merge_unconstrained(sub, known_sources)
        parts.extend(sub)
    parts = _merge_bare([p for p in parts if content_terms(p.text)], known_sources)
    parts = parts or [_part(q, known_sources)]
    if kind is AnswerType.ORDER and len(parts) == 1:
        # "Did X happen before Y?" with no outlet on either side still has two sides.
        halves = [h for h in re.split(_ORDER, q, maxsplit=1) if h.strip()]
        if len(halves) == 3:
            parts = [_part(halves[0], known_sources), _part(halves[2], known_sources)]
    # A claim that several outlets must bear out is one part per outlet.
    return [
        Part(p.text, (src,), p.date_ranges, p.names) if len(p.sources) > 1 else p
        for p in parts
        for src in (p.sources if len(p.sources) > 1 else ("",))
    ]


_ALSO = re.compile(
    r"\s*(?:,\s*)?\b(?:but|and|while)\s+(?:(?:is|was|has|had|are|were|have)\s+(?:been\s+)?)?"
    r"also\b|,\s*(?:and|but)\s+(?=(?:is|was|has|had|are|were|have|also)\b)", re.I)


def descriptions(question: str) -> list[str]:
    """The clauses that each describe what a question asks for: "What company spent
    $26.3 billion ..., and is also accused of ...?" -> the spending, the accusation.
    One clause when the question joins none with "(and|but|while) ... also" or ", and is".
    """
    return [c.strip(" ,?") for c in _ALSO.split(question) if c.strip(" ,?")]


def order_of(question: str, parts: Sequence[Part]) -> tuple[int, int]:
    """Which part must come first for an order question to be answered yes: the indexes
    (earlier, later). "A before B" and "after B, A" put A first; "A after B" and
    "before B, A" put B first."""
    q = question.strip()
    m = _ORDER.search(q)
    if not m or len(parts) < 2:
        return (0, 1)
    word = m.group(1).lower()
    leading = m.start() < len(q) * 0.1 or q[: m.start()].strip().lower() in {"", "was it"}
    before = word in ("before", "prior to", "earlier than")
    first_is_earlier = before != leading
    return (0, 1) if first_is_earlier else (1, 0)


def read_question(question: str, known_sources: Sequence[str]) -> QuestionPlan:
    """The query plan of ``question`` given the outlets the index knows."""
    kind = answer_type(question)
    parts = split_parts(question, kind, known_sources)
    all_sources: dict[str, None] = {}
    for p in parts:
        for s in p.sources:
            all_sources.setdefault(s, None)
    return QuestionPlan(
        question=question,
        answer_type=kind,
        relation=relation(question, kind),
        parts=tuple(parts),
        names=tuple(names_in(question)),
        sources=tuple(all_sources),
    )
