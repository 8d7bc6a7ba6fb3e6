"""Figures read as numbers, so that "1.5 million" equals "$1,500,000", "Twenty-five"
equals 25 and "2.5 thousand" equals 2,500. Pure.

Number words are turned into digits by ``text2num`` (a maintained parser); scale words
and suffixes ("million", "bn", "2.2m") are applied here, since the parser reads
"1.5 million" as two numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_FIGURE = re.compile(
    r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:(?:\s|-|_)?(hundred|thousand|million|billion|trillion|bn|mn|tn)\b|(k|m|b)\b)?",
    re.I,
)
# A scale word after digits is kept from the word parser ("1.5 million" is one figure).
_SCALED = re.compile(r"(\d)[\s-]+(hundred|thousand|million|billion|trillion)\b", re.I)
# A figure that is part of a date or a clock time is not a quantity.
_WORDS = re.compile(r"\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
                    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
                    r"million|billion|dozen)\b", re.I)


@lru_cache(maxsize=8192)
def _digits(text: str) -> str:
    """``text`` with number words as digits ("Twenty-five" -> "25"); unchanged when it
    has none (text2num is only called where a number word stands)."""
    text = _SCALED.sub(r"\1_\2", text)
    if not _WORDS.search(text):
        return text
    # "a dozen" is not read by text2num; one word for it is enough here.
    text = re.sub(r"\b(?:a\s+)?dozen\b", "12", text, flags=re.I)
    return str(alpha2digit(text, "en"))


def number_values(text: str) -> list[float]:
    """The quantities ``text`` states, in order: digits, number words and scale words
    combined ("$1.5 million" -> 1500000.0, "2.2m" -> 2200000.0, "Three" -> 3.0)."""
    out = []
    for m in _FIGURE.finditer(_digits(text)):
        value = float(m.group(1).replace(",", ""))
        scale = (m.group(2) or m.group(3) or "").lower()
        out.append(value * _SCALES.get(scale, 1.0))
    return out


def same_number(a: float, b: float) -> bool:
    """Equal as quantities (to a part in ten thousand: "2.5 thousand" = 2,500)."""
    return abs(a - b) <= 1e-4 * max(abs(a), abs(b), 1.0)


def states_number(text: str, value: float) -> bool:
    """Whether ``text`` states the quantity ``value`` in any wording."""
    return any(same_number(v, value) for v in number_values(text))
