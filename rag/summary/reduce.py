"""The reduce step: merge the claims of every batch into one summary that fits the
budget, each claim still citing the passages it came from. Pure, given a similarity
function and a token counter.

Near-duplicate claims (the same fact from overlapping passages or from two
articles) become one claim that cites every passage it came from. While the
merged claims are over the budget, they are cut into batches again and each batch
keeps its more salient half: batches keep the summary's coverage spread over the
corpus instead of letting one well-covered story crowd out the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from rag.grounding.abstain import proper_names
from rag.grounding.citations import Similarity
from rag.grounding.text import content_terms
from rag.summary.batching import pack_texts
from rag.summary.claims import Claim, with_citations
from rag.summary.disagreement import conflicting
from rag.summary.diversity import diverse_top

TokenCounter = Callable[[Sequence[str]], list[int]]
Grouping = Callable[[Claim], Hashable | None]
DUPLICATE_SIMILARITY = 0.88
PINNED = 10.0  # a pinned claim (a disagreement) outranks any salience


def same_fact(a: str, b: str, similarity: float,
              threshold: float = DUPLICATE_SIMILARITY) -> bool:
    """Whether two sentences state the same fact: close in meaning (or one's words all
    inside the other), naming nothing the other does not, with no figure or denial
    that differs."""
    short, long = sorted((a, b), key=len)
    terms_short, terms_long = set(content_terms(short)), set(content_terms(long))
    contained = len(terms_short) >= 3 and terms_short <= terms_long
    if not (similarity >= threshold or a.strip() == b.strip() or contained):
        return False
    return proper_names(short) <= proper_names(long) and not conflicting(a, b)


def dedupe(claims: Sequence[Claim], similarity: Similarity,
           threshold: float = DUPLICATE_SIMILARITY) -> list[Claim]:
    """Merge claims that state the same fact (:func:`same_fact`): the more salient
    wording is kept, citing every source. Claims that state different figures, where one
    denies the other, or that name different people or places (the same sentence about
    another town) are never merged."""
    if not claims:
        return []
    ranked = sorted(claims, key=lambda c: (not c.pinned, -c.salience, c.order))
    texts = [c.text for c in ranked]
    sims = similarity(texts, texts)
    kept: list[int] = []
    merged: dict[int, Claim] = {}
    for i, claim in enumerate(ranked):
        twin = next(
            (j for j in kept if same_fact(texts[i], texts[j], float(sims[i, j]), threshold)),
            None,
        )
        if twin is None:
            kept.append(i)
            merged[i] = claim
        else:
            merged[twin] = with_citations(merged[twin], claim)
    return sorted((merged[i] for i in kept), key=lambda c: c.order)


def cost(claims: Sequence[Claim], count_tokens: TokenCounter) -> int:
    """Tokens of the claims' text (their sides of a disagreement included)."""
    texts = [c.text for c in claims] + [c.contrast.text for c in claims if c.contrast]
    return sum(count_tokens(texts)) if texts else 0


def article(claim: Claim) -> Hashable | None:
    """The group a summary spreads over by default: the story of the claim's first
    article (copies of one story from several outlets are one group)."""
    if claim.stories:
        return claim.stories[0]
    return claim.doc_ids[0] if claim.doc_ids else None


def keep_half(batch: Sequence[Claim], group: Grouping = article) -> list[Claim]:
    """The more salient half of a batch (pinned claims first), spread over ``group``,
    in reading order."""
    n = max(1, (len(batch) + 1) // 2)
    best = diverse_top(batch, n, lambda c: c.salience + (PINNED if c.pinned else 0.0), group)
    return sorted(best, key=lambda c: c.order)


def reduce_claims(
    claims: Sequence[Claim],
    similarity: Similarity,
    count_tokens: TokenCounter,
    budget: int,
    batch_budget: int,
    levels: list[int] | None = None,
    group: Grouping = article,
) -> list[Claim]:
    """Merge ``claims`` until they fit ``budget`` tokens; ``levels`` (if given) records
    the number of claims after each level, for progress and tests."""
    merged = dedupe(claims, similarity)
    if levels is not None:
        levels.append(len(merged))
    if len(merged) <= 1 or cost(merged, count_tokens) <= budget:
        return merged
    batches = pack_texts(merged, lambda c: c.text, count_tokens, batch_budget)
    if len(batches) == 1:
        # One batch: halve it, then recurse on the result.
        fewer = keep_half(merged, group)
    else:
        fewer = [c for batch in batches for c in keep_half(batch, group)]
        if len(fewer) == len(merged):  # every batch is a single claim over the budget
            fewer = keep_half(merged, group)
    return reduce_claims(fewer, similarity, count_tokens, budget, batch_budget, levels, group)
