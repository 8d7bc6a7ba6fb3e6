"""Whether a part's best sentence bears its claim, and with which polarity: what a
verdict rests on (:func:`bearing`). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.evidence import PartEvidence
from rag.answer.placement import word_spans
from rag.answer.question import FRAME_TERMS, attribution_terms, claim_terms
from rag.grounding.quotes import SENTENCE_END
from rag.grounding.text import IRREGULAR_FORMS, content_terms, lemma_terms

BEAR_COVERAGE = 0.6  # share of a claim's words its evidence sentence must state
# "Consistent" rests also on the two reports being on one point without contradiction
# (compare_reports), so each side may state less of its claim. Both chosen on one half of
# the MultiHop-RAG dev questions (hash of the id), checked on the other.
AGREE_COVERAGE = 0.4
_NEGATION = re.compile(r"\b(?:not|no|never|n[o']t|none|neither|nor|without|denied|denies|deny|"
                       r"declined|refused|rejected|failed|dismissed|ruled out|cannot|"
                       r"\w+n[’']t)\b", re.I)


# A claim that an article leaves something out ("does not discuss any new model"): a
# passage sentence can say what an article says, never what it does not.
_ABSENCE = re.compile(r"\b(?:does|do|did|has|have)\s*(?:not|n[’']t)\s+(?:\w+ly\s+)?(?:mention|"
                      r"discuss|report|say|cover|include|address|reference|note|describe|"
                      r"suggest|indicate|state)\w*\b|\bmakes? no mention\b|"
                      r"\bwithout (?:mentioning|discussing)\b", re.I)


@dataclass(frozen=True)
class Bearing:
    """Whether a part's best sentence bears its claim, and with which polarity."""

    coverage: float
    bears: bool
    flipped: bool  # the sentence negates what the part asserts, or asserts what it negates
    whole: bool = True  # a sentence (not a heading) stating what the claim says of its subject
    absence: bool = False  # the claim is that an article does not say something

    def describe(self) -> str:
        """For --explain: how much of the claim its sentence states."""
        if self.absence:
            return "a claim that an article leaves something out, which no sentence bears"
        state = "bears it" if self.bears else "does not bear it"
        flip = ", says the opposite" if self.flipped else ""
        lacks = "" if self.whole else ", a heading or without the claim's predicate"
        return f"{self.coverage:.0%} of the claim's words{lacks}, {state}{flip}"


# "Neither A nor B have any plans to ...": the negation holds for what follows "nor",
# however far from "neither" it stands.
_NEITHER_NOR = re.compile(r"\bneither\b[^.;]*?\bnor\b", re.I)


def _negated(text: str, terms: set[str]) -> bool:
    """A negation within three words before a word of ``terms`` ("did not win", "no
    group has claimed", "refused to sign"), or a word of them after "neither ... nor"."""
    words = word_spans(text)
    nor = _NEITHER_NOR.search(text)
    for i, (start, _, lemmas) in enumerate(words):
        if lemmas & terms:
            if nor and start >= nor.end():
                return True
            window = text[words[max(0, i - 4)][0] : words[i][0]]
            if _NEGATION.search(window):
                return True
    return False


# The auxiliary that opens a yes/no claim, after a phrase that sets its scene if any ("In
# his 2016 answer, did Kelce say ...").
_AUXILIARY = re.compile(r"^(?:.{0,120}?,\s+)?\W*(?:did|does|do|has|have|had|is|was|are|were|"
                        r"will|would|can|could)\s+", re.I)

_BE_OR_HAVE = re.compile(r"\W*(?:is|was|are|were|has|have|had)$", re.I)
_SUBJECT_WORDS = 5  # words after the auxiliary a participle is looked for in
# Words of -ing or -ed, and past forms, that are seldom a participle ("the left back").
_NOT_PARTICIPLES = frozenset(
    "during morning evening thing something nothing anything everything king spring "
    "meeting building wedding ceiling sibling hundred red bed need speed seed feed shed "
    "sacred naked wicked left shot".split())


# A subject no one is named by: "Did *anyone* claim responsibility ...".
_ANYONE = frozenset("anyone anybody someone somebody everyone everybody nobody anything "
                    "something everything".split())


def _participle(token: str) -> bool:
    """A lower-case word that reads as a verb's participle ("leaving", "fired",
    "spoken")."""
    low = token.lower()
    return token[0].islower() and low not in _NOT_PARTICIPLES and (
        low in IRREGULAR_FORMS or len(low) > 4 and low.endswith(("ing", "ed")))


def predicate_word(claim: str) -> str | None:
    """The first word a yes/no claim says of its subject ("Did Harry Kane *score* ...",
    "Is Coinbase the *world's* biggest ...", "Did anyone *claim* ..."); after "be" or
    "have", a participle among its first words ("Are US troops *leaving* ..."). None when
    the claim is framed as a report or has no such word."""
    m = _AUXILIARY.match(claim)
    if not m:
        return None
    tokens = re.findall(r"[\w'’-]+", claim[m.end():])
    # "Are US troops *leaving* Iraq?": after "be" or "have", a participle in the first
    # words says what is claimed; the words before it are the subject's.
    be_or_have = _BE_OR_HAVE.match(claim[m.start():m.end()].split()[-1])
    participles = [t for t in tokens[:_SUBJECT_WORDS] if _participle(t)] if be_or_have else []
    for token in participles[:1] + tokens:
        if token[0].isupper() or token[0].isdigit() or token.lower() in _ANYONE:
            continue  # the subject's name, or "anyone"
        terms = lemma_terms(token)
        if terms:
            return None if terms[0] in FRAME_TERMS else terms[0]  # "the article suggests"
    return None


def _verbs(text: str) -> set[str]:
    """The lemmas of the words a sentence can state a predicate with: not the words it
    capitalises after its first, which name something ("the game 'Kiss, Marry, Kill'")."""
    words = re.findall(r"[\w'’-]+", text)
    said = (w for i, w in enumerate(words) if i == 0 or not w[0].isupper())
    return set(lemma_terms(" ".join(said)))


def bearing(part_evidence: PartEvidence) -> Bearing:
    """How a part's best sentence bears the part's claim: the share of the claim's words
    it states (irregular verbs read as their base), and whether its polarity is the
    claim's. A sentence that leaves out what the claim says of its subject ("Did Kane
    *score*": a caption of the win), or a heading, does not bear it; nor does any
    sentence bear a claim that an article leaves something out."""
    best = part_evidence.best
    if best is None:
        return Bearing(0.0, False, False)
    # "According to Polygon's gift guide, do Vudu gift cards expire?": the sentence that
    # says they don't need not name the guide.
    wanted = claim_terms(part_evidence.part) - attribution_terms(part_evidence.part.text)
    claim = {t for t in lemma_terms(part_evidence.part.text) if t in wanted} or wanted
    said_text = best.own_text  # what the sentence itself says, not the one before it
    have = set(lemma_terms(said_text)) | set(content_terms(said_text))
    coverage = len(claim & have) / len(claim) if claim else 0.0
    stated = claim & have
    flipped = bool(stated) and (_negated(said_text, stated)
                                != _negated(part_evidence.part.text, claim))
    said = predicate_word(part_evidence.part.text)
    whole = bool(SENTENCE_END.search(said_text)) and (said is None or said in _verbs(said_text))
    if _ABSENCE.search(part_evidence.part.text):
        return Bearing(coverage, False, False, whole, absence=True)
    return Bearing(coverage, coverage >= BEAR_COVERAGE and whole, flipped, whole)
