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
cited, and states no short answer. Why / how clauses are read in
:mod:`rag.answer.clauses`, a figure per name in :mod:`rag.answer.conjuncts` and whether a
part's sentence bears its claim, for verdicts, in :mod:`rag.answer.bearing`; where a
value stands in its sentence in :mod:`rag.answer.placement`, and whether it is of the
asked kind in :mod:`rag.answer.kind_fit`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rag.answer.kind_fit import asked_role, is_body_word, is_title, kind_fit, other_role
from rag.answer.lead_weights import THRESHOLD, confidence
from rag.answer.placement import (
    distance,
    fit_role,
    passive_question,
    placement,
    predicate_terms,
    word_spans,
)
from rag.answer.plan import AnswerType
from rag.answer.types import value_spans
from rag.answer.values import (
    WEEKDAY,
    YEAR,
    dateline,
    day_key,
    is_a_total,
    ordinary_word,
    total_after,
    unqualified,
)
from rag.grounding.aliases import NAME, abbreviated, is_short_form
from rag.grounding.quotes import SENTENCE_END, Candidate
from rag.grounding.text import content_terms, lemma_terms

# Chosen with the weights on the development questions (eval/natural/*.yaml, not the
# held-out files), cross-validated, for lead precision of at least 0.9; see README
# "Answers a person can trust".
LEAD_THRESHOLD = THRESHOLD
RIVAL_MARGIN = 0.1  # a rival this close makes the best candidate a guess
# ... and so does one that is nearly as likely: two values both likely to be the one
# answer ("killed 25 and wounded 51" at 0.79 and 0.68) are a coin flip between them
RIVAL_SHARE = 0.6
DEPTH = 8  # best sentences read for candidates
FLOOR = 0.6  # ... down to this share of the best sentence's score
FAR_DEPTH, FAR_FLOOR = 10, 0.5  # ... and when none of those holds a value, these
UNHEADED = 0.5  # weight of a value away from the word for what is asked
OPENER_NAMED, OPENER_UNNAMED = 0.5, 0.1  # the fit of one word opening a sentence
_INSIDE = re.compile(r"(?<=[a-z0-9,;:] )[A-Z][\w'’-]*")


def capitalised_inside(texts: Iterable[str]) -> frozenset[str]:
    """Words written with a capital inside a sentence (after a lower-case word or a
    comma), where only names are."""
    return frozenset(m.group(0) for t in texts for m in _INSIDE.finditer(t))


@dataclass(frozen=True)
class LeadChoice:
    """The lead the answer states (None: it states none), with the reasoning."""

    value: str | None
    support: tuple[Candidate, ...] = ()
    confidence: float = 0.0
    runner_up: str | None = None
    note: str = ""  # why it was stated or withheld, for --explain
    candidates: tuple[tuple[str, float], ...] = field(default=())


KINDS = ("person", "entity", "number", "date", "place")


class Found(NamedTuple):
    """One candidate value: what a reader checks about it (its features, by name), and
    the sentences naming it, best first."""

    value: str
    features: dict[str, float]
    support: list[Candidate]



class _Asked(NamedTuple):
    """What every candidate value is read against: the question (the asked kind, its
    predicate, the word for what is asked and the side the answer stands on) and the best
    sentence (its score and passage)."""

    question: str
    kind: AnswerType
    pred: set[str]
    head: set[str]
    role: bool | None
    asked: set[str]  # the question's content words
    person: bool
    outlets: set[str]
    top: float
    first: str
    far: bool
    capitalised: frozenset[str]  # words the passages capitalise inside a sentence
    given: frozenset[str]  # the lemmas of the names the question gives
    passive: bool  # it asks who or what underwent its predicate ("Who was killed")
    role_asked: str | None  # the role it asks for ("pitcher"), if any


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
    pred = predicate_terms(question, names, head)
    reach, far = _reach(kind, question, ranked)
    q = _Asked(question, kind, pred, head, fit_role(question), set(content_terms(question)), person,
               outlets, ranked[0].score, ranked[0].passage.chunk_id, far,
               capitalised_inside({c.passage.chunk_id: c.passage.text for c in ranked}.values()),
               frozenset(t for n in names for t in lemma_terms(n)), passive_question(question),
               asked_role(head))
    found: dict[str, tuple[dict[str, float], str, list[Candidate]]] = {}
    main, sub = time_clause_terms(question, names, head)
    if main and kind is AnswerType.NUMBER:
        main |= head  # what is counted ("the contract offer") is said with its figure
    for rank, c in enumerate(reach):
        if _of_another_event(question, c.text[c.context:], main, sub):
            continue
        words = word_spans(c.text)
        # A value of the sentence itself, not of the one before it that it was read with.
        spans = [_of_whom(c.text, a, b) if person else (a, b)
                 for a, b in value_spans(kind, c.text, question) if a >= c.context]
        for a, b in spans:
            f = _value_features(q, c, rank, words, (a, b), len(spans))
            if f is not None:
                _merge(found, c.text[a:b].strip(), f, c)
    out = [Found(shown, f, support) for f, shown, support in found.values()]
    out.sort(key=lambda item: -item.features["hand"])
    _compare(out, kind, person)
    return out


# A person's name and the body after it: "Alex Zendejas of Club America".
_NAME_OF = re.compile(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){1,2}(?=\s+of\s+[A-Z])")


def _of_whom(text: str, a: int, b: int) -> tuple[int, int]:
    """For a person asked for, the span of the name alone when the value is a name of
    two or three words, "of" and a body ("Alex Zendejas of Club America"; a title before
    "of" is left whole: "Secretary of State Mike Pompeo")."""
    m = _NAME_OF.match(text, a, b)
    if m is None or any(is_title(w) for w in m.group(0).split()):
        return a, b
    return a, m.end()


def _reach(kind: AnswerType, question: str,
           ranked: Sequence[Candidate]) -> tuple[list[Candidate], bool]:
    """The sentences read for candidates, and whether they are the farther ones: the best
    sentences first; only when none holds a value, somewhat farther ones."""
    top = ranked[0].score
    reach = [c for c in ranked[:DEPTH] if c.score >= FLOOR * top]
    far = not any(value_spans(kind, c.text, question) for c in reach)
    if far:
        reach = [c for c in ranked[:FAR_DEPTH] if c.score >= FAR_FLOOR * top]
    return reach, far


# "in Iraq", "at the Pentagon", "from Syria": a named place or body a value is said of.
_PLACED = r"(?:in|at|from)\s+(?:the\s+)?([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)"
_QUESTION_PLACE = re.compile(r"\b" + _PLACED)
# ... right after a value and at most two words ("about 900 troops in Syria"), in its clause.
_VALUE_PLACE = re.compile(r"^[^\W\d]*(?:\s+[\w’'-]+){0,2}?\s+" + _PLACED)


# "for Chelsea" / "scored for Spurs": the side a value is of, a few words after it.
_SIDE = r"for\s+(?:the\s+)?([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)"
_QUESTION_SIDE = re.compile(r"\b" + _SIDE)
_VALUE_SIDE = re.compile(r"^[^\W\d]*(?:\s+[a-z][\w’'-]*){0,3}?\s+" + _SIDE)

_IN_PLACE = re.compile(r"\b(?:in|near)\s+(?:the\s+)?$")
_AT = re.compile(r"\bat\s+(?:the\s+)?$")
_THE = re.compile(r"\bthe\s+$", re.I)
_OWNED = re.compile(r"(?:\b(?i:its|their)|[A-Z][\w.-]*['’]s?)\s+$")
_POSSESSIVE = re.compile(r"[’']s?\b")
IN_PLACE = 0.3
# "Friday": a day of the week tells when only to one who knows the week; "when" asks for
# a date, unless it asks for the day itself ("On what day ...").
_WEEKDAY = re.compile(rf"^{WEEKDAY}$", re.I)
_ASKS_DAY = re.compile(r"\b(?:what|which)\s+day\b", re.I)
# ... but a day that comes back each week is a time ("on Sunday afternoons", "every Friday")
_EACH_WEEK_AFTER = re.compile(r"^s?\s+(?:afternoons|mornings|evenings|nights)\b", re.I)
_EACH_WEEK_BEFORE = re.compile(r"\b(?:every|each)\s+$", re.I)
WEEKDAY_FIT = 0.3
_MONEY_SIGNS = ("$", "€", "£", "¥", "₹")
_A_YEAR = re.compile(rf"\b{YEAR}\b")
_PLACE_NOUNS = frozenset(content_terms(
    "place city country state town venue stadium ground location region nation area site "
    "island league competition tournament division conference market exchange"))


def placed_elsewhere(question: str, after: str) -> bool:
    """Whether the words right after a value say it is of another named place or body
    than the one the question names ("How many US troops are in Iraq?": "about 900
    troops in Syria" is Syria's figure), or of another side ("Who scored for Chelsea?":
    "Kulusevski opened the scoring for Spurs"). False when the question names none."""
    for asking, saying in ((_QUESTION_PLACE, _VALUE_PLACE), (_QUESTION_SIDE, _VALUE_SIDE)):
        asked = [_squashed(m.group(1)) for m in asking.finditer(question)]
        said = saying.match(after)
        if asked and said is not None:
            name = _squashed(said.group(1))
            if not any(name in a or a in name for a in asked):
                return True
    return False


def _of_another_event(question: str, sentence: str, main: set[str], sub: set[str]) -> bool:
    """Whether a sentence tells of another event than the one asked: another game, week,
    round, holiday or edition ("Game 3 ... Rangers' Max Scherzer" for "... in Game 2?"),
    or only the event of the question's time clause ("Altman was fired as CEO of OpenAI"
    for "Which company stopped its staff using ChatGPT days before Altman was fired?";
    ``main`` and ``sub``: :func:`time_clause_terms`)."""
    if another_occasion(question, sentence):
        return True
    said = {t for _, _, lemmas in word_spans(sentence) for t in lemmas}
    return bool(sub & said and main and not main & said)


# A clause that says when the asked thing happened by another event: "(a few days) before
# Sam Altman was fired", "after the Lions beat the Bears".
_TIME_CLAUSE = re.compile(
    r"(?:\b(?:a\s+few|several|some|\d+|one|two|three|four|five)\s+(?:minutes|hours|days|"
    r"weeks|months|years)\s+)?\b(?:before|after|until|prior\s+to)\s+"
    r"(?=(?-i:[A-Z])|(?:the|his|her|their|its|it|he|she|they)\b)"
    # ... up to a clause of the main one: "after Hamas's attack on Israel | that the US ..."
    r"(?:(?!\b(?:that|which|who|whom|where)\b)[^?,;])*", re.I)


def time_clause_terms(question: str, names: Sequence[str],
                      head: set[str]) -> tuple[set[str], set[str]]:
    """The predicate words of the question's main clause, and those only its time clause
    says ("before Sam Altman was fired"); no time clause: (set(), set()). A "when"
    clause is left whole: it often names the asked event itself ("the final score when
    Arsenal beat Sevilla"). The ``head`` ("company" of "Which company") is neither's."""
    m = _TIME_CLAUSE.search(question)
    if m is None:
        return set(), set()
    main = predicate_terms(question[: m.start()] + question[m.end() :], names, head)
    return main, predicate_terms(question, names, head) - main


# A numbered occasion ("Game 2", "Week 13", "Round 3") or a round of a cup ("semifinals").
_NUMBERED = re.compile(r"\b(game|week|round|stage|test|episode|season|chapter|leg|matchday|"
                       r"gameweek|race|heat)\s+(\d{1,3})\b", re.I)
_ROUND = re.compile(r"\b(quarter|semi)[\s-]?finals?\b|\bround\s+of\s+(\d{1,2})\b", re.I)
# A year that says which edition of a named thing: "the 2018 remake of Suspiria", "the 2021
# World Series" (the name's capitalised words, as written).
_YEAR_OF = re.compile(rf"\b({YEAR})\s+(?:[a-z][\w'’-]*\s+(?:of\s+)?)?"
                      r"((?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+))*)")
_HOLIDAY = re.compile(r"\b(thanksgiving|christmas|new year['’]?s|black friday|cyber monday|"
                      r"halloween|easter|boxing day|memorial day|labor day|prime day|"
                      r"valentine['’]?s day|independence day|fourth of july|july 4th?)\b", re.I)


def _occasions(text: str) -> dict[str, set[str]]:
    """The numbered occasions, cup rounds, holidays and editions by year a text names, by
    kind: {"week": {"13"}, "world series": {"2021"}}."""
    out: dict[str, set[str]] = {}
    for m in _NUMBERED.finditer(text):
        out.setdefault(m.group(1).lower(), set()).add(m.group(2))
    for m in _ROUND.finditer(text):
        out.setdefault("round of", set()).add((m.group(1) or m.group(2)).lower())
    for m in _HOLIDAY.finditer(text):
        out.setdefault("holiday", set()).add(re.sub(r"\W", "", m.group(1).lower()))
    for m in _YEAR_OF.finditer(text):
        out.setdefault(m.group(2).lower(), set()).add(m.group(1))
    return out


def another_occasion(question: str, sentence: str) -> bool:
    """Whether the sentence is of another occasion of a kind the question names: another
    game, week, round, holiday or edition ("Game 3" for "... in Game 2 of the World
    Series?", "the quarterfinal draw" for "Where was the semifinal draw held?", "Christmas
    Day games" for "the Thanksgiving Day games", "the 1977 Suspiria" for "the 2018 remake of
    Suspiria"), and not the asked one."""
    said = _occasions(sentence)
    return any(kind in said and not numbers & said[kind]
               for kind, numbers in _occasions(question).items())


# "Where in Idaho ...", "In which city in Spain ...": a place inside a named one is asked.
_WITHIN_Q = re.compile(
    r"^\W*(?:where|(?:in\s+)?(?:which|what)\s+(?:[a-z]+\s+)?(?:city|town|village|state|county|"
    r"province|region|part|area|district|neighbou?rhood|park|venue|stadium|lake|beach|island)s?)"
    r"\s+in\s+(?:the\s+)?((?-i:[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*))", re.I)


def outside_asked_place(question: str, sentence: str, value: str) -> bool:
    """Whether a place is no answer to a question that asks for a place inside a named
    one ("Where in Idaho ..."): the place named itself, or one in a sentence that does
    not name it ("the Jökulsárlón Glacier Lagoon in Iceland" for Idaho). False when the
    question asks for no place inside another."""
    m = _WITHIN_Q.match(question)
    if m is None:
        return False
    within = _squashed(m.group(1))
    return _squashed(value) == within or within not in _squashed(sentence)


def _squashed(name: str) -> str:
    """A name compared as letters alone ("U.S." is "us")."""
    return re.sub(r"[\W_]", "", name.lower())


def _value_features(q: _Asked, c: Candidate, rank: int, words: list[tuple[int, int, set[str]]],
                    span: tuple[int, int], n_spans: int) -> dict[str, float] | None:
    """The features of the value at ``span`` of sentence ``c`` (the ``rank``-th read, with
    ``n_spans`` values in all); None when it is no candidate (the whole line, or not of the
    asked kind)."""
    a, b = span
    value = c.text[a:b].strip()
    if len(value) >= 0.9 * len(c.text.strip()):
        return None  # the whole line is the value: a heading ("Manchester United Team News")
    fit = kind_fit(q.kind, value, q.person, q.outlets)
    opener = q.kind is AnswerType.ENTITY and " " not in value and not c.text[
        c.context:a].strip(" “\"'‘(")
    before = c.text[:a].rstrip("“\"'‘")  # the words before it, quoted or not
    if (q.person or q.kind is AnswerType.ENTITY and q.head and not q.head & _PLACE_NOUNS) \
            and (_IN_PLACE.search(before) or q.person and _AT.search(before)) \
            and not _POSSESSIVE.match(c.text[b:]):
        # "a lawyer in New York", "a rooftop bar in South Florida", "won at Old Trafford",
        # "monopolies in “Android app distribution”": a place, a firm or a market, not the
        # person, the animal or the body asked for
        fit *= IN_PLACE
    if q.person and _THE.search(before):
        fit *= IN_PLACE  # "for the Kiwis", "the Fed": a team or a body; a person has no "the"
    if q.kind is AnswerType.ENTITY and not q.person and _OWNED.search(before):
        fit *= IN_PLACE  # "its Android app store", "Google's Pixel": a thing of the body
    if other_role(q.role_asked, before):
        fit *= IN_PLACE  # "Quarterback Daniel Jones" for "Which Giants tight end ...?"
    if opener:
        # One capitalised word opening a sentence may be any word ("Perhaps", "Smaller"):
        # a name is one the passages capitalise inside a sentence too.
        fit *= OPENER_NAMED if value in q.capitalised else OPENER_UNNAMED
    if _WEEKDAY.match(value):
        if q.kind is not AnswerType.DATE:
            return None  # no name, place or figure
        weekly = _EACH_WEEK_AFTER.match(c.text[b:]) or _EACH_WEEK_BEFORE.search(c.text[:a])
        if not (_ASKS_DAY.search(q.question) or weekly):
            fit *= WEEKDAY_FIT
    if fit == 0.0 or placed_elsewhere(q.question, c.text[b:]) or dateline(value, c.text[b:]):
        return None
    if q.kind is AnswerType.PLACE and outside_asked_place(q.question, c.text, value):
        return None
    if q.kind is AnswerType.ENTITY and c.text[:a].endswith(_MONEY_SIGNS):
        return None  # "$US13 per share": a sum, not a body
    rel = c.score / q.top if q.top > 0 else 0.0
    head = q.head
    local, side, headed = placement(words, a, b, q.pred, head, q.role, q.given, text=c.text,
                                    passive=q.passive)
    # A year is what "In what year ...?" asks for, with no word "year" beside it.
    headed = headed or "year" in head and bool(_A_YEAR.search(value))
    near = distance(words, a, b, q.pred, None)
    to_head = distance(words, a, b, head, None, q.given) if head else None
    if q.kind is AnswerType.NUMBER and head:
        # "drove in five of the Rangers' first 10 runs": the runs he drove in are five;
        # the word for what is counted stands by the whole, and is the part's too.
        if (whole := total_after(c.text, b)) is not None:
            to_head = distance(words, a, whole, head, None, q.given)
            headed = headed or to_head is not None and to_head <= 1
        elif is_a_total(c.text, a):
            headed = False
    own = set(content_terms(value))
    placed = (0.3 + 0.6 * local + 0.1 * side) * (1.0 if headed or not head
                                                 else UNHEADED)
    return {"rel": rel, "rank": 1.0 / (1 + rank), "local": local, "side": side,
            "head": float(bool(head)), "headed": float(headed and bool(head)),
            "fit": fit, "opener": float(opener), "far": float(q.far),
            "first": float(c.passage.chunk_id == q.first),
            "near": 1.0 / (1 + near) if near is not None else 0.0,
            "heading": float(not SENTENCE_END.search(c.text)),
            "head_near": 1.0 / (1 + to_head) if to_head is not None else 0.0,
            # "Mar-a-Lago Club" for "Who built Mar-a-Lago?": the question's own words
            "echo": len(own & q.asked) / len(own) if own else 0.0,
            "crowd": math.log1p(n_spans - 1),
            "hand": rel * fit * placed}


def _merge(found: dict[str, tuple[dict[str, float], str, list[Candidate]]], value: str,
           f: dict[str, float], c: Candidate) -> None:
    """Add one reading of ``value`` (features ``f``, in sentence ``c``) to ``found``, by
    :func:`value_key`: a value read again keeps its best features and longest text."""
    key = value_key(value)
    key = next((k for k in found if misspelt(k, key)), key)
    prior = found.get(key)
    if prior is None:
        found[key] = (f, value, [c])
        return
    best, shown, support = prior
    support.append(c)
    full = value if len(value) > len(shown) else shown
    # Another good sentence naming it raises the hand score a little.
    hand = max(best["hand"], f["hand"]) + 0.05 * min(best["hand"], f["hand"])
    kept = f if f["hand"] > best["hand"] else best
    found[key] = ({**kept, "hand": hand}, full, support)


def _compare(out: list[Found], kind: AnswerType, person: bool) -> None:
    """Add to each candidate's features what it has against the others: its margin over
    the best rival, its support, how many rivals it has, its length and the asked kind."""
    for i, item in enumerate(out):
        rivals = [o.features["hand"] for j, o in enumerate(out) if j != i]
        item.features.update(
            margin=item.features["hand"] - max(rivals, default=0.0),
            support=math.log1p(len(item.support) - 1),
            passages=math.log1p(len({c.passage.chunk_id for c in item.support}) - 1),
            rivals=math.log1p(len(rivals)),
            words=min(len(item.value.split()), 4) / 4,
            **{f"is_{k}": float(k == _kind_name(kind, person)) for k in KINDS})


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



def value_key(value: str) -> str:
    """Values that are one answer: a name by its last word ("Ortagus", "Morgan Ortagus"),
    a day by its month and day ("Nov. 8", "November 8"), a figure or another date by its
    whole text ("$32 billion" is not "$300 billion")."""
    if any(ch.isdigit() for ch in value):
        value = unqualified(value)
        return day_key(value) or " ".join(value.lower().split())
    words = re.findall(r"[\w'’-]+", value.lower())
    return words[-1] if words else value.lower()


def misspelt(a: str, b: str) -> bool:
    """Whether two name words of six letters or more are one name, one of them misspelt by
    two letters swapped ("Petitti", "Pettiti") or a letter doubled ("Zelensky",
    "Zelenskyy"): articles write a name both ways, and the two are one answer."""
    if a == b or min(len(a), len(b)) < 6 or a[0] != b[0] or not (a + b).isalpha():
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    if len(long) != len(short) + 1:
        return False
    i = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
    return long[i] == long[i - 1] and long[:i] + long[i + 1:] == short


def alias_key(texts: Iterable[str]) -> Callable[[str], str]:
    """:func:`value_key` that also takes a short form for the name ``texts`` abbreviate
    with it ("SBF" is "Sam Bankman-Fried" when the texts write that name; of several
    names with the same initials, the commonest: :func:`abbreviated`)."""
    longs = {short: value_key(name) for short, name in abbreviated(texts).items()}

    def key(value: str) -> str:
        short = value.strip()
        if is_short_form(short) and short in longs:
            return longs[short]
        return value_key(value)
    return key


SHARED_TOP = 3
"""A value among this many of the best candidates of each part's evidence is that part's."""
SHARED_MARGIN = 1.25  # ... and is the one they share when this much more confident


def shared_lead(
    per_part: Sequence[Sequence[tuple[str, float, list[Candidate]]]],
    passages: Iterable[str] = (),
    headlines: Iterable[str] = (),
) -> LeadChoice:
    """The one value that the evidence of every part of a question names among its
    :data:`SHARED_TOP` best candidates and one part names first, when the parts together
    name it with more confidence than any other value they share (:data:`SHARED_MARGIN`)
    ("Which company ... reported by TechCrunch and ... by The Verge?": the company both
    reports name), cited to each part's sentence. A short form is the name it abbreviates
    ("SBF", "Sam Bankman-Fried": :func:`alias_key`). None when a part has no candidate,
    or when no value or several are shared.

    It is shown in the form its most confident part gives, and in full as ``passages``
    write it most often ("Bankman-Fried" -> "Sam Bankman-Fried"; :func:`full_form`, with
    the articles' ``headlines``)."""
    if len(per_part) < 2 or not all(per_part):
        return LeadChoice(None, note="not a question of several parts, each with a value")
    passages = list(passages)
    keyed = alias_key(passages)
    tops = [{keyed(v): (v, c, sup) for v, c, sup in reversed(part[:SHARED_TOP])}
            for part in per_part]
    both = set(tops[0]).intersection(*tops[1:])
    total = {key: sum(top[key][1] for top in tops) for key in both}
    firsts = both & {keyed(part[0][0]) for part in per_part}
    if len(firsts) != 1:
        why = "no value" if not firsts else f"{len(firsts)} values"
        return LeadChoice(None, note=f"{why} among every part's best {SHARED_TOP} candidates "
                                 "that a part names first")
    key = firsts.pop()
    if any(total[k] * SHARED_MARGIN >= total[key] for k in both - {key}):
        return LeadChoice(None, note="another value the parts share is nearly as confident")
    found = [top[key] for top in tops]
    # Shown as a name rather than its initials, when a part gives it so.
    value, conf, _ = max(found, key=lambda f: (not is_short_form(f[0]), f[1]))
    value = full_form(value, passages, headlines)
    support = tuple(dict.fromkeys(sup[0] for _, _, sup in found if sup))
    return LeadChoice(value, support, conf, None,
                      f"“{value}” named by the evidence of each of {len(found)} parts")


_LOWER = re.compile(r"\b[a-z][\w'’-]*")


def lower_case_words(texts: Iterable[str]) -> set[str]:
    """The words ``texts`` write in lower case: ordinary words, where a capitalised one
    is no name on its own ("Search", "Sportsbook")."""
    return {w for t in texts for w in _LOWER.findall(t)}


_WHEN = re.compile(rf"^(?:{WEEKDAY}|(?:jan|febr)uary|march|april|june|july|august|"
                   r"(?:septem|octo|novem|decem)ber)$", re.I)  # "the September Fed meeting"


def full_form(value: str, texts: Iterable[str], headlines: Iterable[str] = ()) -> str:
    """``value`` as ``texts`` most often write it in full: the commonest longer name that
    ends with it (ties: the shorter); else ``value`` itself. Titles are left out. At a
    sentence's opening, where any word is capitalised, so are ordinary words ("But
    Google", "Loading Google": words the texts also write in lower case), and a form
    found only there counts when the texts capitalise its first word inside a sentence
    too, or write it there twice, or one of the articles' ``headlines`` holds it ("Sam
    Altman" opening a sentence, and in "Timeline of Sam Altman's firing")."""
    if any(ch.isdigit() for ch in value):
        return value
    texts = list(texts)
    lower = lower_case_words(texts)
    inside = {w for t in texts for w in re.findall(r"[a-z,;:]\s+([A-Z][\w'’-]*)", t)}
    counts: Counter[str] = Counter()
    openings: Counter[str] = Counter()
    for text in texts:
        for m in NAME.finditer(text):
            name = m.group(0).split("\n")[-1]  # a name does not run across lines
            prefix = name[: -len(value)]
            if not name.endswith(value) or not prefix[-1:].isspace():
                continue
            before = text[: m.end() - len(name)].rstrip(" ")
            opening = not before or before[-1] in ".!?\"“‘'\n"
            words = prefix.split()
            while words and (is_title(words[0]) or _WHEN.match(words[0]) or opening and (
                    ordinary_word(words[0]) or words[0].lower() in lower)):
                words = words[1:]
            if not words:
                continue
            form = " ".join([*words, value])
            first = len(words) == len(prefix.split())  # still the sentence's first word
            (openings if opening and first and words[0] not in inside else counts)[form] += 1
    headlines = list(headlines)
    counts.update({form: n for form, n in openings.items()
                   if n > 1 or form in counts or any(form in h for h in headlines)})
    if not counts:
        return value
    return min(counts, key=lambda n: (-counts[n], len(n), n))


BODY_FORMS = 2  # a one-word name is shown with its body's word when written so this often


def with_body(value: str, texts: Iterable[str]) -> str:
    """A one-word name as ``texts`` write it with the word that makes it a body, when they
    write it so :data:`BODY_FORMS` times and in one way only ("Alameda" -> "Alameda
    Research", "Chelsea" -> "Chelsea FC"; not when they write "Alameda Research" and
    "Alameda Ventures")."""
    if " " in value.strip() or any(ch.isdigit() for ch in value):
        return value
    after = re.compile(rf"(?<![\w-]){re.escape(value)}\s+([A-Z][\w&]*)\b")
    forms = Counter(m.group(1) for t in texts for m in after.finditer(t)
                    if is_body_word(m.group(1)))
    if len(forms) == 1 and sum(forms.values()) >= BODY_FORMS:
        return f"{value} {next(iter(forms))}"
    return value


def unclipped(value: str, texts: Iterable[str]) -> str:
    """A one-word name clipped from a longer one, as ``texts`` write it in full: the name
    of two or more capitalised words whose first word ``value`` opens ("Fed" -> "Federal
    Reserve"), when they write it :data:`BODY_FORMS` times and in one way only (a longer
    name that holds it, "Federal Reserve Board", counts as it; a title ends a name:
    "Federal Reserve Chair Jerome Powell" is "Federal Reserve")."""
    if not re.fullmatch(r"[A-Z][a-z]{2,}", value):
        return value
    longer = re.compile(rf"(?<![\w-]){re.escape(value)}[a-z]{{2,}}(?:\s+[A-Z][\w'’&-]*)+")
    forms: Counter[str] = Counter()
    for text in texts:
        for m in longer.finditer(text):
            words = m.group(0).split()
            cut = next((i for i, w in enumerate(words[1:], 1) if is_title(w)), len(words))
            if cut > 1:
                forms[" ".join(words[:cut])] += 1
    bases = [f for f in forms if not any(f.startswith(g + " ") for g in forms)]
    if len(bases) == 1 and sum(forms.values()) >= BODY_FORMS:
        return bases[0]
    return value


def with_head(value: str, sentences: Iterable[str], noun: str | None) -> str:
    """``value`` with the ``noun`` the question asks for when the answering ``sentences``
    write it right after the value: "Which militia ...?" is answered "Iranian-backed Shia
    militia", not by the adjective alone ("... by Iranian-backed Shia militia groups")."""
    asked = set(content_terms(noun or ""))
    if not asked or set(content_terms(value.split()[-1])) & asked:
        return value
    after = re.compile(rf"(?<![\w-]){re.escape(value)}\s+([a-z][\w-]*)")
    for sentence in sentences:
        for m in after.finditer(sentence):
            if set(content_terms(m.group(1))) == asked:
                return f"{value} {m.group(1)}"
    return value


def choose_lead(candidates: Sequence[tuple[str, float, list[Candidate]]]) -> LeadChoice:
    """The best candidate, when its confidence reaches :data:`LEAD_THRESHOLD` and no rival
    comes within :data:`RIVAL_MARGIN` of it or leaves it less than :data:`RIVAL_SHARE` of
    their two confidences."""
    listed = tuple((v, round(c, 3)) for v, c, _ in candidates[:4])
    if not candidates:
        return LeadChoice(None, note="no value of the asked kind in the answering sentences")
    value, conf, support = candidates[0]
    rival = candidates[1] if len(candidates) > 1 else None
    clear = conf - (rival[1] if rival else 0.0)
    after = f", next “{rival[0]}” at {rival[1]:.2f}" if rival else ", no rival"
    said = f"“{value}” at {conf:.2f}{after}"
    share = conf / (conf + rival[1]) if rival and conf + rival[1] > 0 else 1.0
    if conf >= LEAD_THRESHOLD and clear >= RIVAL_MARGIN and share >= RIVAL_SHARE:
        return LeadChoice(value, tuple(support), conf, rival[0] if rival else None, said, listed)
    why = "too close to tell" if conf >= LEAD_THRESHOLD else f"below {LEAD_THRESHOLD}"
    return LeadChoice(None, tuple(support), conf, rival[0] if rival else None,
                      f"{said}: {why}", listed)
