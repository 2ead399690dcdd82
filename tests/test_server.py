"""`kgqa serve` over real HTTP: SPARQLWrapper as the client, every result format and method."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import EX, FIXTURES, Server, free_port, start_kgqa_server, stop
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import CSV, JSON, N3, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper

from kgqa.engine import Engine
from kgqa.namespaces import DEFAULT_FACTS_GRAPH

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT_BY_LEM = """
    PREFIX ex: <http://example.org/>
    SELECT ?book ?label WHERE { ?book ex:author ex:lem ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }
    ORDER BY ?book
"""
EXPECTED_ROWS = [(EX + "cyberiad", "The Cyberiad"), (EX + "solaris", "Solaris")]
CONSTRUCT = "CONSTRUCT { ?b <http://example.org/by> ?a } WHERE { ?b <http://example.org/author> ?a }"
EXPECTED_TRIPLES = {
    (URIRef(EX + b), URIRef(EX + "by"), URIRef(EX + a)) for b, a in [("solaris", "lem"), ("cyberiad", "lem"), ("dune", "herbert")]
}
INSERT = 'INSERT DATA { GRAPH <urn:test:new> { <http://example.org/x> <http://example.org/p> "new" } }'
COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
TOKEN = "s3cret-token"


def _project(directory: Path) -> Path:
    with Engine.init(directory) as engine:
        engine.load([FIXTURES / "books.ttl"])
    return directory


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One read-only server on the books project, shared by the module's read-only tests."""
    running = start_kgqa_server(_project(tmp_path_factory.mktemp("served") / "proj"))
    yield running
    stop(running.process)


def _client(server: Server, query: str, fmt: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.query_url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == "post-form":
        client.setMethod(POST)
    elif method == "post-direct":
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    return client


METHODS = ["get", "post-form", "post-direct"]


def _count(server: Server) -> int:
    response = httpx.get(server.query_url, params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("method", METHODS)
def test_select_in_json_xml_and_csv(server: Server, method: str) -> None:
    as_json = _client(server, SELECT_BY_LEM, JSON, method).queryAndConvert()
    assert as_json["head"]["vars"] == ["book", "label"]
    rows = [(b["book"]["value"], b["label"]["value"]) for b in as_json["results"]["bindings"]]
    assert rows == EXPECTED_ROWS
    assert as_json["results"]["bindings"][0]["label"]["xml:lang"] == "en"

    doc = _client(server, SELECT_BY_LEM, XML, method).queryAndConvert()
    results = doc.getElementsByTagName("result")
    xml_rows = [
        tuple(b.getElementsByTagName("uri" if b.getAttribute("name") == "book" else "literal")[0].firstChild.data
              for b in r.getElementsByTagName("binding"))
        for r in results
    ]
    assert xml_rows == EXPECTED_ROWS

    raw = _client(server, SELECT_BY_LEM, CSV, method).queryAndConvert()
    table = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert table == [["book", "label"], *map(list, EXPECTED_ROWS)]


@pytest.mark.parametrize("method", METHODS)
def test_ask_in_json_xml_and_csv(server: Server, method: str) -> None:
    for query, answer in [("ASK { ?b a <http://example.org/Book> }", True), ("ASK { ?b a <http://example.org/Film> }", False)]:
        assert _client(server, query, JSON, method).queryAndConvert()["boolean"] is answer
        doc = _client(server, query, XML, method).queryAndConvert()
        assert doc.getElementsByTagName("boolean")[0].firstChild.data == str(answer).lower()
        raw = _client(server, query, CSV, method).queryAndConvert().decode()
        assert raw.split() == ["_askResult", str(answer).lower()]


@pytest.mark.parametrize("method", METHODS)
def test_construct_in_turtle_and_ntriples(server: Server, method: str) -> None:
    turtle = _client(server, CONSTRUCT, TURTLE, method).query()
    assert turtle.response.headers["Content-Type"].startswith("text/turtle")
    assert set(Graph().parse(data=turtle.convert(), format="turtle")) == EXPECTED_TRIPLES

    client = _client(server, CONSTRUCT, N3, method)
    client.addCustomHttpHeader("Accept", "application/n-triples")
    ntriples = client.query()
    assert ntriples.response.headers["Content-Type"].startswith("application/n-triples")
    assert set(Graph().parse(data=ntriples.convert(), format="nt")) == EXPECTED_TRIPLES


def test_one_named_graph_and_a_missing_one(server: Server) -> None:
    only_facts = httpx.get(
        server.query_url,
        params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "default-graph-uri": str(DEFAULT_FACTS_GRAPH)},
        headers={"Accept": "text/csv"},
    )
    assert only_facts.status_code == 200 and only_facts.text.split() == ["n", "12"]
    missing = httpx.get(server.query_url, params={"query": "ASK {}", "default-graph-uri": "urn:nope"})
    assert missing.status_code == 404 and "urn:nope" in missing.text


def test_a_malformed_query_gets_400_with_the_parser_message(server: Server) -> None:
    response = httpx.get(server.query_url, params={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert response.status_code == 400
    # rdflib's parser reads every request first (kgqa.sparql.reach); its message gives the position.
    assert response.text.startswith("SPARQL syntax error: ") and "(line:1, col:19)" in response.text
    no_query = httpx.post(server.query_url, data={"nothing": "here"})
    assert no_query.status_code == 400 and "query" in no_query.text


def test_a_read_only_server_refuses_updates(server: Server) -> None:
    before = _count(server)
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        response = httpx.post(server.update_url, data={"update": INSERT}, headers=headers)
        assert response.status_code == 403 and "read-only" in response.text
    direct = httpx.post(server.update_url, content=INSERT, headers={"Content-Type": "application/sparql-update"})
    assert direct.status_code == 403
    assert _count(server) == before > 0


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that accepts updates with the token, with a 1 s timeout and a 5-row cap.

    Its project has the books and 20,000 more triples, enough for a runaway query.
    """
    project = _project(tmp_path_factory.mktemp("writable") / "proj")
    with Engine.open(project) as engine:
        engine.store.add((URIRef(f"{EX}e{i}"), URIRef(EX + "p"), Literal(i), None) for i in range(20_000))
    flags = ["--allow-updates", "--timeout", "1", "--limit", "5"]
    running = start_kgqa_server(project, *flags, env={"KGQA_UPDATE_TOKEN": TOKEN})
    yield running
    stop(running.process)


def test_updates_need_the_token(writable: Server) -> None:
    before = _count(writable)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        refused = httpx.post(writable.update_url, data={"update": INSERT}, headers=headers)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert _count(writable) == before

    client = SPARQLWrapper(writable.update_url)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery(INSERT)
    assert client.query().response.status == 204
    assert _count(writable) == before + 1
    label = httpx.get(writable.query_url, params={"query": "SELECT ?o { <http://example.org/x> ?p ?o }"})
    assert label.json()["results"]["bindings"][0]["o"]["value"] == "new"

    broken = httpx.post(writable.update_url, data={"update": "INSERT DATUM {}"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert broken.status_code == 400 and "syntax error" in broken.text


def test_timeout_and_result_cap(writable: Server) -> None:
    # 4e8 rows into one aggregate (about 45 s here): the answer must come after 1 s, not at the end.
    # The server's worker goes on in the background until the module's server is stopped.
    runaway = "SELECT (COUNT(*) AS ?n) { ?a <http://example.org/p> ?b . ?c <http://example.org/p> ?d }"
    start = time.perf_counter()
    response = httpx.get(writable.query_url, params={"query": runaway}, timeout=30)
    assert response.status_code == 503 and "1 s timeout" in response.text
    assert time.perf_counter() - start < 2.5
    capped = httpx.get(writable.query_url, params={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert capped.status_code == 200 and capped.headers["X-Kgqa-Truncated"] == "true"
    assert len(capped.text.strip().splitlines()) == 1 + 5


def test_an_unreachable_backend_gives_502(tmp_path: Path) -> None:
    """A server whose own store is a remote endpoint that is down (in-process app, no socket needed)."""
    from fastapi.testclient import TestClient

    from kgqa.config import Config
    from kgqa.server import ServerSettings, create_app
    from kgqa.store.endpoint import EndpointStore

    url = f"http://127.0.0.1:{free_port()}/query"
    engine = Engine(EndpointStore(url), Config.from_dict({}), None)
    with TestClient(create_app(engine, ServerSettings(timeout=5))) as client:
        response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 502 and response.text.startswith(f"{url}: cannot reach the SPARQL endpoint")


def test_service_queries_are_refused_so_the_server_fetches_nothing(server: Server) -> None:
    import socket
    import threading

    # A listener standing in for a host only the server can reach: it must never be called.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(3)
    calls: list[bytes] = []

    def accept() -> None:
        try:
            conn, _ = listener.accept()
            calls.append(conn.recv(1024))
            conn.close()
        except OSError:
            pass

    waiter = threading.Thread(target=accept)
    waiter.start()
    port = listener.getsockname()[1]
    query = f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    response = httpx.get(server.query_url, params={"query": query})
    waiter.join()
    listener.close()
    assert response.status_code == 403 and "SERVICE" in response.text and "--allow-service" in response.text
    assert calls == []
    # The word elsewhere is no SERVICE clause.
    plain = httpx.get(server.query_url, params={"query": 'SELECT ?service { ?service ?p "SERVICE" }'})
    assert plain.status_code == 200


def test_protocol_refusals_named_graphs_and_unacceptable_formats(server: Server) -> None:
    select = "SELECT * { ?s ?p ?o } LIMIT 1"
    named = httpx.get(server.query_url, params={"query": select, "named-graph-uri": "urn:x"})
    assert named.status_code == 400 and "named-graph-uri" in named.text
    html = httpx.get(server.query_url, params={"query": select}, headers={"Accept": "text/html"})
    assert html.status_code == 406 and "application/sparql-results+json" in html.text
    refused = httpx.get(server.query_url, params={"query": select}, headers={"Accept": "text/csv;q=0, application/json;q=0"})
    assert refused.status_code == 406
    browser = httpx.get(server.query_url, params={"query": select}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("application/sparql-results+json")
    text = httpx.get(server.query_url, params={"query": select}, headers={"Accept": "text/*"})
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/csv")
