"""End to end with the real embedded model: `rag ask` on the seeds, no Ollama running."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SEEDS

RAG = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "rag"
pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("ask")
    shutil.copytree(SEEDS, root / "seeds")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_INDEX_DIR=str(root / "index"), RAG_CONFIG="/dev/null",
               OLLAMA_HOST="http://127.0.0.1:9")  # nobody listens: auto picks embedded
    subprocess.run([str(RAG), "index", "-q", str(root / "seeds")], env=env, check=True,
                   capture_output=True, timeout=300)
    return env


def ask(env: dict[str, str], question: str, *options: str) -> dict:  # type: ignore[type-arg]
    out = subprocess.run([str(RAG), "ask", question, "--json", *options], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_katyusha_answer_from_the_embedded_model_cites_the_seed(env: dict[str, str]) -> None:
    result = ask(env, "How many Katyusha rockets were aimed at the US embassy?",
                 "--mode", "generative")
    assert result["backend"] == "embedded" and result["model"].endswith(".gguf")
    assert not result["abstained"]
    cited = [c for c in result["citations"] if c["supported"]]
    assert any(c["doc_id"] == "003_4d07f30f24df0013" for c in cited)
    assert "three" in result["answer"].lower() or "3" in result["answer"]
    assert set(result) >= {"question", "answer", "abstained", "citations", "backend", "model", "timings"}
    assert set(cited[0]) >= {"n", "doc_id", "chunk_id", "title", "source", "published_at", "text", "supported"}


def test_auto_mode_with_the_embedded_backend_is_the_composer(env: dict[str, str]) -> None:
    result = ask(env, "How many Katyusha rockets were aimed at the US embassy?")
    assert result["mode"] == "extractive" and result["answer"].startswith("Three [")


@pytest.mark.parametrize(
    "question",
    ["Who won the 2026 football World Cup final?", "How much does the Super Saver subscription cost?"],
)
def test_unanswerable_questions_abstain(env: dict[str, str], question: str) -> None:
    result = ask(env, question)
    assert result["abstained"] and result["citations"] == []
