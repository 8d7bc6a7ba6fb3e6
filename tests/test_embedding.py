"""The bundled MiniLM embedder: each text's vector is its own, whatever runs beside it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.embedding import OnnxMiniLMEmbedding, length_runs

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


@pytest.mark.parametrize(("lengths", "runs"), [
    ([], []),
    ([30], [[0]]),
    ([30, 10, 20], [[1, 2, 0]]),  # shortest first, one run
    ([20] * 10, [list(range(8)), [8, 9]]),  # at most eight texts a run
    ([200, 210, 220, 600], [[0, 1], [2], [3]]),  # at most 512 tokens once padded
    ([10, 300, 12], [[0, 2], [1]]),  # a long text does not pad the short ones
])
def test_texts_run_in_groups_of_about_one_length(lengths: list[int], runs: list[list[int]]
                                                 ) -> None:
    assert length_runs(lengths) == runs


def test_a_short_text_padded_beside_longer_ones_gets_its_own_vector(
    model: OnnxMiniLMEmbedding,
) -> None:
    texts = [SHORT, "Rockets fell.", "The Fed held interest rates steady on Wednesday, as "
             "markets had expected after a week of strong figures."]
    assert len(length_runs([len(t.split()) for t in texts])) == 1  # one padded run
    together = model.encode(texts)
    for text, vector in zip(texts, together, strict=True):
        assert np.allclose(model.encode([text])[0], vector, atol=1e-6)
