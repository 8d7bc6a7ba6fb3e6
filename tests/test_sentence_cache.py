"""Sentence vectors are embedded once per process: the answerer and the summarizer share
a bounded cache, so a passage that comes back question after question costs nothing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from rag.container import Services
from rag.grounding.similarity import CachedSimilarity, VectorCache
from tests.support.fakes import HashEmbedding


class CountingEmbedding(HashEmbedding):
    """The hash embedder, counting the texts it embeds."""

    embedded: int = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().encode(texts)


@pytest.mark.parametrize("limit, kept", [(2, {"b", "c"}), (3, {"a", "b", "c"})])
def test_the_cache_is_bounded_least_recently_used_out(limit: int, kept: set[str]) -> None:
    cache = VectorCache(max_items=limit)
    cache.put_many({t: np.ones(2, dtype=np.float32) for t in ("a", "b", "c")})
    assert set(cache.get_many(["a", "b", "c"])) == kept and len(cache) == len(kept)


def test_a_shared_cache_embeds_each_text_once() -> None:
    embedder = CountingEmbedding()
    cache = VectorCache()
    first = CachedSimilarity(embedder, cache)(["the ferry sailed"], ["a ferry", "the bridge"])
    second = CachedSimilarity(embedder, cache)(["the ferry sailed"], ["a ferry", "the bridge"])
    assert embedder.embedded == 3
    np.testing.assert_allclose(first, second)
    assert cache.hits == 3 and cache.misses == 3


def test_the_second_answer_embeds_no_passage_sentence_again(fake_services: Services,
                                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ferry.txt").write_text(
        "Ferry sails again\n\nThe Quillmere ferry resumed service on Monday after winter "
        "repairs. Three crossings a day run until May. Fares stay the same, the operator "
        "said.\n")
    fake_services.ingestion.add([folder])
    answerer = fake_services.answerer
    assert answerer.vectors is fake_services.sentence_vectors
    assert fake_services.summarizer.vectors is fake_services.sentence_vectors
    answerer.answer("When did the Quillmere ferry resume service?", mode="extractive")
    cached = len(fake_services.sentence_vectors)
    misses = fake_services.sentence_vectors.misses
    answerer.answer("When did the Quillmere ferry resume service?", mode="extractive")
    assert cached > 0 and len(fake_services.sentence_vectors) == cached
    assert fake_services.sentence_vectors.misses == misses  # nothing embedded again
