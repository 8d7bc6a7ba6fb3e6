"""The map step: the claims of one batch of passages, extractive (the most salient
passage sentences) or generative (the model's sentences that pass the citation check,
topped up with salient sentences it left out). Pure, given a similarity function."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag.grounding.citations import Similarity, check_sentences, parse_cited_sentences
from rag.grounding.passages import Passage
from rag.grounding.quotes import Candidate, is_summary_sentence
from rag.summary.claims import Claim, MapOutput, claim_from
from rag.summary.dating import SentenceDate, date_sentence
from rag.summary.salience import (
    as_sentence,
    central_sentences,
    pick,
    topic_sentences,
)

# A topic sentence must score this well against the topic (the score answers use),
# and not far below the batch's best.
TOPIC_FLOOR = 0.35
TOPIC_RELATIVE_FLOOR = 0.6
# For a timeline, a sentence that dates what it reports is worth more (the bonus answers
# give a sentence holding the kind of thing a question asks for).
DATED_BONUS = 0.1
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.M)


def dated(claim: Claim, passages: dict[int, Passage]) -> Claim:
    """The claim with its date (from its text, else from its first cited article)."""
    first = passages.get(min(claim.citations, default=0))
    return replace(claim, when=date_sentence(claim.text, first.published_at if first else None))


def period(when: SentenceDate | None) -> tuple[int, int] | None:
    """The month a date falls in (the unit a timeline spreads over)."""
    return (when.day.year, when.day.month) if when is not None else None


def favour_dated(ranked: Sequence[Candidate]) -> list[Candidate]:
    """Candidates re-ranked with :data:`DATED_BONUS` for those whose text dates an event."""
    out = []
    for c in ranked:
        when = date_sentence(c.text, c.passage.published_at)
        bonus = DATED_BONUS if when is not None and when.source == "text" else 0.0
        out.append(Candidate(c.passage, c.span, c.score + bonus))
    return sorted(out, key=lambda c: -c.score)


def extractive_map(
    batch: Sequence[Passage],
    topic: str | None,
    similarity: Similarity,
    limit: int,
    timeline: bool = False,
) -> MapOutput:
    """Up to ``limit`` salient sentences of the batch, quoted and cited (for a timeline,
    sentences that date their events are favoured)."""
    by_n = {p.n: p for p in batch}
    if topic:
        ranked = topic_sentences(topic, batch, similarity)
        floors = (TOPIC_FLOOR, TOPIC_RELATIVE_FLOOR)
    else:
        ranked = central_sentences(batch, similarity)
        floors = (0.0, 0.0)
    if timeline:
        chosen = pick(favour_dated(ranked), limit, similarity, *floors,
                      group=lambda c: period(date_sentence(c.text, c.passage.published_at)))
    else:
        chosen = pick(ranked, limit, similarity, *floors)
    claims = [dated(claim_from(as_sentence(c), by_n, c.score), by_n) for c in chosen]
    return MapOutput(claims=claims)


def generative_map(
    draft: str,
    batch: Sequence[Passage],
    topic: str | None,
    similarity: Similarity,
    limit: int,
    timeline: bool = False,
) -> MapOutput:
    """The model's summary of a batch after the citation check: supported sentences are
    kept (citations moved or dropped as for answers), unsupported ones rejected; salient
    sentences the kept ones do not already rest on fill the batch up to ``limit``."""
    by_n = {p.n: p for p in batch}
    checked = check_sentences(parse_cited_sentences(_BULLET.sub("", draft)), batch, similarity)
    # A copied heading or byline may pass the check but is no summary sentence.
    supported = [s for s in checked if s.supported and is_summary_sentence(s.text)]
    rejected = [s for s in checked if s.supported is False]
    claims = [dated(claim_from(s, by_n, s.score), by_n) for s in supported[:limit]]
    used = {item for s in supported for item in s.evidence.items()}
    fill = extractive_map(batch, topic, similarity, limit, timeline)
    for c in fill.claims:
        if len(claims) >= limit:
            break
        if not any(item in used for item in c.sentence.evidence.items()):
            claims.append(c)
    return MapOutput(claims=claims, rejected=rejected, draft=draft)
