"""The ``parsed`` extractor on sentence forms, with a plain OWL ontology it was not written for.

Real spaCy (small English pipeline), real MiniLM, the shipped matcher weights. The
ontology below (bridges, rivers, people, places) has only labels, comments, domains,
ranges and a few altLabels; the sentences are this file's own, not the gold corpora's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from kgqa import Engine
from kgqa.linking import LabelIndex

from ingest.extract.nlp import parse
from ingest.extract.parsed import ParsedExtractor
from ingest.extract.spans import SpanFinder
from ingest.model import Block, EntityRef, TextContent
from ingest.resolve import Resolver

ONTOLOGY = """
@prefix ex: <http://example.org/civil#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/civil> a owl:Ontology .
ex:Person a owl:Class ; rdfs:label "person" ; rdfs:comment "A human being." ; skos:altLabel "engineer" .
ex:Place a owl:Class ; rdfs:label "place" .
ex:City a owl:Class ; rdfs:subClassOf ex:Place ; rdfs:label "city" ; rdfs:comment "A city or town." .
ex:Country a owl:Class ; rdfs:subClassOf ex:Place ; rdfs:label "country" .
ex:River a owl:Class ; rdfs:subClassOf ex:Place ; rdfs:label "river" ; rdfs:comment "A natural stream of water." .
ex:Bridge a owl:Class ; rdfs:label "bridge" ; skos:altLabel "viaduct" .
ex:birthPlace a owl:ObjectProperty ; rdfs:label "place of birth" ; rdfs:domain ex:Person ; rdfs:range ex:City .
ex:nationality a owl:ObjectProperty ; rdfs:label "nationality" ; rdfs:domain ex:Person ; rdfs:range ex:Country .
ex:flowsThrough a owl:ObjectProperty ; rdfs:label "flows through" ; rdfs:comment "A city the river passes." ;
    rdfs:domain ex:River ; rdfs:range ex:City .
ex:designer a owl:ObjectProperty ; rdfs:label "designer" ; skos:altLabel "designed by" ;
    rdfs:comment "The engineer who designed the bridge." ; rdfs:domain ex:Bridge ; rdfs:range ex:Person .
ex:birthYear a owl:DatatypeProperty ; rdfs:label "year of birth" ; rdfs:domain ex:Person ; rdfs:range xsd:integer .
ex:openingYear a owl:DatatypeProperty ; rdfs:label "opening year" ; rdfs:comment "The year the bridge opened." ;
    rdfs:domain ex:Bridge ; rdfs:range xsd:integer .
"""


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> ParsedExtractor:
    path = Path(tmp_path_factory.mktemp("onto")) / "civil.ttl"
    path.write_text(ONTOLOGY, encoding="utf-8")
    return ParsedExtractor(Engine.memory(ontologies=[path]))


def facts(extractor: ParsedExtractor, text: str, title: str | None = None) -> set[tuple[str, str, str]]:
    """The asserted (subject label, property local name, object label or value) the extractor reads."""
    session = Resolver(LabelIndex(), extractor.engine.ontology).session()
    out = set()
    for st in extractor.extract(TextContent([Block(text)], title), session):
        if st.confidence >= 0.6:
            obj = st.object.label if isinstance(st.object, EntityRef) else str(st.object)
            out.add((st.subject.label, st.predicate.split("#")[-1], obj))
    return out


def test_apposition_with_born_in_place_in_year(extractor: ParsedExtractor) -> None:
    got = facts(extractor, "Gustave Eiffel, a French engineer born in Dijon in 1832, built railway bridges.")
    assert {("Gustave Eiffel", "birthPlace", "Dijon"), ("Gustave Eiffel", "birthYear", "1832"),
            ("Gustave Eiffel", "nationality", "France")} <= got


def test_relative_clause(extractor: ParsedExtractor) -> None:
    got = facts(extractor, "Isambard Brunel, who was born in Portsmouth in 1806, worked on railways.")
    assert {("Isambard Brunel", "birthPlace", "Portsmouth"), ("Isambard Brunel", "birthYear", "1806")} <= got


def test_passive_with_coordinated_agents(extractor: ParsedExtractor) -> None:
    got = facts(extractor, "The Forth Bridge was designed by John Fowler and Benjamin Baker.")
    assert {("Forth Bridge", "designer", "John Fowler"), ("Forth Bridge", "designer", "Benjamin Baker")} <= got


def test_coordinated_list_of_objects(extractor: ParsedExtractor) -> None:
    got = facts(extractor, "The Seine is a river that flows through Paris, Rouen and Le Havre.")
    assert {("Seine", "flowsThrough", c) for c in ("Paris", "Rouen", "Le Havre")} <= got


def test_pronoun_refers_to_the_person_the_document_is_about(extractor: ParsedExtractor) -> None:
    got = facts(extractor, "Marie Curie was a physicist. She was born in Warsaw in 1867.", title="Marie Curie")
    assert {("Marie Curie", "birthPlace", "Warsaw"), ("Marie Curie", "birthYear", "1867")} <= got


def test_surname_alone_is_the_person_named_before(extractor: ParsedExtractor) -> None:
    got = facts(extractor, "John Fowler was an English engineer. Fowler was born in Wadsley in 1817.")
    assert ("John Fowler", "birthPlace", "Wadsley") in got
    assert not any(s == "Fowler" for s, _, _ in got)


def test_a_value_property_never_takes_a_name_nor_an_entity_property_a_value(extractor: ParsedExtractor) -> None:
    session = Resolver(LabelIndex(), extractor.engine.ontology).session()
    text = "The Garabit Viaduct, designed by Gustave Eiffel, opened in 1884. Eiffel was born in Dijon in 1832."
    statements = list(extractor.extract(TextContent([Block(text)]), session))
    assert statements
    for st in statements:
        literal = extractor.engine.ontology.properties[st.predicate].literal_range
        assert isinstance(st.object, Literal) == literal, st


def mentions(extractor: ParsedExtractor, text: str) -> list[tuple[str, list[str], bool]]:
    finder = SpanFinder(extractor.lexicon, [])
    onto = extractor.engine.ontology
    return [(f.label, sorted(onto.label(t) for t in f.types), f.strong)
            for sent in parse(text).sents for f in finder.find(sent, [])]


def test_at_and_in_phrases_after_a_name_stay_apart(extractor: ParsedExtractor) -> None:
    labels = [m[0] for m in mentions(extractor, "Ada Lovelace at the Royal Institution in London met Charles Babbage.")]
    assert "Ada Lovelace" in labels and "Charles Babbage" in labels
    assert not any(" at " in label or " in " in label for label in labels)


def test_initials_stay_with_their_name_and_a_sentence_ending_initial_does_not_join_the_next(extractor: ParsedExtractor) -> None:
    labels = [m[0] for m in mentions(extractor, "The bridge was designed by H. W. Tilman.")]
    assert "H. W. Tilman" in labels
    labels = [m[0] for m in mentions(extractor, "Its highest summit is Annapurna I. Maurice Herzog climbed it.")]
    assert "Maurice Herzog" in labels
    assert not any(label.endswith("Maurice Herzog") and label != "Maurice Herzog" for label in labels)


def test_a_class_word_in_the_sentence_types_the_name_over_its_named_entity_label(extractor: ParsedExtractor) -> None:
    found = {m[0]: m for m in mentions(extractor, "Washington, a river in the north, is short.")}
    assert found["Washington"][1:] == (["river"], True)


def test_ingest_with_the_parsed_extractor_keeps_provenance_and_skips_unchanged_files(tmp_path: Path) -> None:
    from ingest.pipeline import ingest_paths, open_provenance

    onto = tmp_path / "civil.ttl"
    onto.write_text(ONTOLOGY, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "forth.md").write_text("# Forth Bridge\n\nThe Forth Bridge was designed by John Fowler and Benjamin Baker.\n")
    with Engine.memory(ontologies=[onto], config={"ingest": {"extractor": "parsed"}}) as engine:
        first = ingest_paths(engine, [docs], progress=False)
        assert first.ok and first.triples, first.to_dict()
        prov = open_provenance(engine)
        rows = [r for r in prov.triples(str((docs / "forth.md").resolve())) if "designer" in r["predicate"]]
        prov.close()
        assert rows and all(r["extractor"] == "parsed" and r["confidence"] > 0 and r["end"] > r["start"] and r["sentence"]
                            for r in rows)
        again = ingest_paths(engine, [docs], progress=False)
        assert again.counts()["skipped"] == 1 and again.triples == 0, again.to_dict()
