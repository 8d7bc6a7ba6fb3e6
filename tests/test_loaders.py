"""Reading articles from every supported format; bad inputs become one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.loaders import read_file, to_article
from rag.errors import InputError
from tests.conftest import MULTIHOP, SEEDS


def one(path: Path):  # type: ignore[no-untyped-def]
    [rec] = read_file(path)
    assert not isinstance(rec, InputError), rec
    return to_article(rec)


@pytest.mark.parametrize(
    ("text", "title", "date"),
    [
        (
            "Bridge reopens\n\nThe bridge reopened on Monday after a year of work.\n",
            "Bridge reopens",
            None,
        ),
        (
            "date 2020-03-16 Officials said the bridge reopened. It took a year.\n",
            "Officials said the bridge reopened.",
            "2020-03-16",
        ),
        (
            "Bridge reopens\nSeptember 28, 2020\nThe bridge reopened on Monday.\n",
            "Bridge reopens",
            "2020-09-28",
        ),
        (
            "Bridge reopens\nThe bridge reopened on Monday.\n2024-08-16 09:42:49\n",
            "Bridge reopens",
            "2024-08-16",
        ),
        (
            "Published: 5 March 2021\nBridge reopens\nThe bridge reopened on Monday.\n",
            "Bridge reopens",
            "2021-03-05",
        ),
    ],
)
def test_text_title_and_date(tmp_path: Path, text: str, title: str, date: str | None) -> None:
    path = tmp_path / "a1.txt"
    path.write_text(text)
    article = one(path)
    assert (article.doc_id, article.title, article.published_at) == ("a1", title, date)
    assert "reopened" in article.text
    assert "2024-08-16 09:42" not in article.text and "date 2020" not in article.text


def test_seeds_titles_and_dates() -> None:
    articles = {p.stem: one(p) for p in sorted(SEEDS.glob("*.txt"))}
    assert len(articles) == 5
    assert articles["002_56d4c4de09e552c3"].title == "U.S. Threatens To Close Iraq Embassy"
    assert articles["002_56d4c4de09e552c3"].published_at == "2020-09-28"
    assert articles["000_835005947637d3a7"].published_at == "2020-03-16"
    assert articles["000_835005947637d3a7"].text.startswith("US Secretary of State Mike Pompeo")
    for a in articles.values():
        assert a.content_hash and len(a.content_hash) == 64


def test_markdown_front_matter_and_links(tmp_path: Path) -> None:
    path = tmp_path / "m.md"
    path.write_text(
        "---\ntitle: Port strike ends\ndate: 2023-10-02\nsource: Harbour Daily\n"
        "url: https://example.org/a\n---\n# Port strike ends\n\nWorkers [voted](https://x.y) to "
        "return. ![chart](https://evil.example/pixel.png)\n\nThe deal runs for **three** years.\n"
    )
    a = one(path)
    assert (a.title, a.published_at, a.source, a.url) == (
        "Port strike ends",
        "2023-10-02",
        "Harbour Daily",
        "https://example.org/a",
    )
    assert "Workers voted to return." in a.text and "three years" in a.text
    assert "http" not in a.text


def test_html_main_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    body = " ".join(
        f"The council met for the {i}th time to discuss the harbour plan." for i in range(12)
    )
    path.write_text(
        "<html><head><title>Harbour plan approved</title>"
        "<script>alert('x')</script></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>Harbour plan approved</h1><p>{body}</p>"
        "<p>Share: Facebook Twitter</p></article><footer>© 2023 Example</footer></body></html>"
    )
    a = one(path)
    assert a.title == "Harbour plan approved"
    assert "harbour plan" in a.text and "alert(" not in a.text and "Home | World" not in a.text


def test_json_records_and_stable_ids(tmp_path: Path) -> None:
    rows = [
        {
            "id": "r1",
            "title": "One",
            "body": "First body text here.",
            "published_at": "2023-10-05T10:00:00+00:00",
            "source": "Wire",
            "author": "A",
            "url": "https://e.org/1",
        },
        {"title": "Two", "body": "Second body text here.", "url": "https://e.org/2"},
        {"title": "No body"},
    ]
    path = tmp_path / "recs.json"
    path.write_text(json.dumps(rows))
    recs = read_file(path)
    assert (
        isinstance(recs[2], InputError)
        and "no body" in str(recs[2])
        and "recs.json[2]" in str(recs[2])
    )
    a, b = (to_article(r) for r in recs[:2])  # type: ignore[arg-type]
    assert (a.doc_id, a.published_at, a.source, a.author) == ("r1", "2023-10-05", "Wire", "A")
    assert b.doc_id.startswith("h") and b.doc_id == to_article(read_file(path)[1]).doc_id  # type: ignore[arg-type]


@pytest.mark.parametrize(("written", "shown"), [
    ("&#039;Massive intel failure&#039;: Hamas attack", "'Massive intel failure': Hamas attack"),
    ("Q&amp;A with the mayor", "Q&A with the mayor"),
    ("Fish & chips &c", "Fish & chips &c"),
])
def test_a_record_title_is_shown_without_html_entities(
    tmp_path: Path, written: str, shown: str
) -> None:
    path = tmp_path / "recs.json"
    path.write_text(json.dumps([{"id": "r1", "title": written, "body": "Body text here."}]))
    assert to_article(read_file(path)[0]).title == shown  # type: ignore[arg-type]


def test_jsonl_bad_line_is_reported_others_load(tmp_path: Path) -> None:
    path = tmp_path / "recs.jsonl"
    path.write_text(
        '{"id": "a", "title": "A", "body": "Body A."}\n{oops\n{"id": "b", "title": "B", "body": "Body B."}\n'
    )
    recs = read_file(path)
    assert [r.doc_id for r in recs if not isinstance(r, InputError)] == ["a", "b"]
    [err] = [r for r in recs if isinstance(r, InputError)]
    assert str(err).startswith(f"{path}:2: invalid JSON")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("bin.txt", b"\x00\x01\x02binary\x00" * 50, "binary file"),
        ("bad.json", b'{"title": "x", "body": ', "invalid JSON"),
        ("list.json", b"[1, 2]", "not a JSON object"),
    ],
)
def test_bad_files_give_one_line_errors(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    errors = [r for r in read_file(path) if isinstance(r, InputError)]
    assert errors and reason in str(errors[0]) and str(path) in str(errors[0])
    assert "\n" not in str(errors[0])


def test_non_utf8_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(
        "Café owners said the new rules, which start in März, were unfair.\n".encode("cp1252")
    )
    assert "Café owners" in one(path).text


@pytest.mark.skipif(not (MULTIHOP / "corpus.json").exists(), reason="shared data not present")
def test_multihop_corpus_loads_as_is() -> None:
    recs = read_file(MULTIHOP / "corpus.json")
    assert len(recs) == 609 and not any(isinstance(r, InputError) for r in recs)
    a = to_article(recs[0])  # type: ignore[arg-type]
    assert a.title and a.source and a.url and a.published_at and len(a.published_at) == 10
    assert len({r.doc_id for r in recs}) == 609  # type: ignore[union-attr]
