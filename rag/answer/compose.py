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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.keyword import normalize_source
from rag.answer.evidence import Gathered, PartEvidence
from rag.answer.question import AnswerType, QuestionPlan, Relation, order_of
from rag.answer.values import CLOSE, value_candidates, values_of
from rag.citations import CheckedSentence, Similarity
from rag.disagreement import SAME_POINT_SIMILARITY, disagreement_kind
from rag.extractive import Candidate, coverage, question_terms
from rag.extractive import quote as attributed
from rag.passages import human_date
from rag.text import content_terms

LEAD_FLOOR = 0.85  # sentences within this share of the best may give the short answer
FAR_FLOOR = 0.5  # ... and when none of those holds a value, within this share
ENTITY_FLOOR = 0.6  # sentences within this share of a part's best may name the entity
ENTITY_DEPTH = 8  # sentences per part read for names
CLOSE_BONUS = 0.1  # a value next to the question's own words is likelier its answer
HEAD_BONUS = 1.3  # a name next to the word for what is asked ("Prime Minister Mahdi")
HEAD_WINDOW = 2  # words before a name read for that word
MAX_NAMES = 3
COMPARE_DEPTH = 3  # best sentences of each part compared for agreement
PLURAL_FLOOR = 0.6
COVERED_ENOUGH = 2 / 3  # quoted sentences covering this share of the question answer it
_HEAD = re.compile(r"^\s*(?:which|what)\s+((?:[\w'’-]+\s+){0,2}?[\w'’-]+?)(?:\s+"
                   r"(?:is|was|are|were|has|have|had|did|does|do|will|would|can|could|that|"
                   r"who|which|in|of|from|to|recently|mentioned|featured|discussed)\b|\s*,)",
                   re.I)
_GENERIC_HEADS = frozenset(content_terms("type kind name one entity individual person"))
_PERSON_WORDS = ("who ", "whom ", "whose ", "individual", "person", "player", "ceo",
                 "founder", "executive", "author", "actor", "singer", "artist", "coach")


@dataclass
class Composition:
    """The composed answer sentences, and the verdict or abstention behind them."""

    sentences: list[CheckedSentence] = field(default_factory=list)
    abstained: bool = False
    reason: str = ""
    verdict: str | None = None
    missing: list[str] = field(default_factory=list)  # parts no passage bears out


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


def _not_borne_out(pe: PartEvidence) -> str:
    outlets = " or ".join(pe.part.sources)
    where = f"No indexed article from {outlets}" if outlets else "No indexed article"
    return f"{where} bears out “{pe.part.text}”."


def _merged_ranking(gathered: Gathered) -> list[Candidate]:
    seen: dict[tuple[str, tuple[int, int]], Candidate] = {}
    for pe in gathered.parts:
        for c in pe.ranked:
            key = (c.passage.chunk_id, c.span)
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


def compose_factual(plan: QuestionPlan, gathered: Gathered) -> Composition:
    """Number, date or place: the value first, then the sentence it comes from."""
    ranked = _merged_ranking(gathered)
    if not ranked:
        return Composition(abstained=True, reason="no passage sentence to answer from")
    options: list[tuple[float, str, Candidate]] = []
    # The closest sentences first; only when none holds a value, somewhat farther ones.
    for floor, depth in ((LEAD_FLOOR, 5), (FAR_FLOOR, 10)):
        for c in ranked[:depth]:
            if c.score < floor * ranked[0].score:
                break
            for value, distance in value_candidates(plan.answer_type, c.text, plan.question)[:1]:
                options.append((c.score + (CLOSE_BONUS if distance <= CLOSE else 0.0), value, c))
        if options:
            break
    if options:
        _, value, c = max(options, key=lambda o: o[0])
        return Composition([short_answer(value, [c]), attributed(c)])
    return Composition(best_quotes(ranked, 2, plan.question))


def _entity_key(name: str) -> str:
    return name.split()[-1].lower().strip(".,'’")


def rank_entities(
    plan: QuestionPlan, gathered: Gathered
) -> list[tuple[str, float, list[Candidate], bool]]:
    """Names in the parts' best sentences, scored by the best sentence naming them in each
    part, summed over parts: the name every part's evidence shares comes first. Outlets
    and what the question already names do not count. Each comes with its supporting
    sentences and whether it stood next to the word for what is asked."""
    outlets = {normalize_source(p.source) for p in gathered.passages if p.source}
    person = any(w in plan.question.lower() for w in _PERSON_WORDS)
    head = head_terms(plan.question)
    score: dict[str, float] = defaultdict(float)
    headed: set[str] = set()
    forms: dict[str, list[str]] = defaultdict(list)
    support: dict[str, dict[int, Candidate]] = defaultdict(dict)
    for i, pe in enumerate(gathered.parts):
        best_here: dict[str, tuple[float, Candidate]] = {}
        top = pe.ranked[0].score if pe.ranked else 0.0
        for c in pe.ranked[:ENTITY_DEPTH]:
            if c.score < ENTITY_FLOOR * top:
                break
            for name in values_of(AnswerType.ENTITY, c.text, plan.question):
                if normalize_source(name) in outlets or not set(content_terms(name)) - head:
                    continue
                key = _entity_key(name)
                forms[key].append(name)
                at = c.text.find(name)
                # The words that modify the name, not those of a list before it
                # ("sites that host Iraqi, American ... forces").
                lead = re.split(r"[,;:()“”\"]", c.text[: max(at, 0)])[-1]
                before = " ".join(lead.split()[-HEAD_WINDOW:])
                near = set(content_terms(f"{before} {name}"))
                weight = c.score * (HEAD_BONUS if head & near else 1.0)
                if head & near:
                    headed.add(key)
                if key not in best_here or best_here[key][0] < weight:
                    best_here[key] = (weight, c)
        for key, (weight, c) in best_here.items():
            score[key] += weight
            support[key][i] = c
    out = []
    for key, total in score.items():
        names = forms[key]
        # The fullest short form: "Sam Bankman-Fried" over "Bankman-Fried".
        full = [n for n in names if 1 < len(n.split()) <= 3] or names
        display = max(set(full), key=lambda n: (full.count(n), len(n)))
        if person and len(display.split()) > 1:
            total *= 1.1
        out.append((display, total, list(support[key].values()), key in headed))
    out.sort(key=lambda item: -item[1])
    return out


def head_terms(question: str) -> set[str]:
    """The words of what a "which / what X" question asks for ("Iraqi prime ministers")."""
    m = _HEAD.match(question)
    return set(content_terms(m.group(1))) - _GENERIC_HEADS if m else set()


def plural_head(question: str) -> bool:
    """Whether the question asks for several ("Which prime ministers ...")."""
    m = _HEAD.match(question)
    last = m.group(1).split()[-1].lower() if m else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def compose_entity(plan: QuestionPlan, gathered: Gathered) -> Composition:
    """The name the parts' evidence has in common, then each part's sentence naming it
    (the names, when the question asks for several)."""
    ranked = rank_entities(plan, gathered)
    if not ranked:
        return Composition(best_quotes(_merged_ranking(gathered), 2, plan.question))
    chosen = [ranked[0]]
    headed = [r for r in ranked if r[3]]
    if plural_head(plan.question) and headed:
        # Several names asked for: those that stand next to the word for what is asked.
        chosen = [r for r in headed[:MAX_NAMES] if r[1] >= PLURAL_FLOOR * headed[0][1]]
    name = " and ".join(c[0] for c in chosen)
    support = list(dict.fromkeys(s for c in chosen for s in c[2]))
    missing = [pe for pe in gathered.parts if not pe.supported]
    sentences = [short_answer(name, support)] + [attributed(c) for c in support[:3]]
    sentences += [_verdict(_not_borne_out(pe)) for pe in missing if len(gathered.parts) > 1]
    return Composition(sentences, missing=[pe.part.text for pe in missing])


def compare_reports(parts: Sequence[PartEvidence], similarity: Similarity) -> tuple[bool, bool]:
    """(on the same point, disagreeing) for the parts' evidence: two parts are on the same
    point when one of their best sentences is close in meaning to one of the other's; they
    disagree when such a pair differs in a figure or one denies the other."""
    same = False
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            xs = [c.text for c in a.ranked[:COMPARE_DEPTH]]
            ys = [c.text for c in b.ranked[:COMPARE_DEPTH]]
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
    """Yes or no from the parts, then each part's evidence (or what is missing)."""
    parts = gathered.parts
    supported = [pe for pe in parts if pe.supported and pe.best is not None]
    missing = [pe for pe in parts if pe not in supported]
    evidence = [attributed(pe.best) for pe in supported if pe.best is not None]
    evidence = list({s.text: s for s in evidence}.values())
    notes = [_verdict(_not_borne_out(pe)) for pe in missing]
    explain = ""
    if missing:
        verdict = "No"
    elif plan.relation is Relation.BEFORE and len(supported) >= 2:
        first, second = order_of(plan.question, [pe.part for pe in supported])
        a, b = supported[first].best, supported[second].best
        assert a is not None and b is not None
        da, db = a.passage.published_at, b.passage.published_at
        if da and db:
            verdict = "Yes" if da < db else "No"
            explain = (f"The first report is dated {human_date(da)}, the second "
                       f"{human_date(db)}.")
        else:
            verdict, explain = "No", "The articles' dates cannot be compared."
    elif plan.relation in (Relation.CONSISTENT, Relation.CHANGED) and len(supported) >= 2:
        same, differ = compare_reports(supported, similarity)
        # "Was the portrayal of X consistent": the question names one subject for both
        # reports, so borne-out parts are consistent unless they contradict each other.
        # "Does A take a different approach than B": yes unless they agree on one point.
        holds = not differ if plan.relation is Relation.CONSISTENT else differ or not same
        verdict = "Yes" if holds else "No"
        explain = ("The reports contradict each other." if differ
                   else "The reports agree." if same else "The reports speak to different points.")
    else:
        verdict = "Yes"
    head = [_verdict(f"{verdict}.")] + ([_verdict(explain)] if explain else [])
    return Composition(head + evidence + notes, verdict=verdict,
                       missing=[pe.part.text for pe in missing])


def compose_description(plan: QuestionPlan, gathered: Gathered) -> Composition:
    """The sentences that best answer the question, quoted: each part's best, or the two
    best of a single part."""
    if len(gathered.parts) > 1:
        bests = [pe.best for pe in gathered.parts if pe.supported and pe.best is not None]
        sentences = [attributed(c) for c in dict.fromkeys(bests)]
        missing = [pe for pe in gathered.parts if not pe.supported]
        sentences += [_verdict(_not_borne_out(pe)) for pe in missing]
        return Composition(sentences, missing=[pe.part.text for pe in missing])
    return Composition(best_quotes(_merged_ranking(gathered), 2, plan.question))


def compose(plan: QuestionPlan, gathered: Gathered, similarity: Similarity) -> Composition:
    """The answer for the plan's answer type from the judged evidence; an abstention when
    no part of the question is borne out."""
    if not any(pe.supported for pe in gathered.parts):
        reasons = [pe.verdict.reason for pe in gathered.parts if pe.verdict and pe.verdict.reason]
        return Composition(abstained=True, reason=reasons[0] if reasons else "no evidence",
                           missing=[pe.part.text for pe in gathered.parts])
    kind = plan.answer_type
    if kind in (AnswerType.YES_NO, AnswerType.ORDER):
        return compose_verdict(plan, gathered, similarity)
    if kind is AnswerType.ENTITY:
        return compose_entity(plan, gathered)
    if kind in (AnswerType.NUMBER, AnswerType.DATE, AnswerType.PLACE):
        return compose_factual(plan, gathered)
    return compose_description(plan, gathered)
