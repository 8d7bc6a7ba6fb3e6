"""Fit which sentence answers (rag/answer/answering_weights.py) on development questions.

    python benchmarks/answering_fit.py eval/natural/multihop.yaml=INDEX \
        eval/natural/seeds.yaml=INDEX2 [--write]

Each set is answered in the embedded backend's default mode, as `rag eval` does; for
every question of one part read as a value or a description question with a short
answer, the first ranked sentences are recorded with their features
(rag.answer.answering.answering_features) and labelled by whether they hold the short
answer (the eval's containment rule). A conditional logit is fitted on them: the
sentences of a question compete, and the fit raises the share of the odds of those that
hold the answer (questions where none does teach nothing). The script prints,
cross-validated with folds by question, how often the first one, two and three
sentences hold the answer, fitted and by the rank score. Never pass the held-out files
(eval/natural/*-heldout.yaml).

With --write the weights are written into rag/answer/answering_weights.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lead_fit import FOLDS, L2, development_sets, fold_of  # noqa: E402

import rag.answer.answerer as answerer  # noqa: E402
from rag.answer.answering import answering_features  # noqa: E402
from rag.answer.compose import head_terms, merged_ranking  # noqa: E402
from rag.answer.types import spec_of  # noqa: E402
from rag.container import build_services  # noqa: E402
from rag.evaluation import metrics  # noqa: E402
from rag.evaluation.sets import load_set, resolve_titles  # noqa: E402
from rag.settings import load_settings  # noqa: E402

WEIGHTS_FILE = ROOT / "rag" / "answer" / "answering_weights.py"


@dataclass
class Question:
    """One question's ranked sentences: features, and whether each holds the answer."""

    case_id: str
    rows: list[dict[str, float]]
    labels: list[bool]


def collect(set_path: Path, index_dir: Path) -> list[Question]:
    """Answer every case of the set and record its ranked sentences."""
    services = build_services(load_settings(index_dir=index_dir))
    docs = services.store.catalog.documents()
    eval_set = resolve_titles(load_set(set_path), {d.doc_id: d.title for d in docs.values()})
    seen: list[Question] = []
    real = answerer.compose
    case_id = ""
    answers: Sequence[str] = ()

    def recording(plan, gathered, similarity, reader=None):  # type: ignore[no-untyped-def]
        shape = spec_of(plan.answer_type).shape
        if shape in ("value", "description") and len(gathered.parts) == 1:
            ranked = merged_ranking(gathered)
            rows = answering_features(plan.answer_type, plan.question, plan.names,
                                      head_terms(plan.question), ranked)
            labels = [any(metrics.contains(c.text, a) for a in answers) for c in ranked]
            seen.append(Question(case_id, rows, labels[: len(rows)]))
        return real(plan, gathered, similarity, reader)

    answerer.compose = recording  # type: ignore[assignment]
    mode = services.answer_mode(None)
    try:
        for case in eval_set.cases:
            if case.answers:
                case_id, answers = case.id, case.answers
                services.answerer.answer(case.question, mode=mode)
    finally:
        answerer.compose = real  # type: ignore[assignment]
        services.close()
    return [q for q in seen if q.rows]


def held_within(questions: Sequence[Question], scores: Sequence[np.ndarray], k: int) -> float:
    """The share of questions whose ``k`` best-scored sentences hold the answer."""
    return float(np.mean([any(q.labels[i] for i in np.argsort(-s, kind="stable")[:k])
                          for q, s in zip(questions, scores, strict=True)]))


def fit_choice(questions: Sequence[Question], names: Sequence[str],
               l2: float = L2) -> np.ndarray:
    """The weights of a conditional logit: a question's sentences compete, and the fit
    maximises the share of the odds that the sentences holding the answer take (by
    Newton's method on standardised features, ridge ``l2``; returned for raw features)."""
    xs = [_rows(q, names) for q in questions if any(q.labels)]
    ys = [np.array(q.labels, dtype=float) for q in questions if any(q.labels)]
    every = np.vstack(xs)
    mean, spread = every.mean(0), every.std(0) + 1e-9
    xs = [(x - mean) / spread for x in xs]
    w = np.zeros(len(names))
    for _ in range(100):
        grad, hess = l2 * w, l2 * np.eye(len(names))
        for x, y in zip(xs, ys, strict=True):
            p = np.exp(x @ w - (x @ w).max())
            p /= p.sum()
            q = p * y / (p * y).sum()
            grad += x.T @ (p - q)
            seen = x.T @ p
            hess += x.T @ (x * p[:, None]) - np.outer(seen, seen)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w / spread


def _rows(q: Question, names: Sequence[str]) -> np.ndarray:
    return np.array([[r.get(n, 0.0) for n in names] for r in q.rows], dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="+", help="SET=INDEX_DIR pairs")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    questions: list[Question] = []
    for set_path, index_dir in development_sets(args.sets):
        got = collect(set_path, index_dir)
        print(f"{set_path}: {len(got)} questions", flush=True)
        questions += got
    names = sorted(questions[0].rows[0])
    cv: dict[str, np.ndarray] = {}
    for k in range(FOLDS):
        w = fit_choice([q for q in questions if fold_of(q.case_id) != k], names)
        for q in questions:
            if fold_of(q.case_id) == k:
                cv[q.case_id] = _rows(q, names) @ w
    fitted = [cv[q.case_id] for q in questions]
    ranked = [-np.arange(len(q.rows), dtype=float) for q in questions]
    print(f"{len(questions)} questions, {sum(any(q.labels) for q in questions)} with a "
          "sentence holding the answer")
    for k in (1, 2, 3):
        print(f"  first {k}: fitted (cross-validated) {held_within(questions, fitted, k):.3f}, "
              f"rank score {held_within(questions, ranked, k):.3f}")
    w = fit_choice(questions, names)
    for name, weight in sorted(zip(names, w, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:10} {weight:+.3f}")
    if args.write:
        write(names, w)


def write(names: Sequence[str], w: np.ndarray) -> None:
    """Rewrite the weights in rag/answer/answering_weights.py."""
    head, _, _ = WEIGHTS_FILE.read_text().partition("WEIGHTS: ")
    lines = [f'    "{n}": {v:.4f},' for n, v in zip(names, w, strict=True)]
    WEIGHTS_FILE.write_text(head + "WEIGHTS: dict[str, float] = {\n" + "\n".join(lines)
                            + "\n}\n")
    print(f"wrote {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
