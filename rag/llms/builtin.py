"""The built-in backends: Ollama (probed first under ``auto``), the embedded llama.cpp
model, and the embedders (bundled ONNX MiniLM, Ollama). Heavy modules load on first use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from index.embedding import NewsEmbedding
from rag.llms.registry import Embedder, LLMBackend, Probe, register_embedder, register_llm
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.llms.model import NewsLLM


def gguf_path(settings: Settings) -> str:
    """The GGUF file of the embedded backend (the packaged Gemma 3 270M by default)."""
    if settings.gguf_path:
        return settings.gguf_path
    from rag.llms.embedded import default_gguf_path

    return default_gguf_path()


def _ollama_llm(s: Settings) -> NewsLLM:
    from rag.llms.ollama import build_ollama_llm

    return build_ollama_llm(s.ollama_host, s.ollama_model, s.context_window, s.ollama_timeout,
                            max_tokens=s.max_answer_tokens)


def _ollama_probe(s: Settings) -> Probe:
    from rag.llms.ollama import probe_ollama

    status = probe_ollama(s.ollama_host, s.ollama_model, timeout=1.5)
    if status.ok:
        return Probe(True, f"Ollama answers at {s.ollama_host} and has {s.ollama_model}")
    return Probe(False, f"Ollama not used: {status.reason}")


def _embedded_llm(s: Settings) -> NewsLLM:
    from rag.llms.embedded import EmbeddedLLM

    return EmbeddedLLM(model_path=gguf_path(s), context_window=s.context_window,
                       max_tokens=s.max_answer_tokens, temperature=0.0, seed=0,
                       n_threads=s.llm_threads)


def _onnx(s: Settings) -> NewsEmbedding:
    from index.embedding import OnnxMiniLMEmbedding

    return OnnxMiniLMEmbedding(embed_batch_size=s.embed_batch_size,
                               num_threads=s.embed_threads)


def _ollama_embedding(s: Settings) -> NewsEmbedding:
    from rag.llms.ollama import build_ollama_embedding

    return build_ollama_embedding(s.ollama_host, s.embed_model, s.ollama_timeout,
                                  embed_batch_size=s.embed_batch_size)


# The 270M embedded model's checked drafts measured no better than the composer and five
# times slower (README, Answers): with it, "auto" answers and summarises extractively.
register_llm(LLMBackend("ollama", _ollama_llm, lambda s: s.ollama_model,
                        answer_mode="generative", summary_mode="generative",
                        probe=_ollama_probe))
register_llm(LLMBackend("embedded", _embedded_llm, lambda s: Path(gguf_path(s)).name,
                        answer_mode="extractive", summary_mode="extractive"))
register_embedder(Embedder("onnx", _onnx))
register_embedder(Embedder("ollama", _ollama_embedding))
