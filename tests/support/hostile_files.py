"""A hostile folder, generated at test time (no binary fixtures in git): broken, bombed,
empty, mis-encoded and odd files of every format next to good articles, each with the
one-line reason ``rag index`` should give for it.

:func:`write_hostile_folder` returns ``{entry name: expected reason}``; the reason is a
fragment of the one line reported for that input, ``None`` for an input that is indexed,
and :data:`SKIPPED` for an entry a folder walk passes over (counted in the summary line,
named with ``--verbose``). ``benchmarks/hostile_bench.py`` and ``tests/test_hostile_inputs.py``
both use it.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.pdf import make_bomb_pdf, make_pdf

SKIPPED = "<skipped>"
# A fresh process whose only child is the command: its children's peak is the command's.
_MEASURE = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode;"
            " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
            " sys.exit(code)")

GOOD = {
    "harbour.txt": "Harbour works begin\n\nDredging of the old harbour began on Monday, the "
                   "council said. The work will take two years and cost 4 million pounds.\n",
    "ferry.md": "---\ntitle: Ferry fares rise\ndate: 2023-10-03\n---\n\nFerry fares on the "
                "northern route rise by 5 percent from June, the operator said on Tuesday.\n",
    "library.html": "<html><head><title>Library opens on Sundays</title></head><body><article>"
                    "<h1>Library opens on Sundays</h1><p>The public library will open on "
                    "Sunday afternoons from next month, the mayor announced.</p><p>Staff "
                    "volunteered for the extra hours, a spokesperson said.</p></article>"
                    "</body></html>",
}

_RSS_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<rss version="2.0"><channel><title>&lol2;</title><item><title>&lol2;</title></item></channel></rss>"""


def _alias_bomb(levels: int) -> str:
    """YAML front matter whose aliases expand to 10**levels items (a billion laughs)."""
    lines = ["a0: &a0 [" + ",".join(["x"] * 10) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    lines.append(f"title: *a{levels - 1}")
    return "---\n" + "\n".join(lines) + "\n---\n\nThe body of the article, one sentence.\n"


def _warc(body: bytes, *, gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "https://hostile.example/page", "response", payload=io.BytesIO(body),
        http_headers=headers))
    return out.getvalue()


def _page(text: str) -> bytes:
    return (f"<html><body><article><h1>Page</h1><p>{text}</p></article></body></html>").encode()


def write_hostile_folder(folder: Path) -> dict[str, str | None]:
    """Write the hostile batch into ``folder`` (created); returns the expected outcomes."""
    folder.mkdir(parents=True)
    expected: dict[str, str | None] = {}

    def put(name: str, data: bytes | str, reason: str | None) -> None:
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
        expected[name] = reason

    for name, text in GOOD.items():
        put(name, text, None)
    good = GOOD["harbour.txt"]
    record = {"id": "rec-ok", "title": "Canal reopens", "body": "The canal reopened to boats "
              "on Friday after a year of repairs, the trust said."}

    # JSON: numbers past int()'s digit limit, nesting past the recursion limit, odd values
    put("big-int.json", '[{"title": "t", "body": "b", "n": ' + "9" * 5000 + "}]",
        "number too long")
    put("deep.json", "[" * 100_000, "nested too deeply")
    put("deep-object.json", '{"a":' * 50_000 + "1" + "}" * 50_000, "nested too deeply")
    put("big-int-line.jsonl", json.dumps(record) + "\n" + '{"id": "n", "body": "b", "n": '
        + "9" * 5000 + "}\n", "number too long")
    put("deep-line.jsonl", json.dumps({**record, "id": "rec-ok-2"}) + "\n" + "[" * 100_000
        + "\n", "nested too deeply")
    put("not-objects.json", "[1, 2, 3]", "not a JSON object")
    put("no-body.json", '[{"title": "Only a title"}]', "no body text")
    put("null.json", "null", "not a JSON object")
    put("id-object.json", json.dumps([{"id": {"a": 1}, "title": "Odd id", "body": good}]),
        "id is not")
    put("huge-date.json", json.dumps([{"id": "huge-date", "title": "Huge date", "body": good,
                                       "published_at": 1e308}]), None)
    put("far-date.json", json.dumps([{"id": "far-date", "title": "Far date", "body": good,
                                      "date": "99999-01-01"}]), None)
    put("title-list.json", json.dumps([{"id": "title-list", "title": ["a", "b"],
                                        "body": good}]), None)
    put("broken.json", '{"title": "Half a record", "body": "never closed', "invalid JSON")
    put("dupe-ids.json", json.dumps([{**record, "id": "dupe"}, {**record, "id": "dupe"}]),
        "duplicate document id")

    # Markdown front matter: alias bombs, broken or oversized YAML, tags that build objects
    put("alias-bomb.md", _alias_bomb(6), "aliases")
    put("alias-bomb-deeper.md", _alias_bomb(9), "aliases")
    put("broken-front.md", "---\ntitle: [never closed\n---\n\n" + good, "front matter")
    put("python-tag.md", "---\ntitle: !!python/object/apply:os.system ['true']\n---\n\n" + good,
        "front matter")
    put("huge-front.md", "---\n" + "".join(f"k{i}: {'v' * 60}\n" for i in range(2000))
        + "---\n\n" + good, "front matter too large")
    put("long-title.md", "---\ntitle: " + "T" * 5_000 + "\n---\n\n" + good, None)
    put("list-title.md", "---\ntitle: [a, b]\nsource: {x: 1}\n---\n\n" + good, None)

    # Encodings
    put("utf16.txt", ("Tram line opens\n\nThe new tram line opened on Saturday, the city "
                      "said.\n").encode("utf-16"), None)
    put("random.txt", random.Random(7).randbytes(20_000), "binary file")
    put("nul.html", b"\x00" * 5000, "binary file")

    # Empty files of every type
    for suffix in (".txt", ".md", ".html", ".json", ".jsonl", ".pdf", ".warc", ".warc.gz",
                   ".rss", ".xml"):
        put(f"empty{suffix}", b"", "empty file")
    put("blank.json", b"  \n\t ", "empty file")

    # HTML, PDF, feeds and archives: bombs, damage, nothing of an article
    put("deep.html", "<div>" * 200_000 + "Deep text." + "</div>" * 200_000, "no article text")
    put("only-scripts.html", "<html><body>" + "<script>alert(1)</script>" * 200
        + "</body></html>", "no article text")
    put("header-only.pdf", b"%PDF-1.4", "not a valid PDF")
    put("bomb.pdf", make_bomb_pdf(), "decompression bomb")
    put("scan.pdf", make_pdf([[]]), "no text")
    put("bomb.rss", _RSS_BOMB, "entity")
    put("unclosed.rss", b"<rss><channel><item><title>Unclosed", "feed")
    put("not-a-feed.xml", b"<?xml version='1.0'?><catalog><book>x</book></catalog>", "feed")
    warc = _warc(_page("The harbour wall will be rebuilt this winter, the board said."),
                 gz=True)
    put("truncated.warc.gz", warc[: len(warc) // 2], "truncated")
    put("garbage.warc", random.Random(3).randbytes(4000), "not a WARC")
    put("zip-bomb.warc.gz", _warc(b"<html><body><p>" + b" " * 60_000_000 + b"</p></body></html>",
                                  gz=True), "record over")
    put("gz-bomb.warc.gz", gzip.compress(b"\x00" * 50_000_000), "not a WARC")

    # Oversized
    with (folder / "huge.txt").open("wb") as fh:
        fh.truncate(5 * 1024 * 1024)
    expected["huge.txt"] = "file too large"

    # Names a shell finds awkward (good articles)
    put("with space.txt", good.replace("harbour", "marina"), None)
    put("ünïcödé 新闻.txt", good.replace("harbour", "quay"), None)
    put("line\nbreak.txt", good.replace("harbour", "dock"), None)

    # What is not a file: links, loops, FIFOs; types no format reads
    os.symlink("nowhere.txt", folder / "dangling.txt")
    expected["dangling.txt"] = "broken link"
    os.symlink("loop.txt", folder / "loop.txt")
    expected["loop.txt"] = "link loop"
    os.mkfifo(folder / "pipe.txt")
    expected["pipe.txt"] = "not a regular file"
    put("notes.docx", b"PK\x03\x04", SKIPPED)
    put("data.csv", b"a,b\n1,2\n", SKIPPED)
    if os.geteuid() != 0:  # root reads anything
        put("unreadable.txt", good, "cannot read")
        (folder / "unreadable.txt").chmod(0)
    return expected


def run_with_peak(args: Sequence[str], env: Mapping[str, str], timeout: float = 300,
                  ) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a command; returns it (its stderr without the measurement) and its peak
    resident memory in MB."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *args], env=dict(env),
                          capture_output=True, text=True, timeout=timeout, check=False)
    *lines, peak = proc.stderr.strip().splitlines()
    proc.stderr = "\n".join(lines)
    return proc, int(peak) / 1024
