"""Where a value stands in a sentence against the question's words: next to its
predicate, on the side the question asks for, next to the word for what is asked. Pure;
read by the lead (:mod:`rag.answer.lead`), the values per name
(:mod:`rag.answer.conjuncts`) and the bearing of a claim (:mod:`rag.answer.bearing`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from rag.answer.asked import PAST_FORMS
from rag.grounding.text import QUESTION_WORDS, lemma_terms

LOCAL_TERMS = 4  # a clause holds at most this many of a long question's predicate words
CLAUSE = 10  # words either side of a value read for the question's predicate
NEAR = 4  # words: a value this near the predicate or the head word is its argument
_OBJECT_Q = re.compile(
    r"^\s*(?:who|whom|what|which\s+\w+(?:\s+\w+)?)\s+(?:did|does|do|had|has|have|will|would|"
    r"could|can|should)\s+", re.I)
_PASSIVE_Q = re.compile(r"^\s*(?:who|what|which\s+\w+)\s+(?:was|were|is|are|has been|had been)"
                        r"\s+\w+(?:ed|en|wn|ld|ght)\b", re.I)


def predicate_terms(question: str, names: Sequence[str], head: set[str]) -> set[str]:
    """The lemmas of the question's predicate and its other content words: what a
    sentence must be about for a value in it to answer. Names the question already gives
    (its subject) and the word for what is asked are left out."""
    named = {t for n in names for t in lemma_terms(n)}
    q = re.sub(r"^\W*\w+\s+", "", question)  # the wh-word
    return set(lemma_terms(q)) - named - titles(q, names) - head - set(QUESTION_WORDS)


# At most three lower-case words right before a name: its title ("general manager Jeff
# Luhnow"), once a verb among them is set apart (:func:`titles`).
_TITLE = re.compile(r"((?:\b[a-z][\w'’-]*\s+){1,3})$")
_NOT_TITLE = re.compile(r"\b(?:the|a|an|of|to|in|on|at|for|by|with|and|or|did|does|do|is|was|"
                        r"are|were|has|have|had|will|would|can|could)\b")


def titles(question: str, names: Sequence[str]) -> set[str]:
    """The lemmas of the words the question writes as a title before a name it gives
    ("Astros general manager Jeff Luhnow": "general", "manager"). They say who the name
    is, not what is asked of it, so they are no predicate words. The words before a
    determiner, a preposition or an auxiliary are not part of a title."""
    out: set[str] = set()
    verb = _verb_after_auxiliary(question)
    for name in names:
        i = question.find(name)
        m = _TITLE.search(question[:i]) if i > 0 else None
        if m is None:
            continue
        words = _NOT_TITLE.split(m.group(1))[-1]
        # A verb before the title ("fired head coach", "beat Kenya") is no title word,
        # nor the verb after an auxiliary and its subject ("did MLB suspend Astros ...").
        kept = [w for w in words.split() if not w.endswith("ed") and w not in PAST_FORMS
                and w != verb]
        out |= set(lemma_terms(" ".join(kept)))
    return out


def _verb_after_auxiliary(question: str) -> str | None:
    """The first lower-case word after "did / does / do" and the names and articles of
    its subject: the question's verb ("did the Minnesota Wild name ...": "name")."""
    m = re.search(r"\b(?:did|does|do)\s+((?:(?:the|a|an|[A-Z][\w'’.-]*|\d[\w,.]*)\s+)*)"
                  r"([a-z][\w'’-]*)", question)
    return m.group(2) if m else None


def word_spans(text: str) -> list[tuple[int, int, set[str]]]:
    """The words of ``text``: where each starts and ends, and its lemmas."""
    return [(m.start(), m.end(), set(lemma_terms(m.group(0))))
            for m in re.finditer(r"[\w'’.-]+", text)]


def distance(words: list[tuple[int, int, set[str]]], a: int, b: int, terms: AbstractSet[str],
             after: bool | None, given: AbstractSet[str] = frozenset()) -> int | None:
    """Words between the value (characters ``a``..``b``) and the nearest word of
    ``terms``; with ``after`` the value must follow that word (True) or precede it
    (False). Words of ``given`` (the names the question gives) are not counted: in
    "traded 24-year-old Jordan Poole to the Wizards" the Wizards are three words from "traded" for
    "Which team did they trade Jordan Poole to?". None when no such word stands in the
    sentence."""
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
        between = range(i + 1, lo) if i < lo else range(hi + 1, i)
        gap = sum(1 for j in between if not words[j][2] or not words[j][2] <= given)
        best = gap if best is None or gap < best else best
    return best


def passive_question(question: str) -> bool:
    """Whether the question asks who or what underwent its predicate ("Who was killed
    ..."): the answer stands after the verb ("killed X") or before it in the passive ("X
    was killed")."""
    return _PASSIVE_Q.match(question) is not None


_BE = frozenset(("was", "were", "is", "are", "been", "being"))
_AUXILIARIES = _BE | {"has", "have", "had"}


def _undergoes(words: list[tuple[int, int, set[str]]], text: str, hi: int,
               pred: AbstractSet[str]) -> bool:
    """Whether the words after the value's last word are a passive's auxiliaries and a
    predicate word ("Soleimani was killed", "Iran has been blamed", not "Iran has
    blamed"), an adverb allowed between."""
    i, be = hi + 1, False
    while i < len(words):
        word = text[words[i][0]:words[i][1]].lower()
        if word not in _AUXILIARIES and not (be and word.endswith("ly")):
            break
        be = be or word in _BE
        i += 1
    return be and i < len(words) and bool(words[i][2] & pred)


def fit_role(question: str) -> bool | None:
    """Where the answer stands against the predicate: after it for "Who did X meet" and
    "Who was blamed" (its object), before it for "Who fired ..." (its subject)."""
    if _OBJECT_Q.match(question) or _PASSIVE_Q.match(question):
        return True
    if re.match(r"^\s*(?:who|which\s+\w+)\s+\w+", question, re.I):
        return False
    return None




def placement(words: list[tuple[int, int, set[str]]], a: int, b: int, pred: set[str],
              head: set[str], role: bool | None,
              given: AbstractSet[str] = frozenset(), *, text: str = "",
              passive: bool = False) -> tuple[float, float, bool]:
    """Where a value stands against the question: (the share of the question's predicate
    words within :data:`CLAUSE` words of it, whether it stands within :data:`NEAR` words
    on the side the question asks for, not counting the names it gives — or, for a
    ``passive`` question, as the subject of the passive in the sentence ``text`` — whether it
    stands next to the word for what is asked, "Which team", "the spokesperson")."""
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
    side = distance(words, a, b, pred, role, given)
    if passive and (side is None or side > NEAR) and _undergoes(words, text, hi, pred):
        side = 0
    headed = False
    if head:
        d_head = distance(words, a, b, head, None, given)  # "Ambassador to NATO X"
        titled = any(words[i][2] & head for i in range(lo, hi + 1))  # "Prime Minister X"
        headed = titled or d_head is not None and d_head <= 1
    return local, float(side is not None and side <= NEAR), headed

