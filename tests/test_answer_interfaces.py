"""``kgqa ask``, ``kgqa train translator`` and ``POST /ask`` on a project on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kgqa import Engine
from kgqa.errors import KgqaError
from kgqa.answer.context import translator_dir
from kgqa.cli import build_app
from kgqa.ontology import bundled_ontology
from kgqa.server.app import create_app
from test_qa_support import SAMPLE_GRAPH, TEST_CONFIG, trained_translator


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:  # noqa: ANN001
    directory = tmp_path_factory.mktemp("qa") / ".kgqa"
    engine = Engine.init(directory, ontologies=[bundled_ontology("scifi.ttl")], config=TEST_CONFIG)
    engine.load([SAMPLE_GRAPH])
    shutil.copytree(trained_translator("sample"), translator_dir(engine))
    engine.close()
    return directory


def run(project: Path, *args: str) -> str:
    result = CliRunner().invoke(build_app(), ["--project", str(project), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_kgqa_ask_prints_the_answer_and_its_sparql(project: Path) -> None:
    out = run(project, "ask", "Who wrote Solaris?")
    assert "Stanisław Lem" in out and "SPARQL" in out and "VALUES ?topic" in out
    explained = run(project, "ask", "--explain", "Who directed Solaris?")
    for part in ("linked entities", "readings", "facts", "timings", "Solaris_1972", "Solaris_2002", "urn:kgqa:graph:facts"):
        assert part in explained
    data = json.loads(run(project, "ask", "--json", "How many films are based on Dune?"))
    assert data["form"] == "count" and data["count"] == 3


def test_printed_sparql_reruns_with_kgqa_sparql(project: Path) -> None:
    data = json.loads(run(project, "ask", "--json", "Which films did Andrei Tarkovsky direct?"))
    rerun = json.loads(run(project, "sparql", "--format", "json", data["sparql"]))
    assert {b["answer"]["value"] for b in rerun["results"]["bindings"]} == {a["iri"] for a in data["answers"]}


def test_post_ask(project: Path) -> None:
    engine = Engine.open(project)
    client = TestClient(create_app(engine))
    response = client.post("/ask", json={"question": "Where was the author of Solaris born?"})
    assert response.status_code == 200
    body = response.json()
    assert [a["label"] for a in body["answers"]] == ["Lviv"] and body["sparql"].startswith("SELECT")
    assert client.post("/ask", json={"question": ""}).status_code == 422
    engine.close()


def test_kgqa_train_translator_with_examples(tmp_path: Path) -> None:
    directory = tmp_path / ".kgqa"
    engine = Engine.init(directory, ontologies=[bundled_ontology("scifi.ttl")],
                         config={"translator": {"per_structure": 2, "max_three_hop": 5, "epochs": 2}})
    engine.update("PREFIX sf: <https://w3id.org/kgqa/scifi#> INSERT DATA { GRAPH <urn:kgqa:graph:facts> "
                  "{ <urn:x:b> sf:author <urn:x:a> . <urn:x:a> sf:birthPlace <urn:x:c> . } }")
    engine.close()
    examples = tmp_path / "examples.tsv"
    examples.write_text("Who penned [Solaris]?\tselect|author\n")
    out = run(directory, "train", "translator", "--examples", str(examples), "--json", str(tmp_path / "report.json"))
    assert "1 yours" in out and (directory / "models" / "translator" / "curves.png").is_file()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["examples"] > 1 and report["by_kind"]["examples"] == 1


def test_ask_trains_a_translator_when_the_project_has_none() -> None:
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")],
                           config={"translator": {"per_structure": 3, "max_three_hop": 5, "epochs": 5}})
    engine.update("PREFIX sf: <https://w3id.org/kgqa/scifi#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                  "INSERT DATA { GRAPH <urn:kgqa:graph:facts> { <urn:x:b> sf:author <urn:x:a> ; rdfs:label 'Solaris' . "
                  "<urn:x:a> rdfs:label 'Stanisław Lem' . } }")
    answer = engine.ask("Who wrote Solaris?")
    assert any("trained a translator" in note for note in answer.notes)
    assert (translator_dir(engine) / "config.json").is_file()
    off = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")], config={"answer": {"auto_train": False}})
    off.update("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> INSERT DATA { GRAPH <urn:kgqa:graph:facts> "
               "{ <urn:x:b> rdfs:label 'Solaris' . } }")
    with pytest.raises(KgqaError, match="kgqa train translator"):
        off.ask("Who wrote Solaris?")
