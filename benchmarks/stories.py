"""Stories on MultiHop-RAG: which articles MinHash LSH groups at each threshold, and how
similar the members of each group really are (exact Jaccard of their shingle sets).

    python benchmarks/stories.py [--words 5] [--thresholds 0.3 0.4 ...] [--examples 3]
                                 [--show 0.5 0.1] [--json OUT]

The corpus is read from ../shared/data/multihop-rag/corpus.json and cleaned as the
indexer cleans it (``read_file`` + ``to_article``), so the signatures are those an
index would store. For every threshold: the number of groups of two or more, and each
group's members with the exact Jaccard of every pair of them (the estimate the group
was built from beside it). Then, over all pairs of the corpus, how many pairs have an
exact Jaccard in each band (the ground truth the LSH threshold cuts), and the
groups at ``--show`` with their titles, outlets and dates, to read whether they are
one story retold (a near-duplicate) or different articles on the same event.

Since MultiHop-RAG holds almost no near-duplicates, every article is also copied three
times with light edits as outlets make them (``edited_copies``), and for each threshold
the benchmark counts the articles whose four versions form one group and the groups
that mix different articles. ``index.stories.THRESHOLD`` (0.4) and the 5-word shingles
come from these numbers. Shingle size (``--words``): between the closest pair of
different articles and the least similar edited copy, 3 words leave a gap of 0.23
(0.24 to 0.46: different articles share common three-word phrases), 5 words 0.27 (0.18
to 0.46), 7 words 0.26 (0.16 to 0.42); 5 is the shortest window with the full gap, so a
changed word costs five shingles of a copy, not seven.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.documents import Article  # noqa: E402
from index.errors import InputError  # noqa: E402
from index.loaders import read_file, to_article  # noqa: E402
from index.stories import (  # noqa: E402
    StoryDoc,
    estimated_jaccard,
    group,
    jaccard,
    shingles,
    signature_of,
)

# Only index/ is needed (not the app that benchmarks/harness.py builds).
CORPUS = ROOT.parent / "shared" / "data" / "multihop-rag" / "corpus.json"

THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
PROBES = [0.1, 0.2]  # below the range: what different articles on one topic share
BYLINE = "By Alex Morgan, Staff Writer"
TRAILER = "Copyright 2023 Example Wire. All rights reserved. Reporting by Sam Lee."
REWRITTEN = ("Officials declined to say when the review would be finished, and a spokesperson "
             "said more details would follow later in the week.")
BANDS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def load_articles() -> list[Article]:
    """The MultiHop-RAG corpus, cleaned as the indexer cleans it."""
    out = []
    for rec in read_file(CORPUS):
        if isinstance(rec, InputError):
            continue
        try:
            out.append(to_article(rec))
        except InputError:
            continue
    return out


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (blank-line separated; else its lines)."""
    parts = [p for p in text.split("\n\n") if p.strip()]
    return parts if len(parts) > 1 else [p for p in text.split("\n") if p.strip()]


def change_sentence(paras: list[str], rng: random.Random) -> list[str]:
    """One sentence of a random paragraph replaced by another sentence."""
    out = list(paras)
    i = rng.randrange(len(out))
    sentences = out[i].split(". ")
    j = rng.randrange(len(sentences))
    sentences[j] = REWRITTEN.rstrip(".")
    out[i] = ". ".join(sentences)
    return out


def edited_copies(text: str, rng: random.Random) -> list[str]:
    """Three outlets' copies of a wire story, lightly edited as outlets edit them:
    (1) a byline, one sentence changed, a trailer; (2) two paragraphs swapped, the last
    cut, one sentence changed; (3) trimmed to the first 70 % of its paragraphs (by
    length), one sentence changed, a byline."""
    paras = paragraphs(text)
    one = [BYLINE, *change_sentence(paras, rng), TRAILER]
    two = change_sentence(paras, rng)
    if len(two) > 2:
        i = rng.randrange(len(two) - 1)
        two[i], two[i + 1] = two[i + 1], two[i]
        two = two[:-1]
    kept: list[str] = []
    size = 0
    for p in paras:
        if kept and size + len(p) > 0.7 * len(text):
            break
        kept.append(p)
        size += len(p)
    three = [BYLINE, *change_sentence(kept, rng)]
    return ["\n\n".join(c) for c in (one, two, three)]


def synthetic(articles: list[Article], words_per: int, thresholds: list[float]) -> dict[str, Any]:
    """Every article with three lightly edited copies: the exact Jaccard of the copies to
    each other and to the original, and per threshold how many articles have all four
    versions in one group (recall) and how many groups mix two articles (false merges)."""
    rng = random.Random(16)
    sets: dict[str, set[str]] = {}
    origin: dict[str, str] = {}
    for a in articles:
        sets[a.doc_id] = shingles(a.text, words_per)
        origin[a.doc_id] = a.doc_id
        for n, text in enumerate(edited_copies(a.text, rng), 1):
            sets[f"{a.doc_id}~{n}"] = shingles(text, words_per)
            origin[f"{a.doc_id}~{n}"] = a.doc_id
    exact = []
    for a in articles:
        ids = [a.doc_id, *(f"{a.doc_id}~{n}" for n in (1, 2, 3))]
        exact += [jaccard(sets[x], sets[y]) for x, y in itertools.combinations(ids, 2)]
    exact.sort()
    dates = {a.doc_id: a.published_at for a in articles}
    docs = [StoryDoc(i, dates[origin[i]], signature_of(s)) for i, s in sets.items()]
    out: dict[str, Any] = {
        "pairs": len(exact), "min": round(exact[0], 3),
        "p1": round(exact[len(exact) // 100], 3), "p5": round(exact[len(exact) // 20], 3),
        "median": round(statistics.median(exact), 3), "thresholds": {},
    }
    print(f"\nlight edits: {len(articles)} articles x 3 edited copies, exact Jaccard of the "
          f"{len(exact)} pairs within a story: min {out['min']}, 1st percentile {out['p1']}, "
          f"5th {out['p5']}, median {out['median']}")
    for threshold in thresholds:
        by_story: dict[str, set[str]] = defaultdict(set)
        for doc_id, story in group(docs, threshold).items():
            by_story[story].add(doc_id)
        whole = sum(
            1 for a in articles
            if any({a.doc_id, *(f"{a.doc_id}~{n}" for n in (1, 2, 3))} <= m
                   for m in by_story.values())
        )
        mixed = sum(1 for m in by_story.values() if len({origin[i] for i in m}) > 1)
        out["thresholds"][f"{threshold:.1f}"] = {"whole": whole, "mixed": mixed}
        print(f"  threshold {threshold:.1f}: all four versions in one group for {whole} of "
              f"{len(articles)} articles; {mixed} groups mix different articles")
    return out


def groups_of(assignment: dict[str, str]) -> list[list[str]]:
    """The groups of two or more doc ids, each sorted, largest first."""
    by_story: dict[str, list[str]] = defaultdict(list)
    for doc_id, story in assignment.items():
        by_story[story].append(doc_id)
    found = [sorted(ids) for ids in by_story.values() if len(ids) >= 2]
    return sorted(found, key=lambda ids: (-len(ids), ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=5, help="Words per shingle.")
    parser.add_argument("--thresholds", type=float, nargs="*", default=PROBES + THRESHOLDS)
    parser.add_argument("--show", type=float, nargs="*", default=[0.5, 0.1],
                        help="Print example groups found at these thresholds in full (at a "
                             "low one: what different articles on one topic look like).")
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--no-synthetic", action="store_true",
                        help="Skip the lightly edited copies.")
    parser.add_argument("--json", help="Write the numbers here too.")
    args = parser.parse_args()

    t0 = time.perf_counter()
    articles = load_articles()
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    sets = {a.doc_id: shingles(a.text, args.words) for a in articles}
    docs = [StoryDoc(a.doc_id, a.published_at, signature_of(sets[a.doc_id]))
            for a in articles]
    t_sign = time.perf_counter() - t0
    by_id = {a.doc_id: a for a in articles}
    values = {d.doc_id: d.hashvalues for d in docs}
    print(f"{len(articles)} articles from {CORPUS.name} (cleaned in {t_load:.1f} s); "
          f"{args.words}-word shingles, median {sorted(map(len, sets.values()))[len(sets) // 2]} "
          f"per article; signatures in {t_sign:.2f} s")

    results: dict[str, Any] = {"articles": len(articles), "words": args.words,
                               "thresholds": {}}
    shown: dict[float, list[list[str]]] = {}
    for threshold in args.thresholds:
        t0 = time.perf_counter()
        found = groups_of(group(docs, threshold))
        t_group = (time.perf_counter() - t0) * 1000
        members = sum(len(g) for g in found)
        print(f"\nthreshold {threshold:.1f}: {len(found)} groups of 2+ ({members} articles), "
              f"grouped in {t_group:.0f} ms")
        listed = []
        for ids in found:
            pairs = [(a, b, jaccard(sets[a], sets[b]),
                      estimated_jaccard(values[a], values[b]))  # type: ignore[arg-type]
                     for a, b in itertools.combinations(ids, 2)]
            exact = ", ".join(f"{j:.2f}" for _, _, j, _ in pairs)
            est = ", ".join(f"{e:.2f}" for _, _, _, e in pairs)
            print(f"  {' + '.join(ids)}: exact Jaccard {exact} (estimated {est})")
            listed.append({"members": ids, "exact": [round(j, 3) for _, _, j, _ in pairs]})
        results["thresholds"][f"{threshold:.1f}"] = {"groups": len(found), "articles": members,
                                                     "list": listed}
        if any(abs(threshold - x) < 1e-9 for x in args.show):
            shown[threshold] = found

    # Ground truth: the exact Jaccard of every pair of the corpus, in bands.
    t0 = time.perf_counter()
    ids = sorted(sets)
    exact_pairs = []
    for a, b in itertools.combinations(ids, 2):
        sa, sb = sets[a], sets[b]
        if not sa or not sb:
            continue
        inter = len(sa & sb)
        if inter:
            exact_pairs.append((inter / len(sa | sb), a, b))
    print(f"\nall {len(ids) * (len(ids) - 1) // 2} pairs, exact Jaccard "
          f"({time.perf_counter() - t0:.1f} s): pairs at or above")
    counts = {}
    for band in BANDS:
        counts[f"{band:.2f}"] = sum(1 for j, _, _ in exact_pairs if j >= band)
        print(f"  {band:.2f}: {counts[f'{band:.2f}']}")
    results["pairs_at_or_above"] = counts
    top = sorted(exact_pairs, reverse=True)[:15]
    print("closest pairs:")
    for j, a, b in top:
        print(f"  {j:.3f}  {a} ({by_id[a].source}) ~ {b} ({by_id[b].source})")

    if not args.no_synthetic:
        results["light_edits"] = synthetic(articles, args.words, args.thresholds)

    printed: list[list[str]] = []
    for threshold in args.show:
        found = next((v for t, v in shown.items() if abs(t - threshold) < 1e-9), [])
        fresh = [g for g in found if g not in printed][: args.examples]
        printed += fresh
        print(f"\ngroups at threshold {threshold:.1f}: {len(fresh)} of {len(found)} shown")
        for ids_ in fresh:
            print()
            for doc_id in ids_:
                a = by_id[doc_id]
                print(f"  {doc_id}  {a.published_at or 'undated'}  {a.source or '-'}  "
                      f"{a.author or '-'}\n      {a.title}\n      {a.text[:160]!r}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
