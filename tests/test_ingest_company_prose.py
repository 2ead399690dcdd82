"""A user's own domain (companies, written here) and prose the sample never uses: company names ending a
sentence with "Inc." / "Ltd.", and names opening with a small word ("New York City")."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa import Engine

from ingest.extract.sentences import split_sentences
from ingest.pipeline import ingest_paths

ONTOLOGY = """\
@prefix co:   <https://example.org/company#> .
@prefix kgqa: <https://w3id.org/kgqa/vocab#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://example.org/company> a owl:Ontology ; rdfs:label "company test ontology"@en .
co:Person a owl:Class ; rdfs:label "person"@en ; skos:altLabel "founder"@en .
co:Company a owl:Class ; rdfs:label "company"@en ; skos:altLabel "firm"@en .
co:City a owl:Class ; rdfs:label "city"@en .
co:worksFor a owl:ObjectProperty ; rdfs:label "works for"@en ; rdfs:domain co:Person ; rdfs:range co:Company ;
    kgqa:template "{s} works for {o}"@en .
co:bornIn a owl:ObjectProperty ; rdfs:label "born in"@en ; rdfs:domain co:Person ; rdfs:range co:City ;
    skos:altLabel "birthplace"@en ; kgqa:template "{s} was born in {o}"@en .
"""

TEXT = """\
Charles Babbage works for Analytical Engines Ltd. Babbage was born in London.

Howard Aiken works for Compiler Systems Inc. Aiken was born in Hoboken. Grace Hopper was born in New York City.
"""

PREFIX = "PREFIX co: <https://example.org/company#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aiken works for Compiler Systems Inc. Aiken was born in Hoboken.",
         ["Aiken works for Compiler Systems Inc.", "Aiken was born in Hoboken."]),
        ("Robert Downey Jr. In 2008 he starred.", ["Robert Downey Jr.", "In 2008 he starred."]),
        ("Hopper founded Compiler Systems Inc. in 1952.", ["Hopper founded Compiler Systems Inc. in 1952."]),
        ("It is Harper Co. Ltd. They publish.", ["It is Harper Co. Ltd.", "They publish."]),
        ("Dr. Who met St. Martin.", ["Dr. Who met St. Martin."]),
    ],
)
def test_a_company_suffix_ends_a_sentence_before_a_capitalised_word(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == expected


def test_surnames_after_a_company_suffix_and_a_name_opening_with_new(tmp_path: Path) -> None:
    ontology = tmp_path / "company.ttl"
    ontology.write_text(ONTOLOGY, encoding="utf-8")
    doc = tmp_path / "docs" / "people.md"
    doc.parent.mkdir()
    doc.write_text(TEXT, encoding="utf-8")
    with Engine.init(tmp_path / ".kgqa", ontologies=[ontology]) as engine:
        summary = ingest_paths(engine, [doc])
        assert summary.ok, summary.to_dict()
        people = {str(r["l"]) for r in engine.sparql(PREFIX + "SELECT DISTINCT ?l { ?p a co:Person ; rdfs:label ?l }").to_dicts()}
        # "Babbage" / "Aiken" are the people named in full in the sentence before, not people of their own.
        assert people == {"Charles Babbage", "Howard Aiken", "Grace Hopper"}
        born = {
            (str(r["p"]), str(r["c"]))
            for r in engine.sparql(PREFIX + "SELECT DISTINCT ?p ?c { ?x co:bornIn ?y . ?x rdfs:label ?p . ?y rdfs:label ?c }").to_dicts()
        }
        assert born == {("Charles Babbage", "London"), ("Howard Aiken", "Hoboken"), ("Grace Hopper", "New York City")}


def test_a_corrected_name_does_not_resolve_to_the_misspelling_it_replaces(tmp_path: Path) -> None:
    ontology = tmp_path / "company.ttl"
    ontology.write_text(ONTOLOGY, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    hopper = docs / "b_hopper.md"
    hopper.write_text("Grace Hoper was born in Arlington.\n", encoding="utf-8")
    with Engine.init(tmp_path / ".kgqa", ontologies=[ontology]) as engine:
        assert ingest_paths(engine, [docs]).ok
        # The typo fixed, and another document in the same run, read first (its resolver saw the old name).
        hopper.write_text("Grace Hopper was born in Arlington.\n", encoding="utf-8")
        (docs / "a_babbage.md").write_text("Charles Babbage was born in London.\n", encoding="utf-8")
        summary = ingest_paths(engine, [docs])
        assert summary.ok and summary.counts()["ok"] == 2, summary.to_dict()
        people = {str(r["l"]) for r in engine.sparql(PREFIX + "SELECT DISTINCT ?l { ?p a co:Person ; rdfs:label ?l }").to_dicts()}
        assert people == {"Charles Babbage", "Grace Hopper"}
