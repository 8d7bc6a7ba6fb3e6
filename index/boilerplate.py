"""Boilerplate classification of plain-text paragraphs, in the spirit of jusText. Pure functions.

jusText (Pomikálek, 2011) sorts the paragraphs of a web page into *good* (article)
and *bad* (furniture) by length, stopword density and link density, then settles the
short and borderline ones by their neighbours. The articles here are plain text, so
link density is unknown; what stands in for it are call-to-action cues: sentences
that ask the reader to do something for the site (sign up, subscribe, click here,
get in touch, follow us, download the app), form and widget text (privacy notices,
"Please enter a valid email address", "Loading...", template braces) and
"related"/"read more" link lines.

The decisions, in the order they are made:

1. **Sentences.** Each sentence of a paragraph is furniture when it matches a cue and
   is not a quotation. A paragraph whose furniture sentences carry most of its words,
   the rest being short connectives ("Welcome to Startups Weekly."), is furniture. A
   paragraph that starts or ends with furniture sentences and has article prose
   otherwise keeps the prose: only the leading or trailing furniture run is cut
   (a long paragraph that merely mentions a newsletter has no furniture sentence and
   stays whole).
2. **Classes.** Furniture (by cue, or by the caller's rules), *marker* (an inline slot:
   an ad label, a link to another story, a picture credit; dropped, but invisible to its
   neighbours, because sites put these between article paragraphs), *short* (under 70
   characters), *near* (borderline: no complete sentence and few stopwords), *good*
   (the stopword density of running English text, jusText's 0.30, or a complete
   sentence of 6 words or more).
3. **Context.** A short or near paragraph whose nearest good-or-furniture neighbours on
   both sides (looking past short, near and marker ones, as jusText does) are
   furniture is furniture: a label or fragment of the box around it. Next to article
   text it is kept, and so, wherever they stand, are sentences however short, lines
   with figures (scores, times, list numbers) and datelines.

Losing a sentence of the article is worse than keeping a line of furniture, so every
rule errs towards keeping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from index.chunking import split_sentences
from index.dates import is_date_line

Class = Literal["good", "near", "short", "furniture", "marker", "blank"]

# jusText's defaults: a paragraph under LENGTH_LOW characters is short; one whose share
# of stopwords reaches STOPWORDS_LOW reads like running English text.
LENGTH_LOW = 70
STOPWORDS_LOW = 0.30
# A complete sentence of at least this many words is article text whatever its stopwords.
SENTENCE_MIN_WORDS = 6
# Furniture sentences must carry this share of a paragraph's words for the whole
# paragraph to go; the other sentences must be connectives of at most FILLER_MAX_WORDS.
FURNITURE_SHARE = 0.6
FILLER_MAX_WORDS = 12
# A sentence longer than this is prose even when it mentions a cue (one long sentence
# that names a newsletter is article text).
CUE_MAX_WORDS = 50
CUE_EVERY_WORDS = 20

_HAS_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[\w’'-]+")
_QUOTE = re.compile(r"[“”\"]")
_QUOTED = re.compile(r"[“\"][^“”\"]*[”\"]")
_SENTENCE_END = re.compile(r"[.!?…:][\"'”’)\]]*$")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")

# A sentence that asks the reader to act for the site, or is the text of a sign-up
# form, a consent notice or a widget. Written for the kind of furniture, not one site.
# Each cue comes with the lower-case strings one of which it cannot match without, so
# that only the few cues whose hint occurs in a sentence are tried (cleaning stays fast).
_CUE_TABLE: list[tuple[tuple[str, ...], str]] = [
    # newsletters, alerts, emails: "Sign up for our daily newsletter", "Subscribe here!"
    (("sign", "subscri"),
     r"\b(?:sign(?:ing)? up|subscribe)\b[^.!?]{0,80}?\b(?:newsletters?|inbox|alerts?|updates)\b"),
    (("sign", "subscri"), r"\b(?:sign up|subscribe)(?: here| now| today| for free| free)\b"),
    (("sign", "subscri"), r"^(?:sign up|subscribe|sign me up)\b[^.!?]{0,60}$"),
    (("sign", "subscri"), r"^sign up (?:to|for) our\b|^subscribe to\b"),
    (("inbox",), r"\b(?:in|to|into|straight to|delivered to) your inbox\b"),
    (("our free",), r"\bour free\b[^.!?]{0,50}\b(?:newsletter|e-?mail|app|account)\b"),
    (("newsletter",), r"\bfree (?:daily |weekly |monthly )?newsletter\b"),
    (("newsletter",), r"\bnewsletter promotion\b"),
    (("newsletter",),
     r"^(?:(?:hey|hi|hello)\b[\w,’' ]{0,20})?(?:this is|welcome to)\b[^.!?]{0,80}\bnewsletter\b"),
    (("newsletter",),
     r"^[^/.!?]{1,40} / (?:an? )?(?:free )?(?:daily |weekly |monthly )?newsletter\b"),
    (("newsletter", "podcast"),
     r"\byou can (?:also )?(?:follow|listen|subscribe|sign up|read|get)\b[^.!?]{0,90}"
     r"\b(?:newsletter|podcast)\b"),
    (("listen",), r"^listen to\b[^.!?]{0,80}\b(?:podcast|show)\b"),
    (("download",),
     r"^(?:\w+ )?download (?:the|our) (?:[\w’']+ ){1,3}app\b|\bdownload our\b[^.!?]{0,30}\bapp\b"),
    (("the latest",), r"^(?:catch|get|read) the latest\b"),
    (("special offer",), r"^special offer\b"),
    # links and pointers: "Click here", "Read more", "For more on X, click here"
    (("click here", "tap here"), r"\b(?:click|tap) here\b(?=\s*(?:to\b|for\b|[!.)]|$))"),
    (("read more",), r"^read more\b[^.!?]{0,60}[.!?]?$"),
    (("visit",), r"\bvisit (?:our (?:website|page|site)|[\w-]+\.(?:com|org|net|co\.uk|in|au))\b"),
    (("read more",), r"\bto read more\b[^.!?]{0,60}\b(?:visit|click|see|go to)\b"),
    # tip boxes: "Do you work at X? Get in touch", "drop us a note at tips@..."
    (("in touch",), r"^(?:get|keep) in touch\b"),
    (("in touch",), r"\bget in touch with (?:us|the|our|(?-i:[A-Z])[\w’']*)\b"),
    (("do you",),
     r"^do you (?:work (?:at|for)|have (?:a tip|tips|information|more information)|know more)\b"),
    (("drop us", "contact us", "@"), r"\bdrop us a (?:note|line)\b|\bcontact us\b|\btips?@[\w.-]+"),
    (("tip",),
     r"\b(?:reach out|get in touch|contact us|write to us) with (?:a|your) (?:news )?tips?\b|"
     r"^(?:have|got) a (?:news )?tip\b|\bif you have a (?:news )?tip\b"),
    # social prompts: "Follow us!", "Join 51,000 followers", "Follow @handle on X"
    (("follow",), r"\bfollow us\b|^follow @\w+"),
    (("join",),
     r"\bjoin (?:more than |over |nearly |almost )?[\d,.]+k? (?:followers|subscribers|readers)\b"),
    (("like this",), r"^like this:"),
    # disclosures and republication notes
    (("commission", "share of", "affiliate"),
     r"\b(?:we|may) (?:may )?(?:earn|receive|get) (?:a )?(?:small )?"
     r"(?:commission|share of (?:the )?(?:sales|revenue)|affiliate)\b"),
    (("affiliate",), r"\baffiliate links?\b"),
    (("buy something",), r"\bif you buy something (?:through|using|from) (?:a |our )?links?\b"),
    (("fund", "support"),
     r"\b(?:helps?|help to) (?:fund|support) (?:our|the) (?:work|journalism|newsroom)\b"),
    (("appeared", "published"),
     r"\b(?:a version of this|this (?:story|article|post|piece)) (?:\w+ ){0,2}"
     r"(?:first |originally )?(?:appeared|was (?:first |originally )?published)\b"),
    # sign-up forms, consent and widgets
    (("enter",), r"\bplease enter (?:a |your )?(?:valid )?e-?mail\b"),
    (("by sign", "submitting", "entering", "subscribing", "registering"),
     r"\bby (?:signing up|submitting your e-?mail|entering your e-?mail|subscribing|registering)\b"
     r"[^.!?]{0,40}?\byou(?:’re|'re| are)? (?:agree|agreeing|consent)"),
    (("for sign", "for subscri", "for regist"),
     r"\b(?:thanks|thank you) for (?:signing up|subscribing|registering)\b"),
    (("problem signing",), r"\bthere was a problem signing you up\b"),
    (("went wrong",), r"\bsomething went wrong\. please try again\b"),
    (("privacy",),
     r"\bprivacy (?:notice|policy)\b[^.!?]{0,40}\b(?:terms|apply|see our|more information)\b|"
     r"\b(?:see our|read our) privacy (?:notice|policy)\b"),
    (("terms",),
     r"\bterms (?:of (?:use|service)|and privacy)\b[^.!?]{0,40}\b(?:apply|agree|notice|policy)\b"),
    (("recaptcha",), r"\bprotected by recaptcha\b|\bgoogle recaptcha\b"),
    (("mail",), r"\be-?mail (?:address)?\s*\((?:required|optional)\)|\be-?mail address\s*\*"),
    (("mail",), r"\bi would like to be e-?mailed about\b"),
    (("mail",), r"\bcheck your e-?mail and follow the instructions\b"),
    (("mail",), r"^e-?mail (?:[\w’']+ ){0,3}at [\w.+-]+@[\w-]+\.[\w.]+"),
    (("for free", "unlimited access"),
     r"\bread this article for free\b|\bget unlimited access\b|"
     r"\bunlimited access to [\w-]+\.(?:com|org|net)\b"),
    (("loading",), r"^loading\s*(?:\.\s*\.\s*\.|…)"),
    (("{{",), r"^\s*\{\{[^}]*\}\}"),  # a template at the start: form text, not prose
    (("text size", "font size"),
     r"\b(?:normal|small|medium|large|larger|very large) (?:text|font) size\b"),
    (("for later", "saved list"),
     r"\bsave (?:articles?|stories|this (?:article|story)) for later\b|"
     r"\badd (?:articles|stories) to your saved list\b"),
    (("subscri",), r"\b(?:log|sign) in\s*,?\s*(?:register )?or subscribe\b"),
    # cookie banners and consent placeholders of embedded posts
    (("cookie",), r"^we use cookies\b|\b(?:read|see|view|review)\b[^.!?]{0,30}\bcookie policy\b"),
    (("by continuing", "by using"),
     r"\bby (?:continuing|using) (?:to (?:use|browse) )?(?:this|our) (?:site|website)\b"),
    (("displayed",), r"\bcannot be displayed in your browser\b"),
    (("javascript",), r"\bplease enable javascript\b"),
    (("external sites",), r"\bnot responsible for the content of external (?:sites|websites)\b"),
    (("post by", "content by", "video by"), r"^(?:skip|end of) \w+ (?:post|content|video) by\b"),
    (("content?",), r"^allow \w+ content\?"),
    (("provided by",), r"\bthis article contains content provided by\b"),
    (("permission",), r"\bwe ask for your permission before anything is loaded\b"),
    (("accept and continue",), r"\baccept and continue\b"),
    (("edition",), r"\bthis story is part of the\b[^.!?]{0,60}\bedition\b"),
    (("see all",), r"^see all \d+ stories\b"),
]
_CUES = [(hints, re.compile(p, re.I)) for hints, p in _CUE_TABLE]
_HINTS = tuple(
    sorted({h for hints, _ in _CUE_TABLE for h in hints} | {"skip past", "photo", "image"})
)
# A picture credit after a caption ("... in the first half. Photograph: Jane Doe/AFP") is
# cut from the caption, but is no reason to drop the caption with it.
_CREDIT = re.compile(r"^(?:photograph|photo|image|picture)s?(?: credit)?\s*:\s*[^.!?]{0,60}$", re.I)
# An aside in brackets is part of its sentence: "(live on DAZN at 11:30 ET -- subscribe now)"
# does not make the sentence around it a prompt.
_ASIDE = re.compile(r"\([^()]*\)")
# Cues that make a whole line furniture wherever they stand in it (box labels).
_BOX = re.compile(
    r"^skip past (?:newsletter )?promotion\b|\bafter newsletter promotion$|"
    r"\{\{\s*[#/^]?\w+\s*\}\}.*\{\{\s*/\w+\s*\}\}",
    re.I,
)


# Toolbar text run into the first paragraph ("Save Log in , register or subscribe to save
# articles for later. ... Got it Normal text size Larger text size ..."): cut as a prefix
# when the run holds one of the unambiguous widget phrases.
_WIDGET_PHRASE = (
    r"log in\s*,?\s*(?:register\s*)?or subscribe to save (?:articles|stories) for later\s*\.?|"
    r"save (?:articles|stories) for later|"
    r"add (?:articles|stories) to your saved list and come back to them any time\s*\.?|"
    r"(?:normal|small|medium|large|larger|very large) (?:text|font) size|"
    r"this story is part of the [^.!?]{0,60}? edition\s*\.|see all \d+ stories\s*\.?"
)
_WIDGET_RUN = re.compile(
    rf"^(?:(?:{_WIDGET_PHRASE}|save|got it|share|print|listen to this article)\s*)+", re.I
)
_WIDGET_STRONG = re.compile(_WIDGET_PHRASE, re.I)


def strip_widget_prefix(line: str) -> str:
    """``line`` without a leading run of toolbar text (unchanged when there is none)."""
    m = _WIDGET_RUN.match(line)
    if not m or not _WIDGET_STRONG.search(m.group(0)):
        return line
    return line[m.end() :]


@dataclass(frozen=True)
class Decision:
    """What becomes of one line: its class, and the text kept of it (``None``: dropped)."""

    cls: Class
    text: str | None
    reason: str = ""


@cache
def stopwords() -> frozenset[str]:
    """jusText's English stoplist (loaded once; justext comes with trafilatura)."""
    import justext

    return frozenset(justext.get_stoplist("English"))


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased."""
    return [w.lower() for w in _WORD.findall(text)]


def stopword_density(text: str) -> float:
    """Share of the words of ``text`` that are English stopwords (0 for no words)."""
    ws = words(text)
    if not ws:
        return 0.0
    stop = stopwords()
    return sum(w.strip("’'") in stop for w in ws) / len(ws)


def has_cue(text: str) -> bool:
    """Cheap test: could ``text`` hold a call-to-action or widget cue at all?"""
    low = text.lower()
    return any(h in low for h in _HINTS)


def is_quotation(sentence: str) -> bool:
    """True when ``sentence`` is, or is mostly, quoted speech: an unbalanced quote mark (a
    sentence out of a longer quotation) or quoted text making up half of it."""
    if sentence.isupper():
        return False  # capitals are a banner, not speech: ‘CLICK HERE’
    marks = _QUOTE.findall(sentence)
    if not marks:
        return False
    quoted = _QUOTED.findall(sentence)
    if len(marks) != 2 * len(quoted):
        return True
    return sum(len(q) for q in quoted) * 2 >= len(sentence)


def is_furniture_sentence(sentence: str) -> bool:
    """True for a sentence that asks the reader to act for the site, or is form/widget text.

    A quotation is never furniture, and neither is a long sentence with one cue in it (a
    sign-up form run together without full stops has a cue every few words).
    """
    if not has_cue(sentence):
        return False
    if is_quotation(sentence):
        return False
    sentence = sentence.strip()
    if sentence.startswith("(") and sentence.rstrip(".!?").endswith(")"):
        sentence = sentence.rstrip(".!?")[1:-1]
    sentence = _ASIDE.sub(" ", sentence)
    low = sentence.lower()
    cues = [rx for hints, rx in _CUES if any(h in low for h in hints)]
    n = len(sentence.split())
    if n <= CUE_MAX_WORDS:
        return any(rx.search(sentence) for rx in cues)
    return sum(len(rx.findall(sentence)) for rx in cues) * CUE_EVERY_WORDS >= n


def strip_furniture(line: str) -> tuple[str | None, str]:
    """Cut call-to-action sentences from one line: ``(kept text or None, reason)``.

    The whole line goes when its furniture sentences carry most of its words and the
    rest are short connectives; a leading or trailing run of furniture sentences goes
    when the rest is article prose; furniture between article sentences stays.
    """
    if not has_cue(line):
        return line, ""
    if _BOX.search(line):
        return None, "box"
    rest = strip_widget_prefix(line)
    if rest != line:
        if not rest.strip():
            return None, "widget"
        kept, _ = strip_furniture(rest)
        return kept, "trimmed"
    spans = split_sentences(line)
    sentences = [line[a:b] for a, b in spans]
    strong = [is_furniture_sentence(s) for s in sentences]
    flags = [f or bool(_CREDIT.match(s)) for f, s in zip(strong, sentences, strict=True)]
    if not any(flags) or (all(flags) and not any(strong)):
        return line, ""  # no furniture, or only picture credits (bare credit lines are rules)
    counts = [len(s.split()) for s in sentences]
    furniture_words = sum(n for n, f in zip(counts, flags, strict=True) if f)
    others = [n for n, f in zip(counts, flags, strict=True) if not f]
    if (
        any(strong)
        and furniture_words >= FURNITURE_SHARE * sum(counts)
        and all(n <= FILLER_MAX_WORDS for n in others)
    ):
        return None, "cta"
    first = next(i for i, f in enumerate(flags) if not f)
    last = max(i for i, f in enumerate(flags) if not f)
    if any(flags[first : last + 1]):
        return line, ""  # furniture between article sentences: keep the whole line
    kept = line[spans[first][0] : spans[last][1]]
    return kept, "trimmed"


def initial_class(line: str) -> Class:
    """jusText's context-free class of a line that no rule marked as furniture."""
    if not line.strip():
        return "blank"
    n = len(line.split())
    sentence = n >= SENTENCE_MIN_WORDS and bool(_SENTENCE_END.search(line))
    if len(line) < LENGTH_LOW:
        return "good" if sentence and stopword_density(line) >= STOPWORDS_LOW else "short"
    if sentence or stopword_density(line) >= STOPWORDS_LOW:
        return "good"
    return "near"


def _keeps_its_place(line: str) -> bool:
    """Short lines the neighbours cannot turn into furniture: sentences (however short),
    figures, scores, times and datelines."""
    return (
        bool(_TERMINAL.search(line)) and len(line.split()) >= 2
    ) or bool(_HAS_DIGIT.search(line)) or is_date_line(line)


def _neighbour(classes: Sequence[Class], i: int, step: int) -> Class | None:
    """The nearest good or furniture class from ``i`` in direction ``step`` (jusText
    looks past short, borderline, blank and ad-marker paragraphs); ``None`` at an end."""
    j = i + step
    while 0 <= j < len(classes):
        if classes[j] in ("good", "furniture"):
            return classes[j]
        j += step
    return None


def classify(lines: Sequence[str], furniture: Sequence[bool], markers: Sequence[bool]) -> list[
    Decision
]:
    """Decide every line of an article.

    ``furniture`` flags lines the caller's rules already recognise as furniture (share
    lists, comment forms, paywall offers), ``markers`` ad slots that are dropped but
    do not count as furniture around their neighbours.
    """
    texts: list[str | None] = []
    classes: list[Class] = []
    reasons: list[str] = []
    for line, rule, marker in zip(lines, furniture, markers, strict=True):
        if not line.strip():
            texts.append(line)
            classes.append("blank")
            reasons.append("")
        elif marker:
            texts.append(None)
            classes.append("marker")
            reasons.append("marker")
        elif rule:
            texts.append(None)
            classes.append("furniture")
            reasons.append("rule")
        else:
            kept, reason = strip_furniture(line)
            texts.append(kept)
            classes.append("furniture" if kept is None else initial_class(kept))
            reasons.append(reason)
    revised = list(classes)
    for i, cls in enumerate(classes):
        if cls not in ("short", "near") or _keeps_its_place(lines[i]):
            continue
        if _neighbour(classes, i, -1) == "furniture" and _neighbour(classes, i, 1) == "furniture":
            revised[i] = "furniture"
            texts[i] = None
            reasons[i] = "context"
    return [Decision(c, t, r) for c, t, r in zip(revised, texts, reasons, strict=True)]
