"""Ranked passage sentences for the pure answer tests: one passage of the given
sentences, each a candidate scored lower than the one before it."""

from __future__ import annotations

from rag.grounding.passages import Passage
from rag.grounding.quotes import Candidate


def ranked_sentences(sentences: list[str], sep: str = " ", top: float = 1.0,
                     step: float = 0.05, title: str = "t") -> list[Candidate]:
    """The sentences joined by ``sep`` into one passage, ranked in the order given
    (scores ``top``, ``top - step``, ...)."""
    text = sep.join(sentences)
    passage = Passage(n=1, doc_id="d", chunk_id="d:0", title=title, source="Example News",
                      published_at=None, url=None, text=text)
    out, at = [], 0
    for i, s in enumerate(sentences):
        at = text.index(s, at)
        out.append(Candidate(passage, (at, at + len(s)), top - step * i))
    return out
