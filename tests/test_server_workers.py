"""`kgqa serve` runs queries in worker processes: a runaway query really stops, one client cannot take every core.

A real server process on 127.0.0.1; clients on other loopback addresses (127.0.0.2...) count as other clients.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import EX, FIXTURES, Server, start_kgqa_server, stop
from rdflib import Literal, URIRef

from kgqa.bench.serve import cpu_seconds
from kgqa.engine import Engine

# 4e8 rows into one aggregate: tens of seconds of one core, in one step Oxigraph cannot interrupt.
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a <http://example.org/p> ?b . ?c <http://example.org/p> ?d }"
CHEAP = "SELECT ?b { ?b <http://example.org/author> <http://example.org/lem> }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = tmp_path_factory.mktemp("runaway") / "proj"
    with Engine.init(project) as engine:
        engine.load([FIXTURES / "books.ttl"])
        engine.store.add((URIRef(f"{EX}e{i}"), URIRef(EX + "p"), Literal(i), None) for i in range(20_000))
    running = start_kgqa_server(project, "--timeout", "1", "--workers", "2")
    yield running
    stop(running.process)


def _client(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def test_a_runaway_query_frees_its_core_and_others_are_served(server: Server) -> None:
    runaway: dict[str, httpx.Response] = {}

    # The runaway's client has an address of its own: the fixture's start-up probes come from 127.0.0.1.
    def send_runaway() -> None:
        with _client("127.0.0.3") as client:
            runaway["response"] = client.get(server.query_url, params={"query": RUNAWAY})

    started = time.monotonic()
    sender = threading.Thread(target=send_runaway)
    sender.start()
    time.sleep(0.3)
    # While it runs: the same client may not start another query, another client is served.
    with _client("127.0.0.3") as same:
        refused = same.get(server.query_url, params={"query": CHEAP})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    with _client("127.0.0.2") as other:
        served = other.get(server.query_url, params={"query": CHEAP})
    assert served.status_code == 200 and len(served.json()["results"]["bindings"]) == 2, served.text
    sender.join()
    answered = time.monotonic()
    assert runaway["response"].status_code == 503 and "1 s timeout" in runaway["response"].text
    assert answered - started < 2.5

    # Within 2 s of the 503 the server is idle: its killed worker no longer burns a core.
    time.sleep(max(0.0, answered + 1.0 - time.monotonic()))
    before = cpu_seconds(server.process.pid)
    time.sleep(1.0)
    used = cpu_seconds(server.process.pid) - before
    assert used < 0.2, f"the server used {used:.2f} s of CPU in the second second after the 503"

    # The replacement worker answers; the same client may query again.
    with _client("127.0.0.3") as same:
        again = same.get(server.query_url, params={"query": CHEAP})
    assert again.status_code == 200 and len(again.json()["results"]["bindings"]) == 2


def test_many_clients_at_once_are_all_parsed_and_answered(server: Server) -> None:
    """20 clients (own addresses) x 5 queries at once: no request fails its parse (rdflib's parser is not
    thread-safe: unguarded, 97 of 100 got 400 here). This server's 1 s timeout may turn a few away with 503
    on a loaded machine; those are not errors of the request."""
    statuses: list[int] = []

    def client(i: int) -> None:
        with _client(f"127.0.0.{10 + i}") as c:
            for k in range(5):
                query = f"SELECT ?o {{ <{EX}e{i * 5 + k}> ?p ?o }}"
                response = c.get(server.query_url, params={"query": query})
                statuses.append(response.status_code)
                if response.status_code == 200:
                    assert response.json()["results"]["bindings"][0]["o"]["value"] == str(i * 5 + k)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 100 and set(statuses) <= {200, 503} and statuses.count(200) >= 80, statuses
