"""The ``fake_ollama`` fixture: a fresh :class:`tests.support.fake_ollama.FakeOllama` per test.

Import it into a conftest (or test module) to use it::

    from tests.support.ollama_fixture import fake_ollama  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_ollama import FakeOllama


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    """A started fake Ollama server on 127.0.0.1 (``fake_ollama.url``), stopped afterwards."""
    server = FakeOllama().start()
    try:
        yield server
    finally:
        server.stop()
