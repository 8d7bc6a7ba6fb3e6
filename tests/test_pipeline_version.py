"""The index's pipeline version must change whenever cleaning or chunking output does.

Unchanged documents keep their chunks while the catalog's pipeline string matches, so
chunks made by old code would silently stay. This test fingerprints what loading,
cleaning and chunking make of the seed articles and the canaries: when the output
changes, bump ``PIPELINE_VERSION`` in ``index/indexer.py`` and record the new
fingerprint below.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from index.chunking import chunk_article
from index.documents import SourceRecord
from index.embedding import OnnxMiniLMEmbedding
from index.indexer import PIPELINE_VERSION
from index.loaders import iter_files, read_file, to_article
from rag.settings import PROJECT_ROOT, load_settings

FINGERPRINTS = {
    "clean-1": "497208e5fcfc93de",
    "clean-2": "497208e5fcfc93de",
}


def pipeline_fingerprint(paths: list[Path]) -> str:
    """A digest of every article's cleaned text and every chunk the default settings make."""
    settings = load_settings(Path("/dev/null"))
    counter = OnnxMiniLMEmbedding().count_tokens
    digest = hashlib.sha256()
    for path in sorted(p for p in iter_files(paths) if isinstance(p, Path)):
        for record in read_file(path):
            assert isinstance(record, SourceRecord), record
            article = to_article(record)
            digest.update(f"{article.title}\n{article.published_at}\n{article.text}".encode())
            for chunk in chunk_article(article, counter, settings.chunking.chunk_tokens,
                                       settings.chunking.overlap_tokens):
                digest.update(f"{chunk.chunk_id}\n{chunk.text}".encode())
    return digest.hexdigest()[:16]


def test_the_pipeline_version_names_the_chunks_the_code_makes() -> None:
    got = pipeline_fingerprint([PROJECT_ROOT / "seeds", PROJECT_ROOT / "eval" / "canaries"])
    assert FINGERPRINTS.get(PIPELINE_VERSION) == got, (
        f"cleaning or chunking output changed (fingerprint {got}): bump PIPELINE_VERSION in "
        "index/indexer.py and record the fingerprint in tests/test_pipeline_version.py")
