"""Passage sentences ranked as answers to a question, and quoted with their outlet and
date. Pure (given a similarity function)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.chunking import split_sentences
from rag.grounding.citations import CheckedSentence, Similarity
from rag.grounding.passages import Passage, human_date
from rag.grounding.text import QUESTION_WORDS, content_terms, numbers

_DATE_WORDS = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4})\b",
    re.I,
)


@dataclass(frozen=True)
class Candidate:
    """A passage sentence scored as an answer to the question."""

    passage: Passage
    span: tuple[int, int]
    score: float
    context: int = 0  # leading characters that are the sentence before, read for "it"

    @property
    def text(self) -> str:
        return self.passage.text[self.span[0] : self.span[1]]

    @property
    def where(self) -> tuple[str, tuple[int, int]]:
        """Which sentence of which passage this is (one key however it is scored)."""
        return self.passage.chunk_id, self.span

    @property
    def own_text(self) -> str:
        """The sentence itself, without the sentence before it that it was read with."""
        return self.text[self.context :]


# A sentence holds only so much of a long question: coverage counts against at most
# this many of the question's terms (a passage: twice that). Questions with fewer
# terms are scored as before.
SENTENCE_TERMS = 8
PASSAGE_TERMS = 2 * SENTENCE_TERMS


def coverage(wanted: set[str], terms: set[str], most: int = SENTENCE_TERMS) -> float:
    """Share of the question's terms that ``terms`` covers, out of at most ``most``."""
    if not wanted:
        return 0.0
    return min(1.0, len(wanted & terms) / min(len(wanted), most))


def question_terms(question: str) -> set[str]:
    """The question's content terms, question words left out."""
    return {t for t in content_terms(question) if t not in QUESTION_WORDS}


def answer_type_bonus(question: str, sentence: str) -> float:
    """A small bonus when a sentence holds the kind of thing the question asks for."""
    q = question.lower()
    if re.match(r"\s*how (many|much)\b", q) or "number of" in q:
        return 0.1 if numbers(sentence) else -0.1
    if re.match(r"\s*when\b", q) or "what date" in q or "what year" in q:
        return 0.1 if _DATE_WORDS.search(sentence) else 0.0
    return 0.0


# A sentence that opens by pointing back ("It was set by ...", "The change was
# attributed to ...", "He said ...") is about what the sentence before it names: it is
# read with that sentence's words, at this share of their weight.
POINTS_BACK = re.compile(
    r"^\W*(?:it|its|he|she|they|his|her|their|this|that|these|those|there|"
    r"the (?:change|move|decision|deal|record|company|team|club|firm|group|agency|"
    r"plan|bill|law|study|report|case|trial|attack|vote|rule|idea))\b", re.I)
CONTEXT_WEIGHT = 0.8
FOLLOW_WEIGHT = 0.6  # any other sentence, read on from the one before it
QUESTION_PENALTY = 0.15  # a sentence that asks ("But why is he known as ...?") answers nothing
HEADING_PENALTY = 0.1  # a line that does not end as a sentence: a heading or a caption
# A line that ends as a sentence (possibly inside closing quotes); headings, captions,
# bylines, prices and menu items do not.
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
FIRST_PASSAGES = (0.03, 0.015)  # the retriever's first passages, as a tie-breaker


def sentence_coverage(wanted: set[str], terms: set[str], before: set[str] | None,
                      sentence: str) -> tuple[float, bool]:
    """The share of the question a sentence covers, read on from the sentence before it
    (fully when it opens by pointing back to it), and whether it is the reading with the
    sentence before that covers more."""
    own = coverage(wanted, terms)
    if before is None:
        return own, False
    weight = CONTEXT_WEIGHT if POINTS_BACK.match(sentence) else FOLLOW_WEIGHT
    read_on = weight * coverage(wanted, terms | before)
    return (read_on, True) if read_on > own else (own, False)


def rank_sentences(
    question: str,
    passages: Sequence[Passage],
    similarity: Similarity,
    wanted: set[str] | None = None,
    read_on: bool = True,
) -> list[Candidate]:
    """Every passage sentence scored against the question, best first.

    Score: half embedding similarity, half the share of the question's content
    terms (or of ``wanted``) the sentence covers, plus the answer-type bonus; less for a
    sentence that is itself a question or a heading, a little more in the retriever's
    first passages. With ``read_on`` a sentence is also read with the one before it
    (:func:`sentence_coverage`: "… Norway's goalscoring record. It was set by Jorgen
    Juve"), and when that reading is the better one the candidate is the two sentences,
    so that a quote of it says what "it" is.
    """
    wanted = question_terms(question) if wanted is None else wanted
    items: list[tuple[Passage, tuple[int, int], int]] = [
        (p, span, i) for p in passages for i, span in enumerate(split_sentences(p.text))
    ]
    if not items:
        return []
    first = {p.chunk_id: FIRST_PASSAGES[r] for r, p in enumerate(passages[:len(FIRST_PASSAGES)])}
    texts = [p.text[a:b] for p, (a, b), _ in items]
    sims = similarity([question], texts)[0]
    all_terms = [set(content_terms(t)) for t in texts]
    out = []
    for j, ((p, (a, b), i), sim) in enumerate(zip(items, sims, strict=True)):
        sentence = texts[j]
        if len(sentence.split()) < 4:
            continue
        # Read on only from a sentence, not from a heading or a caption above it.
        before = all_terms[j - 1] if i and read_on and SENTENCE_END.search(texts[j - 1]) else None
        covered, paired = sentence_coverage(wanted, all_terms[j], before, sentence)
        context = a - items[j - 1][1][0] if paired else 0
        score = 0.5 * float(sim) + 0.5 * covered + answer_type_bonus(question, sentence)
        if sentence.rstrip(" \"'”’)").endswith("?"):
            score -= QUESTION_PENALTY
        elif not SENTENCE_END.search(sentence):
            score -= HEADING_PENALTY
        out.append(Candidate(p, (a - context, b), score + first.get(p.chunk_id, 0.0), context))
    out.sort(key=lambda c: -c.score)
    return out


MIN_WORDS = 6
# Page furniture that reads like a sentence: photo captions and credits, live-blog
# invitations, promos, requests for comment, social posts, lines that address the reader,
# cheers. They stay searchable; they are no event of the story.
_FURNITURE = re.compile(
    r"\bin this (?:undated |file |handout )?(?:courtroom )?(?:sketch|photo(?:graph)?|picture"
    r"|image|illustration|screen ?grab|video grab)\b"
    r"|\b(?:photo|image|picture|illustration)(?: credit)?\s*:"
    r"|\b(?:Getty Images|AP Photo|AFP via Getty|REUTERS/|Photo by)\b|/Reuters\b"
    r"|\((?:L|R|C|left|right|center|centre|top|bottom)\)|\bpictured\b"
    # a photo's subject in the present, a name then the pose ("Bellingham celebrates
    # scoring ...", "Biden shakes hands with Xi ..."); a report tells it in the past
    r"|^(?-i:(?:[A-Z][\w'’.-]*\s+){1,4})(?:celebrates|reacts|looks on|gestures|poses|applauds|"
    r"is congratulated|shakes hands|walks off|warms up)\b"
    r"|^(?:Combination|File|Composite)(?: photo| picture| image)?\s+(?:shows|showing)\b"
    r"|^(?:Follow along|Follow our live|Sign up|Subscribe)\b"
    r"|\b(?:is|are) tracking the latest\b|\blatest updates (?:from|on)\b"
    r"|^\W*(?:Watch|Listen to)(?: this| the)? (?:story|video|podcast|episode)\s*:"
    r"|\b(?:contacted|reached out to|approached)\b.{0,80}\bfor (?:comment|contact)\b"
    r"|\brequests? for comment\b"
    r"|(?:^|\s)#[A-Za-z]\w*"  # a social post's hashtags
    r"|^\W*(?:[\w ]{1,30}:\s*)?You(?:['’]ll|['’]re"  # the reader addressed: a guide's line
    r"|\s+(?:can|will|may|might|should|need|have|must)\b)"
    r"|!\W*$",  # an exclamation: a cheer or a comment, not a report
    re.I,
)
# A live blog's time stamp before its entry ("6:07 p.m.:", "2 hours to kickoff:",
# "29 Oct 2023 02.25 GMT"): the entry after it may be content, the stamp is not.
STAMP = re.compile(
    r"^\W*(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}\s*)?[—–:-]"
    r"|\d+\s+(?:hours?|hrs?|mins?|minutes?)(?:\s+\d+\s+(?:mins?|minutes?))?\s+"
    r"(?:to|until|before)\s+(?:kick-?off|tip-?off|first pitch|puck drop|the start)\s*[:—–-]"
    r"|\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{1,2}[.:]\d{2}\s*(?:GMT|BST|ET|EST|EDT|UTC)\b)\s*",
    re.I,
)
# A line that opens with words in capitals is a link or a label ("GO DEEPER …", "READ MORE").
_LABEL = re.compile(r"^\W*[A-Z]{2,}(?:\s+[A-Z]{2,})+\b")


# The words a photo's caption joins its names and dates with: a line of only these, names
# and numbers says who is pictured ("Britney Spears and Justin Timberlake in 2002."), and
# nothing happens in it.
_CAPTION_WORDS = frozenset(
    "a an the and or of in at on with during after before from for to by his her their its "
    "as vs".split())


def is_caption(text: str) -> bool:
    """Whether a line is only names, numbers and the words that join them."""
    lower = [w for w in re.findall(r"[\w’'-]+", text) if w[0].islower()]
    return all(w in _CAPTION_WORDS for w in lower)


def is_summary_sentence(text: str, headline: bool = False) -> bool:
    """Whether a passage sentence can stand in a summary: long enough, a real sentence,
    not a photo caption, a live blog's invitation or a stamped live-blog line
    (``headline``: a title, which may be in title case like a caption)."""
    text = text.strip()
    return (
        len(text.split()) >= MIN_WORDS
        and bool(SENTENCE_END.search(text))
        and any(c.islower() for c in text)
        and not _FURNITURE.search(text)
        and not STAMP.match(text)  # an entry is content only once its stamp is cut
        and not _LABEL.match(text)
        and (headline or not is_caption(text))
    )


def said_by(passage: Passage, text: str, verb: str = "reported") -> str:
    """``text`` said by the passage's outlet on its date: ``TechCrunch (3 October 2023)
    reported: “…”`` (``verb`` "headlined" for its article's title)."""
    who = passage.source or "The article"
    when = human_date(passage.published_at)
    return f"{who} ({when}) {verb}: “{text}”" if when else f"{who} {verb}: “{text}”"


def quote(c: Candidate, said: bool = True) -> CheckedSentence:
    """A passage sentence quoted with its outlet and date: ``TechCrunch (3 October 2023)
    reported: “…”``, cited to its passage; ``said`` False: the quote alone (``“…”``), for
    a sentence that follows one of the same article."""
    # A sentence read with the one before it may span a paragraph break: one line here.
    text = re.sub(r"\s*\n\s*", " ", c.text.strip().strip('“”"'))
    return CheckedSentence(
        text=said_by(c.passage, text) if said else f"“{text}”",
        citations=[c.passage.n],
        supported=True,
        score=c.score,
        origin="quoted",
        evidence={c.passage.n: c.span},
    )
