"""Stories: near-duplicate articles (one wire story carried by several outlets, with a
new headline, a byline, a sentence changed or a paragraph cut) grouped into one.

Pure functions. An article's *signature* is a MinHash (128 permutations) of the set of
its word 5-shingles: lower-cased words, five in a row. Five words are long enough that
two different articles on the same event (the same names, places and figures, written
anew) share few shingles, and short enough that a light edit (a sentence changed, a
paragraph cut) leaves most shingles of a copy intact (3-word shingles bring different
articles closer, 7 words separate no better; ``benchmarks/stories.py`` measures both
on MultiHop-RAG). Candidate pairs come from MinHash LSH and are kept when their
estimated Jaccard is at least ``THRESHOLD``; groups are the connected components of the
kept pairs (union-find), so a copy of a copy is in the story too. A story is named by
its earliest-published member (ties: the smallest doc id), so the same corpus always
gives the same story ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 5
SCHEME = "affine32"  # datasketch's 32-bit permutations: 4 bytes a value
# Pairs at or above this estimated Jaccard of their shingle sets are one story. Measured
# with benchmarks/stories.py on MultiHop-RAG (609 articles): the one near-duplicate pair
# (an Engadget deals article republished three days later) has an exact Jaccard of 0.66;
# the next closest pairs, different articles on one topic (two Diablo 4 class guides,
# two World Series game reports), 0.18 and below. Three lightly edited copies of every
# article (byline, a sentence changed, paragraphs swapped or the last 30 % cut) have
# an exact Jaccard of 0.54 or more at the 1st percentile: at 0.4 all four versions are
# one story for 608 of 609 articles (0.5: 597), and no two different articles merge.
THRESHOLD = 0.4
# What a stored signature was made with: a signature of another kind is recomputed.
SIGNATURE_KIND = f"minhash/{SCHEME}/{NUM_PERM}/words{SHINGLE_WORDS}"

_WORD = re.compile(r"\w+")
_SEED = 1


def words(text: str) -> list[str]:
    """The text's words, lower-cased, without punctuation (``"U.S."`` is ``u``, ``s``)."""
    return _WORD.findall(text.casefold().replace("’", "'").replace("'", ""))


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of ``size`` words in a row (space-joined); a text shorter than ``size``
    words is one shingle, an empty text none."""
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


# The permutations depend only on the seed: drawn once, not for every MinHash (drawing
# them is most of the cost of making one).
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME).permutations


def _minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=_SEED, hashvalues=hashvalues,
                   permutations=_PERMUTATIONS, scheme=SCHEME)


def signature_of(items: Iterable[str]) -> np.ndarray:
    """The MinHash hash values (uint32, ``NUM_PERM`` of them) of a set of shingles."""
    m = _minhash()
    m.update_batch([s.encode("utf-8") for s in items])
    return np.asarray(m.hashvalues, dtype=np.uint32)


def signature(text: str) -> np.ndarray | None:
    """The MinHash hash values of the text's shingles; None for a text without words."""
    items = shingles(text)
    return signature_of(items) if items else None


def to_minhash(hashvalues: np.ndarray) -> MinHash:
    """A datasketch MinHash from stored hash values."""
    return _minhash(hashvalues)


def to_bytes(hashvalues: np.ndarray) -> bytes:
    """Hash values as stored in the catalog (little-endian uint32)."""
    return np.asarray(hashvalues, dtype="<u4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray | None:
    """Hash values from the catalog; None when the blob is not a signature of this kind."""
    if len(blob) != 4 * NUM_PERM:
        return None
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


# LSH bands of the signature (datasketch's choice for THRESHOLD and NUM_PERM: 32 bands of
# 4 values): two documents are candidates when one band is equal. The catalog keeps each
# document's band keys, so a new document finds its candidates without the corpus.
_LSH = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r
BAND_KIND = f"{SIGNATURE_KIND}/bands{BANDS}x{ROWS}"


def band_keys(hashvalues: np.ndarray) -> list[tuple[int, int]]:
    """``(band, key)`` of each LSH band: a 64-bit hash of the band's values (datasketch's
    bands, so a key match is a datasketch candidate, bar a 2**-64 chance)."""
    values = np.asarray(hashvalues, dtype="<u4")
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS : (band + 1) * ROWS].tobytes(),
                                 digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "little", signed=True)))
    return out


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity two signatures estimate: the share of equal hash values."""
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass(frozen=True)
class StoryDoc:
    """What grouping needs of a document: its id, date and signature."""

    doc_id: str
    published_at: str | None
    hashvalues: np.ndarray | None  # None: no words, never grouped


def earliest(docs: Iterable[StoryDoc]) -> StoryDoc:
    """The member a story is named after: the earliest dated, ties by the smallest id;
    undated members come after dated ones."""
    return min(docs, key=lambda d: (d.published_at is None, d.published_at or "", d.doc_id))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def similar_pairs(docs: Sequence[StoryDoc], threshold: float = THRESHOLD) -> list[tuple[str, str]]:
    """Pairs of doc ids (sorted, each once) whose estimated Jaccard is at least
    ``threshold``; candidates come from MinHash LSH, so no all-pairs comparison."""
    signed = [d for d in docs if d.hashvalues is not None]
    if len(signed) < 2:
        return []
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    values: dict[str, np.ndarray] = {}
    with lsh.insertion_session() as session:
        for d in signed:
            assert d.hashvalues is not None
            values[d.doc_id] = d.hashvalues
            session.insert(d.doc_id, to_minhash(d.hashvalues), check_duplication=False)
    pairs: set[tuple[str, str]] = set()
    for d in signed:
        for other in lsh.query(to_minhash(values[d.doc_id])):
            if other == d.doc_id:
                continue
            a, b = sorted((d.doc_id, str(other)))
            if (a, b) not in pairs and estimated_jaccard(values[a], values[b]) >= threshold:
                pairs.add((a, b))
    return sorted(pairs)


def group(docs: Sequence[StoryDoc], threshold: float = THRESHOLD) -> dict[str, str]:
    """The story id of every document: near-duplicates (transitively) share the id of
    their earliest member (:func:`earliest`); any other document is its own story."""
    uf = _UnionFind()
    for a, b in similar_pairs(docs, threshold):
        uf.union(a, b)
    by_root: dict[str, list[StoryDoc]] = {}
    for d in docs:
        by_root.setdefault(uf.find(d.doc_id), []).append(d)
    out: dict[str, str] = {}
    for members in by_root.values():
        story = earliest(members).doc_id
        for d in members:
            out[d.doc_id] = story
    return out


@dataclass(frozen=True)
class Member:
    """A document of a story, as a sources line names it."""

    doc_id: str
    source: str | None
    published_at: str | None


@dataclass
class StoryMap:
    """Which story each document belongs to, with the members of stories of two or
    more (a document not listed is a story of its own). ``generation`` is the catalog
    generation it was read at."""

    story_of: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[Member]] = field(default_factory=dict)
    generation: int = -1

    @classmethod
    def build(
        cls, rows: Iterable[tuple[str, str, str | None, str | None]], generation: int = -1
    ) -> StoryMap:
        """From ``(doc_id, story_id, source, published_at)`` rows; only stories of two
        or more members are kept, their members earliest first."""
        by_story: dict[str, list[Member]] = {}
        for doc_id, story, source, published_at in rows:
            by_story.setdefault(story or doc_id, []).append(Member(doc_id, source, published_at))
        story_of: dict[str, str] = {}
        members: dict[str, list[Member]] = {}
        for story, listed in by_story.items():
            if len(listed) < 2:
                continue
            listed.sort(key=lambda m: (m.published_at is None, m.published_at or "", m.doc_id))
            members[story] = listed
            for m in listed:
                story_of[m.doc_id] = story
        return cls(story_of, members, generation)

    def story(self, doc_id: str) -> str:
        """The story id of a document (its own id when it stands alone)."""
        return self.story_of.get(doc_id, doc_id)

    def others(self, doc_id: str) -> list[Member]:
        """The other members of the document's story, earliest first."""
        return [m for m in self.members.get(self.story(doc_id), []) if m.doc_id != doc_id]
