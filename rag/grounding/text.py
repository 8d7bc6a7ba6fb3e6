"""Small text utilities shared by citation checking, extraction and abstention. Pure."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_STEM = Stemmer.Stemmer("english")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*\d|\d")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "also",
        "according",
        "told",
        "tell",
        "would",
        "many",
        "much",
        "one",
        "ones",
        "did",
        "get",
        "got",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "mr",
        "mrs",
        "ms",
        "yes",
        "okay",
        "ok",
        "well",
        "however",
        "therefore",
        "thus",
        "indeed",
    ]
)
# Question words that carry no content of their own.
QUESTION_WORDS = frozenset(
    [
        "how",
        "many",
        "much",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "was",
        "were",
        "is",
        "are",
        "did",
        "does",
        "do",
    ]
)
_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "dozen": "12",
    "twenty": "20",
    "thirty": "30",
    "hundred": "100",
    "thousand": "1000",
}


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_STEM.stemWord(word))


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-cased words of ``text`` without stop words; numbers normalised."""
    out = []
    for token in _WORD.findall(text):
        low = token.lower().replace("’", "'").strip("'-")
        if not low or low in STOPWORDS:
            continue
        if low[0].isdigit():
            out.append(low.replace(",", ""))
        elif low in _NUMBER_WORDS:
            out.append(_NUMBER_WORDS[low])
        else:
            out.append(_stem(low.removesuffix("'s")))
    return out


def numbers(text: str) -> set[str]:
    """Numbers written in ``text``, digits or words ("three" -> "3")."""
    return {t for t in content_terms(text) if t[0].isdigit()}


def lexical_support(claim: str, evidence: str) -> float:
    """Share of the claim's content terms that the evidence contains (0..1)."""
    terms = set(content_terms(claim))
    if not terms:
        return 0.0
    have = set(content_terms(evidence))
    return len(terms & have) / len(terms)


def missing_numbers(claim: str, evidence: str) -> set[str]:
    """Numbers the claim states that the evidence does not (a wrong figure is unsupported)."""
    return numbers(claim) - numbers(evidence)


# Irregular past forms, so that "spoke with" and "has spoken with" match "speak with".
_IRREGULAR = {
    form: base
    for base, forms in {
        "speak": "spoke spoken", "tell": "told", "say": "said", "sell": "sold",
        "win": "won", "lead": "led", "meet": "met", "make": "made", "take": "took taken",
        "give": "gave given", "write": "wrote written", "buy": "bought", "bring": "brought",
        "think": "thought", "find": "found", "leave": "left", "hold": "held", "pay": "paid",
        "run": "ran", "begin": "began begun", "become": "became", "choose": "chose chosen",
        "drive": "drove driven", "fall": "fell fallen", "fly": "flew flown",
        "forget": "forgot forgotten", "grow": "grew grown", "keep": "kept",
        "know": "knew known", "lose": "lost", "mean": "meant", "rise": "rose risen",
        "see": "saw seen", "send": "sent", "shoot": "shot", "sing": "sang sung",
        "sit": "sat", "stand": "stood", "steal": "stole stolen", "strike": "struck",
        "throw": "threw thrown", "wear": "wore worn", "go": "went gone", "eat": "ate eaten",
        "break": "broke broken", "build": "built", "catch": "caught", "deal": "dealt",
        "draw": "drew drawn", "fight": "fought", "feel": "felt", "feed": "fed",
        "hide": "hid hidden", "lay": "laid", "lend": "lent", "ride": "rode ridden",
        "ring": "rang rung", "shake": "shook shaken", "sleep": "slept", "spend": "spent",
        "teach": "taught", "tear": "tore torn", "wake": "woke woken",
        "withdraw": "withdrew withdrawn", "overtake": "overtook overtaken",
        "beat": "beaten", "bear": "bore born", "bind": "bound", "flee": "fled",
        "freeze": "froze frozen", "hang": "hung", "hear": "heard", "seek": "sought",
        "sink": "sank sunk", "swim": "swam swum", "sweep": "swept", "uphold": "upheld",
        "forecast": "forecasted", "launch": "launched", "oversee": "oversaw overseen",
        "undergo": "underwent undergone", "withhold": "withheld", "mislead": "misled",
    }.items()
    for form in forms.split()
}
IRREGULAR_FORMS = frozenset(_IRREGULAR)
"""The irregular past forms the table above reads as their base ("told", "caught")."""


def lemma_terms(text: str) -> list[str]:
    """:func:`content_terms` with irregular verb forms read as their base ("spoke",
    "spoken" -> "speak"), for matching a question's predicate in a sentence."""
    words = [_IRREGULAR.get(w.lower(), w) for w in _WORD.findall(text)]
    return content_terms(" ".join(words))
