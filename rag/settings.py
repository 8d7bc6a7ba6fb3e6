"""The one settings object, loaded explicitly from a TOML file and ``RAG_*`` variables.

Nothing is read at import time: call :func:`load_settings`. Precedence, highest
first: keyword overrides (the CLI's options), ``RAG_*`` environment variables,
the TOML file, the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from rag.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "rag.toml"


class ChunkingSettings(BaseModel):
    """How cleaned articles are cut into passages."""

    chunk_tokens: int = Field(200, ge=16, description="Maximum tokens of article text per chunk.")
    overlap_tokens: int = Field(40, ge=0, description="Tokens repeated between adjacent chunks.")


class RetrievalSettings(BaseModel):
    """Hybrid retrieval: dense + BM25, fused."""

    k: int = Field(5, ge=1)
    candidates: int = Field(50, ge=1, description="Candidates taken from each retriever.")
    # Chosen by measurement on MultiHop-RAG queries_dev (benchmarks/retrieval_eval.py):
    # min-max score fusion weighting BM25 twice beats BM25 alone, dense alone and RRF.
    fusion: Literal["rrf", "score"] = "score"
    dense_weight: float = Field(1.0, ge=0.0)
    keyword_weight: float = Field(2.0, ge=0.0)
    rrf_k: int = Field(60, ge=1)
    # Chosen on queries_dev (README, Retrieval quality): 4 holds an evidence passage in
    # the top 10 for 0.938 of questions (2: 0.896, BM25 alone 0.891); open questions keep
    # 2 of an article (rag.answer.evidence.gather).
    max_chunks_per_doc: int = Field(4, ge=1)
    metadata_boost: float = Field(
        0.5, ge=0.0, description="Weight of outlet/date hints in a query."
    )
    phrase_boost: float = Field(
        0.2, ge=0.0, description="Weight of the query's multi-word names found as written."
    )


class FetchSettings(BaseModel):
    """Fetching pages and feeds (``rag index URL``, ``rag sync``): polite, bounded, safe.
    Nothing is ever fetched while answering."""

    user_agent: str = "newsrag/0.1 (local news reader; +https://github.com/newsrag/newsrag)"
    timeout_s: float = Field(10.0, gt=0, description="Longest wait for a server's next bytes.")
    total_timeout_s: float = Field(30.0, gt=0, description="Longest time for one response.")
    max_mb: float = Field(8.0, gt=0, description="Largest page or feed fetched.")
    retries: int = Field(2, ge=0, description="Retries after timeouts, 429 and 5xx.")
    per_host: int = Field(2, ge=1, description="Requests to one host at once, at most.")
    max_redirects: int = Field(5, ge=0)
    obey_robots: bool = True
    allow_private: bool = Field(
        False, description="Fetch loopback, private and link-local addresses (never by default)."
    )
    allowed_hosts: list[str] = Field(
        default_factory=list, description="host or host:port fetched even when private."
    )


class SummarySettings(BaseModel):
    """``rag summarize``: map-reduce over the passages of a scope."""

    # Chosen by measurement (README, Summaries): with the embedded 270M base model the
    # extractive map is the one whose citations hold; auto uses the LLM only with Ollama.
    mode: Literal["auto", "generative", "extractive"] = Field(
        "auto", description="auto: generative with Ollama, extractive with the embedded model."
    )
    k: int = Field(20, ge=1, description="Passages retrieved for a topic.")
    per_doc: int = Field(4, ge=1, description="At most this many passages of one article.")
    max_passages: int = Field(
        200, ge=1, description="Passages read for a scope without a topic (spread over articles)."
    )
    batch_tokens: int = Field(
        1200, ge=64, description="Passage tokens per map batch (one prompt)."
    )
    sentences_per_batch: int = Field(5, ge=1, description="Claims the map keeps per batch.")
    max_tokens: int = Field(
        400, ge=16, description="Budget of the final summary; the reduce recurses while over."
    )
    max_generate_tokens: int = Field(200, ge=16, description="Tokens the model writes per batch.")


class Settings(BaseSettings):
    """Every setting of the tool. See the README's Configuration section."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_nested_delimiter="__", extra="forbid")

    index_dir: Path = PROJECT_ROOT / "data" / "index"
    chroma_url: str | None = Field(
        None, description="http://HOST:PORT of a Chroma server; embedded store when unset."
    )
    collection: str = "articles"

    embed_backend: str = Field(
        "onnx", description="A registered embedder: onnx (bundled MiniLM) or ollama."
    )
    embed_model: str = Field(
        "all-MiniLM-L6-v2", description="Ollama embedding model when embed_backend is ollama."
    )
    embed_batch_size: int = Field(32, ge=1)
    embed_threads: int | None = Field(
        None, ge=1, description=(
            "Threads of the bundled embedding model (default: every core). One, when "
            "several busy processes share the cores: two evals at once, each on every "
            "core, ran slower than one after the other."
        ),
    )

    llm_backend: str = Field(
        "auto", description="auto, or a registered backend: ollama or embedded."
    )
    ollama_host: str = Field(
        default_factory=lambda: os.environ.get("OLLAMA_HOST", "http://localhost:11434")
    )
    ollama_model: str = "llama3.2"
    ollama_timeout: float = Field(120.0, gt=0)
    ollama_concurrency: int = Field(
        1, ge=1, le=64,
        description=(
            "Answers sent to Ollama at once by the web UI (match the server's "
            "OLLAMA_NUM_PARALLEL; a GPU host takes several). The embedded model always "
            "answers one at a time: on two cores its parallel slots gave no more throughput."
        ),
    )
    gguf_path: str | None = Field(None, description="GGUF file for the embedded backend.")
    llm_threads: int | None = Field(
        None, ge=1, description="Generation threads of the embedded backend (default: cores - 1)."
    )
    context_window: int = Field(4096, ge=512)
    max_answer_tokens: int = Field(256, ge=1)
    as_of: date | None = Field(
        None, description="The date 'last week' or 'yesterday' is read against (default today)."
    )
    answer_mode: Literal["auto", "generative", "extractive"] = Field(
        "auto", description="auto: generative with checked citations and quote fallback."
    )
    lead_reading: bool = Field(
        True,
        description=(
            "A short answer below 0.9 confidence is stated only when the LLM, reading its "
            "sentence, names it too (one short completion); false: the composer's confidence alone."
        ),
    )
    otlp_endpoint: str | None = Field(
        None,
        description=(
            "http(s)://HOST:PORT of an OpenTelemetry collector: traces of every answer are "
            "sent there (OTLP/HTTP for port 4318 or a URL with a path, else gRPC). Unset: off."
        ),
    )

    # The web UI's knobs (``[ui]`` has none: they are top-level so RAG_UI_AUTH keeps its name).
    ui_auth: str | None = Field(
        None, description="user:password: the web UI asks for this login (RAG_UI_AUTH)."
    )
    ui_max_upload_mb: int = Field(10, ge=1, description="Largest file the web UI accepts.")
    # 64: twenty readers asking back to back never fill it (each has at most one request
    # waiting); beyond it a request is refused at once rather than left to wait minutes.
    ui_queue_size: int = Field(
        64, ge=1, description="Requests that may wait in the web UI's queue; more are refused."
    )
    ui_lock_wait_s: float = Field(
        30.0, ge=0, description="Seconds an upload or removal waits for another writer."
    )

    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    summary: SummarySettings = SummarySettings()
    fetch: FetchSettings = FetchSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only explicit values and RAG_* variables: the TOML file is merged by
        # load_settings, never discovered implicitly.
        return (init_settings, env_settings)


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise UserError(f"{path}: cannot read settings file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML ({exc})") from exc


def _deep_merge(base: Mapping[str, object], top: Mapping[str, object]) -> dict[str, object]:
    out = dict(base)
    for key, value in top.items():
        below = out.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            out[key] = _deep_merge(below, value)
        else:
            out[key] = value
    return out


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Load settings from ``config_file`` (or ``$RAG_CONFIG``, or ``rag.toml`` at the
    project root when it exists), then ``RAG_*`` variables, then ``overrides``.

    ``None`` values in ``overrides`` are ignored so CLI options can pass through.
    """
    if config_file is None and os.environ.get("RAG_CONFIG"):
        config_file = Path(os.environ["RAG_CONFIG"])
    if config_file is None and DEFAULT_CONFIG_FILE.is_file():
        config_file = DEFAULT_CONFIG_FILE
    file_values = _read_toml(config_file) if config_file is not None else {}
    explicit = {key: value for key, value in overrides.items() if value is not None}
    try:
        from_env = Settings().model_dump(exclude_unset=True)
        merged = _deep_merge(_deep_merge(file_values, from_env), explicit)
        return Settings.model_validate(merged)
    except ValueError as exc:
        raise UserError(f"invalid settings: {exc}") from exc
