"""Values of the kind a question asks for, found in a sentence: numbers with their unit,
dates, places and names. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.dates import _MONTH_RE, MONTHS
from rag.answer.kind_fit import is_title, without_title
from rag.grounding.aliases import initials, short_forms
from rag.grounding.text import STOPWORDS, content_terms
from rag.query.hints import names_in

_SMALL = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|a dozen|dozens|hundreds|thousands|millions|billions"
)
_SCALE = (r"(?:(?:[\s-](?:million|billion|trillion|thousand|hundred|bn|m)"
          r"|(?<=\d)(?:billion|million|trillion|bn|m|k))\b)?"
          r"(?:\s(?:dollars|pounds|euros|yen|us dollars)\b)?")
NUMBER = re.compile(
    rf"(?:[$€£¥₱]\s?|\bP(?=\d)|(?<![\w.,]))\d(?:[\d,]*\d)?(?:\.\d+)?{_SCALE}"
    rf"(?:\s?(?:%|percent\b|per cent\b))?"
    rf"|\b(?:{_SMALL})\b(?:[\s-](?:{_SMALL}))?{_SCALE}(?:\s(?:percent\b|per cent\b))?",
    re.I,
)
YEAR = r"(?:1[5-9]|20)\d{2}"  # a year, 1500-2099, as dates are read
WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DAYS = rf"{_DAY}(?:\s*(?:-|–|and|to)\s*{_DAY}\b)?"  # "20 and 21", "20-21": two days
DATE = re.compile(
    rf"\b(?:{WEEKDAY},?\s+)?"
    rf"(?:(?:{_MONTH_RE})\.?\s+{_DAYS}(?:,?\s+\d{{4}})?"
    rf"|{_DAYS}\s+(?:{_MONTH_RE})\.?(?:,?\s+\d{{4}})?"
    rf"|(?:{_MONTH_RE})\.?\s+\d{{4}}"
    rf"|{WEEKDAY}"
    rf"|(?:in|since|by|until)\s+{YEAR})\b",
    re.I,
)
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_IDENTIFIER = re.compile(r"(?:\bNo\.|\bNumber|#|\bBill|\bArticle|\bSection)\s*$", re.I)
_PLACE_LEAD = re.compile(r"\b(?:in|at|near|from|outside|inside|across|to)\s+(?:the\s+)?$", re.I)
MONTHS_DAYS = re.compile(
    rf"^(?:{_MONTH_RE}|{WEEKDAY})$", re.I
)
_NOT_NAMES = frozenset(
    "however meanwhile also but and the a an this that these those it its he she they we "
    "i you his her their our in on at for of to by with as from after before when while "
    "if so yet still now then there here read related advertisement photo image though "
    "although like unlike despite according whether".split()
)


_COUNT_WORDS = frozenset("one two three four five six seven eight nine ten".split())


def ordinary_word(word: str) -> bool:
    """A word that is no name even capitalised ("However", "The", "Like", "Two")."""
    return word.lower() in _NOT_NAMES | STOPWORDS | _COUNT_WORDS


def dateline(value: str, after: str) -> bool:
    """Whether ``value`` is a page's dateline label, one past-tense word before a date
    ("Published 27 October", "Updated March 5"), not a name."""
    return " " not in value.strip() and value.lower().endswith("ed") and bool(
        DATE.match(after.lstrip()))


def _terms(text: str) -> set[str]:
    return set(content_terms(text))


def new_to(value: str, question: str) -> bool:
    """Whether ``value`` says something the question does not already contain (a title
    before a name the question gives says nothing new: "CEO Caroline Ellison"; nor does
    the name an abbreviation in the question stands for)."""
    if value.strip().lower() in _COUNT_WORDS:  # "one", which no content term holds
        return not re.search(rf"\b{value.strip()}\b", question, re.I)
    untitled = " ".join(w for w in value.split() if not is_title(w))
    terms = _terms(untitled) or _terms(value)
    short = initials(untitled)
    if len(short) == len(untitled.split()) and short in short_forms(question):
        return False  # "Indian Premier League" for "Which IPL team ...?": the question's own
    return bool(terms) and not terms <= _terms(question)


_OF_DETERMINER = (r"\s+of\s+(?:(?:the|his|her|its|their|our|my|your)\s+)?"
                  r"(?:[A-Z][\w.-]*['’]s?\s+)?(?:[a-z]+\s+)?")  # " of the Rangers' first "
_OF_A_TOTAL = re.compile(_OF_DETERMINER + r"(?=\d)")  # " of his 17 ..."
# "... lost one of his 17 encounters": 17 is the whole, the count asked is before it
_A_TOTAL = re.compile(rf"\b(?:{'|'.join(sorted(_COUNT_WORDS))}|\d[\d,]*)" + _OF_DETERMINER + "$",
                      re.I)
_PART_OF_Q = re.compile(r"^\s*how\s+many\s+of\b", re.I)


def total_after(sentence: str, b: int) -> int | None:
    """Where the whole ends when the figure ending at ``b`` is a part of it ("drove in
    five of the Rangers' first 10 runs": the end of "10"); None when it is not."""
    m = _OF_A_TOTAL.match(sentence, b)
    if m is None:
        return None
    n = NUMBER.match(sentence, m.end())
    return n.end() if n else None


def is_a_total(sentence: str, a: int) -> bool:
    """Whether the figure starting at ``a`` is the whole a part is counted of ("one of
    his 17 encounters": 17)."""
    return bool(_A_TOTAL.search(sentence[max(0, a - 40) : a]))


def numbers_in(sentence: str) -> list[tuple[int, int]]:
    """Spans of figures (with currency, scale and percent) outside dates; years alone
    are dates, not figures."""
    dates = [m.span() for m in DATE.finditer(sentence)]
    out = []
    for m in NUMBER.finditer(sentence):
        a, b = m.span()
        if any(x <= a < y for x, y in dates) or _YEAR.match(m.group(0).strip()):
            continue
        if m.group(0).lower() == "one" and re.match(r"\s+(?:of|another|day)\b", sentence[b:]) \
                and not _OF_A_TOTAL.match(sentence[b:]):
            continue  # "one of the factions": a pronoun, not a count ("one of his 17": one)
        if _IDENTIFIER.search(sentence[max(0, a - 12) : a]):
            continue  # "Bill No. 8980", "#3": a label, not a count
        out.append((a, b))
    return out


# "November 8", "Nov. 8", "Wednesday, Nov. 8th, 2023": one day of the year.
_ONE_DAY = re.compile(rf"^(?:{WEEKDAY},?\s+)?({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?"
                      rf"(?:,?\s+\d{{4}})?$", re.I)


def day_key(value: str) -> str | None:
    """The month and day a date names, however written ("Nov. 8" and "November 8" are
    "11-8"; the year is set aside, for articles of one season rarely name one day of two
    years); None for any other value."""
    m = _ONE_DAY.match(value.strip())
    return f"{MONTHS[m.group(1).lower()]}-{int(m.group(2))}" if m else None


def dates_in(sentence: str) -> list[tuple[int, int]]:
    """Spans of date expressions ("March 16, 2020", "Tuesday", "in 2019")."""
    return [m.span() for m in DATE.finditer(sentence)]


_ZONES = frozenset("GMT BST UTC ET EST EDT PT PST PDT CT CST CDT MT AEST AEDT CET CEST IST".split())
_PARTITIVES = _COUNT_WORDS | frozenset("both all some many most".split())  # "Two of ..."
_PRONOUN_CONTRACTION = re.compile(r"(?:I|We|You|They)[’'](?:ve|m|ll|d|re)")


# The word a verb in -ing opening a sentence takes ("Setting it apart", "Bowing to ...").
_TAKEN = re.compile(r"\s+(?:it|its|the|a|an|his|her|their|our|my|your|up|on|out|off|in|to|"
                    r"this|that|these|those|them|him|us|me)\b")
_ENDED = re.compile(r"(?:^|[.!?][”\"’']?)[\s“\"‘']*$")


def _opens(text: str, words: str) -> bool:
    """Whether ``words`` open a sentence of ``text`` (the first, or one after a full stop
    that the sentence splitter did not cut at: "..., argued Rehn. Using Caroline ...")."""
    at = text.find(words)
    return at >= 0 and bool(_ENDED.search(text[:at]))


def _opening_verb(text: str, word: str) -> bool:
    """Whether ``word`` is a verb in -ing that opens a sentence of ``text`` with the word
    it takes ("Setting it apart, ..."), not a name ("Beijing said ...")."""
    at = text.find(word)
    return word.endswith("ing") and _opens(text, word) and bool(_TAKEN.match(text, at + len(word)))


def entities_in(sentence: str) -> list[str]:
    """Names in a sentence: runs of capitalised words, a sentence's opening word left
    out when it is an ordinary word; months and weekdays are not names."""
    out = []
    opening_text = sentence.lstrip("\"“‘' ")
    pieces = [piece for n in names_in(sentence, quoted=False)
              for piece in re.split(r"[’']s\s+", n) if piece]
    for name in pieces:
        words = name.split()
        while len(words) > 1 and (words[0].lower() in _NOT_NAMES or words[0] in _ZONES):
            # "Though India", "Like Solskjaer", a live blog's "03.08 GMT The Arizona
            # Diamondbacks": the name is what follows
            words = words[1:]
        if len(words) > 1 and words[0].lower().endswith("ing") and _opens(sentence,
                                                                          " ".join(words)):
            words = words[1:]  # "Using Caroline Ellison ...": a verb opens the sentence
        if len(words) > 2 and words[0].lower() in _PARTITIVES and words[1] == "of":
            words = words[2:]  # "Two of Sam Bankman-Fried's ...": the name is what follows
        if len(words) > 2 and MONTHS_DAYS.match(words[0]) and words[1] == "the":
            words = words[2:]  # "in October the Commission sent ...": a date, then the name
        name = without_title(" ".join(words))  # "CEO Caroline Ellison": Caroline Ellison
        words = name.split()
        if all(MONTHS_DAYS.match(w) for w in words):
            continue
        opening = opening_text.startswith(name)
        if len(words) == 1 and (words[0].lower() in _NOT_NAMES | STOPWORDS
                                or opening and words[0].lower().endswith("ly")
                                or _PRONOUN_CONTRACTION.fullmatch(words[0])):
            continue  # "However", "Amazingly", "I’ve", "We’re": no name
        if len(words) == 1 and _opening_verb(sentence, words[0]):
            continue  # "Setting it apart, ...", "Bowing to pressure, ...": a verb, no name
        name = re.sub(r"[’']s$", "", name)
        out.append(name)
    return out


def places_in(sentence: str) -> list[str]:
    """Names that follow "in", "at", "near", "from" ... or a word for a place and "of"
    ("the cities of Basra and Najaf"), and the names joined to one of them by "and" or a
    comma: the places a sentence names. A compound adjective ("Shiite-dominated") is none."""
    out: list[str] = []
    end = -1  # where the last place found ends
    for name in entities_in(sentence):
        i = sentence.find(name, max(end, 0))
        if i < 0 or _COMPOUND_ADJECTIVE.search(name):
            continue
        before = sentence[max(0, i - 24) : i]
        if _PLACE_LEAD.search(before[-12:]) or _PLACE_OF.search(before) or (
                end >= 0 and _JOINED.fullmatch(sentence[end:i])):
            out.append(name)
            end = i + len(name)
    return out


_PLACE_OF = re.compile(r"\b(?:cit(?:y|ies)|towns?|villages?|provinces?|regions?|states?|"
                       r"countr(?:y|ies)|capital|districts?|islands?|counties|county)\s+of\s+$",
                       re.I)
_JOINED = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:in\s+)?")
_COMPOUND_ADJECTIVE = re.compile(r"-(?:dominated|backed|led|based|owned|run|controlled|funded|"
                                 r"linked|aligned|born|made|style|held|allied)$", re.I)


def listed_with(value: str, sentence: str, others: Iterable[str]) -> list[str]:
    """The ``others`` that ``sentence`` lists right after ``value``, joined by "and" or
    commas ("Basra and Najaf, and in Kirkuk": Najaf, Kirkuk), in order."""
    others = [o for o in others if o != value]
    at = sentence.find(value)
    out: list[str] = []
    end = at + len(value)
    while at >= 0:
        found = [(sentence.find(o, end), o) for o in others if o not in out]
        nearest = min(((i, o) for i, o in found if i >= 0), default=None)
        if nearest is None or not _JOINED.fullmatch(sentence[end:nearest[0]]):
            break
        out.append(nearest[1])
        end = nearest[0] + len(nearest[1])
    return out


# "how much ... cost", also after a phrase that sets the scene ("At the trial, how much ...")
_CURRENCY_Q = re.compile(r"^(?:[^?]*,)?\s*how much\b.*\b(?:cost|costs|spend|spent|pay|paid|"
                         r"price|worth|"
                         r"raise|raised|fund|funding|earn|charge|fine|budget|fee|fees|deal|"
                         r"contract|salary|offer|bid|loan|settlement|bonus|prize|wages?|"
                         r"valuation|invest|investment|rent|tax|money|bring in|brought in|"
                         r"generated?)", re.I)
_CURRENCY = re.compile(r"[$€£¥₹]|\b(?:dollars?|pounds?|euros?|yen|rupees?|rs|usd|eur|gbp)\b",
                       re.I)
_HOW_MUCH = re.compile(r"^\s*how\s+much\b", re.I)


def nearest_first(spans: Iterable[tuple[int, int]], sentence: str, question: str) -> list[
    tuple[int, int]
]:
    """``spans`` ordered by their distance (characters) to the nearest of the question's
    own words in the sentence, nearest first."""
    wanted = _terms(question)
    anchors = [
        (m.start(), m.end())
        for m in re.finditer(r"\S+", sentence)
        if set(content_terms(m.group(0))) & wanted
    ]

    def distance(span: tuple[int, int]) -> int:
        a, b = span
        gaps = [max(x - b, a - y, 0) for x, y in anchors if not (x >= a and y <= b)]
        return min(gaps) if gaps else 10**6

    return sorted(spans, key=distance)


_TALLY_Q = re.compile(r"\b(?:score|scoreline|record|tally)\b", re.I)
_TALLY = re.compile(r"(?<![\w.,-])\d{1,3}(?:\s?[-–]\s?\d{1,3}){1,2}(?![\w%-])")
# "more than 9,000", "about 2,500": the qualifier is part of what the article states.
QUALIFIER = (r"\b(?:(?:more|fewer|less) than|about|around|roughly|nearly|almost|approximately|"
             r"over|under|at least|at most|up to|some)\s+")
_QUALIFIER_BEFORE = re.compile(QUALIFIER + "$", re.I)
_QUALIFIER_OPENS = re.compile("^" + QUALIFIER, re.I)


def unqualified(value: str) -> str:
    """A figure without its qualifier: "more than 9,000" → "9,000"."""
    return _QUALIFIER_OPENS.sub("", value)


# A unit of measure after a figure is part of it: "7-foot-4", "330 metres", "6ft 2in",
# "45 years". A scale ("2.2m") is read by NUMBER; a counted noun ("tickets") is no unit.
_UNIT = re.compile(
    r"[\s-]?(?:feet|foot|ft|inch(?:es)?|met(?:re|er)s?|cm|mm|km|kilomet(?:re|er)s?|miles?|"
    r"yards?|kg|kilograms?|grams?|lbs?|tons?|tonnes?|mph|km/h|kph|degrees?|acres?|"
    r"hectares?|square\s+(?:feet|met(?:re|er)s|miles|kilomet(?:re|er)s)|sq\s?ft|GB|TB|MB|mAh|"
    r"kWh|MW|GW|GHz|years?(?:[\s-]old)?|months?|weeks?|days?|hours?|minutes?|seconds?|storeys|floors)\b"
    r"(?:[\s-]\d{1,2}(?:\s?(?:in|inches)\b)?(?![\d,.]))?",  # "7-foot-4", "6ft 2in"
    re.I,
)


_AGE_Q = re.compile(r"^\s*how\s+old\b", re.I)
# An age: "aged 28", "At 28, in his prime", "Stapleton, 45, told", "a 28-year-old".
_AGE_BEFORE = re.compile(r"\b(?:aged?|at)\s+$", re.I)
_AGE_AFTER = re.compile(r"[\s-]+years?[\s-]+old\b", re.I)
_RATE_AFTER = re.compile(r"\s*(?:%|per\s*cent|percent)", re.I)


def _an_age(sentence: str, a: int, b: int) -> bool:
    """Whether the figure at ``a:b`` is said as someone's age."""
    if _AGE_AFTER.match(sentence, b):
        return True
    if not re.fullmatch(r"\d{1,3}", sentence[a:b]) or _RATE_AFTER.match(sentence, b):
        return False  # "at $299", "at 3.5", "at 40%": a price or a rate
    if _AGE_BEFORE.search(sentence[max(0, a - 8) : a]):
        return True
    # Set off by commas after a name: "Stapleton, 45, told"
    return bool(re.search(r"[A-Za-z], $", sentence[max(0, a - 3) : a])) \
        and sentence[b:].startswith(",")


def _with_unit(sentence: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each figure with the unit after it; a figure inside another's unit ("4" of
    "7-foot-4") is dropped."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a < out[-1][1]:
            continue
        m = _UNIT.match(sentence, b)
        out.append((a, m.end() if m else b))
    return out


def number_spans(sentence: str, question: str) -> list[tuple[int, int]]:
    """Figures the question does not state, each with its qualifier ("more than 9,000");
    for "how much ... cost / pay / raise", only sums of money; for a score or a record,
    its tallies ("40-6", "5-10-4") when the sentence has any."""
    if _TALLY_Q.search(question) and (tallies := [m.span() for m in _TALLY.finditer(sentence)]):
        return [(a, b) for a, b in tallies if sentence[a:b] not in question]
    spans = numbers_in(sentence)
    if _AGE_Q.match(question):
        spans = [(a, b) for a, b in spans if _an_age(sentence, a, b)]
    elif _HOW_MUCH.match(question):  # "how much" never asks an age ("the 26-year-old")
        spans = [(a, b) for a, b in spans if not _an_age(sentence, a, b)]
    spans = _with_unit(sentence, spans)
    if _CURRENCY_Q.match(question):
        # the sign before the figure or the word right after it, not another figure's
        spans = [(a, b) for a, b in spans if _CURRENCY.search(sentence[max(0, a - 3) : b])
                 or _CURRENCY.match(sentence[b:].lstrip())]
    out = []
    part_of = _PART_OF_Q.match(question)
    for a, b in spans:
        if sentence[a:b].strip() in question:
            continue
        if part_of and is_a_total(sentence, a):
            continue  # "How many of his encounters ...": not the 17 of "one of his 17"
        q = _QUALIFIER_BEFORE.search(sentence[max(0, a - 20) : a])
        out.append((a - len(q.group(0)) if q else a, b))
    return out


_NOT_UNTIL = re.compile(r"\bnot\s+until\s+", re.I)


_YEAR_Q = re.compile(r"\b(?:what|which)\s+year\b", re.I)
_BARE_YEAR = re.compile(rf"(?<![\w$£€.,-]){YEAR}(?![\w,.%-]\w)")
_DECADE_Q = re.compile(r"\b(?:what|which)\s+decade\b", re.I)
_DECADE = re.compile(r"(?<![\w$£€.,-])(?:(?:1[5-9]|20)\d0|['’]\d0)s\b")


def date_spans(sentence: str, question: str) -> list[tuple[int, int]]:
    """Dates that say something the question does not ("not until 1863" is 1863); for
    a question that asks the year, years alone too ("since the 1976 Draft"); for one that
    asks the decade, decades only ("the 1990s")."""
    spans = dates_in(sentence)
    if _DECADE_Q.search(question):
        return [m.span() for m in _DECADE.finditer(sentence) if new_to(m.group(0), question)]
    if _YEAR_Q.search(question):
        spans = sorted(spans + [m.span() for m in _BARE_YEAR.finditer(sentence)
                                if not any(x <= m.start() < y for x, y in spans)])
    out = []
    for a, b in spans:
        if m := _NOT_UNTIL.match(sentence, max(0, a - 4)):
            a = m.end()
        if new_to(sentence[a:b], question):
            out.append((a, b))
    return out


def after_echo(name: str, question: str) -> str:
    """``name`` without the capitalised words before it that the question already says,
    when a name of two or more words follows ("Fair Work Ombudsman Anna Booth" for "Who is
    the new Fair Work Ombudsman?": Anna Booth; "Will Smith" is left whole)."""
    words = name.split()
    asked = set(re.findall(r"[\w.’'-]+", question))  # as written: "WIN" is not "win"
    i = 0
    while i < len(words) - 2 and words[i] in asked and _terms(words[i]):
        i += 1
    return " ".join(words[i:])


def _name_spans(names: Iterable[str], sentence: str, question: str) -> list[tuple[int, int]]:
    found = []
    for name in dict.fromkeys(after_echo(n, question) for n in names):
        at = sentence.find(name)
        if at >= 0 and new_to(name, question):
            found.append((at, at + len(name)))
    return sorted(found)


def place_spans(sentence: str, question: str) -> list[tuple[int, int]]:
    """Places (names after "in", "at", "near" ...) the question does not name; a place
    and the one after its comma are one ("Auburn, Washington"), unless a list goes on
    ("Basra, Najaf and Kirkuk")."""
    out: list[tuple[int, int]] = []
    listed = False  # the last place is an item of a list
    for a, b in _name_spans(places_in(sentence), sentence, question):
        comma = bool(out) and sentence[out[-1][1] : a] == ", "
        if comma and not listed and not _LIST_GOES_ON.match(sentence, b):
            out[-1] = (out[-1][0], b)
        else:
            listed = comma
            out.append((a, b))
    return out


_LIST_GOES_ON = re.compile(r",?\s+(?:and|or)\s+(?:in\s+)?[A-Z]|,\s*[A-Z]")


# "What do betting sites call ...?", "What is it called when ...?", "What is the term for
# ...?", "What nickname ...": a name or a term is asked for, a term perhaps in lower case.
NAMING_Q = re.compile(
    r"^\s*(?:what|which)\b[^?]*?(?:\bcall\b(?!\s+(?:for|on|off|out|up|in)\b)|\bcalled\b|"
    r"\bknown\s+as\b|\bnicknamed?\b|\bdubbed\b|(?<![\w-])(?:term|word|phrase)\s+(?:for|used)\b|"
    r"\b(?:is|was)\s+the\s+(?:\w+\s+)?name\s+(?:of|for)\b)", re.I)
_QUOTED = re.compile(r"[“\"]([^”\"\n]{2,48}?)[”\"]")  # a phrase in quotation marks
# The words that introduce what something is called: "a discount called", "known as '"
_NAMED_BEFORE = re.compile(r"\b(?:called|named|dubbed|nicknamed|titled|termed|known\s+as|"
                           r"referred\s+to\s+as)\s+(?:(?:the|a|an)\s+)?[“\"'‘]?$", re.I)
_TERM_WORDS = 4  # a quoted term is a few words, not a quoted remark


def naming_question(question: str) -> bool:
    """Whether the question asks what something is called (a name or a term)."""
    return bool(NAMING_Q.match(question))


def term_spans(sentence: str, question: str) -> list[tuple[int, int]]:
    """Terms in quotation marks, a few words long, that the question does not say
    ("the “puck line” is akin to the point spread", 'referred to as a "push."')."""
    out = []
    for m in _QUOTED.finditer(sentence):
        term = m.group(1).rstrip(" .,;:!?")
        if term and len(term.split()) <= _TERM_WORDS and new_to(term, question):
            out.append((m.start(1), m.start(1) + len(term)))
    return out


def entity_spans(sentence: str, question: str) -> list[tuple[int, int]]:
    """Names the question does not name; for a question that asks what something is
    called, also the quoted terms (which may be in lower case)."""
    names = _name_spans(entities_in(sentence), sentence, question)
    if not naming_question(question):
        return names
    terms = [(a, b) for a, b in term_spans(sentence, question)
             if not any(x < b and a < y for x, y in names)]
    found = sorted(names + terms)
    # "book through the Fly Delta app ... a 15% discount called Takeoff15": what a
    # sentence calls something is the name asked for, not the other names about it.
    called = [(a, b) for a, b in found if _NAMED_BEFORE.search(sentence[max(0, a - 30) : a])]
    return called or found
