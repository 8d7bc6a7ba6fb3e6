"""Backends and embedders are chosen through settings from their registries, fakes too."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from index.formats import describe, suffixes
from rag.cli import cli
from rag.container import build_services
from rag.errors import UserError
from rag.llms.registry import auto_modes, embedder, llm_backend
from rag.settings import Settings
from tests.conftest import SEEDS, make_settings
from tests.support.fake_llm import ScriptedLLM, scripted_backend
from tests.support.fakes import HashEmbedding


@pytest.mark.parametrize(("get", "name", "setting"), [
    (llm_backend, "gpt-17", "llm_backend"),
    (embedder, "word2vec", "embed_backend"),
])
def test_an_unknown_name_is_a_user_error_listing_the_known(get, name, setting) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError, match=rf"unknown {setting} '{name}' \(known: .*embedded|onnx"):
        get(name)


def test_auto_modes_follow_the_backend() -> None:
    assert auto_modes("embedded") == ("extractive", "extractive")
    assert auto_modes("ollama") == ("generative", "generative")
    assert auto_modes("passed-in-by-code") == ("generative", "generative")


def test_the_fake_embedder_is_chosen_through_settings(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "index", embed_backend="hash"))
    assert isinstance(services.embedder, HashEmbedding)


def test_a_registered_fake_backend_answers_the_real_command_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    runner = CliRunner()
    monkeypatch.setenv("RAG_CONFIG", "/dev/null")
    monkeypatch.setenv("RAG_EMBED_BACKEND", "hash")
    indexed = runner.invoke(cli, ["--index-dir", str(index_dir), "index", "-q", str(SEEDS)])
    assert indexed.exit_code == 0, indexed.output
    with scripted_backend(ScriptedLLM(
            ["Three Katyusha rockets were aimed at the US embassy [1]."])) as name:
        monkeypatch.setenv("RAG_LLM_BACKEND", name)
        result = runner.invoke(cli, ["--index-dir", str(index_dir), "ask", "--json",
                                     "How many Katyusha rockets were aimed at the US embassy?"])
    assert result.exit_code == 0, result.output
    assert '"backend": "fake"' in result.output
    # The registration ends with the block: nothing leaks into the next test.
    from rag.llms.registry import llm_backends

    assert name not in {b.name for b in llm_backends()}


def test_the_upload_types_are_the_registered_formats() -> None:
    from ui.corpus import UPLOAD_TYPES, upload_label

    assert set(UPLOAD_TYPES) == set(suffixes()) and ".pdf" in UPLOAD_TYPES
    assert describe() in upload_label(Settings())
