"""Safe query building: escaping of terms and pre-bound variables, checked on a real store."""

from __future__ import annotations

import pytest
from conftest import EX, FIXTURES, LEM
from rdflib import BNode, Literal, URIRef

from kgqa.errors import QueryError
from kgqa.sparql.build import bind_values, render_term, values_clause, variable
from kgqa.store.oxigraph import OxigraphStore


NASTY = [
    'Robert "Bob" } ; DROP ALL ; #',
    "line one\nline two\r\n\ttabbed",
    "back\\slash\\",
    "ends with a quote\"",
    "'''single''' and \"\"\"double\"\"\"",
    "Stanisław Lem ✓",
]


@pytest.fixture
def store() -> OxigraphStore:
    s = OxigraphStore()  # in memory: these tests are about query text, not persistence
    s.load(FIXTURES / "books.ttl", graph="urn:test:books")
    return s


@pytest.mark.parametrize("text", NASTY)
def test_literal_round_trips_through_a_real_store(store: OxigraphStore, text: str) -> None:
    subject = URIRef(EX + "x")
    for literal in (Literal(text), Literal(text, lang="en"), Literal(text, datatype=URIRef(EX + "dt"))):
        store.update(f"INSERT DATA {{ GRAPH <urn:test:lit> {{ {render_term(subject)} <{EX}v> {render_term(literal)} }} }}")
        got = store.query(f"SELECT ?o {{ {render_term(subject)} <{EX}v> ?o }}").column("o")
        assert got == [literal]
        store.drop_graph("urn:test:lit")
    assert store.count() == 12, "nothing but the test triple was ever written"


def test_typed_literals_keep_their_datatype() -> None:
    assert render_term(Literal(1961)) == '"1961"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert render_term(Literal("x", lang="en-GB")) == '"x"@en-GB'


@pytest.mark.parametrize(
    "term",
    [
        URIRef(EX + "a> } DROP ALL {"),
        URIRef(EX + "a b"),
        Literal("x", datatype=URIRef(EX + "dt> } DROP ALL {")),
    ],
)
def test_unsafe_iris_are_refused(term) -> None:
    with pytest.raises(QueryError, match="unsafe IRI"):
        render_term(term)


def test_blank_nodes_and_non_terms_are_refused() -> None:
    with pytest.raises(QueryError, match="blank nodes"):
        render_term(BNode())
    with pytest.raises(QueryError, match="not an RDF term"):
        render_term("plain text")  # type: ignore[arg-type]


def test_variable_names_are_checked() -> None:
    assert variable("book_1") == "?book_1"
    with pytest.raises(QueryError, match="invalid SPARQL variable"):
        variable("x } DROP ALL {")
    assert values_clause("a", [LEM, Literal("b")]) == f'VALUES ?a {{ <{LEM}> "b" }}'


# Each query is run with ?a bound to ex:lem; the expected answer is what the store
# gives when ex:lem is written into the query by hand (for ?a, or as given here).
HAND_WRITTEN = {
    "projected": f"SELECT ?b (<{LEM}> AS ?a) {{ ?b <http://example.org/author> <{LEM}> }} ORDER BY ?b",
    "subselect": f"SELECT ?b (<{LEM}> AS ?a) {{ ?b <http://example.org/author> <{LEM}> }} ORDER BY ?b",
}
BOUND_QUERIES = {
    "projected": "SELECT ?b ?a { ?b <http://example.org/author> ?a } ORDER BY ?b",
    "not projected": "SELECT ?b { ?b <http://example.org/author> ?a } ORDER BY ?b",
    "aggregate": "SELECT (COUNT(?b) AS ?n) WHERE { ?b <http://example.org/author> ?a }",
    "filter and bind": "SELECT ?b ?who { ?b <http://example.org/author> ?x FILTER(?x = ?a) BIND(?a AS ?who) } ORDER BY ?b",
    "ask": "ASK { ?b <http://example.org/author> ?a }",
    "construct": "CONSTRUCT { ?b <http://example.org/writtenBy> ?a } WHERE { ?b <http://example.org/author> ?a }",
    "construct where": "CONSTRUCT WHERE { ?b <http://example.org/author> ?a }",
    "subselect": "SELECT ?b ?a WHERE { SELECT ?b ?a { ?b <http://example.org/author> ?a } } ORDER BY ?b",
    "braces in strings, IRIs and comments": (
        "PREFIX ex: <http://example.org/>  # { not a group\n"
        'SELECT ?b (STR("{") AS ?brace) { ?b ex:author ?a . FILTER(?b != <http://example.org/x#y>) } ORDER BY ?b'
    ),
    "keyword-like names": "PREFIX select: <http://example.org/> SELECT ?b { ?b select:author ?a } ORDER BY ?b",
    "describe": "DESCRIBE ?a WHERE { ?b <http://example.org/author> ?a }",
}


def _answer(result):
    if result.kind == "graph":
        return sorted(result.graph)
    if result.kind == "ask":
        return bool(result)
    return result.rows


@pytest.mark.parametrize("name", list(BOUND_QUERIES))
def test_bound_query_answers_like_the_hand_written_one(store: OxigraphStore, name: str) -> None:
    query = BOUND_QUERIES[name]
    hand_written = HAND_WRITTEN.get(name, query.replace("?a", f"<{LEM}>"))
    expected = _answer(store.query(hand_written))
    got = _answer(store.query(query, bindings={"a": LEM}))
    assert got == expected
    assert expected not in ([], False), "the hand-written query must find something, or the test proves nothing"


def test_bind_values_leaves_the_query_alone_without_bindings() -> None:
    assert bind_values("SELECT * {}", {}) == "SELECT * {}"


def test_a_bound_literal_cannot_inject(store: OxigraphStore) -> None:
    query = "SELECT ?b { ?b <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    attack = Literal('x" } } ; DROP ALL ; SELECT * { {"')
    assert store.query(query, bindings={"label": attack}).rows == []
    assert store.count() == 12
    hit = store.query(query, bindings={"label": Literal('Frank "Dune" Herbert', lang="en")})
    assert hit.column("b") == [URIRef(EX + "herbert")]


def test_bindings_need_a_query_form() -> None:
    with pytest.raises(QueryError, match="SELECT, ASK, CONSTRUCT or DESCRIBE"):
        bind_values("INSERT DATA { <a:b> <a:c> <a:d> }", {"x": LEM})
