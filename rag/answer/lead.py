"""The lead: the short answer an answer states first, taken only from the sentence that
answers the question's predicate, and stated only when it is confident. Pure.

A candidate is a value of the asked type (a name, a figure, a date, a place) in one of
the best passage sentences. It is scored for what a reader would check:

- the sentence answers the question (its rank score against the best sentence's);
- the value stands next to the question's predicate, the verb or relation asked about
  ("spoke with", "blamed", "sold"), on the side the question asks for (the object of
  "Who did Pompeo speak with", the subject of "Who fired ...");
- the value stands next to the word for what is asked ("spokesperson Morgan Ortagus",
  "2.2m tickets");
- the value is of the right kind (a person's name for "who", not a platform or a country
  code); and other good sentences name it too.

Its confidence is a logistic model over these features (:mod:`rag.answer.lead_weights`,
fitted on the development questions by ``benchmarks/lead_fit.py``). The answer states the
best candidate only when its confidence reaches :data:`LEAD_THRESHOLD` and no rival comes
within :data:`RIVAL_MARGIN`; otherwise it opens with the answering sentences, quoted and
cited, and states no short answer. The same module reads why / how clauses
(:func:`clause_lead`), a figure per name (:func:`value_per_name`) and whether a part's
sentence bears its claim, for verdicts (:func:`bearing`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rag.answer.evidence import PartEvidence
from rag.answer.lead_weights import THRESHOLD, confidence
from rag.answer.plan import AnswerType
from rag.answer.question import FRAME_TERMS, claim_terms
from rag.answer.types import value_spans
from rag.answer.values import unqualified
from rag.grounding.quotes import Candidate
from rag.grounding.text import QUESTION_WORDS, content_terms, lemma_terms

# Chosen with the weights on the development questions (eval/natural/*.yaml, not the
# held-out files), cross-validated, for lead precision of at least 0.9; see README
# "Answers a person can trust".
LEAD_THRESHOLD = THRESHOLD
RIVAL_MARGIN = 0.1  # a rival this close makes the best candidate a guess
DEPTH = 8  # best sentences read for candidates
FLOOR = 0.6  # ... down to this share of the best sentence's score
FAR_DEPTH, FAR_FLOOR = 10, 0.5  # ... and when none of those holds a value, these
WINDOW = 80  # characters of passage text around a value read for what it counts
LOCAL_TERMS = 4  # a clause holds at most this many of a long question's predicate words
UNHEADED = 0.5  # weight of a value away from the word for what is asked
CLAUSE = 10  # words either side of a value read for the question's predicate
NEAR = 4  # words: a value this near the predicate or the head word is its argument
_PLATFORMS = frozenset(
    "twitter x facebook instagram youtube tiktok linkedin reddit threads telegram whatsapp "
    "snapchat truth social google spotify netflix".split()
)
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){1,3}$")
_TITLES = frozenset(content_terms(
    "secretary president minister prime chancellor chief executive ceo spokesperson "
    "spokeswoman spokesman senator governor general director chairman chair officer "
    "official sir lord king queen prince judge coach manager founder"))
_OBJECT_Q = re.compile(
    r"^\s*(?:who|whom|what|which\s+\w+(?:\s+\w+)?)\s+(?:did|does|do|had|has|have|will|would|"
    r"could|can|should)\s+", re.I)
_PASSIVE_Q = re.compile(r"^\s*(?:who|what|which\s+\w+)\s+(?:was|were|is|are|has been|had been)"
                        r"\s+\w+(?:ed|en|wn|ld|ght)\b", re.I)


@dataclass(frozen=True)
class LeadChoice:
    """The lead the answer states (None: it states none), with the reasoning."""

    value: str | None
    support: tuple[Candidate, ...] = ()
    confidence: float = 0.0
    runner_up: str | None = None
    note: str = ""  # why it was stated or withheld, for --explain
    candidates: tuple[tuple[str, float], ...] = field(default=())


def predicate_terms(question: str, names: Sequence[str], head: set[str]) -> set[str]:
    """The lemmas of the question's predicate and its other content words: what a
    sentence must be about for a value in it to answer. Names the question already gives
    (its subject) and the word for what is asked are left out."""
    named = {t for n in names for t in lemma_terms(n)}
    q = re.sub(r"^\W*\w+\s+", "", question)  # the wh-word
    return set(lemma_terms(q)) - named - head - set(QUESTION_WORDS)


def _word_spans(text: str) -> list[tuple[int, int, set[str]]]:
    return [(m.start(), m.end(), set(lemma_terms(m.group(0))))
            for m in re.finditer(r"[\w'’.-]+", text)]


def _distance(words: list[tuple[int, int, set[str]]], a: int, b: int, terms: AbstractSet[str],
              after: bool | None) -> int | None:
    """Words between the value (characters ``a``..``b``) and the nearest word of
    ``terms``; with ``after`` the value must follow that word (True) or precede it
    (False). None when no such word stands in the sentence."""
    inside = [i for i, (x, y, _) in enumerate(words) if x < b and y > a]
    if not inside:
        return None
    lo, hi = inside[0], inside[-1]
    best = None
    for i, (_, _, lemmas) in enumerate(words):
        if not lemmas & terms or lo <= i <= hi:
            continue
        if after is True and i > lo or after is False and i < hi:
            continue
        gap = lo - i - 1 if i < lo else i - hi - 1
        best = gap if best is None or gap < best else best
    return best


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Country and region names (babel's, offline, and a few more): what "who" does not
    mean when it asks for a person."""
    from babel import Locale

    names = {n.lower() for n in Locale("en").territories.values()}
    return frozenset(names | _REGIONS)


_REGIONS = frozenset("middle east west east north south u.s us usa uk un nato eu gaza".split())
# Peoples and adjectives of place: "host Iraqi, American and coalition forces" names no one.
_DEMONYMS = frozenset(
    "american americans british european europeans african asian arab iranian iraqi "
    "israeli palestinian chinese russian ukrainian indian japanese korean french german "
    "italian spanish australian canadian mexican brazilian saudi turkish syrian lebanese "
    "egyptian english scottish welsh irish western eastern northern southern".split()
)
# The last word of a name that names a place or a building, not a person: "Baghdad
# International Airport", "Tahrir Square", "Al-Asad Air Base".
_FACILITIES = frozenset(
    "airport airbase base square street road avenue boulevard highway bridge river lake "
    "sea ocean island islands mountain mountains valley zone province district county "
    "city town village state region station stadium arena park palace embassy hospital "
    "university college school museum church mosque cathedral temple hotel port harbour "
    "harbor camp prison border strait gulf bay canal".split()
)


def _kind_fit(kind: AnswerType, value: str, person: bool, outlets: set[str]) -> float:
    """How plausible ``value`` is as an answer of the asked kind (0: never a lead)."""
    low = value.lower().strip(". ")
    if low in outlets:
        return 0.0
    if kind is AnswerType.ENTITY:
        if low in _DEMONYMS:
            return 0.2
        # "Iraqi Prime Minister Adel Abdul-Mahdi" is a two-word name behind its title.
        words = [w for w in value.split()
                 if w.lower() not in _DEMONYMS and not set(content_terms(w)) <= _TITLES]
        if len(words) > 4:
            return 0.3  # a headline's run of capitals, not a name
        if low in _PLATFORMS and person:
            return 0.0
        if person and (low in _places() or _ACRONYM.match(value.replace(" ", ""))
                       or low.split()[-1] in _FACILITIES):
            return 0.2  # "U.S", "Iraq", "Tahrir Square": a place or people, not a person
        if all(t in _TITLES for t in content_terms(value)):
            return 0.0  # a title alone ("Secretary") is no name
        if person and len(words) == 1:
            return 0.7
        if person and re.search(r"\s(?:of|for|and)\s", value):
            return 0.5  # "Government of Iraq": a body, not a person
    return 1.0


def _fit_role(question: str) -> bool | None:
    """Where the answer stands against the predicate: after it for "Who did X meet" and
    "Who was blamed" (its object), before it for "Who fired ..." (its subject)."""
    if _OBJECT_Q.match(question) or _PASSIVE_Q.match(question):
        return True
    if re.match(r"^\s*(?:who|which\s+\w+)\s+\w+", question, re.I):
        return False
    return None


# A sentence that does not end as one is a heading or a caption ("Manchester United Team
# News"), whose names answer nothing.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
KINDS = ("person", "entity", "number", "date", "place")


class Found(NamedTuple):
    """One candidate value: what a reader checks about it (its features, by name), and
    the sentences naming it, best first."""

    value: str
    features: dict[str, float]
    support: list[Candidate]


def candidate_features(
    kind: AnswerType,
    question: str,
    ranked: Sequence[Candidate],
    names: Sequence[str],
    head: set[str],
    person: bool,
    outlets: set[str],
) -> list[Found]:
    """Every candidate value with its features, best first by the hand-weighted score
    (``hand``). One value is one entry, whatever sentences name it ("Ortagus" and "Morgan
    Ortagus" are one)."""
    if not ranked:
        return []
    top = ranked[0].score
    pred = predicate_terms(question, names, head)
    role = _fit_role(question)
    first = ranked[0].passage.chunk_id
    asked = set(content_terms(question))
    found: dict[str, tuple[dict[str, float], str, list[Candidate]]] = {}
    # The best sentences first; only when none holds a value, somewhat farther ones.
    reach = [c for c in ranked[:DEPTH] if c.score >= FLOOR * top]
    far = not any(value_spans(kind, c.text, question) for c in reach)
    if far:
        reach = [c for c in ranked[:FAR_DEPTH] if c.score >= FAR_FLOOR * top]
    for rank, c in enumerate(reach):
        rel = c.score / top if top > 0 else 0.0
        words = _word_spans(c.text)
        spans = value_spans(kind, c.text, question)
        for a, b in spans:
            value = c.text[a:b].strip()
            if len(value) >= 0.9 * len(c.text.strip()):
                continue  # the whole line is the value: a heading ("Manchester United Team News")
            fit = _kind_fit(kind, value, person, outlets)
            opener = kind is AnswerType.ENTITY and " " not in value and not c.text[:a].strip(
                " “\"'‘(")
            if opener:
                fit *= 0.5  # one capitalised word opening a sentence may be any word
            if fit == 0.0:
                continue
            local, side, headed = _placement(words, a, b, pred, head, role)
            near = _distance(words, a, b, pred, None)
            to_head = _distance(words, a, b, head, None) if head else None
            own = set(content_terms(value))
            placed = (0.3 + 0.6 * local + 0.1 * side) * (1.0 if headed or not head
                                                         else UNHEADED)
            f = {"rel": rel, "rank": 1.0 / (1 + rank), "local": local, "side": side,
                 "head": float(bool(head)), "headed": float(headed and bool(head)),
                 "fit": fit, "opener": float(opener), "far": float(far),
                 "first": float(c.passage.chunk_id == first),
                 "near": 1.0 / (1 + near) if near is not None else 0.0,
                 "heading": float(not _SENTENCE_END.search(c.text)),
                 "head_near": 1.0 / (1 + to_head) if to_head is not None else 0.0,
                 # "Mar-a-Lago Club" for "Who built Mar-a-Lago?": the question's own words
                 "echo": len(own & asked) / len(own) if own else 0.0,
                 "crowd": math.log1p(len(spans) - 1),
                 "hand": rel * fit * placed}
            key = value_key(value)
            prior = found.get(key)
            if prior is None:
                found[key] = (f, value, [c])
                continue
            best, shown, support = prior
            support.append(c)
            full = value if len(value) > len(shown) else shown
            # Another good sentence naming it raises the hand score a little.
            hand = max(best["hand"], f["hand"]) + 0.05 * min(best["hand"], f["hand"])
            kept = f if f["hand"] > best["hand"] else best
            found[key] = ({**kept, "hand": hand}, full, support)
    out = [Found(shown, f, support) for f, shown, support in found.values()]
    out.sort(key=lambda item: -item.features["hand"])
    for i, item in enumerate(out):
        rivals = [o.features["hand"] for j, o in enumerate(out) if j != i]
        item.features.update(
            margin=item.features["hand"] - max(rivals, default=0.0),
            support=math.log1p(len(item.support) - 1),
            passages=math.log1p(len({c.passage.chunk_id for c in item.support}) - 1),
            rivals=math.log1p(len(rivals)),
            words=min(len(item.value.split()), 4) / 4,
            **{f"is_{k}": float(k == _kind_name(kind, person)) for k in KINDS})
    return out


def _kind_name(kind: AnswerType, person: bool) -> str:
    if kind is AnswerType.ENTITY:
        return "person" if person else "entity"
    return {AnswerType.NUMBER: "number", AnswerType.DATE: "date"}.get(kind, "place")


def score_candidates(found: Sequence[Found]) -> list[tuple[str, float, list[Candidate]]]:
    """Every candidate value of :func:`candidate_features` with its confidence (the fitted
    probability that it is the answer, :func:`confidence`) and the sentences naming it,
    best first."""
    out = [(f.value, confidence(f.features), f.support) for f in found]
    out.sort(key=lambda item: -item[1])
    return out


def _placement(words: list[tuple[int, int, set[str]]], a: int, b: int, pred: set[str],
               head: set[str], role: bool | None) -> tuple[float, float, bool]:
    """Where a value stands against the question: (the share of the question's predicate
    words within :data:`CLAUSE` words of it, whether it stands within :data:`NEAR` words
    on the side the question asks for, whether it stands next to the word for what is
    asked, "Which team", "the spokesperson")."""
    inside = [i for i, (x, y, _) in enumerate(words) if x < b and y > a]
    if not inside:
        return 0.0, 0.0, False
    lo, hi = inside[0], inside[-1]
    near: set[str] = set()
    for i in range(max(0, lo - CLAUSE), min(len(words), hi + CLAUSE + 1)):
        if not lo <= i <= hi:
            near |= words[i][2]
    # A clause holds only so much of a long question: at most LOCAL_TERMS of its words.
    local = min(1.0, len(pred & near) / min(len(pred), LOCAL_TERMS)) if pred else 0.5
    side = _distance(words, a, b, pred, role)
    headed = False
    if head:
        d_head = _distance(words, a, b, head, None)
        titled = any(words[i][2] & head for i in range(lo, hi + 1))  # "Prime Minister X"
        headed = titled or d_head is not None and d_head <= 1
    return local, float(side is not None and side <= NEAR), headed


def value_key(value: str) -> str:
    """Values that are one answer: a name by its last word ("Ortagus", "Morgan Ortagus"),
    a figure or a date by its whole text ("$32 billion" is not "$300 billion")."""
    if any(ch.isdigit() for ch in value):
        return " ".join(unqualified(value).lower().split())
    words = re.findall(r"[\w'’-]+", value.lower())
    return words[-1] if words else value.lower()


def choose_lead(candidates: Sequence[tuple[str, float, list[Candidate]]]) -> LeadChoice:
    """The best candidate, when its confidence reaches :data:`LEAD_THRESHOLD` and no rival
    comes within :data:`RIVAL_MARGIN` of it."""
    listed = tuple((v, round(c, 3)) for v, c, _ in candidates[:4])
    if not candidates:
        return LeadChoice(None, note="no value of the asked kind in the answering sentences")
    value, conf, support = candidates[0]
    rival = candidates[1] if len(candidates) > 1 else None
    clear = conf - (rival[1] if rival else 0.0)
    after = f", next “{rival[0]}” at {rival[1]:.2f}" if rival else ", no rival"
    said = f"“{value}” at {conf:.2f}{after}"
    if conf >= LEAD_THRESHOLD and clear >= RIVAL_MARGIN:
        return LeadChoice(value, tuple(support), conf, rival[0] if rival else None, said, listed)
    why = "too close to tell" if conf >= LEAD_THRESHOLD else f"below {LEAD_THRESHOLD}"
    return LeadChoice(None, tuple(support), conf, rival[0] if rival else None,
                      f"{said}: {why}", listed)


_CAUSE = re.compile(
    r"\b(?:because(?:\s+of)?|due to|owing to|thanks to|as a result of|in (?:retaliation|"
    r"response|reaction) (?:for|to)|in exchange for|for (?=\w+ing\b)|after|following|amid|"
    r"over|citing|since|if|unless|"
    r"so that|in order to|to (?:avoid|prevent|protect|stop|ensure|help|make|keep|boost|"
    r"reduce|raise|counter)|as part of)\b", re.I)
_METHOD = re.compile(
    r"\b(?:by|through|using|via|with the help of|thanks to|as)\b", re.I)
# A trailing attribution is no part of the cause: ", the Washington Post reported Sunday".
_ATTRIBUTION = re.compile(r",\s+(?:[^,]{0,60}?\s)?(?:reported|said|says|told|added|wrote|"
                          r"according to)\b[^,]*$", re.I)
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
    marker = _CAUSE if kind == "why" else _METHOD
    for c in ranked[:3]:
        if c.score < CLAUSE_FLOOR * ranked[0].score:
            break
        text = c.text
        for m in marker.finditer(text):
            before = set(lemma_terms(text[: m.start()]))
            if not about or len(about & before) * 2 < len(about):
                continue  # the clause must follow what it explains
            clause = _ATTRIBUTION.sub("", text[m.start():]).strip(" .,;:”\"'")
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


_CONJUNCTS = re.compile(
    r"\b(?:in|for|at|from|of|between)\s+((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)"
    r"\s+and\s+((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)")


def conjuncts(question: str) -> tuple[str, ...]:
    """The names a question joins with "and" when it asks for a value of each ("How many
    troops are in Iraq and Syria?" -> Iraq, Syria)."""
    m = _CONJUNCTS.search(question)
    return tuple(re.sub(r"^the\s+", "", n) for n in m.groups()) if m else ()


def value_per_name(kind: AnswerType, question: str, ranked: Sequence[Candidate],
                   names: Sequence[str], counted: AbstractSet[str] = frozenset()
                   ) -> list[tuple[str, str, Candidate]] | None:
    """For each name, the value of the asked kind nearest it in the best sentences:
    (name, value, sentence); None unless every name has one within :data:`NEAR` words, and
    None when a best sentence gives one figure of what is counted for all the names
    together ("78 attacks on its forces in Iraq and Syria")."""
    for c in ranked[:DEPTH]:
        if counted and all(n in c.text for n in names):
            words = _word_spans(c.text)
            if any((d := _distance(words, a, b, counted, None)) is not None and d <= 1
                   for a, b in value_spans(kind, c.text, question)):
                return None
    pred = predicate_terms(question, names, set())
    out = []
    for name in names:
        best: tuple[tuple[bool, int], str, Candidate] | None = None
        for c in ranked[:DEPTH]:
            at = c.text.find(name)
            if at < 0:
                continue
            words = _word_spans(c.text)
            own = set(lemma_terms(name))
            for a, b in value_spans(kind, c.text, question):
                gap = _distance(words, a, b, own, None)
                if gap is None or gap > NEAR:
                    continue
                # What is counted must be near: in the sentence or the text around it
                # ("about 2.5 thousand are serving in Iraq. US troops, …").
                x = c.span[0] + a
                around = set(lemma_terms(c.passage.text[max(0, x - WINDOW) : x + WINDOW]))
                rank = (not pred & around, gap)
                if best is None or rank < best[0]:
                    best = (rank, c.text[a:b].strip(), c)
        if best is None:
            return None
        out.append((name, best[1], best[2]))
    return out


BEAR_COVERAGE = 0.6  # share of a claim's words its evidence sentence must state
# "Consistent" rests also on the two reports being on one point without contradiction
# (compare_reports), so each side may state less of its claim. Both chosen on one half of
# the MultiHop-RAG dev questions (hash of the id), checked on the other.
AGREE_COVERAGE = 0.4
_NEGATION = re.compile(r"\b(?:not|no|never|n[o']t|none|neither|nor|without|denied|denies|deny|"
                       r"declined|refused|rejected|failed|dismissed|ruled out|cannot|"
                       r"\w+n[’']t)\b", re.I)


@dataclass(frozen=True)
class Bearing:
    """Whether a part's best sentence bears its claim, and with which polarity."""

    coverage: float
    bears: bool
    flipped: bool  # the sentence negates what the part asserts, or asserts what it negates
    whole: bool = True  # a sentence (not a heading) stating what the claim says of its subject

    def describe(self) -> str:
        """For --explain: how much of the claim its sentence states."""
        state = "bears it" if self.bears else "does not bear it"
        flip = ", says the opposite" if self.flipped else ""
        lacks = "" if self.whole else ", a heading or without the claim's predicate"
        return f"{self.coverage:.0%} of the claim's words{lacks}, {state}{flip}"


def _negated(text: str, terms: set[str]) -> bool:
    """A negation within three words before a word of ``terms`` ("did not win", "no
    group has claimed", "refused to sign")."""
    words = _word_spans(text)
    for i, (_, _, lemmas) in enumerate(words):
        if lemmas & terms:
            window = text[words[max(0, i - 4)][0] : words[i][0]]
            if _NEGATION.search(window):
                return True
    return False


_AUXILIARY = re.compile(r"^\W*(?:did|does|do|has|have|had|is|was|are|were|will|would|can|"
                        r"could)\s+", re.I)

def predicate_word(claim: str) -> str | None:
    """The first word a yes/no claim says of its subject: "Did Harry Kane *score* ...",
    "Is Coinbase the *world's* biggest ...", "Has India's *population* ...". None when
    the claim is framed as a report or has no such word."""
    m = _AUXILIARY.match(claim)
    if not m:
        return None
    for token in re.findall(r"[\w'’-]+", claim[m.end():]):
        if token[0].isupper() or token[0].isdigit():
            continue  # the subject's name
        terms = lemma_terms(token)
        if terms:
            return None if terms[0] in FRAME_TERMS else terms[0]  # "the article suggests"
    return None


def bearing(part_evidence: PartEvidence) -> Bearing:
    """How a part's best sentence bears the part's claim: the share of the claim's words
    it states (irregular verbs read as their base), and whether its polarity is the
    claim's. A sentence that leaves out what the claim says of its subject ("Did Kane
    *score*": a caption of the win), or a heading, does not bear it."""
    best = part_evidence.best
    if best is None:
        return Bearing(0.0, False, False)
    wanted = claim_terms(part_evidence.part)
    claim = {t for t in lemma_terms(part_evidence.part.text) if t in wanted} or wanted
    have = set(lemma_terms(best.text)) | set(content_terms(best.text))
    coverage = len(claim & have) / len(claim) if claim else 0.0
    stated = claim & have
    flipped = bool(stated) and (_negated(best.text, stated)
                                != _negated(part_evidence.part.text, claim))
    said = predicate_word(part_evidence.part.text)
    whole = bool(_SENTENCE_END.search(best.text)) and (said is None or said in have)
    return Bearing(coverage, coverage >= BEAR_COVERAGE and whole, flipped, whole)
