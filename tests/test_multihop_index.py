"""The shared MultiHop-RAG index's first build starts from an earlier build's vectors, only
when the same embedding code made them (``scripts/multihop_index.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from index.catalog import Catalog
from rag.settings import PROJECT_ROOT


def _script() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "multihop_index.py"
    spec = importlib.util.spec_from_file_location("multihop_index", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _script()


def _build(directory: Path, vectors: dict[str, list[float]], code: str | None) -> None:
    directory.mkdir(parents=True)
    catalog = Catalog.in_index(directory)
    catalog.cache_vectors(vectors.items())
    catalog.close()
    if code is not None:
        (directory / script.EMBEDDING_CODE).write_text(code)


def _cached(directory: Path, keys: list[str]) -> dict[str, list[float]]:
    catalog = Catalog.in_index(directory)
    try:
        return catalog.cached_vectors(keys)
    finally:
        catalog.close()


VECTORS = {"k1": [1.0, 0.0], "k2": [0.0, 1.0]}


def test_a_first_build_gets_the_vectors_of_an_earlier_one_of_the_same_code(
    tmp_path: Path,
) -> None:
    _build(tmp_path / "multihop-old", VECTORS, script._embedding_code())
    target = tmp_path / "multihop-new"
    assert script.seed_vectors(target) == 2
    assert _cached(target, ["k1", "k2"]) == VECTORS
    assert script.seed_vectors(target) == 0  # it has a catalog now: left alone


@pytest.mark.parametrize("code", [None, "another embedding code"])
def test_vectors_of_other_or_unknown_embedding_code_are_not_used(
    tmp_path: Path, code: str | None
) -> None:
    _build(tmp_path / "multihop-old", VECTORS, code)
    target = tmp_path / "multihop-new"
    assert script.seed_vectors(target) == 0
    assert not (target / Catalog.FILE).exists()


def test_a_build_under_way_is_not_replaced(tmp_path: Path) -> None:
    _build(tmp_path / "multihop-old", VECTORS, script._embedding_code())
    target = tmp_path / "multihop-new"
    _build(target, {"mine": [0.5, 0.5]}, None)
    assert script.seed_vectors(target) == 0
    assert _cached(target, ["k1", "mine"]) == {"mine": [0.5, 0.5]}
