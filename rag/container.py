"""The composition root: builds the embedder, the index store, the retriever and the
LLM from one :class:`Settings`. The CLI, the UI and the tests all go through it.

Everything is built lazily and once, so a command that only retrieves never
loads an LLM, and a chat session reuses one loaded model for every question.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from index.chunking import TokenCounter
from index.embedding import NewsEmbedding
from index.indexer import Indexer
from index.store import IndexStore
from index.web.fetch import Fetcher, FetchPolicy
from rag.errors import UserError
from rag.ingestion import Ingestion
from rag.llms import registry
from rag.settings import Settings

# Answering, retrieval and the LLM import llama-index (about a second): a command that
# only indexes (``rag index one.json``) never imports them.
if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from rag.answer import Answerer
    from rag.grounding.similarity import VectorCache
    from rag.llms.model import NewsLLM
    from rag.llms.select import BackendChoice
    from rag.retrieval import HybridRetriever
    from rag.summary.service import Summarizer

ANSWER_MODES = ("auto", "extractive", "generative")


class Services:
    """The built parts of the application, shared by every front end.

    Tests replace parts by passing them in (``embedder=``, ``llm=``); production
    code never checks whether it runs under test.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: NewsEmbedding | None = None,
        llm: NewsLLM | None = None,
        chroma_client: ClientAPI | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._llm = llm
        self._chroma_client = chroma_client
        self._reset_store = False

    # -- embeddings -----------------------------------------------------------

    @cached_property
    def embedder(self) -> NewsEmbedding:
        """The embedding model the settings name."""
        if self._embedder is not None:
            return self._embedder
        return registry.embedder(self.settings.embed_backend).build(self.settings)

    @cached_property
    def embed_model_id(self) -> str:
        """The id the index records for the embedding model that built it."""
        return self.embedder.index_id

    @cached_property
    def token_counter(self) -> TokenCounter:
        """Counts tokens for chunking (the embedder's own count)."""
        return self.embedder.count_tokens

    # -- index ----------------------------------------------------------------

    @cached_property
    def store(self) -> IndexStore:
        """The index store (catalog, Chroma collection, keyword index)."""
        s = self.settings
        return IndexStore(
            s.index_dir,
            self.embed_model_id,
            chroma_url=s.chroma_url,
            collection=s.collection,
            client=self._chroma_client,
            reset=self._reset_store,
        )

    def reset_index(self) -> None:
        """Open the store empty (``rag index --rebuild``): the next use starts from nothing."""
        self.__dict__.pop("store", None)
        self._reset_store = True

    def indexer(self) -> Indexer:
        """An indexer over the store with the configured chunking."""
        c = self.settings.chunking
        return Indexer(
            self.store,
            self.embedder,
            self.token_counter,
            c.chunk_tokens,
            c.overlap_tokens,
        )

    @cached_property
    def fetcher(self) -> Fetcher:
        """The HTTP fetcher of pages and feeds, with the configured politeness and limits."""
        f = self.settings.fetch
        return Fetcher(FetchPolicy(
            user_agent=f.user_agent, read_timeout_s=f.timeout_s,
            total_timeout_s=f.total_timeout_s, max_bytes=int(f.max_mb * 1_000_000),
            retries=f.retries, per_host=f.per_host, max_redirects=f.max_redirects,
            obey_robots=f.obey_robots, allow_private=f.allow_private,
            allowed_hosts=tuple(f.allowed_hosts),
        ))

    @cached_property
    def ingestion(self) -> Ingestion:
        """Adding and removing articles under the writer lock (the CLI and the UI)."""
        return Ingestion(self.settings.index_dir, self.indexer, reset=self.reset_index,
                         fetcher=lambda: self.fetcher)

    @cached_property
    def retriever(self) -> HybridRetriever:
        """The hybrid retriever with the configured fusion."""
        from rag.retrieval import HybridRetriever

        return HybridRetriever(self.store, self.embedder, self.settings.retrieval)

    # -- LLM and answering ----------------------------------------------------

    @cached_property
    def backend(self) -> BackendChoice:
        """Which LLM backend answers, and why."""
        from rag.llms.select import BackendChoice, choose_backend

        if self._llm is not None:
            return BackendChoice(self._llm.backend_name, self._llm.metadata.model_name,
                                 "an LLM was passed in")
        return choose_backend(self.settings)

    @cached_property
    def llm(self) -> NewsLLM:
        """The LLM (built on first use, then reused for every question)."""
        from rag.llms.select import build_llm

        if self._llm is not None:
            return self._llm
        return build_llm(self.settings, self.backend)

    def answer_mode(self, requested: str | None = None) -> str:
        """The answer mode a request runs in: ``requested``, else the setting; ``auto`` is
        the composer alone (``extractive``) with the embedded 270M model, whose checked
        drafts measured no better and five times slower (README, Answers), and the
        model's checked draft (``generative``) with any other backend."""
        chosen = requested or self.settings.answer_mode
        if chosen not in ANSWER_MODES:
            raise UserError(f"unknown answer mode {chosen!r}: use one of "
                            f"{', '.join(ANSWER_MODES)}")
        if chosen != "auto":
            return chosen
        return registry.auto_modes(self.backend.backend)[0]

    @cached_property
    def sentence_vectors(self) -> VectorCache:
        """Sentence vectors shared by every answer and summary of this process."""
        from rag.grounding.similarity import VectorCache

        return VectorCache()

    @cached_property
    def answerer(self) -> Answerer:
        """The question answerer: retrieval, generation, citation check, abstention."""
        from rag.answer import Answerer
        from rag.answer.reader import ModelReader

        return Answerer(
            self.retriever,
            self.embedder,
            llm=lambda: self.llm,
            backend=lambda: (self.backend.backend, self.backend.model),
            max_tokens=self.settings.max_answer_tokens,
            k=self.settings.retrieval.k,
            as_of=self.settings.as_of,
            vectors=self.sentence_vectors,
            reader=ModelReader(lambda: self.llm) if self.settings.lead_reading else None,
        )

    @cached_property
    def summarizer(self) -> Summarizer:
        """The summarizer (``rag summarize``): scope, map-reduce, checked citations."""
        from rag.summary.service import Summarizer

        return Summarizer(
            self.retriever,
            lambda: self.store.catalog,
            self.embedder,
            self.token_counter,
            llm=lambda: self.llm,
            backend=lambda: (self.backend.backend, self.backend.model),
            settings=self.settings.summary,
            vectors=self.sentence_vectors,
        )

    def close(self) -> None:
        """Free what was built (the loaded LLM, the catalog connection)."""
        llm = self.__dict__.get("llm")
        if llm is not None and llm is not self._llm and hasattr(llm, "close"):
            llm.close()
        if "store" in self.__dict__:
            self.store.close()
        if "fetcher" in self.__dict__:
            self.fetcher.close()


def build_services(
    settings: Settings, *, embedder: NewsEmbedding | None = None, llm: NewsLLM | None = None,
    chroma_client: ClientAPI | None = None,
) -> Services:
    """Build the application's services from settings (parts may be injected); turns on
    traces when the settings name a collector (``otlp_endpoint``)."""
    if settings.otlp_endpoint:
        from rag.tracing import configure_tracing

        configure_tracing(settings)
    return Services(settings, embedder=embedder, llm=llm, chroma_client=chroma_client)
