"""The catalog's tables, and the migration of a catalog made before some of them."""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    published_at TEXT,
    source TEXT,
    url TEXT,
    author TEXT,
    origin TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    text TEXT NOT NULL,
    story_id TEXT,
    updated_at TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    embed_text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, seq);
CREATE TABLE IF NOT EXISTS embed_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    hashvalues BLOB
);
CREATE TABLE IF NOT EXISTS story_bands (
    doc_id TEXT NOT NULL,
    band INTEGER NOT NULL,
    key INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS story_bands_key ON story_bands(band, key);
CREATE INDEX IF NOT EXISTS story_bands_doc ON story_bands(doc_id);
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    updated_at TEXT,
    indexed_at TEXT,
    title TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL,
    question TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL
);
"""
# The schema's version in ``meta``: 2 added story_id and updated_at to documents, and
# the signatures and versions tables (a version-1 catalog is migrated when opened).
SCHEMA_VERSION = 2
# Columns added to ``documents`` since version 1, for the migration.
_ADDED_COLUMNS = (("story_id", "TEXT"), ("updated_at", "TEXT"))


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a catalog of an older schema up to date: add the columns it lacks and
    record its documents as their first versions. Serialised by SQLite's write lock,
    so two processes opening the same old catalog migrate it once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        have = {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
        for name, decl in _ADDED_COLUMNS:
            if name not in have:
                conn.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
        # Documents indexed before versions were kept: their current state is their
        # first known version (indexed at an unknown time).
        conn.execute(
            "INSERT INTO versions (doc_id, seq, content_hash, published_at, updated_at, "
            "indexed_at, title) SELECT d.doc_id, 1, d.content_hash, d.published_at, "
            "d.updated_at, NULL, d.title FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM versions v WHERE v.doc_id = d.doc_id)"
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
