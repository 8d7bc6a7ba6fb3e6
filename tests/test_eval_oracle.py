"""``rag eval run --oracle``: each question answered from its gold evidence passages (the
chunks that hold its evidence facts) instead of retrieved ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import cli
from rag.container import Services
from rag.evaluation.oracle import GoldPassages, OracleRetriever, answering_from
from rag.evaluation.runner import RunOptions, run_case
from rag.evaluation.sets import Case


def _sentences(services: Services) -> dict[str, list[str]]:
    """Per document of the index, the long sentences of its chunks (the facts a case names)."""
    catalog = services.store.catalog
    rows = catalog.chunks(catalog.chunk_ids())
    out: dict[str, list[str]] = {}
    for row in rows.values():
        for sentence in re.split(r"(?<=[.!?])\s+", row.text):
            if len(sentence) > 80:
                out.setdefault(row.doc_id, []).append(sentence)
    return out


@pytest.fixture
def indexed(fake_services: Services) -> Services:
    from tests.conftest import SEEDS

    fake_services.indexer().run([SEEDS])
    return fake_services


def test_gold_passages_hold_the_facts_even_across_chunk_boundaries(indexed: Services) -> None:
    gold = GoldPassages(indexed.retriever)
    by_doc = _sentences(indexed)
    docs = sorted(by_doc)[:2]
    facts = [by_doc[d][0] for d in docs]
    nodes = gold.nodes(Case(id="c", question="q", evidence_facts=tuple(facts)))
    assert [n.node.metadata["doc_id"] for n in nodes] == docs
    assert all(" ".join(f.split()) in " ".join(n.node.get_content().split())
               for f, n in zip(facts, nodes, strict=True))
    # a fact whose second half was reworded is still found by its first half
    fact = facts[0] + " " + "x" * 60
    assert gold.chunk_ids([fact]) and gold.missing == 0
    assert gold.chunk_ids(["no chunk holds this sentence at all, anywhere in the index"]) == []
    assert gold.missing == 1


def test_an_oracle_answer_is_built_from_the_gold_passages_only(indexed: Services) -> None:
    by_doc = _sentences(indexed)
    doc = sorted(by_doc)[-1]
    case = Case(id="c", question="What happened?", question_type="inference_query",
                gold_answer="nothing", evidence_facts=(by_doc[doc][0],))
    gold = GoldPassages(indexed.retriever)
    nodes = gold.nodes(case)
    oracle = OracleRetriever(indexed.retriever, nodes)
    assert oracle.search("anything at all", k=5) == nodes
    answerer = answering_from(indexed.answerer, nodes)
    assert answerer.retriever is not indexed.answerer.retriever
    assert indexed.answerer.retriever is indexed.retriever  # the service is left as it was
    result = run_case(case, indexed.retriever, indexed.answerer,
                      RunOptions(mode="extractive", oracle=True), gold)
    assert result.hits == {"hit@1": True, "hit@4": True, "hit@10": True}
    assert result.retrieved == [doc]
    answered = answerer.answer(case.question, mode="extractive")
    assert {p.doc_id for p in answered.passages} <= {doc}


def test_the_command_line_oracle_run(tmp_path: Path) -> None:
    from index.catalog import Catalog
    from tests.conftest import SEEDS

    index = ["--config", "/dev/null", "--index-dir", str(tmp_path / "index")]
    runner = CliRunner()
    assert runner.invoke(cli, [*index, "index", "-q", str(SEEDS)]).exit_code == 0
    catalog = Catalog.in_index(tmp_path / "index")
    rows = catalog.chunks(catalog.chunk_ids())
    catalog.close()
    facts = {row.doc_id: max(re.split(r"(?<=[.!?])\s+", row.text), key=len)
             for row in rows.values()}
    queries = [{"query": f"What does the article say about {d}?", "answer": "x",
                "question_type": "inference_query",
                "evidence_list": [{"title": "t", "fact": fact}]} for d, fact in facts.items()]
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(queries))
    bad = runner.invoke(cli, [*index, "eval", "run", str(path), "--oracle", "--retrieval-only"])
    assert bad.exit_code == 2 and "needs a full run" in bad.stderr
    yaml_set = tmp_path / "set.yaml"
    yaml_set.write_text("cases:\n  - id: a\n    question: What happened?\n")
    bad = runner.invoke(cli, [*index, "eval", "run", str(yaml_set), "--oracle"])
    assert bad.exit_code == 2 and "evidence facts" in bad.stderr, bad.stderr
    ran = runner.invoke(cli, [*index, "eval", "run", str(path), "--oracle", "--mode",
                              "extractive", "--json", "--history-dir", str(tmp_path / "h")])
    assert ran.exit_code == 0, ran.output
    record = json.loads(ran.stdout)
    assert record["mode"] == "extractive+oracle" and record["options"]["oracle"] is True
    assert record["totals"]["evidence_recall@10"] == 1.0
