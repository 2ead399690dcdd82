"""Graph completion of a real project: sample graph in Oxigraph on disk, PyKEEN training, inferred graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, URIRef

from kgqa.complete import CompletionError, Scorer, inferred_confidence, inferred_confidences
from kgqa.engine import Engine
from kgqa.namespaces import INFERRED_GRAPH, KGQA, SF
from kgqa.ontology import bundled_ontology

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "graph.ttl"
KGQA_BIN = Path(sys.executable).parent / "kgqa"

# Small and quick. A model this small on 400 triples reaches a held-out precision of
# about 0.15 at best, so the target is set below that: these tests check how
# predictions are stored, not how good they are (see docs/completion.md for that).
SETTINGS = {
    "complete": {
        "model": "DistMult",
        "embedding_dim": 32,
        "epochs": 60,
        "finetune_epochs": 10,
        "target_precision": 0.1,
        "min_calibration": 3,
        "threads": 1,
        # These tests check how the embedding's predictions are stored; tests/test_complete_rules.py checks the rules'.
        "rules": False,
    }
}

PREDICTIONS = f"""
SELECT ?h ?r ?t ?c ?score ?run ?model WHERE {{ GRAPH <{INFERRED_GRAPH}> {{
  ?p a <{KGQA.Prediction}> ; <{RDF.subject}> ?h ; <{RDF.predicate}> ?r ; <{RDF.object}> ?t ;
     <{KGQA.confidence}> ?c ; <{KGQA.score}> ?score ; <{KGQA.inferredBy}> ?run .
  ?run a <{KGQA.ModelRun}> ; <{KGQA.modelName}> ?model .
}} }}"""


def all_quads(engine: Engine) -> list[tuple[str, ...]]:
    rows = engine.store.query("SELECT ?g ?s ?p ?o { GRAPH ?g { ?s ?p ?o } }", timeout=None, limit=None).rows
    return sorted(tuple(str(x) for x in row) for row in rows)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is not there yet")
    engine = Engine.init(tmp_path_factory.mktemp("p") / ".kgqa", ontologies=[bundled_ontology("scifi.ttl")], config=SETTINGS)
    engine.load([SAMPLE])
    # Take out every sixth language, nationality and author link: facts the documents "forgot".
    rows = engine.sparql(
        f"SELECT ?s ?p ?o {{ ?s ?p ?o FILTER(?p IN (<{SF.originalLanguage}>, <{SF.nationality}>, <{SF.author}>)) }} ORDER BY ?s ?p ?o"
    ).rows
    removed = rows[::6]
    engine.update(
        "DELETE DATA { GRAPH <urn:kgqa:graph:facts> { " + " ".join(f"<{s}> <{p}> <{o}> ." for s, p, o in removed) + " } }"
    )
    before = all_quads(engine)
    report = engine.complete(progress=False)
    yield engine, before, report
    engine.close()


def test_metrics_and_run_files(project) -> None:
    engine, _, report = project
    assert set(report.metrics) == {"mrr", "hits@1", "hits@3", "hits@10"}
    assert all(0.0 <= v <= 1.0 for v in report.metrics.values())
    assert report.counts["relations"] == 12 and report.counts["triples"] > 300
    assert report.directory.parent == engine.models_dir / "completion"
    assert (report.directory / "curves.png").is_file()
    assert (engine.models_dir / "completion" / "latest").read_text().strip() == report.run_id


def test_predictions_land_only_in_the_inferred_graph_with_confidences(project) -> None:
    engine, before, report = project
    after = all_quads(engine)
    assert [q for q in after if q[0] != str(INFERRED_GRAPH)] == before
    rows = engine.sparql(PREDICTIONS).to_dicts()
    assert report.predictions == len(rows) > 0
    assert {r["model"] for r in rows} == {"DistMult"} and len({r["run"] for r in rows}) == 1
    assert all(0.0 <= r["c"] <= 1.0 for r in rows)
    predicted = {(URIRef(r["h"]), URIRef(r["r"]), URIRef(r["t"])) for r in rows}
    # Each prediction is also a plain triple of the inferred graph, and none was asserted.
    plain = engine.sparql(
        f"SELECT ?h ?r ?t {{ GRAPH <{INFERRED_GRAPH}> {{ ?h ?r ?t }} FILTER(STRSTARTS(STR(?r), STR(<{SF}>))) }}"
    ).rows
    assert {tuple(row) for row in plain} == predicted
    asserted = {tuple(map(URIRef, q[1:])) for q in before}
    assert not predicted & asserted


def test_predictions_respect_domain_and_range(project) -> None:
    engine, _, _ = project
    onto = engine.ontology
    types: dict[URIRef, set[URIRef]] = {}
    for e, c in engine.sparql("SELECT ?e ?c { ?e a ?c }").rows:
        types.setdefault(e, set()).add(c)
    for h, r, t in engine.sparql(f"SELECT ?h ?r ?t {{ GRAPH <{INFERRED_GRAPH}> {{ ?h ?r ?t }} FILTER(STRSTARTS(STR(?r), STR(<{SF}>))) }}").rows:
        prop = onto.properties[r]
        assert any(onto.is_a(c, prop.domain) for c in types[h]), (h, r)
        assert any(onto.is_a(c, prop.range) for c in types[t]), (r, t)


def test_confidence_lookup_and_query_time_scorer(project) -> None:
    engine, _, report = project
    rows = engine.sparql(PREDICTIONS).to_dicts()
    first = rows[0]
    triple = (URIRef(first["h"]), URIRef(first["r"]), URIRef(first["t"]))
    assert inferred_confidence(engine.store, *triple) == pytest.approx(first["c"])
    asserted = tuple(engine.sparql(f"SELECT ?s ?o {{ ?s <{SF.author}> ?o }} LIMIT 1").rows[0])
    author_triple = (asserted[0], SF.author, asserted[1])
    assert inferred_confidence(engine.store, *author_triple) is None
    assert set(inferred_confidences(engine.store, [triple, author_triple])) == {triple}

    scorer = Scorer.load(engine.models_dir)
    assert scorer is not None and scorer.run_id == report.run_id
    tails = scorer.predict_tails(triple[0], triple[1], k=5, filter_known=False)
    assert all(isinstance(t, URIRef) for t, _, _ in tails)
    assert scorer.score(*triple) == pytest.approx(first["score"], rel=1e-4)


def test_second_run_fine_tunes_and_replaces_then_drop_restores(project) -> None:
    engine, before, first = project
    second = engine.complete(progress=False)
    assert second.warm_started_from == first.run_id and second.epochs <= 10
    runs = {r["run"] for r in engine.sparql(PREDICTIONS).to_dicts()}
    assert runs <= {f"urn:kgqa:run:{second.run_id}"}
    assert engine.sparql(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{INFERRED_GRAPH}> {{ ?r a <{KGQA.ModelRun}> }} }}").to_dicts() == [
        {"n": 1}
    ]
    dropped = engine.complete(drop=True)
    assert dropped > 0
    assert all_quads(engine) == before
    assert engine.complete(drop=True) == 0


def test_empty_and_tiny_graphs_give_clear_errors(tmp_path) -> None:
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    with pytest.raises(CompletionError, match="no entity-to-entity triples"):
        engine.complete()
    engine.update(
        "INSERT DATA { GRAPH <urn:kgqa:graph:facts> { "
        + " ".join(f"<urn:b{i}> <{SF.author}> <urn:p{i}> ." for i in range(5))
        + " } }"
    )
    with pytest.raises(CompletionError, match="only 5 entity-to-entity triples"):
        engine.complete()


def test_cli_reports_errors_in_one_line_and_drops(tmp_path) -> None:
    project = tmp_path / ".kgqa"
    Engine.init(project).close()
    run = subprocess.run([str(KGQA_BIN), "--project", str(project), "complete", "-q"], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().startswith("error: the graph has no entity-to-entity triples")
    run = subprocess.run([str(KGQA_BIN), "--project", str(project), "complete", "--drop"], capture_output=True, text=True)
    assert run.returncode == 0 and "dropped the inferred graph (0 quads)" in run.stdout


def test_cli_says_why_a_small_graph_gets_no_links(tmp_path) -> None:
    project = tmp_path / ".kgqa"
    settings = {"complete": {**SETTINGS["complete"], "epochs": 5, "target_precision": 0.99, "rules": True}}
    engine = Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")], config=settings)
    # 30 books, their authors and publishers drawn independently: nothing to learn a link from.
    facts = [f"<urn:b{i}> <{SF.author}> <urn:p{i % 7}> . <urn:b{i}> <{SF.publisher}> <urn:q{i * 3 % 5}> ." for i in range(30)]
    engine.update("INSERT DATA { GRAPH <urn:kgqa:graph:facts> { " + " ".join(facts) + " } }")
    engine.close()
    run = subprocess.run([str(KGQA_BIN), "--project", str(project), "complete", "-q"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = " ".join(run.stdout.split())
    assert "0 embedding and 0 rule predictions" in out
    assert "nothing predicted" in out and "60 triples are few" in out
