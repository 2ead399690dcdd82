"""The embedded Oxigraph store, on disk: loading, named graphs, atomic writes, limits."""

from __future__ import annotations

import gzip
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import BOOKS, BOOKS_BY, EX, FIXTURES
from rdflib import Literal, URIRef

from kgqa.errors import GraphNotFound, KgqaError, ProjectError, QueryError, QueryTimeout, RDFSyntaxError, ReadOnlyError
from kgqa.store import open_store
from kgqa.store.oxigraph import OxigraphStore

AUTHOR = URIRef(EX + "author")


@pytest.fixture
def store(tmp_path: Path):
    s = OxigraphStore(tmp_path / "store")
    yield s
    s.close()


def test_load_into_a_named_graph_and_query_it(store: OxigraphStore) -> None:
    assert store.load(FIXTURES / "books.ttl", graph=BOOKS) == 12
    assert store.graphs() == [BOOKS]
    assert store.count() == store.count(BOOKS) == 12
    result = store.query(BOOKS_BY, bindings={"a": URIRef(EX + "lem")})
    assert result.column("b") == [URIRef(EX + "cyberiad"), URIRef(EX + "solaris")]
    assert result.to_dicts()[0] == {"b": EX + "cyberiad"}
    assert bool(store.query("ASK { ?b a <http://example.org/Book> }"))
    assert not store.query("ASK { ?b a <http://example.org/Film> }")
    graph = store.query("CONSTRUCT { ?b <http://example.org/by> ?a } WHERE { ?b <http://example.org/author> ?a }")
    assert len(graph) == 3 and (URIRef(EX + "dune"), URIRef(EX + "by"), URIRef(EX + "herbert")) in graph.graph


def test_query_one_graph_or_the_union(store: OxigraphStore) -> None:
    store.load(FIXTURES / "books.ttl", graph=BOOKS)
    other = URIRef("urn:test:other")
    store.add([(URIRef(EX + "neuromancer"), AUTHOR, URIRef(EX + "gibson"), other)])
    count_books = "SELECT (COUNT(?b) AS ?n) { ?b <http://example.org/author> ?a }"
    assert store.query(count_books).to_dicts() == [{"n": 4}]
    assert store.query(count_books, graph=BOOKS).to_dicts() == [{"n": 3}]
    assert store.query(count_books, graph=str(other)).to_dicts() == [{"n": 1}]
    which = store.query("SELECT DISTINCT ?g { GRAPH ?g { ?b <http://example.org/author> ?a } } ORDER BY ?g")
    assert which.column("g") == [BOOKS, other]
    with pytest.raises(GraphNotFound, match="urn:nope"):
        store.query(count_books, graph="urn:nope")


def test_data_persists_and_read_only_refuses_writes(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "store") as s:
        s.load(FIXTURES / "books.ttl", graph=BOOKS)
    reopened = OxigraphStore(tmp_path / "store", read_only=True)
    assert reopened.count(BOOKS) == 12
    with pytest.raises(ReadOnlyError, match="read-only"):
        reopened.update("DROP ALL")
    with pytest.raises(ReadOnlyError):
        reopened.load(FIXTURES / "books.ttl")
    assert reopened.count() == 12


def test_a_store_in_use_gives_a_clear_error(store: OxigraphStore) -> None:
    with pytest.raises(ProjectError, match="another process"):
        OxigraphStore(store.location)


def test_drop_graph(store: OxigraphStore) -> None:
    store.load(FIXTURES / "books.ttl", graph=BOOKS)
    store.add([(URIRef(EX + "x"), AUTHOR, URIRef(EX + "y"), URIRef("urn:test:keep"))])
    store.drop_graph(BOOKS)
    store.drop_graph("urn:test:never-existed")
    assert store.graphs() == [URIRef("urn:test:keep")]
    assert store.count() == 1


def test_replace_graph_swaps_content_in_one_step(store: OxigraphStore) -> None:
    store.load(FIXTURES / "books.ttl", graph=BOOKS)
    store.add([(URIRef(EX + "x"), AUTHOR, URIRef(EX + "y"), URIRef("urn:test:keep"))])
    new = [(URIRef(EX + "n1"), AUTHOR, URIRef(EX + "lem"), None), (URIRef(EX + "n2"), AUTHOR, URIRef(EX + "lem"), None)]
    assert store.replace_graph(BOOKS, new) == 2
    assert store.query(BOOKS_BY, graph=BOOKS).column("b") == [URIRef(EX + "n1"), URIRef(EX + "n2")]
    assert store.graphs() == [BOOKS, URIRef("urn:test:keep")], "no scratch graph is left behind"
    assert store.replace_graph(BOOKS, []) == 0
    assert store.count(BOOKS) == 0 and store.count() == 1


def test_add_is_all_or_nothing(store: OxigraphStore) -> None:
    good = (URIRef(EX + "a"), AUTHOR, URIRef(EX + "b"), None)
    bad = (URIRef(EX + "c"), Literal("a literal cannot be a predicate"), URIRef(EX + "d"), None)
    with pytest.raises((TypeError, ValueError)):
        store.add([good, bad])
    assert store.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad_syntax.ttl", r"bad_syntax\.ttl:3:\d+: .*dot is expected"),
        ("not_utf8.ttl", r"not_utf8\.ttl:3: not valid UTF-8 \(byte 0xe9\)"),
    ],
)
def test_a_bad_file_names_file_and_line_and_changes_nothing(store: OxigraphStore, name: str, message: str) -> None:
    store.load(FIXTURES / "books.ttl", graph=BOOKS)
    with pytest.raises(RDFSyntaxError, match=message) as info:
        store.load(FIXTURES / name, graph=BOOKS)
    assert "\n" not in str(info.value)
    assert store.count() == store.count(BOOKS) == 12


def test_unknown_extension_and_missing_file(store: OxigraphStore, tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_text("x")
    with pytest.raises(RDFSyntaxError, match=r"notes\.docx: cannot tell the RDF format"):
        store.load(tmp_path / "notes.docx")
    with pytest.raises(RDFSyntaxError, match=r"absent\.ttl: no such file"):
        store.load(tmp_path / "absent.ttl")
    with pytest.raises(RDFSyntaxError, match="unknown RDF format 'yaml'"):
        store.load(FIXTURES / "books.ttl", fmt="yaml")


def test_gzip_quads_and_relative_iris(store: OxigraphStore, tmp_path: Path) -> None:
    packed = tmp_path / "books.ttl.gz"
    with open(FIXTURES / "books.ttl", "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert store.load(packed, graph=BOOKS) == 12
    assert store.load(FIXTURES / "quads.nq") == 3
    assert store.count(URIRef("urn:test:g1")) == store.count(URIRef("urn:test:g2")) == 1
    (tmp_path / "relative.ttl").write_text('<thing> <http://example.org/p> "v" .\n', encoding="utf-8")
    store.load(tmp_path / "relative.ttl", graph="urn:test:rel")
    assert store.query("SELECT ?s { ?s <http://example.org/p> ?o }", graph="urn:test:rel").column("s") == [
        URIRef((tmp_path / "thing").as_uri())
    ]


def test_syntax_errors_are_one_line_query_errors(store: OxigraphStore) -> None:
    with pytest.raises(QueryError, match="SPARQL syntax error") as info:
        store.query("SELECT ?x WHERE { ?x ?p }")
    assert "\n" not in str(info.value)
    with pytest.raises(QueryError, match="update syntax error"):
        store.update("INSERT DATUM { }")


def _fill(store: OxigraphStore, n: int) -> None:
    store.add((URIRef(f"{EX}e{i}"), URIRef(EX + "p"), Literal(i), None) for i in range(n))


def _query_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kgqa-query"]


@pytest.mark.parametrize(
    ("query", "worker_ends_within"),
    [
        # Streams rows (2.7e10 of them): the worker stops at the next row.
        ("SELECT * { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }", 0.5),
        # One blocking aggregate step over 1.6e7 rows (about 2 s): it cannot be interrupted,
        # the caller gets control back on time and the worker finishes in the background.
        ("SELECT (COUNT(*) AS ?n) { ?a ?p ?b . ?c ?q ?d }", 30.0),
    ],
    ids=["rows", "aggregate"],
)
def test_a_runaway_query_is_stopped_by_the_timeout(query: str, worker_ends_within: float) -> None:
    store = OxigraphStore()
    _fill(store, 4000)
    start = time.perf_counter()
    with pytest.raises(QueryTimeout, match="stopped after the 0.5 s timeout"):
        store.query(query, timeout=0.5)
    assert time.perf_counter() - start < 1.5
    assert store.query("ASK { ?a ?p ?b }", timeout=0.5), "the store still answers"
    deadline = time.perf_counter() + worker_ends_within
    while _query_workers() and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert not _query_workers()


def test_the_result_cap_truncates(store: OxigraphStore) -> None:
    _fill(store, 50)
    rows = store.query("SELECT ?s { ?s ?p ?o }", limit=10)
    assert len(rows) == 10 and rows.truncated
    complete = store.query("SELECT ?s { ?s ?p ?o }", limit=50)
    assert len(complete) == 50 and not complete.truncated
    graph = store.query("CONSTRUCT WHERE { ?s ?p ?o }", limit=7)
    assert len(graph) == 7 and graph.truncated


def test_open_store_by_backend_name(tmp_path: Path) -> None:
    with open_store("oxigraph", path=tmp_path / "s") as s:
        assert s.backend == "oxigraph" and s.count() == 0
    with pytest.raises(KgqaError, match="unknown store 'no-such-backend'; known: endpoint, oxigraph"):
        open_store("no-such-backend")
