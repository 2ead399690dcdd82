"""Years typed as xsd:gYear compare as numbers; a yes/no is "No" only when the graph says what is true.

Real Oxigraph store, real linking and MiniLM ranking; the reading is given
(``ask(..., structure=...)``), so no translator is trained here: what is tested
is binding, the SPARQL and the sentence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa import Engine
from kgqa.namespaces import SF
from kgqa.ontology import bundled_ontology
from kgqa.translate.structure import Hop, LiteralFilter, QueryStructure
from kgqa.translate.synthesize import Synthesizer

GRAPH = """@prefix sf: <https://w3id.org/kgqa/scifi#> . @prefix r: <https://w3id.org/kgqa/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
r:Martian a sf:Film ; rdfs:label "The Martian" ; sf:releaseYear "2015"^^xsd:gYear ; sf:director r:Scott .
r:Alien a sf:Film ; rdfs:label "Alien" ; sf:releaseYear "1979"^^xsd:gYear ; sf:director r:Scott .
r:Arrival a sf:Film ; rdfs:label "Arrival" ; sf:releaseYear "2016-11-11"^^xsd:date .
r:Scott a sf:Person ; rdfs:label "Ridley Scott" ; sf:birthPlace r:Shields .
r:Shields a sf:City ; rdfs:label "South Shields" .
r:Lem a sf:Person ; rdfs:label "Stanisław Lem" .
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = Path(tmp_path_factory.mktemp("values")) / "films.ttl"
    path.write_text(GRAPH, encoding="utf-8")
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    engine.load([path])
    yield engine
    engine.close()


def test_years_and_dates_are_filtered_as_numbers(engine: Engine) -> None:
    after = QueryStructure((), "select", SF.Film, LiteralFilter(SF.releaseYear, ">"))
    answer = engine.ask("Which films were released after 2010?", structure=after)
    assert sorted(answer.labels()) == ["Arrival", "The Martian"]
    before = engine.ask("Which films were released before 2010?", structure=QueryStructure(
        (), "select", SF.Film, LiteralFilter(SF.releaseYear, "<")))
    assert before.labels() == ["Alien"]


def test_was_x_released_in_n_compares_the_year(engine: Engine) -> None:
    released = QueryStructure((Hop(SF.releaseYear),), "ask")
    assert engine.ask("Was The Martian released in 2015?", structure=released).boolean is True
    no = engine.ask("Was The Martian released in 2014?", structure=released)
    assert no.boolean is False and no.text.startswith("No") and "2015" in no.text


def test_the_synthesizer_reads_a_gyear_property_as_numeric(engine: Engine) -> None:
    assert SF.releaseYear in Synthesizer(engine.ontology, engine.store).numeric


def test_no_only_when_the_graph_says_what_is_true(engine: Engine) -> None:
    born = QueryStructure((Hop(SF.birthPlace),), "ask")
    no = engine.ask("Was Ridley Scott born in Stanisław Lem?", structure=born)  # other misfits: still a no
    assert no.boolean is False and "South Shields" in no.text
    unknown = engine.ask("Was Stanisław Lem born in South Shields?", structure=born)
    assert unknown.boolean is None and not unknown.answered
    assert unknown.text.startswith("I don't know") and "Stanisław Lem" in unknown.text
    directed = QueryStructure((Hop(SF.director, inverse=True),), "ask")
    other_side = engine.ask("Did Stanisław Lem direct Alien?", structure=directed)
    assert other_side.boolean is False and "Ridley Scott" in other_side.text
