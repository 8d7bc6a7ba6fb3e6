"""Cleaning: drop page furniture, keep every sentence of the article. Pure functions.

Scraped news pages carry more than the article: paywall offers with price
lists, share-button lists, comment forms, site disclaimers, hashtag lines. The
rules here work line by line and are written for the *kind* of furniture, not
for any one site. A paywall offer is a block: it starts at a marker line
("Subscribe now", "You've reached your limit") and runs on through the short,
unpunctuated lines of the offer (plan names, prices, feature lists) until a
line that reads like article prose again.

Past these rules, :mod:`index.boilerplate` classifies what is left in the manner of
jusText: call-to-action sentences (newsletter boxes, "CLICK HERE", tip boxes, affiliate
notes, consent placeholders) are cut from their lines or drop the line, and short
fragments between furniture go with it. Inline slots (ad labels, links to other stories,
picture credits) are dropped but do not count as furniture around them.
"""

from __future__ import annotations

import re
import unicodedata

from index import boilerplate

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
    rf"(?:(?:{_SOCIAL}|share)(?:\s*[,|/]\s*|\s+|$)){{2,}}",
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
    r"(?:tags|topics|categories)\s*:.*",
    # prices and plan terms outside a paywall block
    r"[₹$€£¥]\s?\d[\d,.]*(?:\s*/\s*\w+)?",
    r"\d+\s+(?:days?|weeks?|months?|years?)",
    r"renews automatically.*",
]
# Inline slots: furniture that sites put *between* article paragraphs (ad labels, links to
# other stories, picture credits, embeds). Dropped, but no context for their neighbours.
_INLINE_LINE = [
    r"advertisements?|sponsored(?: content)?|skip ad|ad feedback|continue reading(?: below)?",
    r"(?:advertisement\s*)?(?:the )?(?:article|story|content) continues (?:below|after)"
    r"(?: (?:this|the) ad(?:vertisement)?)?",
    r"(?:related(?: articles| stories)?|read more|also read|see also)\s*:.*",
    r"(?:video|watch|photo|photograph|image|gallery)\s*:.*",
    r"(?:more|also read|read also|read next|recommended|most read|must read|trending)\s*[:|]"
    r"\s*\S.{0,200}",
    r"related(?: articles?| stories| content| posts| coverage| links| reading| pages| videos?)?"
    r"\s*:?",
    r"related (?:articles|stories|content|coverage|links|reading)\b.{0,200}",
    r"(?:also read|read also|read next|more stories|you may also like|you might also like|"
    r"most read|most popular|trending now|recommended for you|table of contents)\s*:?",
    # picture credits and embeds on their own line
    r"(?:photo|image|illustration|picture|graphic)s?(?: by| credit:?| source,)\s[^.!?]{0,60}",
    r"credits?\s*:.{0,80}",
    r"\((?:[^()]{0,60}/)?\s*(?:getty images|getty|ap photo|afp|reuters|shutterstock|alamy|"
    r"pa wire|pa)\b[^()]{0,60}\)",
    r"(?:[\w .'’-]{1,40}(?:/|\bvia)\s*)?(?:getty images|ap photo|shutterstock)"
    r"(?:\s*(?:for|via) [\w .'’-]{1,40})?",
    r"embed from getty images",
    r"view this post on (?:instagram|tiktok|twitter|x|facebook)\b.{0,200}",
]
_FURNITURE = re.compile(r"^\s*(?:" + "|".join(_FURNITURE_LINE) + r")\s*$", re.I)
_INLINE = re.compile(r"^\s*(?:" + "|".join(_INLINE_LINE) + r")\s*$", re.I)
_HASHTAGS = re.compile(r"^\s*(?:#[\w\u00C0-\uFFFF-]+[\s,]*)+$")
# A headline link under a "Related" label, on one line: "Related The best PS5 accessories"
# (case matters: "Related to the fire, ..." starts a sentence).
_RELATED_LINK = re.compile(r"^(?:Related|RELATED) [A-Z0-9‘'“\"][^.!?]{0,150}$")
# A link to another story set in capitals between paragraphs: "DANIEL CRAIG GIVES ADVICE
# TO NEXT JAMES BOND". Shorter capital lines are headings of the article ("WEEK 14 DFS:").
_CAPS_LINK_MIN_WORDS = 9
_CAPS_LINK_END = re.compile(r"[.?:]$|\. ")


_PAYWALL_START = re.compile(
    r"you(?:'|’)ve reached your (?:free )?(?:article )?limit|subscribe (?:now|to read|today|for)|"
    r"already (?:subscribed|a subscriber|have an account)|to continue reading|"
    r"this (?:article|story|content) is (?:for|available to|only for) (?:subscribers|members)|"
    r"(?:sign|log) in to (?:read|continue)|unlock (?:this|full) (?:article|story|access)|"
    r"(?:digital )?subscription plans?|free articles? (?:left|remaining|this month)",
    re.I,
)
# Each alternative above holds one of these lower-case strings; lines without any skip the
# search (it is the slowest test per line).
_PAYWALL_HINTS = ("reached your", "subscri", "already", "continue reading", "members",
                  " in to ", "unlock", "free article")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_ASIDE = re.compile(r"\([^()]*\)")
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
    """True for a line that is page furniture on its own (share, comment form, tags, ads...)."""
    return bool(_FURNITURE.match(line) or _HASHTAGS.match(line)) or is_inline_slot(line)


def is_inline_slot(line: str) -> bool:
    """True for furniture set between article paragraphs: an ad label ("Advertisement"), a
    link to another story ("MORE: ...", "Related ...", a headline in capitals), a picture
    credit or an embed label."""
    return bool(_INLINE.match(line) or _RELATED_LINK.match(line)) or is_caps_link(line)


def is_caps_link(line: str) -> bool:
    """A long line all in capitals that is not a sentence: a headline linking elsewhere."""
    return (
        line.isupper()
        and len(line.split()) >= _CAPS_LINK_MIN_WORDS
        and not _CAPS_LINK_END.search(line.strip())
    )


def is_paywall_start(line: str) -> bool:
    """True for a line that opens a paywall offer ("Subscribe now", "You've reached your
    limit", "Already a subscriber?")."""
    low = line.lower()
    if not any(h in low for h in _PAYWALL_HINTS):
        return False
    # an aside in brackets, "(live from 8 p.m. -- subscribe now)", opens no offer
    return bool(_PAYWALL_START.search(_ASIDE.sub(" ", line)))


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

    The line rules here (share lists, comment forms, paywall offers, tag lines, ad
    slots) mark lines first; :func:`index.boilerplate.classify` then cuts
    call-to-action sentences and settles short lines by their neighbours. Paragraph
    structure is kept: lines stay lines, runs of blank lines become one.
    """
    lines = normalize_text(raw).split("\n")
    inline = [bool(line) and is_inline_slot(line) for line in lines]
    decisions = boilerplate.classify(lines, rule_furniture(lines, inline), inline)
    return collapse_blank_lines("\n".join(d.text for d in decisions if d.text is not None))


def rule_furniture(lines: list[str], inline: list[bool] | None = None) -> list[bool]:
    """Which lines the line rules drop: furniture lines and paywall offer blocks
    (``inline``: :func:`is_inline_slot` of each line, when the caller has it already)."""
    flags: list[bool] = []
    in_paywall = False
    for i, line in enumerate(lines):
        if not line:
            flags.append(False)
            continue
        if is_paywall_start(line) and not (
            looks_like_prose(line) and len(line.split()) > 2 * _PROSE_MIN_WORDS
        ):
            in_paywall = True
            flags.append(True)
            continue
        if in_paywall:
            if ends_offer(line):
                in_paywall = False
            else:
                flags.append(True)
                continue
        if inline is not None:
            flags.append(inline[i] or bool(_FURNITURE.match(line) or _HASHTAGS.match(line)))
        else:
            flags.append(is_furniture(line))
    return flags


def collapse_blank_lines(text: str) -> str:
    """Strip the text and turn every run of blank lines into one."""
    return re.sub(r"\n{3,}", "\n\n", text).strip()
