"""The bundled MiniLM embedder: each text's vector is its own, whatever runs beside it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.embedding import OnnxMiniLMEmbedding

SHORT = "The Fed held interest rates steady on Wednesday."
LONG = ("Sam Bankman-Fried was convicted of seven counts of fraud and conspiracy after a "
        "month-long trial in Manhattan federal court, where former colleagues testified. ") * 8
OTHERS = ["Rockets fell near the Green Zone.", "Taylor Swift's tour sold 2.2m tickets.", LONG]


@pytest.fixture(scope="module")
def model() -> OnnxMiniLMEmbedding:
    return OnnxMiniLMEmbedding(num_threads=2)


@pytest.mark.parametrize("beside", [[], [LONG], OTHERS])
def test_a_text_gets_the_same_vector_alone_or_beside_longer_texts(
    model: OnnxMiniLMEmbedding, beside: list[str]
) -> None:
    alone = model.encode([SHORT])[0]
    together = model.encode([*beside, SHORT, *beside])
    assert np.allclose(together[len(beside)], alone, atol=1e-6)


def test_vectors_are_unit_length_in_input_order(model: OnnxMiniLMEmbedding) -> None:
    texts = [SHORT, *OTHERS]
    vectors = model.encode(texts)
    assert vectors.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(model.encode([text])[0], vector, atol=1e-6)
    assert float(vectors[0] @ vectors[1]) < 0.9  # different texts, different vectors


def test_one_thread_and_two_agree(model: OnnxMiniLMEmbedding) -> None:
    one = OnnxMiniLMEmbedding(num_threads=1)
    assert np.allclose(one.encode([SHORT, *OTHERS]), model.encode([SHORT, *OTHERS]),
                       atol=1e-6)


@pytest.mark.parametrize("texts", [[SHORT], [SHORT, LONG], [LONG, *OTHERS, SHORT, SHORT] * 4])
def test_an_index_shares_texts_between_sessions_in_input_order(
    model: OnnxMiniLMEmbedding, texts: list[str]
) -> None:
    many = model.encode_many(texts)
    assert many.shape == (len(texts), 384)
    assert np.allclose(many, model.encode(texts), atol=1e-6)


def test_the_sessions_of_an_index_run_are_freed_after_it() -> None:
    model = OnnxMiniLMEmbedding(num_threads=2)
    texts = [SHORT, *OTHERS] * 4
    first = model.encode_many(texts)
    assert len(model._sessions.get(True, ())) == 2
    model.end_bulk()
    assert True not in model._sessions
    assert np.allclose(model.encode_many(texts), first, atol=1e-6)


def test_callers_on_several_threads_get_the_same_vectors(model: OnnxMiniLMEmbedding) -> None:
    expected = model.encode(OTHERS)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: model.encode(OTHERS), range(8)))
    for got in results:
        assert np.allclose(got, expected, atol=1e-6)


def test_a_text_past_the_window_is_cut_to_it(model: OnnxMiniLMEmbedding) -> None:
    assert model.count_tokens([LONG * 2])[0] > 256
    twice, thrice = model.encode([LONG * 2, LONG * 3])
    assert np.allclose(twice, thrice, atol=1e-6)
