"""Answers over an ingested graph: several documents per fact, text-extraction noise, candidates.

A small graph is written the way ``kgqa ingest`` writes one (a graph per document,
low-confidence extractions in the candidate graph) and the answering pieces run on
it for real: the label index, the plans, the one query that gives answers and facts.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Literal, URIRef

from kgqa import Engine
from kgqa.answer.bind import Plan
from kgqa.answer.collect import collect_facts, instead_facts
from kgqa.answer.execute import Execution, run_plans
from kgqa.linking.labels import LabelIndex
from kgqa.namespaces import CANDIDATE_GRAPH, KGQA, RES, SF, document_graph
from kgqa.ontology import bundled_ontology
from kgqa.translate.model import Reading
from kgqa.translate.structure import Hop, LiteralFilter, QueryStructure
from kgqa.verbalize import Verbalizer

RDF_FILE, TABLE, TEXT_A, TEXT_B, TEXT_C = (document_graph(d) for d in ("graph.ttl", "films.csv", "a.md", "b.md", "c.md"))
SCOTT, MARTIAN_BOOK, MARTIAN_FILM, BLADE_RUNNER = RES.Ridley_Scott, RES.The_Martian, RES.The_Martian_2015, RES.Blade_Runner
RAMA, BSFA_AWARD, BSFA, HUGO = RES.Rendezvous_with_Rama, RES.BSFA_Award_for_Best_Novel, RES.BSFA, RES.Hugo_Award_for_Best_Novel
DUNE_BOOK, DUNE_2021, DUNE_TWO = RES.Dune, RES.Dune_2021, RES.Dune_Part_Two
LVIV, UKRAINE, POLAND = RES.Lviv, RES.Ukraine, RES.Poland
SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
AFTER = LiteralFilter(SF.releaseYear, ">")


def _entity(iri: URIRef, label: str, cls: URIRef, graph: URIRef) -> list[tuple]:
    return [(iri, RDFS.label, Literal(label), graph), (iri, RDF.type, cls, graph)]


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    quads = []
    for g, path in ((RDF_FILE, "graph.ttl"), (TABLE, "films.csv"), (TEXT_A, "a.md"), (TEXT_B, "b.md"), (TEXT_C, "c.md")):
        quads.append((g, KGQA.path, Literal(path), g))
    # The structured sources: the book, the films, Rama's awards, Lviv.
    for g in (RDF_FILE, TABLE):
        quads += _entity(MARTIAN_FILM, "The Martian", SF.Film, g) + [(MARTIAN_FILM, SF.director, SCOTT, g)]
        quads += _entity(DUNE_2021, "Dune", SF.Film, g) + _entity(DUNE_TWO, "Dune: Part Two", SF.Film, g)
        quads += [(DUNE_2021, SF.releaseYear, Literal(2021), g), (DUNE_TWO, SF.releaseYear, Literal(2024), g)]
    quads += [(MARTIAN_FILM, SF.releaseYear, Literal(2015), RDF_FILE), (MARTIAN_FILM, SKOS_ALT, Literal("The Martian (2015)"), RDF_FILE)]
    quads += _entity(SCOTT, "Ridley Scott", SF.Person, RDF_FILE) + _entity(BLADE_RUNNER, "Blade Runner", SF.Film, RDF_FILE)
    quads += [(BLADE_RUNNER, SF.director, SCOTT, RDF_FILE)]
    quads += _entity(RAMA, "Rendezvous with Rama", SF.Book, RDF_FILE) + _entity(HUGO, "Hugo Award for Best Novel", SF.Award, RDF_FILE)
    quads += _entity(BSFA_AWARD, "BSFA Award for Best Novel", SF.Award, RDF_FILE)
    quads += [(RAMA, SF.award, HUGO, RDF_FILE), (RAMA, SF.award, BSFA_AWARD, RDF_FILE)]
    quads += _entity(LVIV, "Lviv", SF.City, RDF_FILE) + _entity(UKRAINE, "Ukraine", SF.Country, RDF_FILE)
    quads += _entity(POLAND, "Poland", SF.Country, RDF_FILE) + [(LVIV, SF.country, UKRAINE, RDF_FILE)]
    # Three texts describe the book; one of them resolved the film to it (a Film type, the director).
    for g in (TEXT_A, TEXT_B, TEXT_C):
        quads += _entity(MARTIAN_BOOK, "The Martian", SF.Book, g) + [(LVIV, SF.country, UKRAINE, g), (RAMA, SF.award, HUGO, g)]
    quads += [(MARTIAN_BOOK, RDF.type, SF.Film, TEXT_A), (MARTIAN_BOOK, SF.director, SCOTT, TEXT_A),
              (MARTIAN_BOOK, SF.releaseYear, Literal(2015), TEXT_A)]
    # A text names an award short, and entity resolution did not merge it.
    quads += _entity(BSFA, "BSFA", SF.Award, TEXT_B) + [(RAMA, SF.award, BSFA, TEXT_B)]
    # A low-confidence extraction: never an answer, and its names are not linked.
    quads += [(LVIV, SF.country, POLAND, CANDIDATE_GRAPH), (RES.Nobody, RDFS.label, Literal("Nobody Special"), CANDIDATE_GRAPH)]
    engine.store.add(quads)
    yield engine
    engine.close()



@pytest.fixture(scope="module")
def index(engine: Engine) -> LabelIndex:
    return LabelIndex.from_store(engine.store)


def run(engine: Engine, index: LabelIndex, structure: QueryStructure, **bindings: list) -> Execution:
    plan = Plan(Reading(structure.signature(), 1.0), structure, bindings, 1.0)
    execution = run_plans(engine, [plan], engine.ontology, use_inferred=False, min_confidence=0.5, index=index)
    assert execution is not None
    return execution


def test_types_most_documents_agree_on_win(index: LabelIndex) -> None:
    assert index.types(MARTIAN_BOOK) == {SF.Book} and index.support(MARTIAN_BOOK) == 3
    assert index.types(MARTIAN_FILM) == {SF.Film}
    # Labels come from the documents, not from the candidate graph.
    assert index.lookup("Nobody Special") == [] and index.labels(MARTIAN_FILM) == ["The Martian", "The Martian (2015)"]


def test_an_answer_whose_sources_mostly_give_another_type_is_left_out(engine: Engine, index: LabelIndex) -> None:
    directed = run(engine, index, QueryStructure((Hop(SF.director, inverse=True),)), topic=[SCOTT])
    assert set(directed.answers) == {MARTIAN_FILM, BLADE_RUNNER}
    assert [n for n, _ in directed.dropped] == [MARTIAN_BOOK]
    films = run(engine, index, QueryStructure((), "select", SF.Film, AFTER), value=[Literal(2010)])
    assert set(films.answers) == {MARTIAN_FILM, DUNE_2021, DUNE_TWO}
    count = run(engine, index, QueryStructure((Hop(SF.director, inverse=True),), "count"), topic=[SCOTT])
    assert count.count == 2
    # The facts are those of the answers kept: the book is not said to be directed by Ridley Scott.
    facts = collect_facts(engine, directed, index)
    assert {f.subject for f in facts} == {MARTIAN_FILM, BLADE_RUNNER}
    # The film is named apart from the book that shares its label, though only the film answers.
    said = Verbalizer(engine.ontology).answer("select", facts, topic=SCOTT)
    assert said in ("The Martian (2015) and Blade Runner were directed by Ridley Scott.",
                    "Blade Runner and The Martian (2015) were directed by Ridley Scott.")


def test_a_short_name_one_text_gives_is_left_out_but_not_names_one_document_states_together(
    engine: Engine, index: LabelIndex
) -> None:
    awards = run(engine, index, QueryStructure((Hop(SF.award),)), topic=[RAMA])
    assert set(awards.answers) == {HUGO, BSFA_AWARD} and [n for n, _ in awards.dropped] == [BSFA]
    # "Dune" is part of "Dune: Part Two", but the same documents state both: two films.
    films = run(engine, index, QueryStructure((), "select", SF.Film, AFTER), value=[Literal(2010)])
    assert DUNE_2021 in films.answers and [n for n, _ in films.dropped] == [MARTIAN_BOOK]


def test_a_fact_several_documents_state_is_one_fact_with_every_source(engine: Engine, index: LabelIndex) -> None:
    hugo = run(engine, index, QueryStructure((Hop(SF.award),)), topic=[RAMA])
    facts = [f for f in collect_facts(engine, hugo, index) if f.object == HUGO]
    assert len(facts) == 1
    assert set(facts[0].extra["sources"]) == {"graph.ttl", "a.md", "b.md", "c.md"}
    said = Verbalizer(engine.ontology).answer("select", collect_facts(engine, hugo, index), topic=RAMA)
    assert said.count("Hugo Award for Best Novel") == 1 and "BSFA Award" in said and "BSFA," not in said


def test_no_answer_says_what_the_documents_state_instead_once(engine: Engine, index: LabelIndex) -> None:
    # "Is Lviv in Poland?": four documents say Ukraine, a low-confidence extraction says Poland.
    execution = run(engine, index, QueryStructure((Hop(SF.country),), "ask"), topic=[LVIV], other=[POLAND])
    assert execution.boolean is False
    instead = instead_facts(engine, execution, index)
    assert [(f.object, len(f.extra["sources"])) for f in instead] == [(UKRAINE, 4)]
    said = Verbalizer(engine.ontology).answer("ask", instead, boolean=False, topic=LVIV)
    assert said == "No, Lviv is located in Ukraine."
