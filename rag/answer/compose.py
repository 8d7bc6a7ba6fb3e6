"""Composing the answer by the kind the question asks for. Pure, given the judged evidence.

- A factual question gets a short answer of the expected type first, taken from a
  supporting sentence, then the quote it rests on: ``Three [3]. TechCrunch (3 October
  2023) reported: “… three Katyusha rockets …” [3]``.
- A "who / which X" question gets the name that the evidence of every part has in
  common, cited to each part's sentence.
- A yes/no question gets a verdict from its parts (each supported or not; for "consistent"
  and "changed" questions, whether the supporting sentences disagree; for "before",
  their dates), then each part's evidence, outlet and date named. It is never "Yes" when a
  part has no supporting passage: the answer says which part the articles do not bear out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.outlets import normalize_source
from rag.answer.answering import by_answering
from rag.answer.asked import WH_PREPOSITION, asked_phrase
from rag.answer.bearing import AGREE_COVERAGE, BEAR_COVERAGE, bearing
from rag.answer.clauses import clause_lead, reason_sentence
from rag.answer.conjuncts import conjuncts, value_per_name
from rag.answer.evidence import Gathered, PartEvidence
from rag.answer.kind_fit import kind_fit
from rag.answer.lead import (
    FAR_FLOOR,
    LEAD_THRESHOLD,
    LeadChoice,
    alias_key,
    candidate_features,
    choose_lead,
    full_form,
    score_candidates,
    shared_lead,
    unclipped,
    with_body,
    with_head,
)
from rag.answer.overview import overview
from rag.answer.plan import AnswerType, QuestionPlan, Relation
from rag.answer.question import descriptions, order_of
from rag.answer.reader import SentenceReader, read_again
from rag.answer.subject import subject_lead
from rag.answer.types import spec_of
from rag.answer.values import listed_with, new_to
from rag.grounding.citations import CheckedSentence, Similarity
from rag.grounding.disagreement import SAME_POINT_SIMILARITY, disagreement_kind
from rag.grounding.passages import human_date
from rag.grounding.quotes import SENTENCE_END, Candidate, coverage, question_terms
from rag.grounding.quotes import quote as attributed
from rag.grounding.text import content_terms

LEAD_FLOOR = 0.85  # sentences within this share of the best may give the short answer
MAX_QUOTES = 3  # sentences quoted when no short answer is stated
VALUED_FLOOR = 0.3  # a withheld lead this confident has its sentence among those quotes
MAX_NAMES = 3
COMPARE_DEPTH = 3  # best sentences of each part compared for agreement
PLURAL_FLOOR = 0.6
COVERED_ENOUGH = 2 / 3  # quoted sentences covering this share of the question answer it
_HEAD = re.compile(rf"^\s*{WH_PREPOSITION}(?:which|what)\s+((?:[\w'’-]+\s+){0,2}?[\w'’-]+?)(?:\s+"
                   r"(?:is|was|are|were|has|have|had|did|does|do|will|would|can|could|that|"
                   r"who|which|in|of|from|to|recently|mentioned|featured|discussed)\b|\s*,)",
                   re.I)
_GENERIC_HEADS = frozenset(content_terms("type kind name one entity individual person title"))
_PERSON_WORDS = ("who ", "whom ", "whose ", "individual", "person", "player", "ceo",
                 "founder", "executive", "author", "actor", "singer", "artist", "coach",
                 "minister", "president", "spokes", "secretary", "senator", "governor",
                 "chairman", "editor", "reporter", "prosecutor", "judge", "scientist",
                 "researcher", "director", "manager", "captain", "ambassador", "leader",
                 "star ", "striker", "rapper", "musician", "billionaire", "defendant")
# A player by his position ("Which Diamondbacks pitcher"), as a whole word ("driverless" and
# "receivership" are none)
_POSITIONS = re.compile(r"\b(?:pitcher|quarterback|receiver|tight end|running back|linebacker|"
                        r"cornerback|goalkeeper|midfielder|defender|winger|kicker|rookie|"
                        r"driver)s?\b", re.I)


@dataclass
class Composition:
    """The composed answer sentences, and the verdict or abstention behind them."""

    sentences: list[CheckedSentence] = field(default_factory=list)
    abstained: bool = False
    reason: str = ""
    verdict: str | None = None
    missing: list[str] = field(default_factory=list)  # parts no passage bears out
    lead: str | None = None  # the short answer or verdict stated first (None: a quote leads)
    lead_note: str = ""  # why that lead was stated or withheld (``--explain``)


def short_answer(value: str, support: Sequence[Candidate]) -> CheckedSentence:
    """The answer value, cited to the sentences it is taken from."""
    return CheckedSentence(
        text=value[:1].upper() + value[1:],
        citations=list(dict.fromkeys(c.passage.n for c in support)),
        supported=True,
        score=max(c.score for c in support),
        origin="composed",
        evidence={c.passage.n: c.span for c in support},
    )


def _verdict(text: str) -> CheckedSentence:
    return CheckedSentence(text=text, supported=None, origin="composed")


def not_borne_out(pe: PartEvidence, gathered: Gathered, question: str) -> CheckedSentence:
    """The note that no passage bears a part out, naming its outlets as the articles
    write them ("The Verge", not the key "verge"; else as the question does), and the
    part in its own words unless it is the whole question ("bears this out")."""
    shown = {normalize_source(p.source): p.source for p in gathered.passages if p.source}

    def named(key: str) -> str:
        if key in shown:
            return shown[key]
        said = re.search(rf"(?:\bthe\s+)?\b{re.escape(key)}\b", question, re.I)
        return said.group(0) if said else key

    outlets = " or ".join(named(s) for s in pe.part.sources)
    where = f"No indexed article from {outlets}" if outlets else "No indexed article"
    text = pe.part.text.strip(" ?")
    what = "this out" if text == question.strip(" ?") else f"out “{text}”"
    return _verdict(f"{where} bears {what}.")


def merged_ranking(gathered: Gathered) -> list[Candidate]:
    """Every part's ranked sentences as one ranking, each sentence once."""
    seen: dict[tuple[str, tuple[int, int]], Candidate] = {}
    for pe in gathered.parts:
        for c in pe.ranked:
            key = c.where
            if key not in seen or seen[key].score < c.score:
                seen[key] = c
    return sorted(seen.values(), key=lambda c: -c.score)


def best_quotes(ranked: Sequence[Candidate], n: int, question: str) -> list[CheckedSentence]:
    """Up to ``n`` of the best sentences, quoted; each after the first only while those
    before it leave much of the question uncovered, and when it is nearly as good and
    covers words of the question they do not."""
    out: list[CheckedSentence] = []
    wanted = question_terms(question)
    covered: set[str] = set()
    for c in ranked:
        if len(out) >= n or (out and c.score < LEAD_FLOOR * ranked[0].score):
            break
        if out and coverage(wanted, covered) >= COVERED_ENOUGH:
            break
        terms = wanted & set(content_terms(c.text))
        if out and not terms - covered:
            continue
        covered |= terms
        out.append(attributed(c))
    return out


Scored = list[tuple[str, float, list[Candidate]]]


def _typed_candidates(plan: QuestionPlan, gathered: Gathered,
                      ranked: Sequence[Candidate]) -> tuple[Scored, list[Scored]]:
    """Candidate short answers with their confidence, from ``ranked`` (the merged ranking)
    for a question of one part. A question of several parts takes
    the names its parts' evidence shares: each part's confidence, averaged over parts.
    Second: each part's own candidates (none for a question of one part, or when a part
    has no evidence)."""
    outlets = {normalize_source(p.source) for p in gathered.passages if p.source}
    person = asks_person(plan.question)
    head = head_terms(plan.question)

    def of(text: str, ranked: Sequence[Candidate]) -> Scored:
        found = score_candidates(candidate_features(plan.answer_type, text, ranked, plan.names,
                                                    head, person, outlets))
        return [f for f in found if new_to(f[0], plan.question)]

    parts = [pe for pe in gathered.parts if pe.ranked]
    if len(parts) <= 1:
        # One part that describes the answer twice ("... and is also ...") is checked
        # clause by clause against the same sentences, for a value both name.
        clauses = descriptions(plan.question) if len(gathered.parts) == 1 else []
        return of(plan.question, ranked), [of(c, ranked) for c in clauses if len(clauses) > 1]
    per_part = [of(pe.part.text, pe.ranked) for pe in parts]
    keyed = alias_key(p.text for p in gathered.passages)
    merged: dict[str, tuple[float, str, list[Candidate]]] = {}
    for found in per_part:
        for value, conf, support in found:
            key = keyed(value)
            total, shown, sup = merged.get(key, (0.0, value, []))
            shown = value if len(value) > len(shown) else shown  # "Bankman-Fried", not "SBF"
            merged[key] = (total + conf / len(per_part), shown, sup + support[:1])
    out = [(shown, total, sup) for total, shown, sup in merged.values()]
    # Only a question every part of which has evidence may take a value they share.
    return (sorted(out, key=lambda item: -item[1]),
            per_part if len(parts) == len(gathered.parts) else [])


SUBJECT_FIT = 0.5  # a subject is a value at least this plausible of the asked kind
DESCRIBING_WORDS = 30  # a question of one part this long, naming an outlet, describes
_A_KIND = re.compile(r"\b(?:type|kind|sort|category)\s+of\b", re.I)


def _subject(plan: QuestionPlan, gathered: Gathered, candidates: Scored) -> LeadChoice:
    """The value the passages of every part of the question name (:func:`subject_lead`),
    each passage read with its headline. A question of one part that describes its answer
    at length as an outlet reported it ("Which company, featured in TechCrunch articles,
    is prioritizing ..., planning ..., and will release ...?") asks for what its
    articles are about: there each article is a part. "Which type of platforms ...?"
    asks for a kind, and has no subject."""
    if _A_KIND.search(plan.question):
        return LeadChoice(None, note="a kind is asked for, not the one the articles are about")
    texts = {p.chunk_id: f"{p.title or ''}\n{p.text}" for p in gathered.passages}
    if len(gathered.parts) > 1:
        parts = [[texts[i] for i in pe.chunk_ids if i in texts] for pe in gathered.parts]
    elif gathered.parts[0].part.sources and len(plan.question.split()) >= DESCRIBING_WORDS:
        articles: dict[str, list[str]] = {}
        for p in gathered.passages:
            articles.setdefault(p.doc_id, []).append(texts[p.chunk_id])
        parts = list(articles.values())
    else:
        return LeadChoice(None, note="a question of one part that does not describe its answer")
    outlets = {normalize_source(p.source) for p in gathered.passages if p.source}
    person = asks_person(plan.question)
    return subject_lead(candidates, parts, lambda value: kind_fit(
        plan.answer_type, value, person, outlets) >= SUBJECT_FIT, person)


def compose_typed(plan: QuestionPlan, gathered: Gathered,
                  reader: SentenceReader | None = None) -> Composition:
    """Number, date, place or name: the short answer first when it is confident (and,
    with a ``reader``, when the model reading its sentence names it too), then the
    sentences it comes from; otherwise the answering sentence quoted, and no short
    answer (see :mod:`rag.answer.lead` and :mod:`rag.answer.reader`). When no part is
    borne out, only the subject the passages of every part name is stated (see
    :func:`_subject`), or the answer abstains."""
    ranked = merged_ranking(gathered)
    if not ranked:
        return Composition(abstained=True, reason="no passage sentence to answer from")
    missing = [pe for pe in gathered.parts if not pe.supported]

    def finish(sentences: list[CheckedSentence], lead: str | None, note: str) -> Composition:
        # A part is borne out after all when a sentence the answer quotes is from one
        # of its outlets (the value every part shares, found in that outlet's passage).
        source = {p.n: normalize_source(p.source) for p in gathered.passages if p.source}
        quoted = {source[n] for s in sentences for n in s.citations if n in source}
        unborne = [pe for pe in missing if not quoted & set(pe.part.sources)]
        notes = [not_borne_out(pe, gathered, plan.question) for pe in unborne
                 if len(gathered.parts) > 1]
        return Composition(sentences + notes, lead=lead, lead_note=note,
                           missing=[pe.part.text for pe in unborne])

    joined = conjuncts(plan.question) if plan.answer_type is AnswerType.NUMBER else ()
    each = value_per_name(plan.answer_type, plan.question, ranked, joined,
                          head_terms(plan.question)) if joined else None
    if each:
        # "How many troops are in Iraq and Syria?": a figure for each, each cited.
        value = " and ".join(f"{v} in {name}" for name, v, _ in each)
        support = list(dict.fromkeys(c for _, _, c in each))
        return finish([short_answer(value, support)] + [attributed(c) for c in support],
                      value, "a figure for each of " + " and ".join(joined))
    candidates, per_part = _typed_candidates(plan, gathered, ranked)
    if len(missing) == len(gathered.parts):
        choice = _subject(plan, gathered, candidates)
        if choice.value is None:
            return _abstention(gathered)
    else:
        choice = choose_lead(candidates)
        if reader is not None:
            choice = read_again(choice, plan.question, reader)
    if choice.value is None and per_part:
        shared = shared_lead(per_part, (p.text for p in gathered.passages),
                             (p.title for p in gathered.passages))
        choice = shared if shared.value is not None else choice
    if choice.value is None and plan.answer_type is AnswerType.ENTITY:
        about = _subject(plan, gathered, candidates)
        choice = about if about.value is not None else choice
    if choice.value is None and len(gathered.parts) == 1:
        # No short answer: the sentences likeliest to hold it are quoted, best first
        # (rag.answer.answering), and the likeliest value's sentence when that value is
        # likely enough, though not confident enough to state. A reader sees them with
        # their context, and no guess stated as the answer.
        valued = (candidates[0][2][0] if candidates and candidates[0][2]
                  and candidates[0][1] >= VALUED_FLOOR else None)
        quotes, why = answering_quotes(plan, ranked, MAX_QUOTES, valued)
        return finish(quotes, None, "; ".join(n for n in (choice.note, why) if n))
    if choice.value is None:
        # ... of a question of several parts: the sentences that hold the likeliest
        # values (each part's) first, then the best sentence when they are not it.
        first = list(dict.fromkeys(c for _, _, sup in candidates[:2] for c in sup[:2]
                                   if c.score >= FAR_FLOOR * ranked[0].score))
        quotes = [attributed(c) for c in first[:MAX_QUOTES]]
        rest = [q for q in best_quotes(ranked, 1, plan.question)
                if all(q.evidence != f.evidence for f in quotes)]
        return finish(quotes + rest, None, choice.note)
    value = choice.value
    if plan.answer_type is AnswerType.ENTITY:
        # Shown in full as the passages write it ("Altman": Sam Altman).
        value = full_form(value, (p.text for p in gathered.passages),
                          (p.title for p in gathered.passages))
        value = with_head(value, (c.own_text for c in choice.support), head_noun(plan.question))
        if not asks_person(plan.question):
            texts = [p.text for p in gathered.passages]
            value = with_body(unclipped(value, texts), texts)
    plural = plural_head(plan.question)
    listed = listed_with(choice.value, choice.support[0].own_text,
                         [c[0] for c in candidates[1:]]) if plural and choice.support else []
    if listed:
        # Several asked for, and the answering sentence lists them with the lead
        # ("the cities of Basra and Najaf, and ... Kirkuk").
        value = ", ".join([value, *listed[:-1]]) + " and " + listed[-1]
        support = list(dict.fromkeys(choice.support[:2]))
    elif plural and len(candidates) > 1:
        # Several asked for: the others that are nearly as confident join the lead.
        more = [c for c in candidates[1:MAX_NAMES] if c[1] >= PLURAL_FLOOR * choice.confidence
                and c[1] >= LEAD_THRESHOLD]
        value = " and ".join([value, *(c[0] for c in more)])
        support = list(dict.fromkeys([*choice.support[:2], *(c[2][0] for c in more)]))
    else:
        support = list(dict.fromkeys(choice.support[:2]))
    sentences = [short_answer(value, support)] + [attributed(c) for c in support[:3]]
    return finish(sentences, value, choice.note)


# "Who is the new X", "Who is Australia's new X": X is what is asked.
_WHO_IS = re.compile(r"^\s*(?:who|what)\s+(?:is|was|are|were)\s+"
                     r"(?:(?:the\s+)?[\w.-]+['’]s|the|a|an)\s+"
                     r"((?:[\w'’-]+\s+){0,3}?[\w'’-]+?)(?:\s+(?:who|that|of|at|for|in|quoted|"
                     r"named|mentioned)\b|\s*[,?]|$)", re.I)


_COUNTED = re.compile(r"^\s*how\s+(?:many|much)\s+((?:[\w'’-]+\s+){0,3}?[\w'’-]+?)\s+"
                      r"(?:were|was|are|is|did|does|do|had|have|has|will|would|could|can|"
                      r"should|might|on|in|of|at|for|from|with)\b", re.I)


def head_terms(question: str) -> set[str]:
    """The words of what a "which / what X", "who is the X" or "how many X" question asks
    for ("Iraqi prime ministers", "State Department spokesperson", "service members")."""
    phrase = asked_phrase(question)
    if phrase is not None:  # ("U.S." is no word to look for)
        return {t for t in content_terms(phrase) if len(t) > 1} - _GENERIC_HEADS
    m = _HEAD.match(question) or _WHO_IS.match(question) or _COUNTED.match(question)
    return set(content_terms(m.group(1))) - _GENERIC_HEADS if m else set()


def head_noun(question: str) -> str | None:
    """The noun a "which / what X" question asks for: the last word of X ("agency" in
    "Which news agency"); None for any other question."""
    m = _HEAD.match(question)
    words = (asked_phrase(question) or (m.group(1) if m else "")).split()
    return words[-1] if words else None


def asks_person(question: str) -> bool:
    """Whether the question asks for a person: by the noun it asks for when it names one
    ("Which Browns player", but not "What team, which would be under its ninth manager"),
    else by any word for a person in it ("Who ...", "the CEO of ...")."""
    phrase = asked_phrase(question)
    text = f"{phrase} " if phrase is not None else question
    return any(w in text.lower() for w in _PERSON_WORDS) or bool(_POSITIONS.search(text))


def plural_head(question: str) -> bool:
    """Whether the question asks for several ("Which prime ministers ...")."""
    last = (head_noun(question) or "").lower()
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def compare_reports(parts: Sequence[PartEvidence], similarity: Similarity) -> tuple[bool, bool]:
    """(on the same point, disagreeing) for the parts' evidence: two parts are on the same
    point when one of their best sentences is close in meaning to one of the other's; they
    disagree when such a pair differs in a figure or one denies the other."""
    same = False
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            xs = [c.own_text for c in a.ranked[:COMPARE_DEPTH]]
            ys = [c.own_text for c in b.ranked[:COMPARE_DEPTH]]
            if not xs or not ys:
                continue
            sims = similarity(xs, ys)
            for x, row in zip(xs, sims, strict=True):
                for y, sim in zip(ys, row, strict=True):
                    if float(sim) >= SAME_POINT_SIMILARITY:
                        same = True
                        if disagreement_kind(x, y, float(sim)) is not None:
                            return True, True
    return same, False


def compose_verdict(plan: QuestionPlan, gathered: Gathered, similarity: Similarity) -> Composition:
    """Yes or no only when each part's evidence sentence bears its claim (and, for
    "before", "consistent" and "changed", the comparison can be made); otherwise what
    each side reports, and that the articles do not settle it."""
    parts = gathered.parts
    supported = [pe for pe in parts if pe.supported and pe.best is not None]
    missing = [pe for pe in parts if pe not in supported]
    evidence = [attributed(pe.best) for pe in supported if pe.best is not None]
    evidence = list({s.text: s for s in evidence}.values())
    notes = [not_borne_out(pe, gathered, plan.question) for pe in missing]
    readings = [bearing(pe) for pe in supported]
    bar = AGREE_COVERAGE if plan.relation is Relation.CONSISTENT else BEAR_COVERAGE
    borne = not missing and all(r.coverage >= bar and r.whole and not r.absence
                                for r in readings)
    detail = "; ".join(f"part {i + 1}: {r.describe()}" for i, r in enumerate(readings))
    verdict, explain = None, ""
    if borne and plan.relation is Relation.BEFORE and len(supported) >= 2:
        first, second = order_of(plan.question, [pe.part for pe in supported])
        a, b = supported[first].best, supported[second].best
        assert a is not None and b is not None
        da, db = a.passage.published_at, b.passage.published_at
        if da and db and da != db:
            verdict = "Yes" if da < db else "No"
            explain = (f"The first report is dated {human_date(da)}, the second "
                       f"{human_date(db)}.")
    elif borne and plan.relation in (Relation.CONSISTENT, Relation.CHANGED) \
            and len(supported) >= 2:
        same, differ = compare_reports(supported, similarity)
        if same:  # only reports on one point can agree or differ
            holds = not differ if plan.relation is Relation.CONSISTENT else differ
            verdict = "Yes" if holds else "No"
            explain = ("The reports contradict each other." if differ
                       else "The reports agree.")
    elif borne and plan.relation is Relation.ALL:
        flipped = [r for r in readings if r.flipped]
        verdict = "No" if flipped else "Yes"
        if flipped:
            explain = "The article says otherwise."
    if verdict is None:
        unsettled = _verdict("The articles do not settle this question; here is what "
                             "they report.")
        return Composition([unsettled] + evidence + notes,
                           lead_note=f"no verdict: {detail or 'no part is borne out'}",
                           missing=[pe.part.text for pe in missing])
    head = [_verdict(f"{verdict}.")] + ([_verdict(explain)] if explain else [])
    return Composition(head + evidence + notes, verdict=verdict, lead=verdict,
                       lead_note=f"verdict {verdict}: {detail}",
                       missing=[pe.part.text for pe in missing])


def compose_description(plan: QuestionPlan, gathered: Gathered) -> Composition:
    """The sentences that best answer the question, quoted: each part's best, or the two
    best of a single part."""
    if len(gathered.parts) > 1:
        bests = [pe.best for pe in gathered.parts if pe.supported and pe.best is not None]
        sentences = [attributed(c) for c in dict.fromkeys(bests)]
        missing = [pe for pe in gathered.parts if not pe.supported]
        sentences += [not_borne_out(pe, gathered, plan.question) for pe in missing]
        return Composition(sentences, missing=[pe.part.text for pe in missing])
    ranked = merged_ranking(gathered)
    clause = clause_lead(plan.question, ranked)
    if clause is None:
        quotes, why = answering_quotes(plan, ranked, 2)
        quoted = {(n, span) for q in quotes for n, span in q.evidence.items()}
        reason = reason_sentence(plan.question, ranked, quoted)
        return Composition(quotes + ([attributed(reason)] if reason else []), lead_note=why)
    lead = short_answer(clause.text, [clause.support])
    return Composition([lead, attributed(clause.support)], lead=clause.text,
                       lead_note=clause.note)


def answering_quotes(plan: QuestionPlan, ranked: Sequence[Candidate], n: int,
                     valued: Candidate | None = None) -> tuple[list[CheckedSentence], str]:
    """The ``n`` sentences likeliest to hold the answer (:func:`by_answering`), quoted,
    each saying something the ones before it do not; and a note for ``--explain`` when
    the first is not the rank score's first. Headings are not quoted while there are
    sentences: a title that repeats the question says nothing an answer can rest on.
    ``valued``, the sentence of the likeliest value withheld as a lead, takes the last
    place when those sentences do not hold it."""
    chosen: list[str] = []
    out: list[CheckedSentence] = []
    likeliest = by_answering(plan.answer_type, plan.question, plan.names,
                             head_terms(plan.question), ranked)
    order = [c for c in likeliest if SENTENCE_END.search(c.own_text)] or likeliest

    def unquoted(c: Candidate) -> str | None:
        """The sentence's words when no quote taken holds them or is held by them
        (overlapping passages of one article hold the same sentence: quoted once)."""
        text = " ".join(c.text.split())
        return text if all(text not in t and t not in text for t in chosen) else None

    for c in order:
        if len(out) >= n:
            break
        if (text := unquoted(c)) is not None:
            chosen.append(text)
            out.append(attributed(c))
    if valued is not None and out and unquoted(valued) is not None:
        out[min(len(out), n - 1):] = [attributed(valued)]
    note = ""
    if order and ranked and order[0].where != ranked[0].where:
        was = next((c.score for c in likeliest if c.where == ranked[0].where), 0.0)
        note = (f"quoted first: a sentence of [{order[0].passage.n}], likelier to hold the "
                f"answer ({order[0].score:.2f}) than the best-ranked one, of "
                f"[{ranked[0].passage.n}] ({was:.2f})")
    return out, note


def without_overlaps(sentences: Sequence[CheckedSentence]) -> list[CheckedSentence]:
    """The sentences with each passage text quoted once: a quote that holds an earlier
    one (a sentence read with the one before it) takes its place; a quote inside an
    earlier one is dropped, and so is a quote of the same words from another passage
    (overlapping passages of one article hold the same sentence)."""
    out: list[CheckedSentence] = []
    for s in sentences:
        if s.origin == "quoted" and any(k.origin == "quoted" and k.text == s.text for k in out):
            continue
        span = _quoted_span(s)
        clash = next((i for i, kept in enumerate(out) if span and (k := _quoted_span(kept))
                      and k[0] == span[0] and k[1] < span[2] and span[1] < k[2]), None)
        if clash is None:
            out.append(s)
            continue
        k = _quoted_span(out[clash])
        assert k is not None and span is not None
        if span[1] <= k[1] and k[2] <= span[2]:
            out[clash] = s
    return out


def _quoted_span(s: CheckedSentence) -> tuple[int, int, int] | None:
    """(passage number, start, end) of a quote of one passage; None for anything else."""
    if s.origin != "quoted" or len(s.evidence) != 1:
        return None
    [(n, (a, b))] = s.evidence.items()
    return n, a, b


def _abstention(gathered: Gathered) -> Composition:
    """No part of the question is borne out: the first part's reason."""
    reasons = [pe.verdict.reason for pe in gathered.parts if pe.verdict and pe.verdict.reason]
    return Composition(abstained=True, reason=reasons[0] if reasons else "no evidence",
                       missing=[pe.part.text for pe in gathered.parts])


def compose(plan: QuestionPlan, gathered: Gathered, similarity: Similarity,
            reader: SentenceReader | None = None) -> Composition:
    """The answer for the plan's answer type from the judged evidence; an abstention when
    no part of the question is borne out, unless the passages of every part of a "who /
    which" question name one subject (:func:`compose_typed`). A short answer is read
    again by ``reader`` before it is stated (:func:`rag.answer.reader.read_again`)."""
    composition = _compose(plan, gathered, similarity, reader)
    composition.sentences = without_overlaps(composition.sentences)
    return composition


def _compose(plan: QuestionPlan, gathered: Gathered, similarity: Similarity,
             reader: SentenceReader | None) -> Composition:
    shape = spec_of(plan.answer_type).shape
    if plan.answer_type is AnswerType.ENTITY and len(gathered.parts) > 1:
        # A name that the passages of every part name may be the answer though no part's
        # sentence is close to its words ("Who is the individual ..., and ...?").
        return compose_typed(plan, gathered, reader)
    if not any(pe.supported for pe in gathered.parts):
        return _abstention(gathered)
    if shape == "overview":
        told = overview(plan.question, merged_ranking(gathered), similarity)
        return Composition(told.sentences, lead_note=told.note)
    if shape == "verdict":
        return compose_verdict(plan, gathered, similarity)
    if shape == "value":
        return compose_typed(plan, gathered, reader)
    return compose_description(plan, gathered)
