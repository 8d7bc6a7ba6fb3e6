"""The answer to an open question ("What happened to X?", "Tell me about Y", "What did X
say about Y?"): a short overview of cited sentences from several articles, in time order.
Pure, given a similarity function.

- :func:`searches`: what the question adds to its first search (its names in the form the
  passages use, its months as reports abbreviate them, the outcome of "what happened to
  X") and the subject its sentences are ranked against.
- :func:`choose`: the best answering sentences (:func:`rag.grounding.quotes.rank_sentences`,
  lifted a little when their article's title names the subject) that stand alone as
  content (no heading, question, caption, promo or social post; a live-blog entry
  without its time stamp), at most :data:`PER_ARTICLE` from one article, from two
  articles at least when the passages hold two, none saying what another already says,
  each next one the best less its likeness to those taken, plus the words it tells that
  neither the question nor those taken do, together at most about :data:`MAX_WORDS`
  words (a sentence right after one of its article's is quoted without its outlet's name
  again). A time in the question is when the events happened (:func:`timing`):
  sentences that name a day of it come first.
- :func:`in_time_order`: told by the days they tell of (else their reports' dates), the
  latest last and said to be the latest; "what happened to X" opens with the latest
  outcome the articles report of X (convicted, fired, resigned, injured ...), when one
  is among them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from index.outlets import short_outlet
from rag.answer.types import ACTING, AFFECTING, FARING, OPEN_QUESTION, SAYING
from rag.answer.values import MONTHS_DAYS, entities_in, ordinary_word
from rag.grounding.abstain import MIN_SENTENCE_SCORE
from rag.grounding.aliases import named_terms, other_forms, word_terms
from rag.grounding.citations import CheckedSentence, Similarity
from rag.grounding.passages import Passage
from rag.grounding.quotes import (
    POINTS_BACK,
    STAMP,
    Candidate,
    coverage,
    is_summary_sentence,
    question_terms,
    said_by,
)
from rag.grounding.quotes import quote as attributed
from rag.grounding.text import content_terms
from rag.grounding.when import DayRange, day_of, event_days, overlaps
from rag.query.hints import find_date_ranges

MAX_SENTENCES = 5
MAX_WORDS = 150
LONGEST = 50  # words of one sentence: a longer one would crowd out the rest of the story
PER_ARTICLE = 2
# A sentence ranks within this share of the best, or as close to the question as an
# answer must be (rag.grounding.abstain): a sentence that only echoes the question's
# words ("He will be remembered as the staffer at the center of this scandal") sets no
# bar the facts of the story must clear.
FLOOR = 0.6
TIMED_FLOOR = 0.5  # ... when the question names a time and the sentence may tell of it
OUTCOME_FLOOR = 0.4  # ... when it reports the outcome "what happened to X" asks for
SAME_POINT = 0.85  # a sentence this close in meaning to one taken says nothing new
HEADLINES = 1  # the headlines an overview opens with
HEADLINE_COVERAGE = 1.0  # ... each naming the whole subject ("FTX" alone is not "the FTX trial")
HEADLINE_NEWS = 2  # ... and saying this many words more than the question
# A headline that is a page's furniture, not a story: live blogs, listings, odds, deals.
_NOT_A_STORY = re.compile(
    r"\b(?:updates?|live|highlights|odds|picks|deals?|predictions?|preview|lineups?|ratings|"
    r"how to (?:watch|stream)|everything (?:you need )?to know|what we know|explained|best)\b"
    r"|[?|]", re.I)
_LATEST = "The latest:"  # what the last sentence is given when it is the latest report
DIVERSITY = 0.5  # what a sentence's likeness to those taken costs it
TITLE_WEIGHT = 0.2  # what a title that names the whole subject adds to its sentences
REPORT_LAG = 10  # days after a time within which a report that names no date may tell of it
_OUTCOME_Q = re.compile(r"^\s*what\s+(?:has\s+)?happened\s+(?:to|with|at|in)\b", re.I)
# Outcomes that end a story, then those that may be a step in it ("stepped down" from the
# witness stand, "agreed", "won" a game): the first are told before the second.
_ENDS = (r"conviction|verdict|resignation|ouster|indicted|convicted|"
         r"found\s+(?:[\w-]+\s+){0,3}guilty|acquitted|sentenced|jailed|arrested|"
         r"fired(?!\s+up)|ousted|sacked|resigned|reinstated|released|freed|died|killed|"
         r"elected|appointed|banned")
_STEPS = (r"firing|charged|injury|removed|stepped down|quit|retired|returned|named|hired|"
          r"suspended|fined|settled|pleaded|agreed|approved|rejected|won|lost|injured|"
          r"tore|torn")
_OUTCOME = re.compile(rf"\b(?:{_ENDS}|{_STEPS})\b", re.I)
_FINAL = re.compile(rf"\b(?:{_ENDS})\b", re.I)
# Said of what may come, not of what happened: "if convicted", "could be fired".
_HEDGE = re.compile(r"\b(?:if|whether|could|would|might|may|likely|expected|potential(?:ly)?|"
                    r"possible|possibly|faces?|facing)\b", re.I)


# What an outcome search adds to the subject: the words reports of an outcome use.
_OUTCOME_WORDS = "found guilty convicted charged sentenced fired ousted resigned returned died"


@dataclass(frozen=True)
class Searches:
    """What an open question is searched and ranked with, besides its first search."""

    subject: str  # what the question asks about, with its names' other forms in the passages
    extra: list[str]  # further searches: the subject by its other names, its outcome


def searches(question: str, first: Sequence[str]) -> Searches:
    """The searches an open question adds once its first search found ``first`` (the
    passages' texts): each name again in the form the passages use instead ("SBF" for
    "Sam Bankman-Fried"), and for "what happened to X" the outcome reports of X. Its
    sentences are ranked against the subject alone: "what happened" is in every
    question of the kind, and in sentences that tell nothing ("here's what happened")."""
    forms = other_forms(question, first)
    subject = _subject(question)
    extra = [f"{subject} {form}" for form in forms.values()]
    if (dated := _AP_MONTH.sub(lambda m: _AP_SHORT[m.group(0).lower()], subject)) != subject:
        extra.append(dated)  # "in January 2020": reports write "on Jan. 3"
    if _OUTCOME_Q.match(question):
        # In the long form of each name: "SBF" is a nickname more than the name of news.
        named = subject
        for asked, form in forms.items():
            if len(form) > len(asked):
                named = re.sub(rf"\b{re.escape(asked)}\b", form, named)
        extra.append(f"{named} {_OUTCOME_WORDS}")
    asked = f"{subject} ({', '.join(forms.values())})" if forms else subject
    return Searches(asked if subject else question, extra)


# Months as news style abbreviates them before a day ("Jan. 3", "Sept. 28").
_AP_SHORT = {"january": "Jan.", "february": "Feb.", "august": "Aug.", "september": "Sept.",
             "october": "Oct.", "november": "Nov.", "december": "Dec."}
_AP_MONTH = re.compile(r"\b(?:" + "|".join(_AP_SHORT) + r")\b", re.I)


# Words of a follow-up that only ask for more of the same: "and then?", "what else?".
_GOING_ON = frozenset(
    "a an the and but so then else next more after that this what whats how about tell me "
    "us anything something happened happen happens did does do is was were there any other "
    "further later".split())


def follow_up(previous: str, question: str) -> str:
    """The open question a follow-up to one goes on with: the previous question, with
    what the follow-up adds ("what about the verdict?" after "What happened to X?" is
    "What happened to X verdict?"; "and then?" is the previous question again)."""
    added = [w for w in re.findall(r"[\w'’-]+", question) if w.lower() not in _GOING_ON]
    return f"{previous.rstrip(' ?')} {' '.join(added)}?" if added else previous


def unsaid(ranked: Sequence[Candidate], said: str) -> list[Candidate]:
    """The sentences an earlier answer (``said``) has not quoted."""
    told = _squash(said)
    return [c for c in ranked if _squash(c.own_text) not in told]


def _squash(text: str) -> str:
    return " ".join(text.split()).strip("“”\"")


def _subject(question: str) -> str:
    """The open question without its opening ("What happened to", "Tell me about"; "What
    did X say about Y" is "X about Y", "How did X do against Y" is "X against Y")."""
    said = _SAID.match(question) or _FARED.match(question) or _ACTED.match(question) \
        or _AFFECTS.match(question)
    if said:
        return f"{said.group(1)} {said.group(2)}".strip(" ?")
    opening = OPEN_QUESTION.match(question)
    rest = question[opening.end():] if opening else question
    return _LINK.sub("", rest).strip(" ?")


_SAID = re.compile(rf"^\s*what\s+(?:did|does|do|has|have)\s+(.+?)\s+{SAYING}\s+(.*)$", re.I)
_AFFECTS = re.compile(rf"^\s*how\s+(?:is|are|has|have|was|were)\s+(.+?)\s+{AFFECTING}\s+(.*)$",
                      re.I)
_ACTED = re.compile(rf"^\s*what\s+(?:is|are|has|have)\s+(.+?)\s+{ACTING}\s+(.*)$", re.I)
_FARED = re.compile(rf"^\s*how\s+(?:did|has|have|is|are|was|were)\s+(.+?)\s+{FARING}\b\s*(.*)$",
                    re.I)


# A report of how it went tells it better than talk about it: a score or a record ("24-15",
# "9-3") in any overview; for "How is X doing?", "How did X do against Y?" a win or a
# loss too (elsewhere "lost" and "won" are as often said of anything else).
_SCORE = r"(?<![\w-])\d{1,3}-\d{1,3}(?![\w-])"
_SCORED = re.compile(_SCORE)
_RESULT = re.compile(rf"{_SCORE}|\b(?:beat|beats|won|wins|lost|loses|defeated|defeat|victory|"
                     r"draw|drew|winless|unbeaten|undefeated|streak|"
                     r"(?:improved|fell|dropped|moved)\s+to)\b", re.I)
RESULT_WEIGHT = 0.3  # chosen on the development open questions (0.15 and 0.45 tried)
# What a sentence gains for the words (stemmed, no stop words) it tells that neither the
# question nor a sentence taken does: an overview is read for what else happened ("The
# Big Ten suspended coach Jim Harbaugh for three games on Friday"), not for its subject
# said again ("He will be remembered as the Michigan staffer at the center of this
# scandal"). Counted up to NEWS_COUNTED; chosen on the development open questions of
# both sets (weights 0.3 to 0.5, counts 8 to 20 tried; names and figures alone, tried
# too, gained on one set and not the other).
NEWS_WEIGHT = 0.4
NEWS_COUNTED = 12


# What is left of an open question's opening once it is recognised ("to", "about"), and
# the news it asks for ("Summarize the news about X", "Tell me about the latest on X").
_LINK = re.compile(r"^\s*(?:(?:to|with|at|in|between|on|about|of)\b\s*)?"
                   r"(?:(?:the\s+)?(?:latest\s+)?(?:news|reports?|articles?|stories|story|coverage"
                   r"|latest)\s+(?:about|on)\b\s*)?", re.I)


@dataclass(frozen=True)
class Overview:
    """The overview's sentences, quoted and cited, and how they were chosen."""

    sentences: list[CheckedSentence]
    note: str


def choose(ranked: Sequence[Candidate], similarity: Similarity,
           question: str = "", spent: int = 0) -> list[Candidate]:
    """The overview's sentences, best first (see the module's rules); for "what happened
    to X", the latest outcome the sentences report comes first. Each next sentence is the
    one whose score, less its likeness to those taken, is highest: an overview tells
    several things, not one thing several ways. ``ranked``: rescored by :func:`on_topic`;
    ``spent``: words already given to the overview's headlines."""
    wanted = asked_time(question)
    ranked = [_alone(c) for c in ranked]
    pool = _pool(ranked, wanted)
    per_article: Counter[str] = Counter()
    words = spent
    outcome = None
    if _OUTCOME_Q.match(question) and pool:
        # The outcome is what the question asks for: it may share fewer of its words.
        near = [c for c in _content(ranked) if c.score >= OUTCOME_FLOOR * pool[0].score]
        if (outcome := latest_outcome(near, question)) is not None:
            pool = [outcome] + [c for c in pool if c is not outcome]
    if not pool:
        return []
    # Sentences that name the time asked about come before the rest, as _pool sorts them.
    value = [c.score + (timing(c, wanted) - REPORTED_THEN if wanted else 0) for c in pool]
    result = _RESULT if _FARED.match(question) else _SCORED
    value = [v + RESULT_WEIGHT * bool(result.search(c.own_text))
             for v, c in zip(value, pool, strict=True)]
    if outcome is not None:
        value[0] = float("inf")
    likeness = similarity([c.own_text for c in pool], [c.own_text for c in pool])
    asked = set(content_terms(question))
    news = [set(content_terms(c.text)) - asked for c in pool]  # read with any sentence before it
    told: set[str] = set()
    top = max(c.score for c in pool) or 1.0
    # Words as the reader gets them: each quote's "Outlet (date) reported:" and citation
    # marker, and the "The latest:" the last may be given (:func:`overview`). Counted
    # short, the overview outgrows :data:`MAX_WORDS` and its last sentence, the latest
    # development, is cut when it is shown (:func:`within_words`). A sentence after one
    # of its article's is quoted alone (told in time order, an article's sentences stand
    # together).
    spoken = [len(_quoted(c).render().split()) for c in pool]
    run_on = [len(_quoted(c, said=False).render().split()) for c in pool]

    def cost(i: int) -> int:
        return run_on[i] if per_article[pool[i].passage.doc_id] else spoken[i]

    words += len(_LATEST.split())
    taken: list[int] = []
    while len(taken) < MAX_SENTENCES:
        best, best_value = None, float("-inf")
        for i, c in enumerate(pool):
            if i in taken or per_article[c.passage.doc_id] >= PER_ARTICLE \
                    or len(c.own_text.split()) > LONGEST:
                continue
            if (taken or spent) and words + cost(i) > MAX_WORDS:
                continue
            if taken and _said(c, [pool[j] for j in taken], similarity):
                continue
            v = value[i] - DIVERSITY * max((float(likeness[i][j]) for j in taken), default=0.0)
            # New words count as much as the sentence is on the subject.
            v += NEWS_WEIGHT * min(1.0, c.score / top) \
                * min(len(news[i] - told), NEWS_COUNTED) / NEWS_COUNTED
            if v > best_value:
                best, best_value = i, v
        if best is None:
            break
        taken.append(best)
        told |= news[best]
        words += cost(best)
        per_article[pool[best].passage.doc_id] += 1
    chosen = [pool[i] for i in taken]
    if len(per_article) == 1 and len(chosen) > 1:
        # Two articles where the passages hold two: another's best takes the last place.
        other = next((c for c in pool if c.passage.doc_id not in per_article
                      and not _said(c, chosen, similarity)), None)
        if other is not None:
            chosen[-1] = other
    return chosen


def _pool(ranked: Sequence[Candidate], wanted: Sequence[DayRange]) -> list[Candidate]:
    """The sentences an overview may take: content, not furniture, close to the best;
    when the question names a time, those that may tell of it (when two at least do)."""
    content = _content(ranked)
    if not content:
        return []
    best = max(c.score for c in content)
    if wanted:
        timed = {id(c): timing(c, wanted) for c in content}
        timely = [c for c in content if timed[id(c)] >= REPORTED_THEN]
        if len(timely) >= 2:
            # The time asked about is part of the match: a sentence that names a day of
            # it (or an undated report's sentence, its passage naming one) is taken
            # however few of the question's words it holds; one from a report of those
            # days with a little less than the rest.
            floor = min(TIMED_FLOOR * best, MIN_SENTENCE_SCORE)
            return sorted((c for c in timely if timed[id(c)] > REPORTED_THEN
                           or c.score >= floor), key=lambda c: (-timed[id(c)], -c.score))
    return [c for c in content if c.score >= min(FLOOR * best, MIN_SENTENCE_SCORE)]


def on_topic(ranked: Sequence[Candidate], question: str) -> list[Candidate]:
    """The sentences rescored for an overview: each gains by how much of the subject its
    article's title names. A report titled "Missiles were fired at the US embassy in
    Iraq" tells of the attacks on the embassy in sentences that need not repeat it."""
    wanted = question_terms(_subject(question) or question)
    if not wanted:
        return list(ranked)
    titles = {t: coverage(wanted, set(content_terms(t))) for t in {c.passage.title for c in ranked}}
    rescored = [replace(c, score=c.score + TITLE_WEIGHT * titles[c.passage.title])
                for c in ranked]
    return sorted(named_subject(rescored, question), key=lambda c: -c.score)


_NAME_RUN = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*")


def named_subject(ranked: Sequence[Candidate], question: str) -> list[Candidate]:
    """The sentences whose passage (with its article's title) names every name of the
    subject, in any of its forms ("Bankman-Fried", "SBF"): "Reich: incredibly talented
    improvisers" is not about Frank Reich and the Panthers, nor "TikTok testing an ad-free
    subscription plan" about Meta's. All of them when fewer than two articles would be
    left."""
    subject = _subject(question)
    # Each name as its last word, which names it: "Qassem Soleimani" is named by
    # "Soleimani", "Frank Reich and the Panthers" by "Reich" and "Panthers"; "Cole
    # Palmer" is not named by "Andy Cole".
    names = [set(word_terms(words[-1])) for run in _NAME_RUN.findall(subject)
             if (words := [w for w in run.split() if not ordinary_word(w.strip("’'.-"))
                           and not MONTHS_DAYS.match(w)])]
    if not names:
        return list(ranked)
    seen: dict[str, bool] = {}

    def names_all(c: Candidate) -> bool:
        if c.passage.chunk_id not in seen:
            have = named_terms((c.passage.title or "", c.passage.text), subject,
                               capitalized=True)
            seen[c.passage.chunk_id] = all(n & have for n in names)
        return seen[c.passage.chunk_id]

    kept = [c for c in ranked if names_all(c)]
    return kept if len({c.passage.doc_id for c in kept}) >= 2 else list(ranked)


def _alone(c: Candidate) -> Candidate:
    """The sentence without the one before it, unless it points back to it ("He ...",
    "The move ..."), and without a live blog's time stamp ("6:07 p.m.: For the first
    time since his season-ending injury, ..."): an overview has few words to spend."""
    if c.context and not POINTS_BACK.match(c.own_text):
        c = replace(c, span=(c.span[0] + c.context, c.span[1]), context=0)
    if not c.context and (stamp := STAMP.match(c.own_text)) and stamp.end() < len(c.own_text):
        c = replace(c, span=(c.span[0] + stamp.end(), c.span[1]))
    return c


def _content(ranked: Sequence[Candidate]) -> list[Candidate]:
    """The sentences that are content: no heading, question, caption or live-blog line,
    read on from none either."""
    return [c for c in ranked if is_summary_sentence(c.own_text)
            and not c.own_text.rstrip(" \"'”’)").endswith("?")
            and (not c.context or is_summary_sentence(c.text[: c.context]))]


# How a sentence stands to the time a question asks about (:func:`timing`).
NAMES_IT, PLACED_IN_IT, REPORTED_THEN, NOT_OF_IT = 3, 2, 1, 0


def timing(c: Candidate, wanted: Sequence[DayRange]) -> int:
    """How the sentence stands to the days ``wanted``: it names one of them
    (:data:`NAMES_IT`); it names no day, its article is undated and its passage names
    one (:data:`PLACED_IN_IT`); it names no day and its article came out in them or
    soon after (:data:`REPORTED_THEN`); else :data:`NOT_OF_IT` (it names only other
    days, or its report came out before them or long after)."""
    published = day_of(c.passage.published_at)
    start, end = min(a for a, _ in wanted), max(b for _, b in wanted)
    days = _named_days(c, wanted)
    if days:
        return NAMES_IT if overlaps(days, wanted) else NOT_OF_IT
    if published is None:
        around = event_days(c.passage.text, _guess(wanted), relative=False)
        if not around:
            return REPORTED_THEN
        return PLACED_IN_IT if overlaps(around, wanted) else NOT_OF_IT
    day = published.toordinal()
    return REPORTED_THEN if start <= day <= end + REPORT_LAG else NOT_OF_IT


_ONWARD = re.compile(r"\b(?:after|since|following)\b[^?]*?\b(?:in|on|of)?\s*"
                     r"(?:January|February|March|April|May|June|July|August|September|"
                     r"October|November|December|\d{4})\b", re.I)


def asked_time(question: str) -> list[DayRange]:
    """The days an open question asks about: the dates it names; "after ... December
    2019" and "since October 2023" run on from them to now."""
    wanted = find_date_ranges(question)
    if wanted and _ONWARD.search(question):
        return [(min(a for a, _ in wanted), date.max.toordinal())]
    return wanted


def _guess(wanted: Sequence[DayRange]) -> date:
    """The day an undated report is read as of: the end of the time asked about, or
    two months into it when it runs on to now ("since October 2023")."""
    start, end = min(a for a, _ in wanted), max(b for _, b in wanted)
    return date.fromordinal(min(end, start + 60))


def _named_days(c: Candidate, wanted: Sequence[DayRange]) -> list[DayRange]:
    """The days the sentence names, read with its article's date; an undated article's
    "Jan. 3" is read as of the time asked about (none asked: left unread)."""
    anchor = day_of(c.passage.published_at)
    if anchor is None and wanted:
        return event_days(c.text, _guess(wanted))
    return event_days(c.text, anchor)


def latest_outcome(pool: Sequence[Candidate], question: str) -> Candidate | None:
    """The outcome (charged, convicted, fired, resigned ...) of the latest report among
    the sentences that name the question's subject (or whose article's title does), said
    as done, not as what may come ("if convicted")."""
    subject = _subject(question)
    forms = other_forms(subject, list(dict.fromkeys(c.passage.text for c in pool)))
    head = _head(subject)
    named = _surnames(" and ".join([head, *(f for a, f in forms.items() if a in head)]))
    outcomes = [c for c in pool if _OUTCOME.search(c.own_text) and not _HEDGE.search(c.own_text)
                and (not named or named & set(content_terms(f"{c.passage.title} {c.own_text}")))]
    return max(outcomes, key=lambda c: (bool(_FINAL.search(c.own_text)),
                                        c.passage.published_at or "", c.score), default=None)


def _head(subject: str) -> str:
    """The name an outcome is asked of: the subject's first ("Jim Jordan's bid for House
    speaker" asks of Jim Jordan, not the House), or the one a first name owns or gives a
    role ("Web Summit's Paddy Cosgrave", "Binance founder Changpeng Zhao"); the whole
    subject when it names none."""
    names = entities_in(subject)
    if not names:
        return subject
    between = subject.split(names[0], 1)[-1].split(names[1], 1)[0] if len(names) > 1 else ""
    if len(names) > 1 and _OWNER_OR_ROLE.fullmatch(between):
        return names[1]
    if len(names) > 1 and re.fullmatch(r"\s+(?:and|&)\s+", between):
        return f"{names[0]} and {names[1]}"  # "Sam Altman and OpenAI": it asks of both
    return names[0]


# What stands between a name and the one the question asks of: an owner's "'s", or a
# role of a few words ("Binance founder Changpeng Zhao"), no link such as "in" or "and".
_OWNER_OR_ROLE = re.compile(
    r"(?:[’']s)?\s+(?:(?!(?:in|at|on|of|for|to|from|with|against|and|or|the|vs)\b)[a-z-]+\s+){0,2}",
    re.I)


def _surnames(subject: str) -> set[str]:
    """The last word of each name in the subject, as terms: "Aaron Rodgers" is named in
    "Rodgers ..." and not in "Aaron Jones ..."."""
    return {terms[-1] for name in entities_in(subject) if (terms := content_terms(name))}


def _said(c: Candidate, chosen: Sequence[Candidate], similarity: Similarity) -> bool:
    """Whether the sentence (or the one it is read with) says what one taken says: close
    in meaning, or the same passage text (chunks overlap)."""
    mine = [c.own_text] + ([c.text[: c.context]] if c.context else [])
    sims = similarity(mine, [o.own_text for o in chosen])
    return any(float(s) >= SAME_POINT for row in sims for s in row) or any(
        c.passage.chunk_id == o.passage.chunk_id and c.span[0] < o.span[1]
        and o.span[0] < c.span[1] for o in chosen)


def in_time_order(chosen: Sequence[Candidate], question: str) -> list[Candidate]:
    """The sentences by the days they tell of when the question names a time (an undated
    report's by the days its passage names, else last), else by their reports' dates
    (undated ones first), an article's sentences in its own order;
    for "what happened to X", the latest outcome reported first."""
    wanted = asked_time(question)
    first_seen: dict[str, int] = {}
    for i, c in enumerate(chosen):
        first_seen.setdefault(c.passage.doc_id, i)

    def when(c: Candidate) -> int:
        published = day_of(c.passage.published_at)
        named = [a for a, b in _named_days(c, wanted) if overlaps([(a, b)], wanted)]
        if named:
            return min(named)
        if published:
            return published.toordinal()
        if wanted:  # an undated report told by the days its passage names, else last
            around = [a for a, b in event_days(c.passage.text, _guess(wanted), relative=False)
                      if overlaps([(a, b)], wanted)]
            return min(around) if around else date.max.toordinal()
        return 0

    told = sorted(chosen, key=lambda c: (when(c), first_seen[c.passage.doc_id],
                                         c.passage.n, c.span))
    if _OUTCOME_Q.match(question) and (outcome := latest_outcome(told, question)) is not None:
        told.remove(outcome)
        told.insert(0, outcome)
    return told


def headlines(topical: Sequence[Candidate], question: str) -> list[CheckedSentence]:
    """The headlines of the best-ranked articles that tell a story of the subject and say
    more than the question (at most :data:`HEADLINES`, in the order of their reports),
    each cited to its article's best passage: a headline says in a line what happened
    ("Manchester United out of Europe after defeat to Bayern Munich"), and the sentences
    under it seldom repeat it. ``topical``: the sentences rescored by :func:`on_topic`."""
    wanted = question_terms(_subject(question) or question)
    if not wanted:
        return []
    asked = set(content_terms(question))
    best: dict[str, Candidate] = {}
    for c in topical:
        title = _title(c)
        if c.passage.doc_id in best or not _a_story(title):
            continue
        terms = set(content_terms(title))
        # It names the subject and says more than the question: "Missiles were fired at
        # the US embassy in Iraq" tells nothing to "Tell me about the missiles fired at ...".
        if len(terms - asked) >= HEADLINE_NEWS and \
                coverage(wanted, terms) >= HEADLINE_COVERAGE:
            best[c.passage.doc_id] = c
        if len(best) == HEADLINES:
            break
    told = sorted(best.values(), key=lambda c: c.passage.published_at or "")
    return [_headline(c) for c in told]


def _title(c: Candidate) -> str:
    return _title_of(c.passage)


def _title_of(passage: Passage) -> str:
    """The passage's article's title on one line."""
    return " ".join((passage.title or "").split())


def _a_story(title: str) -> bool:
    """Whether a headline tells a story (not a live blog's, a listing's or a deal's)."""
    return bool(title) and not _NOT_A_STORY.search(title) \
        and is_summary_sentence(title + ".", headline=True)


def _headline(c: Candidate) -> CheckedSentence:
    return headline_of(c.passage, c.score)


def headline_of(passage: Passage, score: float = 0.0) -> CheckedSentence:
    """The passage's article's title, quoted as its outlet headlined it, cited to it."""
    said = replace(passage, source=short_outlet(passage.source))
    return CheckedSentence(text=said_by(said, _title_of(passage),
                                        "headlined"),
                           citations=[passage.n], supported=True, score=score, origin="quoted")


def overview(question: str, ranked: Sequence[Candidate], similarity: Similarity) -> Overview:
    """The overview of ``ranked`` (the answering sentences, best first) for ``question``:
    its headlines, then its sentences."""
    topical = on_topic(ranked, question)
    heads = headlines(topical, question)
    spent = sum(len(h.render().split()) for h in heads)
    told = in_time_order(choose(topical, similarity, question, spent), question)
    outcome_first = bool(told and heads and _OUTCOME_Q.match(question)
                         and _OUTCOME.search(told[0].own_text))
    # A sentence right after one of its article's is quoted alone; the headlines stand
    # after the outcome when it comes first.
    sentences = [_quoted(c, said=i == 0 or told[i - 1].passage.doc_id != c.passage.doc_id
                         or (i == 1 and outcome_first))
                 for i, c in enumerate(told)]
    dates = {c.passage.published_at for c in told if c.passage.published_at}
    if len(dates) > 1 and told[-1].passage.published_at == max(dates):
        last = sentences[-1]
        sentences[-1] = replace(last, text=f"{_LATEST} {last.text}")
    # The outcome asked for first, else the headlines.
    sentences = sentences[:1] + heads + sentences[1:] if outcome_first else heads + sentences
    articles = len({c.passage.doc_id for c in told})
    opened = f"{len(heads)} headline{'s' if len(heads) != 1 else ''}, then " if heads else ""
    note = (f"an overview: {opened}{len(told)} sentences from {articles} "
            f"article{'s' if articles != 1 else ''}, in the order of their reports")
    return Overview(sentences, note)


def digest(passages: Sequence[Passage]) -> Overview:
    """For a question only of a time ("What happened this week?", its passages all of
    that time): the headlines of their articles that tell a story, in the order of their
    reports, within :data:`MAX_WORDS`. Its words say nothing of what to pick; any
    sentence chosen by them would be one that happens to say "this week"."""
    firsts: dict[str, Passage] = {}
    for p in passages:
        if p.doc_id not in firsts and _a_story(_title_of(p)):
            firsts[p.doc_id] = p
    told = sorted(firsts.values(), key=lambda p: p.published_at or "")
    sentences = within_words([headline_of(p) for p in told])
    return Overview(sentences, f"a digest: the headlines of {len(sentences)} articles of "
                               "the time asked about, in the order of their reports")


def _quoted(c: Candidate, said: bool = True) -> CheckedSentence:
    """The sentence quoted with its outlet's short name ("The Independent reported", not
    "The Independent - Life and Style reported"): an overview has few words to spend;
    ``said`` False: the quote alone, for a sentence after one of the same article's."""
    return attributed(_short(c), said)


def _short(c: Candidate) -> Candidate:
    return replace(c, passage=replace(c.passage, source=short_outlet(c.passage.source)))


def within_words(sentences: Sequence[CheckedSentence],
                 limit: int = MAX_WORDS) -> list[CheckedSentence]:
    """The first sentences whose rendered words (markers and "Outlet (date) reported:"
    counted) stay within ``limit``, the first shown one always kept; unsupported ones,
    which are not shown, count nothing."""
    kept: list[CheckedSentence] = []
    words = 0
    for s in sentences:
        n = 0 if s.supported is False else len(s.render().split())
        if words and words + n > limit:
            break
        kept.append(s)
        words += n
    return kept
