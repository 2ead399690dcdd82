"""Ontology validation (problems named by file and line) and the in-memory ontology view."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from rdflib import URIRef

from kgqa.engine import Engine
from kgqa.errors import OntologyError, RDFSyntaxError
from kgqa.namespaces import ONTOLOGY_GRAPH, SF
from kgqa.ontology import Ontology, bundled_ontology, validate_file

HEADER = """@prefix ex:   <http://example.org/onto#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
ex:Book a owl:Class ; rdfs:label "book" .
ex:Person a owl:Class ; rdfs:label "person" .
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "onto.ttl"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["kgqa.ttl", "scifi.ttl"])
def test_the_bundled_ontologies_are_valid(name: str) -> None:
    path = bundled_ontology(name)
    known = None if name == "kgqa.ttl" else Ontology.from_files([bundled_ontology("kgqa.ttl")])
    report = validate_file(path, known=known)
    assert report.ok, report.errors
    assert report.triples > 0 and report.classes + report.properties > 0


def test_an_undeclared_domain_is_named_by_file_and_line() -> None:
    report = validate_file(FIXTURES / "undeclared_domain.ttl")
    assert report.errors == [
        f"{FIXTURES / 'undeclared_domain.ttl'}:11: domain of author is http://example.org/onto#Novel, which is not a declared class"
    ]
    with pytest.raises(OntologyError, match=r"undeclared_domain\.ttl:11: domain of author"):
        report.raise_for_errors()


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("ex:wrote a owl:ObjectProperty ;\n  rdfs:label \"wrote\" ;\n  rdfs:domain ex:Person ;\n  rdfs:range ex:Work .\n",
         10, "range of wrote is http://example.org/onto#Work, which is not a declared class"),
        ("ex:born a owl:ObjectProperty ;\n  rdfs:label \"born\" ;\n  rdfs:domain ex:Person ;\n  rdfs:range xsd:date .\n",
         7, "object property born has datatype range"),
        ("ex:title a owl:DatatypeProperty ;\n  rdfs:label \"title\" ;\n  rdfs:domain ex:Book ;\n  rdfs:range ex:Person .\n",
         7, "datatype property title has class range"),
        ("ex:odd a owl:ObjectProperty, owl:DatatypeProperty ;\n  rdfs:label \"odd\" ;\n  rdfs:domain ex:Book .\n",
         7, "is both an object and a datatype property"),
        ("ex:author a owl:ObjectProperty ;\n  rdfs:label \"author\" ;\n  rdfs:domain \"Book\" ;\n  rdfs:range ex:Person .\n",
         9, 'ex:author rdfs:domain "Book": a literal where an IRI is needed'),
        ("ex:Novel a owl:Class ;\n  rdfs:subClassOf \"book\" .\n",
         8, 'ex:Novel rdfs:subClassOf "book": a literal where an IRI is needed'),
        ("ex:wrote rdfs:label \"wrote\" ;\n  rdfs:domain ex:Person .\n",
         7, "ex:wrote has a domain or range but is not typed as a property"),
        ("ex:named a owl:DatatypeProperty ;\n  rdfs:label \"named\" ;\n  rdfs:domain rdfs:label .\n",
         7, "domain of named is rdfs:label, a property, not a class or datatype"),
        ("ex:wrote a owl:ObjectProperty ;\n  rdfs:label \"wrote\" ;\n  rdfs:domain ex:Person ;\n  rdfs:range ex:about .\n"
         "ex:about a owl:ObjectProperty ; rdfs:label \"about\" ; rdfs:domain ex:Book ; rdfs:range ex:Person .\n",
         7, "range of wrote is ex:about, a property, not a class or datatype"),
    ],
    ids=[
        "undeclared-range", "object-with-datatype-range", "datatype-with-class-range", "both-kinds",
        "literal-domain", "literal-superclass", "untyped-property", "property-as-domain", "property-as-range",
    ],
)
def test_semantic_errors_name_the_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = write(tmp_path, body)
    report = validate_file(path)
    assert not report.ok
    assert any(e.startswith(f"{path}:{line}: ") and message in e for e in report.errors), report.errors


def test_warnings_do_not_stop_a_load(tmp_path: Path) -> None:
    path = write(tmp_path, "ex:note a owl:DatatypeProperty .\nex:Novel a owl:Class ; rdfs:subClassOf ex:Fiction .\n")
    report = validate_file(path)
    assert report.ok
    assert any(":7: " in w and "no rdfs:domain" in w for w in report.warnings)
    assert any(":7: " in w and "no rdfs:label" in w for w in report.warnings)
    assert any(":8: " in w and "superclass http://example.org/onto#Fiction" in w for w in report.warnings)


def test_files_that_are_not_ontologies(tmp_path: Path) -> None:
    with pytest.raises(RDFSyntaxError, match=r"bad_syntax\.ttl:3:"):
        validate_file(FIXTURES / "bad_syntax.ttl")
    with pytest.raises(RDFSyntaxError, match=r"not_utf8\.ttl:3:"):
        validate_file(FIXTURES / "not_utf8.ttl")
    report = validate_file(FIXTURES / "books.ttl")
    assert report.errors == [f"{FIXTURES / 'books.ttl'}:1: declares no classes and no properties (owl:Class, owl:ObjectProperty, ...)"]


def test_add_ontology_checks_against_the_project(tmp_path: Path) -> None:
    with Engine.init(tmp_path / "proj") as engine:
        before = engine.store.count(ONTOLOGY_GRAPH)
        with pytest.raises(OntologyError, match=r"undeclared_domain\.ttl:11"):
            engine.add_ontology(FIXTURES / "undeclared_domain.ttl")
        assert engine.store.count(ONTOLOGY_GRAPH) == before
        # A class the project already has counts as declared.
        novel = tmp_path / "novel.ttl"
        novel.write_text(
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/onto#Novel> a owl:Class .\n", encoding="utf-8"
        )
        engine.add_ontology(novel)
        report = engine.add_ontology(FIXTURES / "undeclared_domain.ttl")
        assert report.ok and report.properties == 1
        assert URIRef("http://example.org/onto#author") in engine.ontology.properties
        assert engine.store.count(ONTOLOGY_GRAPH) > before


def test_the_ontology_view() -> None:
    onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    author = onto.property_by_name("author")
    assert author.iri == SF.author and onto.property_by_name("AUTHOR") is author
    assert author.domain is not None and onto.is_a(author.domain, None)
    assert onto.is_a(SF.Book, SF.CreativeWork) and not onto.is_a(SF.CreativeWork, SF.Book)
    assert onto.label(SF.Book) == "book" and onto.label(URIRef("http://example.org/x#unknown")) == "unknown"
    year = onto.property_by_name("publication year")
    assert year.is_datatype and year.literal_range and not author.literal_range
    with pytest.raises(OntologyError, match="no property named 'nope'"):
        onto.property_by_name("nope")


def test_a_literal_domain_is_refused_by_every_command_and_nothing_is_written(tmp_path: Path) -> None:
    """kgqa init --ontology, kgqa ontology add and kgqa ingest: one line naming file, line and triple; rc 1."""
    from test_cli import assert_user_error, kgqa

    path = write(tmp_path, 'ex:author a owl:ObjectProperty ;\n  rdfs:label "author" ;\n  rdfs:domain "Book" .\n')
    triple = f'{path}:9: ex:author rdfs:domain "Book": a literal where an IRI is needed'
    fresh = tmp_path / "fresh"
    assert_user_error(kgqa("--project", str(fresh), "init", "--ontology", str(path)), triple)
    assert not fresh.exists()

    project = tmp_path / "proj"
    with Engine.init(project) as engine:
        before = engine.store.count(ONTOLOGY_GRAPH)
    assert_user_error(kgqa("--project", str(project), "ontology", "add", str(path)), triple)
    folder = tmp_path / "docs"
    folder.mkdir()
    # ingest reads a file that declares an owl:Ontology as an ontology
    declared = path.read_text(encoding="utf-8") + "<http://example.org/onto> a owl:Ontology .\n"
    (folder / "onto.ttl").write_text(declared, encoding="utf-8")
    ingested = kgqa("--project", str(project), "ingest", str(folder))
    assert ingested.returncode == 1 and 'rdfs:domain "Book": a literal where an IRI is needed' in ingested.stderr
    with Engine.open(project, read_only=True) as engine:
        assert engine.store.count(ONTOLOGY_GRAPH) == before
        assert URIRef("http://example.org/onto#author") not in engine.ontology.properties
