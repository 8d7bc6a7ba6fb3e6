"""Ingestion speed per source kind, and a 200-item feed synced twice.

    python benchmarks/ingest_sources.py [--articles 60] [--feed-items 200] [--json OUT]

The same MultiHop-RAG articles (``--articles`` of them, spread over the corpus) are
written as each kind of source: .txt, .md, .html pages, one .jsonl file, .pdf files, one
.warc.gz, one .rss file carrying full text, pages by URL from a local HTTP server, a
news sitemap on it, and an RSS feed of summaries whose pages are fetched. Each kind is
indexed into an empty index with the real bundled embedder; the embedding cache is
emptied between kinds, so every kind pays for its embeddings. Printed per kind:
articles/s and the seconds of reading and fetching, cleaning and extraction, and
embedding. Then a feed of ``--feed-items`` summary items is subscribed and synced
twice: the first sync fetches the feed and every page, the second asks the feed
conditionally (ETag) and indexes nothing.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import ROOT, load_records, peak_rss_mib, write_json

sys.path.insert(0, str(ROOT))

from index.embedding import OnnxMiniLMEmbedding  # noqa: E402
from rag.container import build_services  # noqa: E402
from rag.settings import load_settings  # noqa: E402
from tests.support.pdf import make_pdf  # noqa: E402
from tests.support.web_server import WebServer  # noqa: E402


def page_html(row: dict[str, Any]) -> str:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in str(row["body"]).split("\n") if p.strip())
    return (f"<!doctype html><html><head><title>{html.escape(row['title'])}</title>"
            f'<meta property="og:site_name" content="{html.escape(row["source"])}">'
            f'<meta property="article:published_time" content="{row["published_at"]}">'
            f"</head><body><nav>Home | World</nav><article><h1>{html.escape(row['title'])}</h1>"
            f"{paras}</article><footer>Share this</footer></body></html>")


def write_files(rows: list[dict[str, Any]], root: Path) -> dict[str, list[Path]]:
    """Every file kind, the same articles in each."""
    kinds: dict[str, list[Path]] = {}
    for kind in ("txt", "md", "html", "pdf"):
        (root / kind).mkdir(parents=True)
        kinds[kind] = [root / kind]
    for i, row in enumerate(rows):
        (root / "txt" / f"a{i}.txt").write_text(f"{row['title']}\n\n{row['body']}\n")
        (root / "md" / f"a{i}.md").write_text(
            f"---\ntitle: {json.dumps(row['title'])}\ndate: {row['published_at'][:10]}\n---\n\n"
            f"# {row['title']}\n\n{row['body']}\n")
        (root / "html" / f"a{i}.html").write_text(page_html(row))
        lines = [ln[j:j + 90] for ln in str(row["body"]).split("\n") for j in range(0, len(ln), 90)]
        text = row["title"].encode("latin-1", "replace").decode("latin-1")
        pages = [[text, *[ln.encode("latin-1", "replace").decode("latin-1")
                          for ln in lines[k:k + 40]]] for k in range(0, len(lines), 40)]
        (root / "pdf" / f"a{i}.pdf").write_bytes(make_pdf(pages or [[text]], title=text))
    jsonl = root / "records.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    kinds["jsonl"] = [jsonl]
    kinds["warc.gz"] = [write_warc(rows, root / "crawl.warc.gz")]
    rss = root / "full.rss"
    rss.write_text(feed_xml(rows, lambda i: f"https://example.org/a{i}", full=True))
    kinds["rss file"] = [rss]
    return kinds


def write_warc(rows: list[dict[str, Any]], path: Path) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, row in enumerate(rows):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://example.org/a{i}", "response",
                payload=io.BytesIO(page_html(row).encode()), http_headers=headers))
    return path


def feed_xml(rows: list[dict[str, Any]], link: Callable[[int], str], full: bool) -> str:
    items = []
    for i, row in enumerate(rows):
        text = (f"<content:encoded><![CDATA[{page_html(row)}]]></content:encoded>" if full
                else f"<description>{html.escape(str(row['body'])[:200])}</description>")
        items.append(f"<item><title>{html.escape(row['title'])}</title><link>{link(i)}</link>"
                     f"<guid>a{i}</guid><pubDate>{row['published_at']}</pubDate>{text}</item>")
    return ('<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>Bench Wire</title>{''.join(items)}</channel></rss>")


def serve(rows: list[dict[str, Any]], server: WebServer, prefix: str) -> None:
    for i, row in enumerate(rows):
        server.add(f"/{prefix}/a{i}", page_html(row))


def run_kind(name: str, index_dir: Path, embedder: OnnxMiniLMEmbedding, host: str,
             **add: Any) -> dict[str, Any]:
    settings = load_settings(Path("/dev/null"), index_dir=index_dir,
                             fetch={"allowed_hosts": [host], "per_host": 4})
    services = build_services(settings, embedder=embedder)
    t0 = time.perf_counter()
    report = services.ingestion.add(add.pop("paths", []), **add)
    seconds = time.perf_counter() - t0
    services.close()
    st = report.stages
    row = {"kind": name, "articles": report.added, "failed": report.failed,
           "chunks": report.chunks, "seconds": round(seconds, 2),
           "articles_per_s": round(report.added / seconds, 1) if seconds else 0.0,
           "read_fetch_s": round(st.get("load", 0) + st.get("fetch", 0), 2),
           "clean_s": round(st.get("clean", 0), 2), "embed_s": round(st.get("embed", 0), 2)}
    print(f"{name:14} {row['articles']:4} articles {row['chunks']:5} chunks "
          f"{row['seconds']:6.1f} s  {row['articles_per_s']:6.1f} articles/s  "
          f"read+fetch {row['read_fetch_s']:5.2f} s  clean {row['clean_s']:5.2f} s  "
          f"embed {row['embed_s']:5.1f} s" + (f"  ({report.failed} failed: "
                                               f"{report.errors[0]})" if report.failed else ""))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--feed-items", type=int, default=200)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = load_records(args.articles)
    embedder = OnnxMiniLMEmbedding()
    embedder.encode(["warm up"])
    out: dict[str, Any] = {"articles": len(rows), "kinds": []}
    with tempfile.TemporaryDirectory() as tmp, WebServer() as server:
        root = Path(tmp)
        files = write_files(rows, root / "in")
        serve(rows, server, "page")
        server.add("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                   'schemas/sitemap/0.9">' + "".join(
                       f"<url><loc>{server.url(f'/page/a{i}')}</loc></url>"
                       for i in range(len(rows))) + "</urlset>", content_type="application/xml")
        server.add("/summaries.rss", feed_xml(rows, lambda i: server.url(f"/page/a{i}"),
                                              full=False), content_type="application/rss+xml")
        url_list = root / "urls.txt"
        url_list.write_text("".join(server.url(f"/page/a{i}") + "\n" for i in range(len(rows))))
        print(f"{len(rows)} MultiHop-RAG articles as each kind of source, real embedder")
        kinds: list[tuple[str, dict[str, Any]]] = [
            *((k, {"paths": v}) for k, v in files.items()),
            ("pages by URL", {"paths": [url_list]}),
            ("sitemap", {"urls": [server.url("/sitemap.xml")]}),
            ("rss summaries", {"urls": [server.url("/summaries.rss")]}),
        ]
        for n, (name, add) in enumerate(kinds):
            out["kinds"].append(run_kind(name, root / f"idx{n}", embedder, server.host, **add))
        out["feed"] = feed_sync(args.feed_items, root / "feed-idx", embedder, server)
    out["peak_rss_mib"] = round(peak_rss_mib(), 1)
    write_json(args.json, out)


def feed_sync(n: int, index_dir: Path, embedder: OnnxMiniLMEmbedding,
              server: WebServer) -> dict[str, Any]:
    rows = load_records(n)
    serve(rows, server, "feed")
    server.add("/big.rss", feed_xml(rows, lambda i: server.url(f"/feed/a{i}"), full=False),
               content_type="application/rss+xml", etag='"big-1"')
    settings = load_settings(Path("/dev/null"), index_dir=index_dir,
                             fetch={"allowed_hosts": [server.host], "per_host": 4})
    services = build_services(settings, embedder=embedder)
    services.ingestion.subscribe(server.url("/big.rss"))
    result: dict[str, Any] = {"items": len(rows)}
    for run in ("first", "second"):
        t0 = time.perf_counter()
        sync = services.ingestion.sync()
        seconds = time.perf_counter() - t0
        rep = sync.report
        assert rep is not None
        result[run] = {"seconds": round(seconds, 2), "added": rep.added, "chunks": rep.chunks,
                       "failed": rep.failed, "fetch_s": round(rep.stages.get("fetch", 0), 2),
                       "embed_s": round(rep.stages.get("embed", 0), 2),
                       "status": sync.feeds[0].status}
        print(f"{n}-item feed, {run} sync: {seconds:.1f} s, {rep.added} added, "
              f"{rep.chunks} chunks, fetch {result[run]['fetch_s']} s, embed "
              f"{result[run]['embed_s']} s: {sync.feeds[0].status}")
    services.close()
    return result


if __name__ == "__main__":
    main()
