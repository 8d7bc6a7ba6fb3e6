"""Cleaning: precision and recall of furniture removal on a hand-labelled corpus sample.

    python benchmarks/cleaning.py [--cleaner FILE] [--labels FILE] [--json OUT]
    python benchmarks/cleaning.py --draw          # print the sample to label, with context

Paragraphs are the non-empty lines of ``normalize_text(body)`` of the MultiHop-RAG records
(``../shared/data/multihop-rag/corpus.json``; the records format cleans ``body`` with
``clean_text``). ``eval/cleaning/labels.yaml`` holds 100 of them, labelled by hand as
``article`` or ``furniture``, by reference only: corpus index, url, paragraph index,
sha1 of the exact text and its first words. Furniture is the positive class:

- a paragraph counts as *removed* when no part of it is left in ``clean_text(body)``;
  a paragraph cut down to its article sentences is *trimmed* (kept);
- precision = removed furniture / removed, recall = removed furniture / furniture,
  per stratum (``random``: uniform over all paragraphs; ``cue``: paragraphs with a
  call-to-action word) and in total. Trimming an article paragraph the labels do not
  mark ``mixed`` is listed as lost text.

It also prints what the cleaner does to the whole corpus (paragraphs and characters
dropped, chunk-sized windows that still carry a known furniture phrase) and how long
cleaning the 609 articles takes. ``--cleaner FILE`` runs another version of
``index/clean.py`` (for the figures before a change:
``git show HEAD:index/clean.py > /tmp/clean_head.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from index.chunking import chunk_spans  # noqa: E402
from index.clean import normalize_text  # noqa: E402

# Not harness.CORPUS: harness imports the whole service stack, cleaning needs none of it.
CORPUS = ROOT.parent / "shared" / "data" / "multihop-rag" / "corpus.json"
LABELS = ROOT / "eval" / "cleaning" / "labels.yaml"
SEED = 16
PER_STRATUM = 50
# The words of the furniture, for the "cue" stratum. Fixed before labelling and
# independent of the cleaner's own cues, so the stratum is not drawn by the classifier.
CUE = re.compile(
    r"\bsign(?:ing)?[ -]?up\b|\bsubscribe\b|\bnewsletters?\b|\bclick here\b|\bget in touch\b|"
    r"\bfollow us\b|(?<![\w-])related\b|\bread more\b|\badvertisement\b|\bloading\b|"
    r"\bcookies?\b",
    re.I,
)
# Exact phrases of furniture seen in the corpus (the examples and their kin): a
# chunk that still holds one carries page furniture. A probe, not the cleaner's rules.
PROBES = (
    "Sign Me Up", "skip past newsletter promotion", "CLICK HERE TO SIGN UP", "Related Pages:",
    "Get in touch with TechCrunch", "Please enter a valid email address",
    "Article continues below this ad", "Follow us!", "CLICK HERE TO GET THE FOX NEWS APP",
    "may earn a commission", "{{ #verifyErrors }}", "Save articles for later",
    "Sign up here", "Subscribe here",
)
Cleaner = Callable[[str], str]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the corpus: where it is and its exact (normalized) text."""

    doc: int
    para: int
    url: str
    text: str

    @property
    def sha1(self) -> str:
        return sha1(self.text)


def sha1(text: str) -> str:
    """First 12 hex digits of the SHA-1 of ``text`` (UTF-8)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def split_paragraphs(body: str) -> list[str]:
    """The paragraphs of a record's body as the cleaner sees them: non-empty lines."""
    return [line for line in normalize_text(body).split("\n") if line]


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The MultiHop-RAG records."""
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


def corpus_paragraphs(rows: Sequence[dict[str, Any]]) -> list[Paragraph]:
    """Every paragraph of every record, in corpus order."""
    return [
        Paragraph(i, j, str(row.get("url") or ""), text)
        for i, row in enumerate(rows)
        for j, text in enumerate(split_paragraphs(str(row["body"])))
    ]


def draw_sample(paragraphs: Sequence[Paragraph], seed: int = SEED, n: int = PER_STRATUM,
                cue: re.Pattern[str] = CUE) -> list[tuple[str, Paragraph]]:
    """The sample to label: ``n`` paragraphs uniformly at random (``random``), then ``n``
    distinct texts at random among the other paragraphs that match ``cue`` (``cue``,
    each at its first occurrence), both from one ``random.Random(seed)``."""
    rng = random.Random(seed)
    uniform = rng.sample(range(len(paragraphs)), n)
    taken = set(uniform)
    first: dict[str, int] = {}
    for k, p in enumerate(paragraphs):
        if k not in taken and cue.search(p.text):
            first.setdefault(p.text, k)
    cued = rng.sample(sorted(first.values()), n)
    return [("random", paragraphs[k]) for k in uniform] + [("cue", paragraphs[k]) for k in cued]


def outcomes(paragraphs: Sequence[str], cleaned: str) -> list[str]:
    """``kept``, ``trimmed`` or ``dropped`` for each paragraph, by aligning the cleaner's
    output lines (each a paragraph or a part of one, in order) with its input."""
    out = [line for line in cleaned.split("\n") if line.strip()]
    result: list[str] = []
    k = 0
    for i, para in enumerate(paragraphs):
        if k < len(out) and out[k] == para:
            result.append("kept")
            k += 1
        elif (k < len(out) and out[k] in para
              and out[k] not in paragraphs[i + 1 : i + 4]):
            result.append("trimmed")
            k += 1
        else:
            result.append("dropped")
    return result


def load_cleaner(path: Path | None) -> Cleaner:
    """``clean_text`` of the project, or of another version of ``index/clean.py``."""
    if path is None:
        from index.clean import clean_text

        return clean_text
    spec = importlib.util.spec_from_file_location("clean_under_test", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn: Cleaner = module.clean_text
    return fn


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    """The labelled items of ``eval/cleaning/labels.yaml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["items"]
    return items


def locate(item: dict[str, Any], rows: Sequence[dict[str, Any]]) -> tuple[int, int] | None:
    """(record, paragraph) of a labelled item: at its stored place if the hash matches
    there, else the first paragraph with that hash in the record with its url."""
    doc, para = int(item["doc"]), int(item["para"])
    if doc < len(rows):
        paras = split_paragraphs(str(rows[doc]["body"]))
        if para < len(paras) and sha1(paras[para]) == item["sha1"]:
            return doc, para
    for i, row in enumerate(rows):
        if row.get("url") == item.get("url"):
            for j, text in enumerate(split_paragraphs(str(row["body"]))):
                if sha1(text) == item["sha1"]:
                    return i, j
    return None


@dataclass
class Counts:
    """Confusion counts with furniture as the positive class."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float | None:
        """Removed furniture / removed; None when nothing was removed."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Removed furniture / furniture; None when there is no furniture."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def add(self, furniture: bool, removed: bool) -> None:
        if furniture and removed:
            self.tp += 1
        elif removed:
            self.fp += 1
        elif furniture:
            self.fn += 1
        else:
            self.tn += 1

    def row(self) -> dict[str, float | int | None]:
        p, r = self.precision, self.recall
        return {"furniture": self.tp + self.fn, "article": self.fp + self.tn, "tp": self.tp,
                "fp": self.fp, "fn": self.fn, "precision": None if p is None else round(p, 3),
                "recall": None if r is None else round(r, 3)}


def score(items: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]],
          clean: Cleaner) -> dict[str, Any]:
    """Precision and recall per stratum and in total, and every mistake."""
    strata: dict[str, Counts] = {"random": Counts(), "cue": Counts(), "total": Counts()}
    mistakes: list[dict[str, Any]] = []
    missing: list[str] = []
    cache: dict[int, list[str]] = {}
    for item in items:
        where = locate(item, rows)
        if where is None:
            missing.append(str(item["sha1"]))
            continue
        doc, para = where
        if doc not in cache:
            body = str(rows[doc]["body"])
            cache[doc] = outcomes(split_paragraphs(body), clean(body))
        outcome = cache[doc][para]
        furniture = item["label"] == "furniture"
        removed = outcome == "dropped"
        for name in (str(item["stratum"]), "total"):
            strata[name].add(furniture, removed)
        lost_text = not furniture and outcome == "trimmed" and not item.get("mixed")
        if furniture != removed or lost_text:
            kind = ("lost text" if lost_text else "false positive" if removed
                    else "missed furniture")
            mistakes.append({"kind": kind, "stratum": item["stratum"], "doc": doc,
                             "para": para, "outcome": outcome, "words": item.get("words", "")})
    return {"strata": {k: v.row() for k, v in strata.items()}, "mistakes": mistakes,
            "missing": missing}


def corpus_effect(rows: Sequence[dict[str, Any]], clean: Cleaner,
                  chunk_words: int = 150, overlap_words: int = 30) -> dict[str, Any]:
    """What cleaning does to the whole corpus: paragraphs and characters dropped, and the
    share of chunk-sized windows (``chunk_words`` words, sentence-aligned like the index's
    chunks) of the cleaned text that still hold a furniture probe phrase."""
    def count_words(texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    paras = dropped = trimmed = chars_in = chars_out = chunks = dirty = 0
    t0 = time.perf_counter()
    cleaned = [clean(str(row["body"])) for row in rows]
    seconds = time.perf_counter() - t0
    for row, text in zip(rows, cleaned, strict=True):
        split = split_paragraphs(str(row["body"]))
        result = outcomes(split, text)
        paras += len(split)
        dropped += result.count("dropped")
        trimmed += result.count("trimmed")
        chars_in += sum(len(p) for p in split)
        chars_out += sum(len(line) for line in text.split("\n") if line.strip())
        for a, b in chunk_spans(text, count_words, chunk_words, overlap_words):
            chunks += 1
            dirty += any(p in text[a:b] for p in PROBES)
    return {
        "articles": len(rows), "paragraphs": paras, "paragraphs_dropped": dropped,
        "paragraphs_trimmed": trimmed, "share_paragraphs_dropped": round(dropped / paras, 4),
        "share_chars_dropped": round(1 - chars_out / chars_in, 4), "chunks": chunks,
        "chunks_with_furniture": dirty, "share_chunks_with_furniture": round(dirty / chunks, 4),
        "clean_seconds": round(seconds, 2),
    }


def print_draw(rows: Sequence[dict[str, Any]]) -> None:
    """The sample with its neighbours, for labelling by hand."""
    paragraphs = corpus_paragraphs(rows)
    for stratum, p in draw_sample(paragraphs):
        split = split_paragraphs(str(rows[p.doc]["body"]))
        before = split[p.para - 1][:160] if p.para else ""
        after = split[p.para + 1][:160] if p.para + 1 < len(split) else ""
        print(f"## {stratum} doc={p.doc} para={p.para} sha1={p.sha1} "
              f"source={rows[p.doc].get('source')} url={p.url}")
        print(f"   before: {before}\n   >>>>>>: {p.text}\n   after:  {after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cleaner", type=Path, default=None,
                        help="a version of index/clean.py to measure instead of the current one")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--draw", action="store_true", help="print the sample to label")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"no corpus at {args.corpus}")
    rows = load_corpus(args.corpus)
    if args.draw:
        print_draw(rows)
        return
    clean = load_cleaner(args.cleaner)
    result = score(load_labels(args.labels), rows, clean)
    effect = corpus_effect(rows, clean)
    name = str(args.cleaner or "index/clean.py")
    print(f"cleaner: {name}\n")
    print(f"{'stratum':8} {'furniture':>9} {'article':>7} {'TP':>3} {'FP':>3} {'FN':>3} "
          f"{'precision':>9} {'recall':>6}")
    def ratio(x: Any) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    for stratum, r in result["strata"].items():
        print(f"{stratum:8} {r['furniture']:9} {r['article']:7} {r['tp']:3} {r['fp']:3} "
              f"{r['fn']:3} {ratio(r['precision']):>9} {ratio(r['recall']):>6}")
    if result["missing"]:
        print(f"\nnot found in the corpus: {', '.join(result['missing'])}")
    print(f"\nmistakes ({len(result['mistakes'])}):")
    for m in result["mistakes"]:
        print(f"  {m['kind']:16} {m['stratum']:6} doc {m['doc']:3} para {m['para']:3} "
              f"[{m['outcome']}] {m['words']}")
    e = effect
    print(f"\ncorpus: {e['articles']} articles, {e['paragraphs']} paragraphs; dropped "
          f"{e['paragraphs_dropped']} ({e['share_paragraphs_dropped']:.2%}), trimmed "
          f"{e['paragraphs_trimmed']}; characters dropped {e['share_chars_dropped']:.2%}")
    print(f"chunks (150-word windows) still carrying a furniture phrase: "
          f"{e['chunks_with_furniture']} of {e['chunks']} ({e['share_chunks_with_furniture']:.2%})")
    print(f"cleaning the corpus took {e['clean_seconds']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"cleaner": name, **result, "corpus": effect},
                                        indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
