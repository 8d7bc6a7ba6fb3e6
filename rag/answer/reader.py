"""A second reading of a short answer's sentence: before the answer states a value as
*the* answer, the language model reads the sentence it comes from and answers the question
itself, in a few words; a value the composer is not sure of (below :data:`READ_BELOW`)
is stated only when the model's reading names it.

The composer's lead confidence is fitted on questions the rules were developed on; on
questions nobody tuned for, its wrong leads are mostly ones the model, reading the same
sentence, answers differently ("Friday" for when the AI Act was first proposed, where the
model, given the sentence about the December deal, does not name Friday). The model is a
small base model, so it is prompted completion-style with a few invented examples, and
it only ever vetoes a lead: a value it names that the composer did not find is never
stated.

The prompt and the comparison are pure; :class:`ModelReader` runs the prompt on a
:class:`~rag.llms.model.NewsLLM`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from rag.answer.lead import LeadChoice
from rag.answer.values import QUALIFIER
from rag.errors import RagError
from rag.grounding.numbers import number_values, states_number
from rag.llms.generate import stream_text
from rag.llms.model import NewsLLM

# Invented examples (no article's wording): a name, a figure and a place.
_EXAMPLES = """Answer each question with a short phrase copied from its text.

Text: Coach Maria Delgado of the Riverside Hawks told reporters that the team would rest \
its starters.
Question: Which coach said the Hawks would rest their starters?
Answer: Maria Delgado

Text: The bakery said it sold 14,000 loaves over the holiday weekend, a record for the shop.
Question: How many loaves did the bakery sell over the holiday weekend?
Answer: 14,000

Text: Officials announced on Tuesday that the paper mill in Millbrook would close by \
March 2022.
Question: Where is the paper mill that will close?
Answer: Millbrook

"""
# A lead the composer is this sure of stands on its own: the small model misreads more of
# those ("14" for how many Americans, from "… including two Americans, were killed … and
# 14 others were left injured") than it catches. Chosen on the development questions.
READ_BELOW = 0.9
READING_TOKENS = 12  # a name, a figure or a date; the reading stops at the line's end
# A preposition or a figure's qualifier ("more than", "around": values.QUALIFIER) opening it
_LEADING = re.compile(r"^(?:(?:of|in|at|on|since|by|the|from|to|for|until|as of)\s+|"
                      + QUALIFIER.removeprefix(r"\b") + ")", re.I)
_TOKEN = re.compile(r"[\w$£€%]+(?:[.,]\d+)*")
_FILLER = frozenset({"the", "of", "and", "a", "an"})


class SentenceReader(Protocol):
    """Reads ``sentence`` and answers ``question`` in a few words; None when it cannot
    (no model, or the model failed)."""

    def __call__(self, question: str, sentence: str) -> str | None: ...


def reading_prompt(question: str, sentence: str) -> str:
    """The completion prompt: the examples, then the sentence and the question, the model
    to complete the answer line."""
    return f"{_EXAMPLES}Text: {' '.join(sentence.split())}\nQuestion: {question.strip()}\nAnswer:"


def _core(text: str) -> str:
    """A short answer without the preposition or hedge that opens it and the quotes
    around it ("around $8billion" -> "$8billion")."""
    text = " ".join(text.lower().split()).strip(" .\"“”'‘’")
    while (shorter := _LEADING.sub("", text)) != text:
        text = shorter
    return text


def confirms(reading: str, value: str) -> bool:
    """Whether the model's ``reading`` names ``value``, once a leading "of", "in",
    "around" ... is set aside: they share a word ("December 26, 2021" names "December
    26th"; "Jesse Bradley" names "Pastor Jesse Bradley") or a quantity ("five" names "5"),
    or are one text but for spaces ("$8 billion", "$8billion"). An empty reading names
    nothing."""
    said, found = _core(reading), _core(value)
    if not said or not found:
        return False
    if set(_TOKEN.findall(said)) & set(_TOKEN.findall(found)) - _FILLER:
        return True
    if any(states_number(found, quantity) for quantity in number_values(said)):
        return True
    a, b = re.sub(r"\s", "", said), re.sub(r"\s", "", found)
    return a in b or b in a


def read_again(choice: LeadChoice, question: str, reader: SentenceReader) -> LeadChoice:
    """``choice`` kept when the model, reading the sentence the value comes from, names it
    too; withheld when it names something else or nothing (the answer then opens with the
    answering sentences, quoted). Kept unread when its confidence reaches
    :data:`READ_BELOW`, or when there is no model to read with."""
    if choice.value is None or not choice.support or choice.confidence >= READ_BELOW:
        return choice
    reading = reader(question, choice.support[0].text)
    if reading is None:
        return replace(choice, note=f"{choice.note}; not read again (no model)")
    if confirms(reading, choice.value):
        return replace(choice, note=f"{choice.note}; read again by the model: “{reading}”")
    return replace(choice, value=None,
                   note=f"{choice.note}; withheld: the model reading its sentence answers "
                        f"“{reading}”")


class ModelReader:
    """A :class:`SentenceReader` backed by the project's LLM (built when first used)."""

    def __init__(self, llm: Callable[[], NewsLLM]) -> None:
        self._llm = llm

    def __call__(self, question: str, sentence: str) -> str | None:
        try:
            llm = self._llm()
            if not llm.reads_sentences:
                return None
            text = "".join(stream_text(llm, reading_prompt(question, sentence), ["\n"],
                                       READING_TOKENS))
        except RagError:
            return None  # no model to read with: the composer's confidence decides alone
        return text.strip()
