"""The oracle run (``rag eval run --oracle``): each benchmark question answered from its
gold evidence passages instead of retrieved ones, so that a set's answer gap splits into
what retrieval loses and what answering loses.

The gold passages of a case are the indexed chunks that hold one of its evidence facts
(MultiHop-RAG's own relevance rule: the fact's text, whitespace removed, inside the
chunk's); a fact cut by a chunk boundary is found by its first and its last half.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from llama_index.core.schema import NodeWithScore

from rag.answer import Answerer
from rag.evaluation.metrics import squash
from rag.evaluation.sets import Case
from rag.retrieval import Filters, HybridRetriever, SearchTimings, to_node


class GoldPassages:
    """Finds the chunks of an index that hold a case's evidence facts."""

    def __init__(self, retriever: HybridRetriever) -> None:
        catalog = retriever.store.catalog
        self._rows = catalog.chunks(catalog.chunk_ids())
        self._squashed = {cid: squash(row.text) for cid, row in self._rows.items()}
        self._provenance = retriever.store.provenance()
        self.missing = 0  # evidence facts no chunk holds (a wording the corpus lacks)

    def chunk_ids(self, facts: Sequence[str]) -> list[str]:
        """Per fact, in order, the first chunk that holds it (each chunk once)."""
        found: list[str] = []
        for fact in facts:
            cid = self._holder(squash(fact))
            if cid is None:
                self.missing += 1
            elif cid not in found:
                found.append(cid)
        return found

    def _holder(self, fact: str) -> str | None:
        if not fact:
            return None
        halves = (fact, fact[: len(fact) // 2], fact[len(fact) // 2:])
        for part in halves if len(fact) >= 40 else halves[:1]:
            for cid, text in self._squashed.items():
                if part in text:
                    return cid
        return None

    def nodes(self, case: Case) -> list[NodeWithScore]:
        """The case's gold passages as a retriever returns them, best first."""
        ids = self.chunk_ids(case.evidence_facts)
        return [NodeWithScore(node=to_node(self._rows[cid], self._provenance),
                              score=1.0 - i / 100) for i, cid in enumerate(ids)]


class OracleRetriever(HybridRetriever):
    """A retriever that returns the same passages, the gold ones, for every search."""

    def __init__(self, real: HybridRetriever, gold: list[NodeWithScore]) -> None:
        super().__init__(real.store, real.embedder, real.settings)
        self.gold = gold

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None,
        max_per_doc: int | None = None, mode: str = "hybrid", use_hints: bool = True,
        timings: SearchTimings | None = None,
    ) -> list[NodeWithScore]:
        """The gold passages (``k`` of them at most); the query and filters are ignored."""
        return self.gold[: k or len(self.gold)]


def answering_from(answerer: Answerer, gold: list[NodeWithScore]) -> Answerer:
    """``answerer`` as it is, except that every search it makes returns ``gold``."""
    clone = copy.copy(answerer)
    clone.retriever = OracleRetriever(answerer.retriever, gold)
    return clone
