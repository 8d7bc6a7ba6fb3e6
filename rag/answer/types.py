"""The answer types as one table: how a question of each type is recognised, where its
value comes from, and how its lead is composed and checked. Adding a type is one entry.

- ``asks``: patterns of a question's main clause ("How many ...", "When ...").
  Yes/no and order-in-time questions are read apart (an auxiliary opens them); a
  question no pattern matches asks for a description.
- ``values``: the spans of its values in a sentence that the question does not already
  state; ``None`` for types whose answer is a verdict or sentences.
- ``shape``: how the lead is composed (:mod:`rag.answer.compose`) — ``value``: a short
  answer of the type when confident (:mod:`rag.answer.lead`), checked to hold a value of
  the type; ``verdict``: Yes / No only when the evidence bears each part; ``description``:
  the cause or method clause for why / how, else the best sentences quoted; ``overview``:
  a few cited sentences from several articles in time order (:mod:`rag.answer.overview`).
- ``nearest_first``: values nearer the question's own words are likelier (figures, dates).
- ``draft_tokens``: the most tokens the model may write for it (generative mode). A small
  model writes to the cap whatever the question; a name or a verdict wants a sentence
  (the composer states the verdict, from the parts' evidence), an overview about 150
  words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rag.answer.plan import AnswerType
from rag.answer.values import (
    NAMING_Q,
    date_spans,
    entity_spans,
    nearest_first,
    number_spans,
    place_spans,
)

SpanFinder = Callable[[str, str], list[tuple[int, int]]]
Shape = Literal["value", "verdict", "description", "overview"]


@dataclass(frozen=True)
class TypeSpec:
    """One answer type: its recognition, its values and the shape of its lead."""

    kind: AnswerType
    asks: tuple[re.Pattern[str], ...]
    values: SpanFinder | None
    shape: Shape
    nearest_first: bool = False
    draft_tokens: int = 96


_NUMBER_Q = re.compile(
    r"^\s*(?:(?:roughly|about|approximately|around|over|for|in|on|after|by|up to|within|to)"
    r"\s+)?(?:how\s+(?:many|much|long|far|old|big|large|high|often|tall|heavy|deep|wide|"
    r"fast|expensive)\b|"
    r"(?:what|which)\s+(?:is\s+|was\s+)?(?:the\s+)?(?:number(?!\s+(?:one|1)\b)|percentage|"
    r"share|amount|total|price|cost|figure|rate|count|sum)\b|"
    # "What was the Swans' average home attendance", "What was the final score"
    r"what\s+(?:is|was|are|were)\s+(?!(?:the\s+)?(?:name|title)\b)(?:the\s+)?"
    r"(?:[\w'’.-]+\s+){0,6}?(?:number(?!\s+(?:one|1)\b)|percentage|"
    r"amount|total|price|cost|rate|attendance|score|scoreline|record|salary|fee|fine|"
    r"valuation|population|age|margin|budget|revenue|deficit|tally|average|height|weight|"
    r"length|distance|speed|size|capacity|duration|depth|width|temperature)\b"
    r"(?!\s+(?:of\s+)?(?:the\s+)?(?:name|title|reason|cause)\b))",
    re.I,
)
_DATE_Q = re.compile(
    r"^\s*(?:(?:since|until|till)\s+when\b|when\b|(?:on|in|by|since|until|from|before|after)?"
    r"\s*(?:what|which)\s+(?:date|day|year|month|time|decade)\b|"
    # "What's the last day to ship …?", "What is the deadline for …?"
    r"what(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+the\s+(?:(?:last|first|next|final|"
    r"earliest|latest|closing|release|launch|start|opening)\s+)?(?:date|day|deadline)s?\b"
    r"(?!['’]))", re.I
)
_PLACE_Q = re.compile(
    r"^\s*(?:where\b|(?:what|which)\s+(?:city|cities|country|countries|"
    r"states?|places?|regions?|towns?|locations?|provinces?|venues?)\b)",
    re.I,
)
_ENTITY_Q = re.compile(
    r"^\s*(?:who|whom|whose|which|what\s+(?:is|was)\s+the\s+name\b|name\s+the\b|"
    r"what\s+(?:company|organi[sz]ation|firm|person|group|team|agency|individual|"
    r"country|platform|brand|product|player)\b)",
    re.I,
)
# "What cat toy does ...", "What gene did ...", "What is the title of ...": a named thing.
_WHAT_THING = re.compile(
    r"^\s*what\s+(?:(?:is|was)\s+the\s+(?:name|title|brand name)\s+of\b|"
    # "What was Alameda Research's internal name …?"
    r"(?:is|was|are|were)\s+[^?]{1,60}?['’]s?\s+(?:\w+\s+)?(?:name|nickname|title)\b|"
    # "What was Ghana's AfroFuture festival formerly known as?"
    r"(?:is|was|are|were)\s+.{1,80}?\s+(?:formerly|previously|originally|also|first)?\s*"
    r"(?:known\s+as|called|named|nicknamed|dubbed)(?:\s+(?:now|today))?"
    r"(?:\s+(?:now\s+)?(?:that|after|since)\s[^?]*)?\s*\??\s*$|"
    r"(?!(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|should|happened|"
    r"happens|caused|causes|made|makes|led|kind|type|sort|role|impact|effect|reason)\b)"
    r"[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}\s+(?:did|does|do|is|was|are|were|has|have|had|"
    r"will|might|could|can)\s|"
    # "What third-party Reddit app said it hopes to survive …?": the thing that did it
    r"(?!(?:kind|type|sort|role|impact|effect|reason|evidence|data|research)\b)(?!\w+ly\b)"
    r"[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}\s+(?:said|says|announced|launched|won|beat|"
    r"acquired|bought|sold|released|signed|hired|topped|offered|filed|sued|scored|unveiled|"
    r"introduced|published|lobbied|partnered)\s(?!about\b))",
    re.I,
)

# The verbs of "What did X say about Y?" and of "How did X do against Y?" (overview.py reads
# the subject out of them).
SAYING = r"(?:say|said|announce|announced|unveil|unveiled|reveal|revealed|found|shown)"
AFFECTING = r"(?:affecting|affected|impacting|impacted|hitting|hurting|hurt|changing|changed)"
FARING = r"(?:do|doing|done|fare|fared|faring|go|going|gone|perform|performed|performing|" \
         r"playing|(?:been\s+)?received)"
ACTING = r"(?:doing|done)"  # "What is the EU doing about X?"
# "What happened to ...", "What is going on with ...", "Tell me about ...", "Summarize ...",
# "What's the latest on ...", "What's new with ...", "Any news on ...", "Catch me up on ...",
# "What are people saying about ...", "What did X say about Y?", "What have studies found
# about ...", "What should I know about ...", "How is X affecting Y?",
# "How did X do?": an open question, answered with a short overview.
OPEN_QUESTION = re.compile(
    r"^\s*(?:what(?:'s|’s|\s+is|\s+has|\s+was)?(?:\s+been)?\s+(?:happened|happening|going\s+on)\b|"
    r"tell\s+me\s+(?:more\s+)?about\b|summari[sz]e\b|give\s+(?:me\s+)?(?:a|an)\s+"
    r"(?:summary|overview)\b|what\s+(?:do|did)\s+the\s+(?:articles|reports|news)\s+say\b|"
    r"what(?:'s|’s|\s+is|\s+are)\s+the\s+(?:latest(?:\s+(?:news|developments|updates))?|news)"
    r"\s+(?:on|about|with|in|from|for)\b|"
    # "What should I know about X?", "What do we know about X?"
    r"what\s+(?:should|do|does|would)\s+(?:I|we|one|you)\s+(?:need\s+to\s+)?know\s+about\b|"
    # "What's new with X?", "Any news on X?", "Give me an update on X", "Catch me up on X"
    r"what(?:'s|’s|\s+is)\s+new\s+(?:with|at|in|for|on)\b|"
    r"any\s+(?:news|updates?)\s+(?:on|about|from|with)\b|"
    r"what(?:'s|’s|\s+is|\s+was)\s+in\b|"  # "What's in Biden's AI executive order?"
    rf"what\s+(?:is|are|has|have)\s+[^?]{{1,60}}?\s+{ACTING}\s+(?:about|on|with|to|for)\b|"
    r"(?:give\s+me\s+)?(?:an\s+)?update\s+(?:me\s+)?on\b|catch\s+me\s+up\s+on\b|"
    r"what\s+(?:are|do)\s+(?:people|fans|critics|reviewers|experts)\s+(?:saying|say|think)\s+"
    r"(?:about|of)\b|"
    rf"what\s+(?:did|does|do|has|have)\s+[^?]{{1,60}}?\s+{SAYING}\s+(?:about|at|on|in|after)\b|"
    # "How is the war affecting Israel's economy?": what it has done, told as an overview.
    rf"how\s+(?:is|are|has|have|was|were)\s+[^?]{{1,60}}?\s+{AFFECTING}\b|"
    # "How did X do (against Y)?": X of a few words, the verb last or before its setting
    # ("How did Swift get her film into cinemas without going through ..." is no such).
    rf"how\s+(?:did|has|have|is|are|was|were)\s+\S+(?:\s+\S+){{0,5}}?\s+{FARING}"
    r"(?=\s*(?:\?|$|(?:against|in|at|on|with|for|this|last|so|since|after|over|under)\b)))",
    re.I)

# In the order a question's main clause is tried against them.
TYPES: tuple[TypeSpec, ...] = (
    TypeSpec(AnswerType.OVERVIEW, (OPEN_QUESTION,), None, "overview", draft_tokens=256),
    TypeSpec(AnswerType.NUMBER, (_NUMBER_Q,), number_spans, "value", nearest_first=True,
             draft_tokens=64),
    TypeSpec(AnswerType.DATE, (_DATE_Q,), date_spans, "value", nearest_first=True,
             draft_tokens=64),
    TypeSpec(AnswerType.PLACE, (_PLACE_Q,), place_spans, "value", draft_tokens=64),
    TypeSpec(AnswerType.ENTITY, (_ENTITY_Q, _WHAT_THING, NAMING_Q), entity_spans, "value",
             draft_tokens=64),
    TypeSpec(AnswerType.YES_NO, (), None, "verdict", draft_tokens=48),
    TypeSpec(AnswerType.ORDER, (), None, "verdict", draft_tokens=48),
    TypeSpec(AnswerType.DESCRIPTION, (), None, "description", draft_tokens=160),
)
_BY_KIND = {spec.kind: spec for spec in TYPES}


def spec_of(kind: AnswerType) -> TypeSpec:
    """The table entry of an answer type."""
    return _BY_KIND[kind]


def value_spans(kind: AnswerType, sentence: str, question: str) -> list[tuple[int, int]]:
    """Spans of the values of type ``kind`` in ``sentence`` that say something the question
    does not, the likeliest first for figures and dates, else in order (none for a type
    without values)."""
    spec = spec_of(kind)
    if spec.values is None:
        return []
    spans = spec.values(sentence, question)
    return nearest_first(spans, sentence, question) if spec.nearest_first else spans


def values_of(kind: AnswerType, sentence: str, question: str) -> list[str]:
    """The values of type ``kind`` in ``sentence`` the question does not state, the
    likeliest first, each once."""
    return list(dict.fromkeys(sentence[a:b].strip() for a, b in
                              value_spans(kind, sentence, question)))
