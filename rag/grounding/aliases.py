"""A name's other forms, as articles write them: "SBF" for "Sam Bankman-Fried", and back.
Pure functions.

A short form is the initials of a name of two or more capitalised words, hyphenated
parts counted apart ("Sam Bankman-Fried": S, B, F). An article that says "SBF" and one
that says "Sam Bankman-Fried" are about the same person when the passages hold both.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rag.grounding.text import content_terms

_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
NAME = re.compile(rf"\b{_WORD}(?:\s+(?:of\s+)?{_WORD})+\b")
"""Two or more capitalised words in a row ("Sam Bankman-Fried", "Federal Trade Commission")."""
_SHORT = re.compile(r"\b[A-Z]{2,5}\b")


def initials(name: str) -> str:
    """The initials of a name's capitalised parts: "Sam Bankman-Fried" -> "SBF"."""
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w[:1].isupper())


def long_names(text: str) -> list[str]:
    """The names of two or more capitalised words in ``text``."""
    return [m.group(0) for m in NAME.finditer(text)]


def short_forms(text: str) -> set[str]:
    """The all-capital words of two to five letters in ``text`` ("SBF", "NCAA")."""
    return set(_SHORT.findall(text))


def is_short_form(word: str) -> bool:
    """Whether ``word`` is a short form: two to five capitals ("SBF")."""
    return bool(_SHORT.fullmatch(word.strip()))


def abbreviated(texts: Iterable[str]) -> dict[str, str]:
    """The long name each short form stands for in ``texts``: the commonest name written
    there whose initials it is, read from any of the name's words on ("Then Sam
    Bankman-Fried testified": "SBF" is that name)."""
    found: dict[str, Counter[str]] = {}
    for text in texts:
        for name in long_names(text):
            words = name.split()
            for i in range(len(words) - 1):
                found.setdefault(initials(" ".join(words[i:])), Counter())[name] += 1
    return {short: names.most_common(1)[0][0] for short, names in found.items()}


def other_forms(question: str, texts: Iterable[str]) -> dict[str, str]:
    """The forms of the question's names that ``texts`` use instead, by the question's
    form: the long name of a short form the question uses ("SBF": "Sam Bankman-Fried"),
    and the short form of a long name it uses. A form the question already holds is
    not given; of several long names for one short form, the first found."""
    asked_short = short_forms(question)
    asked_long = {initials(n): n for n in long_names(question)}
    found: dict[str, str] = {}
    for text in texts:
        for name in long_names(text):
            short = initials(name)
            if short in asked_short and name not in question:
                found.setdefault(short, name)
        for short in short_forms(text) & set(asked_long):
            if short not in question:
                found.setdefault(asked_long[short], short)
    return found


_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


def word_terms(text: str) -> list[str]:
    """The content terms of ``text``, a hyphenated word also as its parts
    ("Bankman-Fried" is "bankman" and "fried" too)."""
    return content_terms(text) + content_terms(_HYPHEN.sub(" ", text))


_CAPITALIZED = re.compile(r"\b[A-Z][\w’'.-]*")


def named_terms(texts: Iterable[str], asked: str, capitalized: bool = False) -> set[str]:
    """The terms ``texts`` name in any form ``asked`` may use: their words
    (:func:`word_terms`; ``capitalized``: only their words that begin with a capital,
    so that "crowning" does not name "The Crown"), the short form of each long name they
    write ("Sam Bankman-Fried" names "sbf") and the words of each long name of ``asked``
    whose short form they write ("SBF" names "sam", "bankman" and "fried")."""
    have: set[str] = set()
    shorts: set[str] = set()
    for text in texts:
        have.update(word_terms(" ".join(_CAPITALIZED.findall(text)) if capitalized else text))
        have.update(t for name in long_names(text) for t in content_terms(initials(name)))
        shorts |= short_forms(text)
    for name in long_names(asked):
        if initials(name) in shorts:
            have.update(word_terms(name))
    return have
