"""Whether a value is of the asked kind: a person's name for "who", not a platform, a
country code, a place or a title alone. Pure."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rag.answer.plan import AnswerType
from rag.grounding.text import content_terms

_PLATFORMS = frozenset(
    "twitter x facebook instagram youtube tiktok linkedin reddit threads telegram whatsapp "
    "snapchat truth social google spotify netflix".split()
)
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){1,3}$")
_TITLES = frozenset(content_terms(
    "secretary president minister prime chancellor chief executive ceo spokesperson "
    "spokeswoman spokesman senator governor general director chairman chair officer "
    "official sir lord king queen prince judge coach manager founder attorney cto cfo coo "
    "mayor ambassador professor editor analyst "
    # a player's position stands before his name as a title does ("QB Cam Fancher")
    "quarterback qb rb wr receiver cornerback linebacker"))
# Title words that begin a title or a name ("Chief Executive", "General Motors", "Prince
# William"): a name is not cut after them.
_OPENING_TITLES = frozenset("general chief prime sir lord king queen prince".split())


_TITLE_PREFIXES = frozenset("co vice deputy ex former acting interim".split())


# A role, by the words that name it: a value whose own title names another role than the
# one asked ("Which Giants tight end": "quarterback Daniel Jones") is another person.
# Words any sport or body uses ("starter", "boss": "Tesla boss Elon Musk") name no role.
_ROLES = {
    "quarterback": "quarterback|qb|passer", "receiver": "wide receiver|receiver|wr|wideout",
    "tight end": "tight end|te", "running back": "running back|rb|rusher",
    "pitcher": "pitcher|reliever|closer|right-hander|left-hander",
    "cornerback": "cornerback|cb", "linebacker": "linebacker|lb", "safety": "safety",
    "goalkeeper": "goalkeeper|goalie|keeper", "judge": "judge|justice",
    "president": "president", "senator": "senator", "governor": "governor", "mayor": "mayor",
    "coach": "head coach|coach|manager", "ceo": "chief executive|ceo",
    "prime minister": "prime minister|premier", "prosecutor": "prosecutor",
    "spokesperson": "spokesperson|spokeswoman|spokesman",
}
_ROLE_NAMES = {name: role for role, names in _ROLES.items() for name in names.split("|")}
_ROLE_BEFORE = re.compile(
    r"(?:^|[^\w-])(" + "|".join(sorted(map(re.escape, _ROLE_NAMES), key=len, reverse=True))
    + r")\s+$", re.I)


@cache
def _role_terms() -> list[tuple[frozenset[str], str]]:
    """Each name of a role as terms, the longest name first ("tight end" before "end")."""
    return [(frozenset(content_terms(name)), role)
            for name, role in sorted(_ROLE_NAMES.items(), key=lambda item: -len(item[0]))]


def asked_role(head: set[str]) -> str | None:
    """The role a question asks for, from the words of what it asks ("pitcher" of "Which
    Diamondbacks pitcher"); None when it asks for none."""
    return next((role for terms, role in _role_terms() if terms and terms <= head), None)


def other_role(role: str | None, before: str) -> bool:
    """Whether the title right before a name (``before``, the text up to it) is of
    another role than ``role``, the one asked for."""
    m = _ROLE_BEFORE.search(before) if role else None
    return m is not None and _ROLE_NAMES[m.group(1).lower()] != role


def is_title(word: str) -> bool:
    """A word of a title or rank that stands before a name ("Secretary", "CEO", "Sir",
    "Co-Founder")."""
    terms = {t for t in content_terms(word.replace("-", " ")) if t not in _TITLE_PREFIXES}
    return bool(terms) and terms <= _TITLES


def without_title(name: str) -> str:
    """``name`` without the title before it: the words after its last title word, when
    two or more capitalised words follow ("Former FTX Co-Founder Sam Bankman-Fried" ->
    "Sam Bankman-Fried", "CEO Caroline Ellison" -> "Caroline Ellison"; "Secretary
    Pompeo", "General Motors" and "Secretary of State Mike Pompeo" are left whole)."""
    words = name.split()
    titles = [is_title(w) for w in words]
    if True not in titles:
        return name
    end = len(words) - titles[::-1].index(True)  # after the last title word
    start = end
    while start and titles[start - 1]:
        start -= 1
    opening_only = all(w.lower().strip(".") in _OPENING_TITLES for w in words[start:end])
    rest = words[end:]
    if opening_only or len(rest) < 2 or not all(w[:1].isupper() for w in rest):
        return name
    return " ".join(rest)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Country, region and city names (babel's, offline, and a few more): what "who" does
    not mean when it asks for a person."""
    from babel import Locale

    names = {n.lower() for n in Locale("en").territories.values()}
    return frozenset(names | _REGIONS | _cities())


def _cities() -> set[str]:
    """The cities of several words that the time zones are named by ("New York", "Los
    Angeles", "Mexico City"; babel's English names, offline). One-word ones are left
    out: many are surnames too ("Palmer", "Davis", "Darwin")."""
    import zoneinfo

    from babel.dates import get_timezone_location

    cities = set()
    for zone in zoneinfo.available_timezones():
        if zone.startswith(("Antarctica/", "Etc/")) or "/" not in zone:
            continue
        city = get_timezone_location(zone, locale="en", return_city=True)
        if " " in city:
            cities.add(city.lower())
    return cities


_REGIONS = frozenset(
    "middle east west east north south u.s us usa uk un nato eu gaza uae nyc".split())
# Peoples and adjectives of place: "host Iraqi, American and coalition forces" names no one.
_DEMONYMS = frozenset(
    "american americans british european europeans african asian arab iranian iraqi "
    "israeli palestinian chinese russian ukrainian indian japanese korean french german "
    "italian spanish australian canadian mexican brazilian saudi turkish syrian lebanese "
    "egyptian english scottish welsh irish western eastern northern southern".split()
)
# The last word of a name that names a place or a building, not a person: "Baghdad
# International Airport", "Tahrir Square", "Al-Asad Air Base".
_FACILITIES = frozenset(
    "airport airbase base square street road avenue boulevard highway bridge river lake "
    "sea ocean island islands mountain mountains valley zone province district county "
    "city town village state region station stadium arena park palace embassy hospital "
    "university college school museum church mosque cathedral temple hotel port harbour "
    "harbor camp prison border strait gulf bay canal".split()
)


# The last word of a name of an event, an award, a law or a body, not a person: "World
# Cup", "Ballon d'Or Award", "AI Labeling Act", "Hendrick Motorsports", "Check Point
# Software Inc", "Red Tour", "Manchester United".
_NOT_PEOPLE = frozenset(
    "cup league championship championships olympics olympic games series open tournament "
    "award awards prize trophy festival conference summit act bill law agreement treaty "
    "draft season motorsports inc corp corporation company co group ltd llc plc bank fc "
    "network agency ministry department council committee party association federation "
    "foundation institute software technologies labs studios records entertainment "
    "airlines airways commission court exchange securities times post journal capital "
    "ventures partners fund trust reserve board authority bureau administration office "
    "police army navy holdings tour united rovers albion hotspur wanderers research "
    "systems media motors industries brands sportsbook pharmaceuticals robotics".split()
)


def is_body_word(word: str) -> bool:
    """A word that ends the name of a body, a team or an event, never a person's
    ("Research", "FC", "Reserve", "Cup")."""
    return word.lower() in _NOT_PEOPLE


# A title of a body and nothing after it: "CEO of FTX", "former CEO of Alameda Research"
# (but "Secretary of State Mike Pompeo" names him).
_ROLE_OF = re.compile(r"^\S+(?:\s+\S+)?\s+of\s+(?:the\s+)?\S+(?:\s+\S+)?$")


def kind_fit(kind: AnswerType, value: str, person: bool, outlets: set[str]) -> float:
    """How plausible ``value`` is as an answer of the asked kind (0: never a lead)."""
    low = value.lower().strip(". ")
    if low in outlets:
        return 0.0
    if kind is AnswerType.PLACE and len(value) > 2 and value.isalpha() and value.isupper() \
            and low not in _places():
        return 0.0  # "MMA", "NFL": a sport or a body by its initials is no place ("US" is)
    if kind is AnswerType.ENTITY:
        if low in _DEMONYMS or " " in low and set(low.split()) <= _DEMONYMS | _REGIONS:
            return 0.2  # "Iraqi", "North American": a people or a region's adjective
        # "Iraqi Prime Minister Adel Abdul-Mahdi" is a two-word name behind its title.
        words = [w for w in value.split()
                 if w.lower() not in _DEMONYMS and not set(content_terms(w)) <= _TITLES]
        if len(words) > 4:
            return 0.3  # a headline's run of capitals, not a name
        if low in _PLATFORMS and person:
            return 0.0
        if person and (low in _places() or _ACRONYM.match(value.replace(" ", ""))
                       or low.split()[-1] in _FACILITIES | _NOT_PEOPLE
                       or " " not in value and value.isupper()):
            # "U.S", "Iraq", "Tahrir Square", "World Cup", "NASDAQ": no person's name
            return 0.2
        if all(t in _TITLES for t in content_terms(value)):
            return 0.0  # a title alone ("Secretary") is no name
        if not person and " " in value and is_title(value.split()[0]):
            return 0.2  # "Sir Alex Ferguson" is a person, not the team or firm asked for
        if person and is_title(value.split()[0]) and _ROLE_OF.match(value):
            return 0.2  # "CEO of FTX": a role, not the person's name
        if person and len(words) == 1:
            return 0.7
        if person and re.search(r"\s(?:of|for|and)\s", value):
            return 0.5  # "Government of Iraq": a body, not a person
    return 1.0

