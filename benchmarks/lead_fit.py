"""Fit the lead's confidence (rag/answer/lead_weights.py) on development questions.

    python benchmarks/lead_fit.py eval/natural/multihop.yaml=INDEX eval/natural/seeds.yaml=INDEX2
        [--precision 0.9] [--write]

Each set is answered in the embedded backend's default mode, as `rag eval` does; every
candidate short answer of a name, figure, date or place question is recorded with its
features (rag.answer.lead.candidate_features) and labelled right when it holds the
case's short answer (the eval's own rule, rag.evaluation.metrics.lead_right). A logistic
model is fitted on them (L2, Newton steps, numpy). The threshold at which the answer
states a lead is chosen on cross-validated probabilities (folds by question), so that
it is not chosen on the fit's own training rows: the highest coverage whose precision
reaches --precision. Never pass the held-out files (eval/natural/*-heldout.yaml).

With --write the weights and the threshold are written into rag/answer/lead_weights.py.

With --llm (an experiment, never written) the embedded model adds one feature: the
candidate it picks, by a llama.cpp grammar that allows only the six best candidates,
after the sentences that hold them; the script prints the pick's own accuracy, its
cost per question and the fit with it.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rag.answer.compose as compose  # noqa: E402
from rag.answer.lead import Found  # noqa: E402
from rag.container import build_services  # noqa: E402
from rag.evaluation import metrics  # noqa: E402
from rag.evaluation.runner import expected_lead  # noqa: E402
from rag.evaluation.sets import load_set, resolve_titles  # noqa: E402
from rag.settings import load_settings  # noqa: E402

WEIGHTS_FILE = ROOT / "rag" / "answer" / "lead_weights.py"
L2 = 1.0
FOLDS = 5
MIN_LEADS = 20


@dataclass
class Question:
    """One typed question's candidates: features, and whether each is the answer."""

    case_id: str
    rows: list[dict[str, float]]
    labels: list[bool]
    values: list[str]
    question: str = ""
    sentences: list[str] | None = None


def collect(set_path: Path, index_dir: Path) -> list[Question]:
    """Answer every case of the set and record the candidates of its typed question."""
    services = build_services(load_settings(index_dir=index_dir))
    docs = services.store.catalog.documents()
    eval_set = resolve_titles(load_set(set_path), {d.doc_id: d.title for d in docs.values()})
    seen: list[list[Found]] = []
    real = compose.score_candidates

    def recording(found: list[Found]) -> list[tuple[str, float, list[object]]]:
        seen.append(found)  # the features compose computed, not computed again
        return real(found)  # type: ignore[return-value]

    compose.score_candidates = recording  # type: ignore[assignment]
    out: list[Question] = []
    mode = services.answer_mode(None)
    try:
        for case in eval_set.cases:
            expected = expected_lead(case)
            if expected is None or expected[0] is not None:
                continue  # no short answer to grade by, or a verdict
            seen.clear()
            services.answerer.answer(case.question, mode=mode)
            if len(seen) != 1:
                continue  # not a one-part typed question
            found = seen[0]
            out.append(Question(
                case.id, [f.features for f in found],
                [metrics.lead_right(f.value, None, expected[1]) for f in found],
                [f.value for f in found], case.question,
                [f.support[0].text for f in found]))
    finally:
        compose.score_candidates = real  # type: ignore[assignment]
        services.close()
    return out


_SHOTS = ("Article: The council voted on Tuesday to close the library, said mayor Ann Lee.\n"
          "Question: Who announced the vote?\nShort answer: Ann Lee\n\n"
          "Article: Shares of Orbit rose 12% after the firm sold 3 million phones in May.\n"
          "Question: How many phones did Orbit sell?\nShort answer: 3 million\n\n")


def llm_pick(questions: Sequence[Question]) -> None:
    """Add the embedded model's grammar-constrained pick as the feature ``llm``."""
    import json
    import time

    from rag.llms.embedded import EmbeddedLLM, default_gguf_path

    server = EmbeddedLLM(model_path=default_gguf_path())._ensure_server()
    took: list[float] = []
    right = 0
    for q in questions:
        if not q.rows:
            continue
        order = sorted(range(len(q.rows)), key=lambda i: -q.rows[i]["hand"])[:6]
        context = list(dict.fromkeys((q.sentences or [])[i] for i in order))[:5]
        grammar = 'root ::= " " (' + " | ".join(json.dumps(q.values[i]) for i in order) + ")"
        start = time.perf_counter()
        reply = server.handle_completions({
            "prompt": f"{_SHOTS}Article: {' '.join(context)}\nQuestion: {q.question}\n"
                      "Short answer:", "max_tokens": 24, "temperature": 0, "grammar": grammar})
        took.append(time.perf_counter() - start)
        pick = reply["choices"][0]["text"].strip()
        for value, row, label in zip(q.values, q.rows, q.labels, strict=True):
            row["llm"] = float(value == pick)
            right += bool(label and value == pick)
    took.sort()
    print(f"llm pick right {right} of {len(took)}; per question p50 "
          f"{took[len(took) // 2]:.2f} s, p95 {took[int(len(took) * 0.95)]:.2f} s")


class Labelled(Protocol):
    """A question's feature rows and their labels (any fit script's question)."""

    rows: list[dict[str, float]]
    labels: list[bool]


def matrix(questions: Sequence[Labelled], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The questions' feature rows (a missing feature is 0) and labels, as arrays."""
    rows = [[r.get(n, 0.0) for n in names] for q in questions for r in q.rows]
    labels = [float(label) for q in questions for label in q.labels]
    return np.array(rows, dtype=float).reshape(-1, len(names)), np.array(labels)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> np.ndarray:
    """Logistic regression by Newton's method; the first weight is the bias (not
    penalised)."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    penalty = np.eye(xb.shape[1]) * l2
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + penalty @ w
        hess = xb.T @ (xb * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(w[0] + x @ w[1:])))


def development_sets(pairs: Sequence[str]) -> list[tuple[Path, Path]]:
    """The ``SET=INDEX_DIR`` pairs of the command line as paths; exits on a held-out
    file (those are never fitted on)."""
    out = []
    for pair in pairs:
        set_path, index_dir = pair.split("=", 1)
        if "heldout" in set_path:
            sys.exit(f"{set_path}: held-out questions are never fitted on")
        out.append((Path(set_path), Path(index_dir)))
    return out


def fold_of(case_id: str) -> int:
    return int(hashlib.sha256(case_id.encode()).hexdigest(), 16) // 5 % FOLDS


def leads(questions: Sequence[Question], probs: Sequence[np.ndarray]) -> list[tuple[float, bool]]:
    """Each question's best candidate: (its probability, whether it is right)."""
    return [(float(p.max()), bool(q.labels[int(p.argmax())]))
            for q, p in zip(questions, probs, strict=True) if len(p)]


def threshold_for(best: Sequence[tuple[float, bool]], total: int,
                  precision: float) -> tuple[float, float, float]:
    """The lowest threshold whose leads reach ``precision``, each threshold above it too
    (so that the choice is not a lucky dip), counted from :data:`MIN_LEADS` leads on (one
    wrong lead among the first few says little): (threshold, precision, coverage)."""
    ranked = sorted(best, key=lambda b: -b[0])
    chosen = (1.0, 1.0, 0.0)
    right = 0
    for i, (p, ok) in enumerate(ranked, 1):
        right += ok
        if right / i < precision and i >= MIN_LEADS:
            break
        if right / i >= precision:
            chosen = (p, right / i, i / total)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="+", help="SET=INDEX_DIR pairs")
    parser.add_argument("--precision", type=float, default=0.9)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--llm", action="store_true",
                        help="add the embedded model's pick as a feature (never written)")
    args = parser.parse_args()
    if args.llm and args.write:
        sys.exit("--llm is an experiment: the answerer has no such feature to weigh")
    questions: list[Question] = []
    for set_path, index_dir in development_sets(args.sets):
        got = collect(set_path, index_dir)
        print(f"{set_path}: {len(got)} typed questions", flush=True)
        questions += got
    if args.llm:
        llm_pick(questions)
    names = sorted({n for q in questions for r in q.rows for n in r})
    have = [q for q in questions if q.rows]
    oracle = sum(any(q.labels) for q in questions)
    print(f"{len(questions)} questions, {len(have)} with candidates, "
          f"{oracle} with the answer among them, "
          f"{sum(len(q.rows) for q in questions)} candidates")
    # Cross-validated probabilities: each fold scored by a model fitted without it.
    cv: dict[str, np.ndarray] = {}
    for k in range(FOLDS):
        train = [q for q in have if fold_of(q.case_id) != k]
        test = [q for q in have if fold_of(q.case_id) == k]
        w = fit(*matrix(train, names))
        for q in test:
            cv[q.case_id] = predict(w, matrix([q], names)[0])
    best = leads(have, [cv[q.case_id] for q in have])
    hand = leads(have, [np.array([r["hand"] for r in q.rows]) for q in have])
    print(f"top candidate right: fitted (cross-validated) {sum(ok for _, ok in best)}, "
          f"hand {sum(ok for _, ok in hand)} of {len(questions)}")
    threshold, prec, cov = threshold_for(best, len(questions), args.precision)
    print(f"cross-validated: threshold {threshold:.3f} -> precision {prec:.3f}, "
          f"coverage {cov:.3f}")
    for p in (0.5, 0.6, 0.7, 0.8):
        stated = [ok for pr, ok in best if pr >= p]
        if stated:
            print(f"  at {p:.1f}: {len(stated)} leads, precision "
                  f"{sum(stated) / len(stated):.3f}, coverage {len(stated) / len(questions):.3f}")
    w = fit(*matrix(have, names))
    print_weights(names, w)
    if args.write:
        write(names, w, threshold)


def print_weights(names: Sequence[str], w: np.ndarray) -> None:
    """The fitted weights, largest first, then the bias."""
    for name, weight in sorted(zip(names, w[1:], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:10} {weight:+.3f}")
    print(f"  {'(bias)':10} {w[0]:+.3f}")


def weight_lines(names: Sequence[str], w: np.ndarray) -> list[str]:
    """The source lines of a fitted model's bias and weights (the dict left open)."""
    lines = [f"BIAS = {w[0]:.4f}", "WEIGHTS: dict[str, float] = {"]
    return lines + [f'    "{n}": {v:.4f},' for n, v in zip(names, w[1:], strict=True)]


def write(names: Sequence[str], w: np.ndarray, threshold: float) -> None:
    """Rewrite the weights and the threshold in rag/answer/lead_weights.py."""
    text = WEIGHTS_FILE.read_text()
    head, _, _ = text.partition("BIAS = ")
    _, _, tail = text.partition("\n\n\ndef confidence")
    lines = weight_lines(names, w)
    lines += ["}", f"THRESHOLD = {threshold:.3f}  # cross-validated, for lead precision"]
    WEIGHTS_FILE.write_text(head + "\n".join(lines) + "\n\n\ndef confidence" + tail)
    print(f"wrote {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
