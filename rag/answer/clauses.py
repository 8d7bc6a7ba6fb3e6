"""The lead of a why / how question: the clause of a best sentence that gives the cause
or the method (:func:`clause_lead`). Pure."""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass

from rag.answer.placement import predicate_terms
from rag.grounding.quotes import Candidate
from rag.grounding.text import lemma_terms
from rag.query.hints import names_in

# The reason an actor gives for what it did, after what it did: "called for the abolition
# of DST, arguing that turning the clocks back increases the risk of road accidents". The
# clause leads without these words.
_STATED = r"(?:arguing|saying|claiming|insisting|explaining|on the grounds)\s+that"
_CAUSE = re.compile(
    r"\b(?:" + _STATED + r"|because(?:\s+of)?|due to|owing to|thanks to|as a result of|"
    r"in (?:retaliation|response|reaction) (?:for|to)|in exchange for|for (?=\w+ing\b)|"
    r"after|following|amid|over|citing|since|if|unless|"
    r"so that|in order to|to (?:avoid|prevent|protect|stop|ensure|help|make|keep|boost|"
    r"reduce|raise|counter)|as part of)\b", re.I)
_METHOD = re.compile(
    r"\b(?:by|through|using|via|with the help of|thanks to|as)\b", re.I)
# "defines Zoom fatigue as …", "known as …": what a thing is, not how it is done
_AS_WHAT = re.compile(r"\b(?:defin|describ|regard|label|classif|characteri[sz]|view|"
                      r"known|referred to|such|same|well|soon|much|long|far)\w*"
                      r"(?:\s+[\w'’-]+){0,4}\s+$", re.I)
# ... nor is "as a result of", "as well", "as soon as", "as if", "as part of"
_AS_NOT_HOW = re.compile(r"\s+(?:a\s+result|well|soon|long|much|many|far|if|though|of|"
                         r"part|opposed|usual|ever|always)\b", re.I)
# A trailing attribution is no part of the cause: ", the Washington Post reported Sunday".
_ATTRIBUTION = re.compile(r",\s+(?:[^,]{0,60}?\s)?(?:reported|said|says|told|added|wrote|"
                          r"according to)\b[^,]*$", re.I)
# Words that say a sentence gives a reason, besides the clause markers above.
_REASON_WORDS = re.compile(r"\b(?:reason|reasons|attributed to|a reference to|led to|caused|"
                           r"forced|prompted|which is why|that is why|that's why|so)\b", re.I)
REASON_FLOOR = 0.7  # a reason sentence quoted beside the best ranks within this share of it
REASON_DEPTH = 8  # best sentences read for it
CLAUSE_WORDS = 28  # a lead clause longer than this is cut at a comma
CLAUSE_FLOOR = 0.9  # the clause's sentence ranks within this share of the best


@dataclass(frozen=True)
class ClauseLead:
    """The clause that gives a cause or a method, and the sentence it is taken from."""

    text: str
    support: Candidate
    note: str


def reason_kind(question: str) -> str | None:
    """"why" or "how" for a question that asks for a cause or a method ("how many" and
    "how much" ask for figures); None otherwise."""
    m = re.match(r"^\s*(why|how)\b(?!\s+(?:many|much|long|far|old|big|large|high|often))",
                 question, re.I) or re.search(r"\band\s+(how|why)\W*$", question, re.I)
    return m.group(1).lower() if m else None


def clause_lead(question: str, ranked: Sequence[Candidate]) -> ClauseLead | None:
    """For a why / how question: the clause of a best-ranked sentence that gives the cause
    ("because …", "after …", "if attacks continue …") or the method ("by …"), when the
    sentence also states the question's predicate before it. None when no such clause
    stands in the best sentences: the answer then quotes the best sentence."""
    kind = reason_kind(question)
    if kind is None or not ranked:
        return None
    # What the clause explains: the question's predicate and the names it is about.
    about = predicate_terms(question, (), set())
    # ... and not by its names alone: a sentence about the question's names that says
    # nothing of what they did ("Why did Ohanian resign from Reddit's board?": "Ohanian,
    # the co-founder of Reddit, tweeted that if …") explains something else.
    said = {t for t in predicate_terms(question, names_in(question), set()) if not t.isdigit()}
    marker = _CAUSE if kind == "why" else _METHOD
    for c in ranked[:3]:
        if c.score < CLAUSE_FLOOR * ranked[0].score:
            break
        text = c.text
        for m in marker.finditer(text):
            if m.group(0).lower() == "as" and (_AS_WHAT.search(text[: m.start()])
                                               or _AS_NOT_HOW.match(text, m.end())):
                continue
            before = set(lemma_terms(text[: m.start()]))
            stated = re.fullmatch(_STATED, m.group(0), re.I) is not None
            # The clause must follow what it explains; a stated reason may restate some
            # of the question's words itself ("called for …, arguing that turning the
            # clocks back …" for "Why call to stop turning the clocks back?").
            if not about or len(about & before) < (1 if stated else len(about) / 2):
                continue
            if said and not said & before:
                continue
            start = m.end() if stated else m.start()
            clause = _ATTRIBUTION.sub("", text[start:]).strip(" .,;:”\"'")
            words = clause.split()
            if len(words) < 3:
                continue
            if len(words) > CLAUSE_WORDS:
                cut = clause.find(",", len(" ".join(words[:6])))
                clause = clause[:cut] if cut > 0 else " ".join(words[:CLAUSE_WORDS])
            return ClauseLead(clause[:1].upper() + clause[1:], c,
                              f"the {'cause' if kind == 'why' else 'method'} clause "
                              f"“{m.group(0)} …” of the best sentence")
    return None


def reason_sentence(question: str, ranked: Sequence[Candidate],
                    quoted: Container[tuple[int, tuple[int, int]]]) -> Candidate | None:
    """For a why / how question whose best sentences hold no clause to lead with: the best
    sentence near the top that gives a reason or a method ("… a reference to her birth
    year", "The change was attributed to …"), when not ``quoted`` already (by passage
    number and span)."""
    kind = reason_kind(question)
    if kind is None or not ranked:
        return None
    marker = _CAUSE if kind == "why" else _METHOD
    for c in ranked[:REASON_DEPTH]:
        if c.score < REASON_FLOOR * ranked[0].score:
            break
        gives = marker.search(c.own_text) or kind == "why" and _REASON_WORDS.search(c.own_text)
        if gives and (c.passage.n, c.span) not in quoted:
            return c
    return None
