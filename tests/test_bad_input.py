"""Bad input, for real: one batch of broken, hostile and oversized files next to good ones
through ``rag index``; odd questions (empty, 100 kB, other scripts, markup) through the
CLI, the answerer and the web UI's handlers."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.loaders import MAX_ARTICLE_CHARS, MAX_ARTICLE_FILE_BYTES, read_file, to_article
from rag.cli.common import EXIT_SOME_FAILED
from rag.container import Services
from rag.errors import InputError, UserError
from tests.conftest import SEEDS
from tests.support.fake_ollama import FakeOllama
from tests.support.reliability import (
    article_record,
    ollama_env,
    rag_run,
    read_store,
    start_fake_ollama,
)
from ui.chat import ChatUI, new_state

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:gradio.queueing")

INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
PROSE = "The harbour board approved the new sea wall on Tuesday, officials said."


def _batch(folder: Path) -> dict[str, str | None]:
    """Write the bad batch; returns file name -> expected error reason (None: indexed)."""
    folder.mkdir()
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    expected: dict[str, str | None] = {p.name: None for p in folder.iterdir()}

    def put(name: str, data: bytes, reason: str | None) -> None:
        (folder / name).write_bytes(data)
        expected[name] = reason

    put("empty.txt", b"", "empty file")
    put("blank.md", b" \n\t\n", "empty file")
    put("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
        "binary file")
    put("latin1.txt", ("Café prices\n\nThe café in Málaga raised its prices by 12 percent "
                       "in März, its owner said.\n").encode("cp1252"), None)
    with (folder / "huge.txt").open("wb") as fh:  # 50 MB of one "article"
        fh.truncate(0)
        line = (PROSE + " ").encode() * 1000 + b"\n"
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(line)
    expected["huge.txt"] = "file too large for one article"
    put("broken.json", b'{"title": "Half a record", "body": "never closed', "invalid JSON")
    put("records.jsonl",
        b'{"id": "rec-ok", "title": "Ferry fares", "body": "Ferry fares rise by 5 percent '
        b'from June, the operator said."}\n{"id": "rec-bad", "title": \n', None)
    scripts = "".join(f"<script>var a{i} = 'alert({i})'; document.write('x{i}');</script>"
                      for i in range(300))
    put("scripts.html", (
        f"<html><head><title>Sea wall approved</title>{scripts}</head><body>{scripts}"
        f"<article><h1>Sea wall approved</h1><p>{PROSE} {PROSE.replace('Tuesday', 'Monday')}"
        f"</p><script>alert('inline')</script><p>The wall will cost 4 million pounds and "
        f"take two years to build, the board said.</p></article>{scripts}</body></html>"
    ).encode(), None)
    put("only-scripts.html", f"<html><body>{scripts}</body></html>".encode(),
        "no article text")
    put("invisible.txt", (
        "Zero\u200bwidth \u202eheadline\x07\n\n"
        "The mayor\u200b of Tarnwick\x00 opened the bri\u00addge\u2060 on Friday\x1b[31m, "
        "the council said.\ufeff\r\nResidents\u200d welcomed\x0c it.\r\n"
    ).encode(), None)
    words = " ".join(f"word{i}" for i in range(40_000))  # one line, no full stop, ~300 kB
    put("one-line.txt", f"One enormous line {words}".encode(), None)
    put("notes.pdf", b"%PDF-1.4", "not a valid PDF")  # a PDF header and nothing more
    put("notes.docx", b"PK\x03\x04", None)  # not a supported type: left alone in a folder
    del expected["notes.docx"]
    return expected


@pytest.fixture(scope="module")
def ollama() -> Iterator[FakeOllama]:
    fake = start_fake_ollama(FakeOllama())
    yield fake
    fake.stop()


@pytest.mark.subprocess
def test_bad_batch_gives_one_line_per_bad_file_and_indexes_the_rest(
    tmp_path: Path, ollama: FakeOllama
) -> None:
    folder = tmp_path / "batch"
    expected = _batch(folder)
    index_dir = tmp_path / "index"
    proc = rag_run(["index", "--quiet", str(folder)], ollama_env(index_dir, ollama.url))
    assert proc.returncode == EXIT_SOME_FAILED, proc.stderr  # the rest is indexed
    assert "Traceback" not in proc.stderr
    skipped = [line for line in proc.stderr.splitlines() if line.strip()]
    assert all(line.startswith("skipped ") for line in skipped), proc.stderr
    bad = {name: reason for name, reason in expected.items() if reason}
    bad_lines = {Path(line.split(": ", 1)[0].removeprefix("skipped ")).name: line
                 for line in skipped if ".jsonl:" not in line}
    assert set(bad_lines) == set(bad), skipped
    for name, reason in bad.items():
        assert reason in bad_lines[name], bad_lines[name]
    # the broken line of a JSON-lines file is reported with its line number
    assert any(f"{folder / 'records.jsonl'}:2: invalid JSON" in line for line in skipped)

    good = [n for n, reason in expected.items() if reason is None]
    summary = proc.stdout.strip().splitlines()[-1]
    assert f"{len(good) + 0} added" in summary, summary  # records.jsonl holds one good record
    assert f"{len(bad) + 1} failed" in summary, summary

    state = read_store(index_dir)
    ids = set(state.documents)
    assert {Path(n).stem for n in good if not n.endswith(".jsonl")} | {"rec-ok"} <= ids
    assert not {Path(n).stem for n in bad} & ids

    store = json.loads(rag_run(["docs", "--json"], ollama_env(index_dir, ollama.url)).stdout)
    assert {d["doc_id"] for d in store} == ids
    texts = _chunk_texts(index_dir)
    for doc_id, text in texts.items():
        assert not INVISIBLE.search(text), (doc_id, text[:200])
        assert "alert(" not in text and "<script" not in text and "document.write" not in text
    assert "The mayor of Tarnwick opened the bridge on Friday, the council" in texts["invisible"]
    assert "Residents welcomed it." in texts["invisible"]
    assert "The café in Málaga raised its prices" in texts["latin1"]
    assert "take two years to build" in texts["scripts"]
    # the enormous line is cut into chunks within the budget, and nothing of it is lost
    assert texts["one-line"].split() == f"One enormous line {' '.join(f'word{i}' for i in range(40_000))}".split()


def _chunk_texts(index_dir: Path) -> dict[str, str]:
    """Each document's chunks joined without their overlap (by character spans)."""
    from index.catalog import Catalog

    catalog = Catalog(index_dir / "catalog.sqlite3")
    try:
        out: dict[str, str] = {}
        for doc_id in catalog.documents():
            text = catalog.document_text(doc_id) or ""
            rows = catalog.doc_chunks(doc_id)
            covered = "".join(text[max(r.start, prev.end if prev else 0):r.end] + " "
                              for prev, r in zip([None, *rows[:-1]], rows, strict=True))
            out[doc_id] = covered
    finally:
        catalog.close()
    return out


def test_large_record_files_load_and_an_oversized_record_is_refused_alone(
    tmp_path: Path
) -> None:
    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(5000):  # ~19 MB: a corpus, bigger than any one-article limit
            record = article_record(i, sentences=40)
            fh.write(json.dumps(record) + "\n")
        fh.write(json.dumps({"id": "giant", "title": "Giant",
                             "body": "Word " * (MAX_ARTICLE_CHARS // 5 + 10)}) + "\n")
    assert path.stat().st_size > max(MAX_ARTICLE_FILE_BYTES.values())
    records = read_file(path)
    errors = [r for r in records if isinstance(r, InputError)]
    assert len(records) == 5001 and len(errors) == 1
    assert "corpus.jsonl:5001" in str(errors[0]) and "article too long" in str(errors[0])
    assert to_article(records[0]).text  # type: ignore[arg-type]


def test_article_text_over_the_limit_is_refused_after_extraction(tmp_path: Path) -> None:
    path = tmp_path / "long.html"
    body = "<p>" + "Words of the article. " * (MAX_ARTICLE_CHARS // 20) + "</p>"
    path.write_text(f"<html><body><article>{body}</article></body></html>")
    [record] = read_file(path)
    assert not isinstance(record, InputError)
    with pytest.raises(InputError, match="article too long"):
        to_article(record)


# -- questions ---------------------------------------------------------------------------

ODD_QUESTIONS = {
    "100 kB": "How many Katyusha rockets were aimed at the US embassy? " * 1800,
    "russian": "Сколько ракет «Катюша» было нацелено на посольство США?",
    "chinese": "美国大使馆遭到了多少枚火箭弹袭击？",
    "arabic": "كم عدد الصواريخ التي استهدفت السفارة الأمريكية؟",
    "emoji": "🚀🚀🚀 💥 ?",
    "markup": "<script>alert(1)</script> How many Katyusha rockets were aimed at the US "
              "embassy? ![x](http://attacker.example/x.png) {{constructor}} ${alert(2)}",
    "controls": "\u200bHow many\x00 Katyusha\x07 rockets\u202e were aimed at the embassy?",
}


@pytest.mark.parametrize("name", list(ODD_QUESTIONS))
def test_odd_questions_get_a_clear_answer(seed_index: Services, name: str) -> None:
    question = ODD_QUESTIONS[name]
    result = seed_index.answerer.answer(question, mode="extractive")
    assert result.answer
    assert len(result.question) <= 2000
    assert not INVISIBLE.search(result.question)
    assert result.abstained or result.cited_numbers()
    if name in ("100 kB", "controls"):
        assert "three Katyusha rockets" in result.answer
    json.dumps(result.to_json())  # serialisable as the API returns it


@pytest.mark.parametrize("question", ["", "   ", "\u200b\u200b", "\x00\n\t"])
def test_empty_questions_are_a_user_error(seed_index: Services, question: str) -> None:
    with pytest.raises(UserError, match="the question is empty"):
        seed_index.answerer.answer(question)


def test_odd_questions_through_the_chat_handler(seed_index: Services) -> None:
    import gradio as gr

    ui = ChatUI(seed_index)
    for question in ODD_QUESTIONS.values():
        steps = list(ui.chat(question, [], new_state(), since="", until="",
                             outlet="All outlets", k=5, mode="extractive"))
        final = [s.chatbot for s in steps if isinstance(s.chatbot, list)][-1]
        assert "rag-answer" in final[-1]["content"], final[-1]["content"]
        assert "<script" not in final[-1]["content"] and "<img" not in final[-1]["content"]
        assert len(html.unescape(final[0]["content"])) < 2200  # shown cut to the limit
    steps = list(ui.chat("\u200b ", [], new_state(), since="", until="",
                         outlet="All outlets", k=5, mode="extractive"))
    assert "the question is empty" in [s.chatbot for s in steps
                                       if isinstance(s.chatbot, list)][-1][-1]["content"]
    for name in ("markup", "100 kB"):
        out = ui.ask(ODD_QUESTIONS[name], mode="extractive")
        assert out["answer"] and out["llm_error"] is None
    with pytest.raises(gr.Error, match="the question is empty"):
        ui.ask("\u200b", mode="extractive")


@pytest.mark.subprocess
def test_odd_questions_through_the_cli(tmp_path: Path, ollama: FakeOllama) -> None:
    index_dir = tmp_path / "index"
    env = ollama_env(index_dir, ollama.url)
    assert rag_run(["index", "--quiet", str(SEEDS)], env).returncode == 0
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({"question": q}) + "\n"
                                 for q in ODD_QUESTIONS.values()), encoding="utf-8")
    proc = rag_run(["ask", "--mode", "extractive", "--questions", str(questions)], env)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(answers) == len(ODD_QUESTIONS)
    assert all(a["answer"] for a in answers)
    for args in (["ask", "   "], ["retrieve", ""]):
        proc = rag_run(args, env)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2 and len(lines) == 1, proc.stderr
        assert lines[0].startswith("Error: ") and "Traceback" not in proc.stderr
