"""The remote backend against a real Oxigraph server process."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BOOKS, BOOKS_BY, EX, FIXTURES, LEM, Server, free_port
from rdflib import Literal, URIRef

from kgqa.engine import Engine
from kgqa.errors import EndpointError, GraphNotFound, QueryError, RDFSyntaxError, ReadOnlyError
from kgqa.namespaces import DEFAULT_FACTS_GRAPH, KGQA, ONTOLOGY_GRAPH
from kgqa.store.endpoint import EndpointStore
from kgqa.store.oxigraph import OxigraphStore


@pytest.fixture
def remote(oxigraph_server: Server):
    store = EndpointStore(oxigraph_server.query_url, oxigraph_server.update_url)
    yield store
    store.close()


def test_load_and_query_select_ask_construct(remote: EndpointStore) -> None:
    assert remote.load(FIXTURES / "books.ttl", graph=BOOKS) == 12
    assert remote.graphs() == [BOOKS]
    assert remote.count() == remote.count(BOOKS) == 12
    assert remote.query(BOOKS_BY, bindings={"a": LEM}).column("b") == [URIRef(EX + "cyberiad"), URIRef(EX + "solaris")]
    label = remote.query("SELECT ?l { <http://example.org/herbert> <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert label.column("l") == [Literal('Frank "Dune" Herbert', lang="en")]
    assert bool(remote.query("ASK { ?b a <http://example.org/Book> }"))
    assert not remote.query("ASK { ?b a <http://example.org/Film> }")
    graph = remote.query("CONSTRUCT { ?b <http://example.org/by> ?a } WHERE { ?b <http://example.org/author> ?a }")
    assert len(graph) == 3 and (URIRef(EX + "dune"), URIRef(EX + "by"), URIRef(EX + "herbert")) in graph.graph


QUERIES = [
    BOOKS_BY,
    "SELECT (COUNT(?b) AS ?n) { ?b <http://example.org/author> ?a }",
    "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "ASK { ?b <http://example.org/author> ?a }",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("graph", [None, BOOKS])
def test_answers_match_the_embedded_store(remote: EndpointStore, query: str, graph: URIRef | None) -> None:
    local = OxigraphStore()
    # One new triple, and one also in the books graph: unions repeat a triple once per graph.
    extra = [
        (URIRef(EX + "neuromancer"), URIRef(EX + "author"), LEM, URIRef("urn:test:other")),
        (URIRef(EX + "solaris"), URIRef(EX + "author"), LEM, URIRef("urn:test:other")),
    ]
    for store in (local, remote):
        store.load(FIXTURES / "books.ttl", graph=BOOKS)
        store.add(extra)
    expected = local.query(query, graph=graph, bindings={"a": LEM})
    got = remote.query(query, graph=graph, bindings={"a": LEM})
    assert got == expected
    assert got.kind == "ask" or len(got) > 0


def test_union_default_graph_servers(oxigraph_union_server: Server) -> None:
    store = EndpointStore(oxigraph_union_server.query_url, oxigraph_union_server.update_url, union_default_graph=True)
    store.load(FIXTURES / "books.ttl", graph=BOOKS)
    store.add([(URIRef(EX + "neuromancer"), URIRef(EX + "author"), LEM, URIRef("urn:test:other"))])
    assert store.count() == 13 and store.count(BOOKS) == 12
    by_lem = store.query(BOOKS_BY, bindings={"a": LEM}).column("b")
    assert by_lem == [URIRef(EX + "cyberiad"), URIRef(EX + "neuromancer"), URIRef(EX + "solaris")]
    assert len(store.query("SELECT * { ?s ?p ?o }", graph=BOOKS)) == 12


def test_quads_keep_their_graphs(remote: EndpointStore) -> None:
    assert remote.load(FIXTURES / "quads.nq", graph="urn:test:triples") == 3
    assert remote.graphs() == [URIRef("urn:test:g1"), URIRef("urn:test:g2"), URIRef("urn:test:triples")]
    assert remote.count() == 3


def test_drop_and_replace_graph(remote: EndpointStore) -> None:
    remote.load(FIXTURES / "books.ttl", graph=BOOKS)
    remote.add([(URIRef(EX + "x"), URIRef(EX + "author"), URIRef(EX + "y"), URIRef("urn:test:keep"))])
    new = [(URIRef(EX + "n1"), URIRef(EX + "author"), LEM, None)]
    assert remote.replace_graph(BOOKS, new) == 1
    assert remote.query(BOOKS_BY, graph=BOOKS).column("b") == [URIRef(EX + "n1")]
    assert remote.graphs() == [BOOKS, URIRef("urn:test:keep")], "no scratch graph is left behind"
    remote.drop_graph(BOOKS)
    assert remote.graphs() == [URIRef("urn:test:keep")] and remote.count() == 1


@pytest.mark.parametrize("name", ["bad_syntax.ttl", "not_utf8.ttl"])
def test_a_failed_load_leaves_the_graph_unchanged(remote: EndpointStore, name: str) -> None:
    remote.load(FIXTURES / "books.ttl", graph=BOOKS)
    with pytest.raises(RDFSyntaxError, match=rf"{name.replace('.', '[.]')}:3"):
        remote.load(FIXTURES / name, graph=BOOKS)
    assert remote.count() == remote.count(BOOKS) == 12
    assert remote.graphs() == [BOOKS]


def test_errors_are_typed_and_one_line(remote: EndpointStore) -> None:
    with pytest.raises(GraphNotFound, match="urn:nope"):
        remote.query("SELECT * { ?s ?p ?o }", graph="urn:nope")
    with pytest.raises(QueryError) as info:
        remote.query("SELECT ?x WHERE { ?x ?p }")
    assert remote.query_url in str(info.value) and "\n" not in str(info.value)
    read_only = EndpointStore(remote.query_url)
    with pytest.raises(ReadOnlyError, match="read-only"):
        read_only.load(FIXTURES / "books.ttl")
    assert remote.count() == 0


def test_the_result_cap_truncates(remote: EndpointStore) -> None:
    remote.load(FIXTURES / "books.ttl", graph=BOOKS)
    rows = remote.query("SELECT * { ?s ?p ?o }", limit=5)
    assert len(rows) == 5 and rows.truncated
    graph = remote.query("CONSTRUCT WHERE { ?s ?p ?o }", limit=5)
    assert len(graph) == 5 and graph.truncated


def test_an_unreachable_endpoint_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    store = EndpointStore(url, url.replace("query", "update"))
    for call in (store.count, lambda: store.query("ASK {}"), lambda: store.load(FIXTURES / "books.ttl")):
        with pytest.raises(EndpointError, match="cannot reach the SPARQL endpoint") as info:
            call()
        message = str(info.value)
        assert message.startswith("http://127.0.0.1:") and "\n" not in message


def test_an_engine_on_an_endpoint_project(oxigraph_server: Server, tmp_path: Path) -> None:
    config = {"store": {"backend": "endpoint", "query_url": oxigraph_server.query_url, "update_url": oxigraph_server.update_url}}
    with Engine.init(tmp_path / "proj", config=config) as engine:
        assert engine.store.backend == "endpoint"
        engine.load([FIXTURES / "books.ttl"])
        assert engine.store.graphs() == [DEFAULT_FACTS_GRAPH, ONTOLOGY_GRAPH]
    with Engine.open(tmp_path / "proj") as engine:
        assert engine.sparql(BOOKS_BY, bindings={"a": LEM}).column("b") == [URIRef(EX + "cyberiad"), URIRef(EX + "solaris")]
        assert KGQA.ModelRun in engine.ontology.classes, "the ontology graph is read back through the endpoint"


def test_a_zero_or_no_timeout_means_no_limit_not_no_waiting(remote: EndpointStore) -> None:
    # Question answering runs its small queries with timeout=0 ("inline, no limit"); httpx would
    # read 0 as "never wait" and fail with EAGAIN whenever the server was not instant.
    remote.load(FIXTURES / "books.ttl", graph=BOOKS)
    cross = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    for timeout in (0, None, -1):
        assert int(remote.query(cross, timeout=timeout).rows[0][0]) == 12**3


def test_the_label_index_is_read_from_an_endpoint_in_pages(remote: EndpointStore) -> None:
    from kgqa.linking.labels import LabelIndex

    remote.add((URIRef(f"{EX}e{i}"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(f"entity {i}"), BOOKS)
               for i in range(25))
    remote.load(FIXTURES / "books.ttl", graph=BOOKS)
    whole = LabelIndex.from_store(remote, page=1_000)
    paged = LabelIndex.from_store(remote, page=4)
    assert len(paged) == len(whole) >= 28
    assert paged.lookup("entity 24")[0].iri == URIRef(EX + "e24") and paged.types(LEM) == whole.types(LEM)
