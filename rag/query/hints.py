"""What a question says about outlets and dates ("as reported by TechCrunch",
"in October 2023"). Pure functions."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from index.dates import _MONTH_RE, MONTHS, find_date
from index.outlets import normalize_source
from rag.grounding.text import content_terms
from rag.query.relative_dates import reads_latest

_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})\b", re.I)


@dataclass(frozen=True)
class QueryHints:
    """Outlets named in a question and date ranges it mentions (day numbers)."""

    sources: list[str] = field(default_factory=list)
    date_ranges: list[tuple[int, int]] = field(default_factory=list)
    latest: bool = False  # "the latest", "currently": newer articles rank first

    def __bool__(self) -> bool:
        return bool(self.sources or self.date_ranges or self.latest)


def find_sources(query: str, known: list[str]) -> list[str]:
    """Known outlets (normalised names) that the question names as a proper noun."""
    found: list[str] = []
    for key in sorted(known, key=len, reverse=True):
        if len(key) < 3:
            continue
        words = r"\s+".join(re.escape(w) for w in key.split())
        pattern = re.compile(rf"(?<![\w])(?:the\s+)?{words}(?![\w])", re.I)
        for m in pattern.finditer(query):
            word = m.group(0)
            word = word[4:].lstrip() if word.lower().startswith("the ") else word
            # a proper noun: capitalised (or written with a digit/dot, like "9to5mac.com")
            if word[:1].isupper() or not word[:1].isalpha():
                if not any(key in other for other in found):
                    found.append(key)
                break
    return found


def without_outlets(query: str, known: list[str] | tuple[str, ...]) -> str:
    """The question with the outlets it names taken out ("Business Today | Latest Stock
    Market News" says nothing about today or the latest)."""
    for key in sorted(known, key=len, reverse=True):
        if len(key) >= 3:
            words = r"\s+".join(re.escape(w) for w in key.split())
            query = re.sub(rf"(?<![\w])(?:the\s+)?{words}(?![\w])", " ", query, flags=re.I)
    return query


def find_date_ranges(query: str) -> list[tuple[int, int]]:
    """Day-number ranges for the dates a question mentions: a day, or a whole month."""
    ranges: list[tuple[int, int]] = []
    day = find_date(query)
    if day is not None:
        ranges.append((day.toordinal() - 1, day.toordinal() + 1))
    for m in _MONTH_YEAR.finditer(query):
        month, year = MONTHS[m.group(1).lower()], int(m.group(2))
        if not 1900 <= year <= 2100:
            continue
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        if day is None or not first <= day <= last:
            ranges.append((first.toordinal(), last.toordinal()))
    return ranges


_QUOTED = re.compile(r"[\"“‘]([^\"”’]{3,80})[\"”’]|(?<!\w)'([^']{3,80})'(?!\w)")
_OPENERS = ("(?:The|A|An|He|She|It|We|They|You|I|This|That|These|Those|His|Her|Its|Their|"
            "Our|My|Your|But|And|So|Then|In|On|At|For|If|When|While|After|Before|As|There|"
            "Here|Now|Yet|Still|However|Meanwhile|What|Who|How|Why)")
_NAME = re.compile(
    # a surname's particle before it ("de Kock", "von der Leyen", "ten Hag")
    r"(?:\b(?:de|van|von|da|di|du|ten|ter|al|el|bin|le)\s+(?:der\s+|den\s+)?(?=[A-Z]))?"
    r"\b[A-ZÀ-ÖØ-Þ][\w’'&.-]*[^\W_]"
    r"(?:\s+(?:(?:of|de|du|van|von|der|den|ten|the|&|for|al|el|bin|ibn|da|la|le)\s+"
    r"(?:der\s+|den\s+)?)?"
    # "David W. Orr": an initial inside a name, not a sentence's end ("Team B. You ...")
    rf"(?:[A-Z]\.(?=\s+(?!{_OPENERS}\b)[A-Z])|[A-ZÀ-ÖØ-Þ][\w’'&.-]*[^\W_]))*"
)
_LEADING = frozenset(
    "a an the and but or if in on at for to of by as from with while whereas before after "
    "between during since does did do is was are were has have had can could will would "
    "who whom whose what which when where why how considering according".split()
)


def names_in(text: str, quoted: bool = True) -> list[str]:
    """Proper names (runs of capitalised words, not a sentence's first function word)
    and, with ``quoted``, quoted phrases, in order of appearance, without repeats."""
    found: dict[str, None] = {}
    for m in _QUOTED.finditer(text) if quoted else ():
        found.setdefault((m.group(1) or m.group(2)).strip(), None)
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower().strip(".") in _LEADING:
            words = words[1:]
        while words and words[-1].lower() in {"of", "de", "the", "and", "&", "for"}:
            words = words[:-1]
        name = " ".join(words).rstrip(".")
        if name and content_terms(name):
            found.setdefault(name, None)
    return list(found)


def key_phrases(query: str, outlets: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The multi-word names and quoted phrases of a query ("Camp Taji", "Hezbollah
    Brigades"), outlet names left out (the outlet pools and hints weigh those)."""
    return [n for n in names_in(query) if len(n.split()) > 1
            and normalize_source(n) not in outlets]


def parse_hints(query: str, known_sources: list[str]) -> QueryHints:
    """Outlet and date hints of a question, given the outlets in the index."""
    return QueryHints(
        sources=find_sources(query, known_sources), date_ranges=find_date_ranges(query),
        latest=reads_latest(without_outlets(query, known_sources)),
    )


__all__ = [
    "QueryHints",
    "key_phrases",
    "find_date_ranges",
    "find_sources",
    "names_in",
    "normalize_source",
    "parse_hints",
    "without_outlets",
]
