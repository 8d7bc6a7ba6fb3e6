"""What a "which X" / "what X" question asks for: the noun its answer is one of
("Which Apple executive negotiated ...": an executive; "Which IPL team bought ...": a
team). Pure; read by the lead (:mod:`rag.answer.compose`), which looks for that word next
to a candidate and leaves it out of the question's predicate.

No tagger ships with the project, so the noun phrase is read by its shape: names,
abbreviations and figures before it are modifiers ("Manchester United player", "former
U.S. ambassador"), and it ends at an auxiliary, a preposition, a determiner, a name or a
verb ("... player caught the ...", "... team bought Pat ...").
"""

from __future__ import annotations

import re

from rag.grounding.text import IRREGULAR_FORMS

_AUX = frozenset("is was are were be been has have had did does do will would can could "
                 "should might may must".split())
_ENDS = _AUX | frozenset(
    "that who whom whose which when where why how in of from to at on for with by about behind "
    "near among between than as into after before during over under since until against "
    "recently mentioned featured discussed according".split())
_DETERMINERS = frozenset("the a an his her its their our my your this these those".split())
# Past tenses without -ed that questions use ("Which player caught ...", "Which firm led
# ..."): the irregular forms lemma_terms reads, and the ones it need not (same as the base,
# or never a predicate's form it matches).
PAST_FORMS = IRREGULAR_FORMS | frozenset("got hit set put came beat says tells".split())
# Words that come before a name inside the phrase ("former U.S. ambassador", "late Everton
# chairman"): the name after them does not end the phrase.
_MODIFIERS = frozenset("former late then current new ex fellow retired veteran famous star top "
                       "rival legendary young longtime incoming outgoing acting interim".split())
_TOKEN = re.compile(r"[\w'’.-]+|,")
WH_PREPOSITION = (r"(?:(?:in|at|on|from|for|to|by|with|during|against|under|into|among|"
                  r"through|of|near)\s+)?")
"""A preposition the wh-word may follow ("In which cities ...", "To whom ...")."""


def asked_phrase(question: str) -> str | None:
    """The noun phrase a "which / what X ..." question asks for, with the names that
    modify it, which passages often write next to the answer ("Apple's Eddy Cue"):
    "Browns player" for "Which Browns player caught ...", "investor's decision" for
    "Which investor's decision ...", "cat toy" for "What cat toy does ...". None for a
    question of another form ("What is ...", "What did ...", "What happened ...")."""
    m = re.match(rf"^\s*{WH_PREPOSITION}(?:which|what)\s+(.*)", question, re.I | re.S)
    tokens = _TOKEN.findall(m.group(1)) if m else []
    if not tokens or tokens[0].lower() in _AUX:
        return None
    kept: list[str] = []
    words: list[str] = []  # the lower-case words since the last name
    verb = possessed = False
    end = ""
    for token in tokens:
        low = token.lower()
        if token == "," or low in _ENDS or low in _DETERMINERS:
            end = "determiner" if low in _DETERMINERS else "word"
            break
        if _is_name(token):
            if words and not {w.lower() for w in words} <= _MODIFIERS:
                end = "name"  # "team bought Pat": the name is the verb's object
                break
            words = []  # "former U.S. ambassador": the modifier goes with the name
            kept.append(token)
            continue
        if words and (low in PAST_FORMS or low.endswith(("ed", "ing")) and len(low) > 4):
            verb = True
            break
        words.append(token)
        kept.append(token)
        if possessed or len(words) == 4:
            break
        possessed = low.endswith(("'s", "’s"))  # "investor's decision": one word more
    if words and not verb and end in ("determiner", "name") and len(words) > 1:
        kept = kept[:-1]  # "stadium hosts the": the last word was the verb
        words = words[:-1]
    if not words and not any(_is_name(t) for t in kept) or len(kept) == 1 and (
            kept[0].lower().endswith("ed") or kept[0].lower() in PAST_FORMS):
        return None  # "What replaced ...", "What happened ...": no noun asked for
    return " ".join(kept) or None


def _is_name(token: str) -> bool:
    """A capitalised word, an abbreviation or a figure ("Browns", "U.S.", "2023")."""
    return token[0].isupper() or any(ch.isdigit() for ch in token) or "." in token.strip(".")
