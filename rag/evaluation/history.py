"""Run records: what a run measured and under which conditions, kept as JSON lines
beside the index (``<index_dir>/eval/runs.jsonl``) so every run can be compared with
the ones before it."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from rag.errors import InputError
from rag.evaluation.results import CaseResult, Totals, from_fields

HISTORY_FILE = "runs.jsonl"


class GitInfo(TypedDict):
    """The commit a run was made at, and whether the tree had changes."""

    commit: str
    dirty: bool


class CorpusInfo(TypedDict, total=False):
    """What was indexed when a run was made (empty in records that predate it)."""

    documents: int
    fingerprint: str


class RunConditions(TypedDict, total=False):
    """How a run was asked to retrieve (``rag eval``'s options), and how many cases."""

    hits_at: list[int]
    per_doc: int | None
    cases: int
    oracle: bool  # answered from the gold evidence passages (``--oracle``)


@dataclass
class RunRecord:
    """One run of a question set."""

    set_name: str
    mode: str
    totals: Totals
    cases: list[CaseResult]
    by_type: dict[str, Totals] = field(default_factory=dict)
    by_answer_type: dict[str, Totals] = field(default_factory=dict)
    started_at: str = ""
    git: GitInfo | None = None  # None outside git
    settings: dict[str, object] = field(default_factory=dict)  # the settings, as JSON
    embed_model: str = ""
    llm: dict[str, str] | None = None  # {"backend", "model"}; None when no LLM ran
    corpus: CorpusInfo = field(default_factory=CorpusInfo)
    options: RunConditions = field(default_factory=RunConditions)
    set_path: str = ""

    @property
    def commit(self) -> str | None:
        """The commit the run was made at (None outside git)."""
        return (self.git.get("commit") or None) if self.git else None

    @property
    def dirty(self) -> bool:
        """Whether the tree had uncommitted changes."""
        return bool(self.git and self.git.get("dirty"))

    @property
    def run_id(self) -> str:
        """A short label: start time and commit."""
        commit = self.commit or "nogit"
        return f"{self.started_at[:16]} {commit[:8]}{'+' if self.dirty else ''}"

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["cases"] = [c.to_json() for c in self.cases]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> RunRecord:
        """A record from :meth:`to_json`'s output."""
        cases = data.get("cases") or []
        if not isinstance(cases, list) or not all(isinstance(c, Mapping) for c in cases):
            raise TypeError("'cases' is not a list of objects")
        return from_fields(cls, cls.__dataclass_fields__,
                           {**data, "cases": [CaseResult.from_json(c) for c in cases]})


def now_iso() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def git_info(cwd: Path) -> GitInfo | None:
    """The commit checked out at ``cwd`` and whether the tree has changes; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True,
            timeout=10, check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())} if commit else None


def corpus_fingerprint(documents: Iterable[tuple[str, str]]) -> CorpusInfo:
    """Count and sha256 of the indexed documents' ``(doc_id, content_hash)`` pairs."""
    pairs = sorted(documents)
    digest = hashlib.sha256("\n".join(f"{d}\t{h}" for d, h in pairs).encode()).hexdigest()
    return {"documents": len(pairs), "fingerprint": digest[:16]}


def append_run(history_dir: Path, record: RunRecord) -> Path:
    """Append ``record`` to the history file in ``history_dir``; returns the file."""
    history_dir.mkdir(parents=True, exist_ok=True)
    path = history_dir / HISTORY_FILE
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
    return path


def load_runs(history_dir: Path) -> list[RunRecord]:
    """Every run in the history file, oldest first (none when there is no file)."""
    path = history_dir / HISTORY_FILE
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(RunRecord.from_json(json.loads(line)))
        except (json.JSONDecodeError, TypeError) as exc:
            raise InputError(str(path), f"line {n} is not a run record ({exc})") from exc
    return out


def comparable(runs: Sequence[RunRecord], set_name: str, mode: str) -> list[RunRecord]:
    """The runs of one set in one mode, oldest first."""
    return [r for r in runs if r.set_name == set_name and r.mode == mode]


def save_record(path: Path, record: RunRecord) -> None:
    """Write one record as a readable JSON file (a baseline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(record.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def read_record(path: Path) -> RunRecord:
    """A record written by :func:`save_record`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict) or "totals" not in data or "mode" not in data:
        raise InputError(str(path), "not a saved eval run (no 'totals'/'mode')")
    try:
        return RunRecord.from_json(data)
    except TypeError as exc:
        raise InputError(str(path), f"not a saved eval run ({exc})") from exc
