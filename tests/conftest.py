"""Shared fixtures: settings in a temporary index dir, services with real or fake parts."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from rag.container import Services, build_services
from rag.settings import PROJECT_ROOT, Settings, load_settings
from tests.support.fakes import HashEmbedding

SEEDS = PROJECT_ROOT / "seeds"
SHARED = PROJECT_ROOT.parent / "shared"
MULTIHOP = SHARED / "data" / "multihop-rag"

# Hypothesis keeps its example database outside the work tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "newsrag-hypothesis")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--artifacts", type=Path, default=None,
                     help="keep screenshots and other test artifacts here (default: under "
                          "pytest's temporary directory)")


@pytest.fixture(scope="session")
def artifacts_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests leave what a person may want to look at afterwards (screenshots)."""
    given: Path | None = request.config.getoption("--artifacts")
    path = given if given is not None else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No settings from the developer's environment leak into a test."""
    import os

    for key in list(os.environ):
        if key.startswith("RAG_") or key == "OLLAMA_HOST":
            monkeypatch.delenv(key)


def _embed_threads() -> int | None:
    """One embedding thread per pytest-xdist worker (the workers already fill the cores),
    else the default."""
    import os

    return 1 if os.environ.get("PYTEST_XDIST_WORKER") else None


def make_settings(index_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: its own index dir, Ollama pointed at nothing."""
    base: dict[str, object] = {
        "index_dir": index_dir,
        "ollama_host": "http://127.0.0.1:9",
        "embed_threads": _embed_threads(),
    }
    base.update(overrides)
    return load_settings(Path("/dev/null"), **base)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "index")


@pytest.fixture(scope="session")
def onnx_embedder():  # type: ignore[no-untyped-def]
    """The real bundled embedding model, loaded once per test session."""
    from index.embedding import OnnxMiniLMEmbedding

    return OnnxMiniLMEmbedding(num_threads=_embed_threads())


@pytest.fixture
def fake_services(settings: Settings) -> Iterator[Services]:
    """Services with the hash embedder (fast; for tests of mechanism, not quality)."""
    services = build_services(settings, embedder=HashEmbedding())
    yield services
    services.close()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, onnx_embedder) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    """The seed articles indexed once with the real embedding model (read-only use)."""
    root = tmp_path_factory.mktemp("seed_index")
    shutil.copytree(SEEDS, root / "seeds")
    services = build_services(make_settings(root / "index"), embedder=onnx_embedder)
    services.indexer().run([root / "seeds"])
    yield services
    services.close()


def katyusha_reply(prompt: str) -> str:
    """A scripted model's answer citing the passage the prompt numbered with the rockets."""
    from tests.support.fake_llm import passage_number

    n = passage_number(prompt, "three Katyusha rockets")
    return f"Three Katyusha rockets were aimed at the American embassy [{n}]."


def scripted_seeds(tmp_path: Path) -> Iterator[Services]:
    """The seed articles indexed with the hash embedder, answered by a scripted model that
    cites the Katyusha passage (for a fixture to ``yield from``)."""
    from tests.support.fake_llm import ScriptedLLM

    services = build_services(make_settings(tmp_path / "index"), embedder=HashEmbedding(),
                              llm=ScriptedLLM([katyusha_reply]))
    services.indexer().run([SEEDS])
    yield services
    services.close()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Services]:
    """The seed articles indexed with hash embeddings, answered by a scripted model that
    cites the Katyusha passage (:func:`scripted_seeds`)."""
    yield from scripted_seeds(tmp_path)
