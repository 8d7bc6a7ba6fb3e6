"""The subject of a question that describes it part by part: "Who is the individual
facing a criminal trial as reported by TechCrunch, [who] persuaded a former colleague ...
as noted by Fortune, ...?" asks for the one the evidence of every part is about, and a
part's best sentence may not name it ("he persuaded Yedidia to join him"), so no
sentence-level candidate is confident. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.answer.lead import LeadChoice, alias_key, full_form, lower_case_words
from rag.grounding.quotes import Candidate

SUBJECT_TOP = 6
"""Of the merged ranking's best candidates, those the passages of every part name may be
the subject."""
SUBJECT_MARGIN = 0.1  # ... and the likeliest is when no other is this near its confidence

_CAPITALISED = re.compile(r"[A-Z][\w.’'-]*")
_POSSESSIVE = re.compile(r"[’']s?$")

Scored = Sequence[tuple[str, float, list[Candidate]]]


def named_in(value: str, text: str, key: Callable[[str], str], lower: set[str]) -> bool:
    """Whether ``text`` names ``value``: in full, or by a capitalised word that is one
    name with it (``key``: "Bankman-Fried" and "SBF" for "Sam Bankman-Fried"), unless that
    word is also an ordinary word of the articles (``lower``: "Sportsbook" is not
    "DraftKings Sportsbook")."""
    if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text):
        return True
    last = value.split()[-1] if value.split() else value
    if last.lower() in lower:
        return False
    wanted = key(value)
    return any(key(_POSSESSIVE.sub("", m.group(0)).rstrip(".")) == wanted
               for m in _CAPITALISED.finditer(text))


def subject_lead(candidates: Scored, parts: Sequence[Sequence[str]],
                 fits: Callable[[str], bool], person: bool = False) -> LeadChoice:
    """The one value the evidence of every part is about: of the :data:`SUBJECT_TOP` best
    ``candidates`` that are of the asked kind (``fits``), those that at least one passage
    (or its headline) of each of ``parts`` names (:func:`named_in`), and that are no
    ordinary word of the passages capitalised; the most confident, when no other comes
    within :data:`SUBJECT_MARGIN` of its confidence. None for a question of one part, or
    when no value or several are.

    A ``person`` is one the passages name in full somewhere ("OpenAI" is never written
    after a first name), and is shown by the name they give most often with the surname
    ("Sam Bankman-Fried", not "Gabe Bankman-Fried" because a passage names his brother).
    """
    if len(parts) < 2 or not all(parts):
        return LeadChoice(None, note="not a question of several parts, each with passages")
    texts = [t for part in parts for t in part]
    key = alias_key(texts)
    lower = lower_case_words(texts)
    counted = []
    for value, conf, support in candidates[:SUBJECT_TOP]:
        if not fits(value) or value.lower() in lower:
            continue  # ("Search", "Bettors": a word, capitalised, is no one's name)
        shown = full_form(value.split()[-1], texts) if person else value
        if person and " " not in shown:
            continue
        per_part = [sum(named_in(value, t, key, lower) for t in part) for part in parts]
        if all(per_part):
            counted.append((sum(per_part), shown, conf, support))
    counted.sort(key=lambda c: -c[2])
    if not counted:
        return LeadChoice(None, note="no candidate named by the passages of every part")
    if len(counted) > 1 and counted[0][2] < counted[1][2] + SUBJECT_MARGIN:
        return LeadChoice(None, note=f"“{counted[0][1]}” and “{counted[1][1]}” are each "
                                     "named by the passages of every part")
    n, value, conf, support = counted[0]
    return LeadChoice(value, tuple(support), conf, None,
                      f"“{value}” named by {n} passages, of each of {len(parts)} parts")
