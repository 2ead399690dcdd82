"""The JSON views behind the web page's Browse tab, on a real in-memory store (no browser needed)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient

from kgqa import Engine
from kgqa.complete.graph import prediction_quads, write_inferred
from kgqa.complete.predict import Prediction
from kgqa.namespaces import RES, SF
from kgqa.ontology import bundled_ontology
from kgqa.server.app import create_app
from kgqa.server.browse import describe_entity, prefixes, search
from kgqa.server.evidence import sentence_span
from test_qa_support import SAMPLE_GRAPH


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    engine.load([SAMPLE_GRAPH])
    now = datetime.now(timezone.utc)
    link = Prediction(str(RES.Isaac_Asimov), str(SF.birthPlace), str(RES.New_York_City), 3.2, 0.81, "birthPlace <- x")
    write_inferred(engine.store, prediction_quads([link], run_id="test-run", model_name="TransE", started=now, ended=now))
    yield engine
    engine.close()


def test_an_inferred_link_shows_its_confidence_and_rule_and_hides_its_reification(engine: Engine) -> None:
    entity = describe_entity(engine, str(RES.Isaac_Asimov), timeout=10)
    born = next(g for g in entity["outgoing"] if g["property"] == str(SF.birthPlace))
    inferred = [f for f in born["facts"] if f["kind"] == "inferred"]
    assert [f["iri"] for f in inferred] == [str(RES.New_York_City)]
    assert inferred[0]["prediction"]["confidence"] == pytest.approx(0.81)
    assert inferred[0]["prediction"]["rule"] == "birthPlace <- x"
    assert inferred[0]["prediction"]["run"] == "urn:kgqa:run:test-run"
    # The prediction node points at the entity with rdf:subject; that is bookkeeping, not an incoming fact.
    incoming = {g["property"] for g in entity["incoming"]}
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject" not in incoming
    assert {"person"} <= {t["label"] for t in entity["types"]}
    edge = next(e for e in entity["neighbourhood"]["edges"] if e["kind"] == "inferred")
    assert entity["neighbourhood"]["nodes"][edge["target"]]["label"] == "New York City"


def test_facts_are_grouped_by_property_with_labels_and_graph_kinds(engine: Engine) -> None:
    entity = describe_entity(engine, str(RES.Stanis_aw_Lem), timeout=10)
    assert entity["label"] == "Stanisław Lem" and entity["known"]
    wrote = next(g for g in entity["incoming"] if g["property"] == str(SF.author))
    assert wrote["label"] == "author"
    assert {f["label"] for f in wrote["facts"]} >= {"Solaris", "The Cyberiad"}
    assert {f["kind"] for f in wrote["facts"]} == {"loaded"}  # kgqa load puts them in urn:kgqa:graph:facts
    unknown = describe_entity(engine, "https://example.org/nobody", timeout=10)
    assert not unknown["known"] and unknown["outgoing"] == [] and unknown["neighbourhood"]["edges"] == []


def test_search_binds_the_text_as_a_literal(engine: Engine) -> None:
    assert {r["iri"] for r in search(engine, "solaris", timeout=10)} >= {str(RES.Solaris_1972), str(RES.Solaris_2002)}
    assert search(engine, '" } } DROP ALL ; SELECT * { "', timeout=10) == []
    assert engine.store.count() > 0


def test_prefixes_name_the_ontology_namespace(engine: Engine) -> None:
    names = prefixes(engine)
    assert names["scifi"] == str(SF) and names["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"


def test_a_span_is_not_guessed_when_two_offsets_fit() -> None:
    # One statement alone in a sentence that repeats its words: both readings fit, so nothing is highlighted.
    assert sentence_span("Lem met Lem.", (10, 13), [(10, 13)]) is None
    assert sentence_span("Lem wrote.", (5, 8), [(5, 8), (5, 15)]) == (0, 3)


def test_the_page_and_its_views_over_http(engine: Engine) -> None:
    client = TestClient(create_app(engine))
    page = client.get("/")
    assert page.status_code == 200 and 'name="kgqa-csrf"' in page.text
    assert client.get("/entity", params={"iri": str(RES.Solaris)}).text == page.text
    assert client.get("/web/static/vendor/codemirror/LICENSE").text.startswith("MIT License")
    info = client.get("/web/api/info").json()
    assert info["allow_updates"] is False and info["properties"][str(SF.author)] == "author"
    assert client.get("/web/api/documents").json() == []  # loaded, not ingested
    assert client.get("/web/api/entity", params={"iri": "javascript:alert(1) x"}).status_code == 400
