"""Cleaning: drop page furniture, keep every sentence of the article. Pure functions.

Scraped news pages carry more than the article: paywall offers with price
lists, share-button lists, comment forms, site disclaimers, hashtag lines. The
rules here work line by line and are written for the *kind* of furniture, not
for any one site. A paywall offer is a block: it starts at a marker line
("Subscribe now", "You've reached your limit") and runs on through the short,
unpunctuated lines of the offer (plan names, prices, feature lists) until a
line that reads like article prose again.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters, BOM; C0/C1 controls except \n and \t.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
# Terminal colour and cursor sequences (ESC [ ... letter) pasted along with a text.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

_SOCIAL = (
    r"facebook|twitter|x|pinterest|linkedin|whatsapp|reddit|telegram|tumblr|messenger|"
    r"instagram|youtube|flipboard|threads|bluesky|mastodon|e-?mail|print|copy link|sms|"
    r"tweet|pin it|pocket|google\+?"
)
_FURNITURE_LINE = [
    # share lists and follow prompts
    rf"(?:share|share this(?: article| story| page)?|share on|share via|follow us(?: on)?)\s*:?"
    rf"(?:\s*(?:{_SOCIAL})(?:\s*[,|/]\s*(?:{_SOCIAL}))*)?",
    rf"(?:{_SOCIAL})",
    r"(?:click|tap) (?:here )?to share.*",
    # comment forms
    r"leave a (?:reply|comment).*",
    r"your email address will not be published.*",
    r"required fields are marked.*",
    r"this site uses akismet.*",
    r"(?:post|submit) (?:a )?comment",
    r"cancel reply",
    r"save my name,? email.*",
    r"notify me of (?:follow-up comments|new posts).*",
    r"(?:comment|name|email|website)\s*\*?",
    r"\d+\s+comments?",
    # site disclaimers, tag lists, navigation
    r"disclaimer\s*:.*",
    r"(?:©|\(c\)|copyright)\s*\d{4}.*",
    r"all rights reserved\.?",
    r"(?:published|filed|posted) under\s*:.*",
    r"(?:tags|topics|categories|related(?: articles| stories)?|read more|also read|see also)\s*:.*",
    r"(?:video|watch|photo|image|gallery)\s*:.*",
    r"advertisement|sponsored(?: content)?|skip ad|continue reading(?: below)?",
    # prices and plan terms outside a paywall block
    r"[₹$€£¥]\s?\d[\d,.]*(?:\s*/\s*\w+)?",
    r"\d+\s+(?:days?|weeks?|months?|years?)",
    r"renews automatically.*",
]
_FURNITURE = re.compile(r"^\s*(?:" + "|".join(_FURNITURE_LINE) + r")\s*$", re.I)
_HASHTAGS = re.compile(r"^\s*(?:#[\w\u00C0-\uFFFF-]+[\s,]*)+$")

_PAYWALL_START = re.compile(
    r"you(?:'|’)ve reached your (?:free )?(?:article )?limit|subscribe (?:now|to read|today|for)|"
    r"already (?:subscribed|a subscriber|have an account)|to continue reading|"
    r"this (?:article|story|content) is (?:for|available to|only for) (?:subscribers|members)|"
    r"(?:sign|log) in to (?:read|continue)|unlock (?:this|full) (?:article|story|access)|"
    r"(?:digital )?subscription plans?|free articles? (?:left|remaining|this month)",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_PROSE_MIN_WORDS = 12
# An offer block ends at the first line that reads like a sentence of the article: offer
# lines are short, unpunctuated labels and prices, and losing a sentence of the article
# is worse than keeping one sentence-like line of an offer.
_SENTENCE_MIN_WORDS = 6


def normalize_text(text: str) -> str:
    """Unicode NFC, no control or zero-width characters, single spaces, ``\\n`` line ends."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    text = _ANSI.sub("", text)
    text = _CONTROL.sub(" ", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def is_furniture(line: str) -> bool:
    """True for a line that is page furniture on its own (share, comment form, tags...)."""
    return bool(_FURNITURE.match(line) or _HASHTAGS.match(line))


def looks_like_prose(line: str) -> bool:
    """A full sentence of some length (a long one that mentions subscribing is article text,
    not an offer marker)."""
    return len(line.split()) >= _PROSE_MIN_WORDS and bool(_SENTENCE_END.search(line))


def ends_offer(line: str) -> bool:
    """A line after which a paywall offer block is over: a sentence of some length."""
    return (
        len(line.split()) >= _SENTENCE_MIN_WORDS
        and bool(_SENTENCE_END.search(line))
        and not is_furniture(line)
    )


def clean_text(raw: str) -> str:
    """Return the article text of ``raw`` without page furniture.

    Paragraph structure is kept: lines stay lines, runs of blank lines become one.
    """
    kept: list[str] = []
    in_paywall = False
    for line in normalize_text(raw).split("\n"):
        if not line:
            kept.append("")
            continue
        if _PAYWALL_START.search(line) and not (
            looks_like_prose(line) and len(line.split()) > 2 * _PROSE_MIN_WORDS
        ):
            in_paywall = True
            continue
        if in_paywall:
            if ends_offer(line):
                in_paywall = False
            else:
                continue
        if is_furniture(line):
            continue
        kept.append(line)
    return collapse_blank_lines("\n".join(kept))


def collapse_blank_lines(text: str) -> str:
    """Strip the text and turn every run of blank lines into one."""
    return re.sub(r"\n{3,}", "\n\n", text).strip()
