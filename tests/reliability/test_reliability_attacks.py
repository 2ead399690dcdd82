"""Attacks on `kgqa serve`: SERVICE, LOAD and FROM in every spelling, over every channel.

A loopback listener stands in for a host only the server can reach; it counts every
connection and must count none. Each form is first run as sent by an in-process Oxigraph
store, which shows the form is live (it does call the listener) unless the note says why
not; then a real `kgqa serve` process must refuse it (403, or 400 when rdflib cannot parse
it) over GET, POST form and POST ``application/sparql-query``. Updates go over POST form
and ``application/sparql-update``, to a read-only server and to one that accepts updates
with a token.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import FIXTURES, Server, start_kgqa_server, stop

from kgqa.engine import Engine

TOKEN = "attack-test-token"
NBSP, IDEOGRAPHIC, ZWSP = "\u00a0", "\u3000", "\u200b"
SPO = "{ ?s ?p ?o }"

#: name -> query; {u} is the listener's URL, {base} its URL without the path.
QUERY_FORMS: dict[str, str] = {
    "plain": "SELECT * { SERVICE <{u}> " + SPO + " }",
    "lower case": "select * { service <{u}> " + SPO + " }",
    "SILENT": "SELECT * { SERVICE SILENT <{u}> " + SPO + " }",
    "tab": "SELECT * {\tSERVICE\t<{u}>\t" + SPO + " }",
    "comment between": "SELECT * { SERVICE # note\n<{u}> " + SPO + " }",
    "comment ended by CR": "SELECT * { # note\rSERVICE <{u}> " + SPO + "\n}",
    "CR LF": "SELECT * {\r\nSERVICE <{u}>\r\n" + SPO + "\r\n}",
    "no-break space": "SELECT * { SERVICE" + NBSP + "<{u}> " + SPO + " }",
    "no-break space before": "SELECT * {" + NBSP + "SERVICE <{u}> " + SPO + " }",
    "ideographic space": "SELECT * { SERVICE" + IDEOGRAPHIC + "<{u}> " + SPO + " }",
    "zero-width space": "SELECT * { SERVICE" + ZWSP + "<{u}> " + SPO + " }",
    "escaped keyword": "SELECT * { \\u0053ERVICE <{u}> " + SPO + " }",
    "escaped IRI": "SELECT * { SERVICE <{base}\\u002Fsparql> " + SPO + " }",
    "prefixed name": "PREFIX x: <{base}/> SELECT * { SERVICE x:sparql " + SPO + " }",
    "prefix named service": "PREFIX service: <{base}/> SELECT * { SERVICE service:sparql " + SPO + " }",
    "relative IRI with BASE": "BASE <{base}/> SELECT * { SERVICE <sparql> " + SPO + " }",
    "nested subqueries": "SELECT * { { SELECT ?s { { SELECT ?s { SERVICE <{u}> " + SPO + " } } } } }",
    "OPTIONAL": "SELECT * { OPTIONAL { SERVICE <{u}> " + SPO + " } }",
    "UNION": "SELECT * { { SERVICE <{u}> " + SPO + " } UNION { ?s ?p ?o } }",
    "FILTER EXISTS": "SELECT * { BIND(1 AS ?x) FILTER EXISTS { SERVICE <{u}> " + SPO + " } }",
    "variable": "SELECT * { VALUES ?u { <{u}> } SERVICE ?u " + SPO + " }",
    "quote before": "SELECT * { SERVICE <{u}> { ?s ?p \"<\" } ?s ?p \">\" }",
    "quote between IRIs": "SELECT * { <urn:a>\"<urn:b>\" SERVICE <{u}> " + SPO + " }",
    "triple-quoted string": "SELECT * { SERVICE <{u}> { ?s ?p '''a\"b''' } }",
    "less-than around": "SELECT * { SERVICE <{u}> " + SPO + " FILTER(1<2) FILTER(2>1) }",
    "ASK": "ASK { SERVICE <{u}> " + SPO + " }",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{u}> " + SPO + " }",
    "DESCRIBE": "DESCRIBE ?s WHERE { SERVICE <{u}> " + SPO + " }",
    "FROM": "SELECT * FROM <{u}> { ?s ?p ?o }",
    "FROM NAMED": "SELECT * FROM NAMED <{u}> { GRAPH ?g { ?s ?p ?o } }",
    "FROM prefixed": "PREFIX x: <{base}/> SELECT * FROM x:sparql { ?s ?p ?o }",
}
UPDATE_FORMS: dict[str, str] = {
    "LOAD": "LOAD <{u}>",
    "LOAD SILENT INTO": "LOAD SILENT <{u}> INTO GRAPH <urn:x>",
    "LOAD prefixed": "PREFIX x: <{base}/> LOAD x:data",
    "LOAD after an insert": "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; LOAD <{u}>",
    "SERVICE in WHERE": "INSERT { GRAPH <urn:x> { ?s ?p ?o } } WHERE { SERVICE <{u}> " + SPO + " }",
    "USING": "INSERT { GRAPH <urn:x> { ?s ?p ?o } } USING <{u}> WHERE { ?s ?p ?o }",
    "escaped LOAD": "\\u004cOAD <{u}>",
}


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections (and answers none)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.calls = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.calls += 1
            conn.close()

    def fill(self, template: str) -> str:
        base = f"http://127.0.0.1:{self.port}"
        return template.replace("{u}", base + "/sparql").replace("{base}", base)

    def close(self) -> None:
        self.socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def _project(directory: Path) -> Path:
    with Engine.init(directory) as engine:
        engine.load([FIXTURES / "books.ttl"])
    return directory


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """A read-only server and one that accepts updates with the token (neither allows SERVICE)."""
    read_only = start_kgqa_server(_project(tmp_path_factory.mktemp("ro") / "proj"))
    try:
        writable = start_kgqa_server(
            _project(tmp_path_factory.mktemp("rw") / "proj"), "--allow-updates", env={"KGQA_UPDATE_TOKEN": TOKEN}
        )
    except BaseException:
        stop(read_only.process)
        raise
    yield {"read-only": read_only, "writable": writable}
    stop(read_only.process)
    stop(writable.process)


def _send(url: str, channel: str, field: str, text: str, headers: dict[str, str] | None = None) -> httpx.Response:
    if channel == "GET":
        return httpx.get(url, params={field: text}, timeout=30)
    if channel == "POST form":
        return httpx.post(url, data={field: text}, headers=headers, timeout=30)
    ctype = "application/sparql-query" if field == "query" else "application/sparql-update"
    return httpx.post(url, content=text.encode(), headers={"Content-Type": ctype, **(headers or {})}, timeout=30)


def _live(listener: Listener, text: str, update: bool) -> bool:
    """Does Oxigraph, given ``text`` as sent, call the listener?"""
    before = listener.calls
    store = ox.Store()
    try:
        if update:
            store.update(text)
        else:
            result = store.query(text)
            if not isinstance(result, bool):
                list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    import time

    time.sleep(0.02)  # the listener's thread counts the connection
    return listener.calls > before


def test_no_service_load_or_from_form_reaches_the_listener_on_any_channel(
    listener: Listener, servers: dict[str, Server]
) -> None:
    live = [name for name, form in QUERY_FORMS.items() if _live(listener, listener.fill(form), update=False)]
    live += [name for name, form in UPDATE_FORMS.items() if _live(listener, listener.fill(form), update=True)]
    # The forms are real attacks: run as sent, most make Oxigraph call the listener.
    assert {"plain", "comment ended by CR", "prefixed name", "nested subqueries", "LOAD", "SERVICE in WHERE"} <= set(live)
    listener.calls = 0

    statuses: dict[int, int] = {}
    requests = 0
    for name, form in QUERY_FORMS.items():
        for channel in ("GET", "POST form", "POST sparql-query"):
            response = _send(servers["read-only"].query_url, channel, "query", listener.fill(form))
            requests += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code in (400, 403), (name, channel, response.status_code, response.text)
            assert response.text.count("\n") == 1, response.text  # one line
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for name, form in UPDATE_FORMS.items():
        for server, headers in (("read-only", {}), ("writable", auth)):
            for channel in ("POST form", "POST sparql-update"):
                response = _send(servers[server].update_url, channel, "update", listener.fill(form), headers)
                requests += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code in (400, 403), (name, server, channel, response.status_code, response.text)
    assert listener.calls == 0
    print(
        f"\nattacks: {len(QUERY_FORMS)} query forms x 3 channels + {len(UPDATE_FORMS)} update forms x 2 servers x 2 channels"
        f" = {requests} requests, {len(live)} forms live when run as sent, statuses {dict(sorted(statuses.items()))},"
        f" listener calls {listener.calls}"
    )


def test_the_refusals_leave_ordinary_queries_and_updates_alone(servers: dict[str, Server]) -> None:
    url = servers["writable"].query_url
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # The words and IRIs elsewhere are no SERVICE clause; a FROM naming a graph of the store is fine.
    plain = httpx.get(url, params={"query": 'SELECT ?service { ?service ?p "SERVICE <http://x/>" } # SERVICE <http://y/>'})
    assert plain.status_code == 200
    for server in servers.values():  # the read-only one runs queries in its worker pool
        graph = httpx.get(server.query_url, params={"query": "SELECT (COUNT(*) AS ?n) FROM <urn:kgqa:graph:facts> { ?s ?p ?o }"})
        assert graph.status_code == 200 and int(graph.json()["results"]["bindings"][0]["n"]["value"]) > 0
    # CR LF line ends and \\u escapes in strings still work; the escape is read once.
    crlf = httpx.get(url, params={"query": "SELECT ?x\r\n{ BIND(\"caf\\u00e9\" AS ?x) }\r\n"})
    assert crlf.status_code == 200 and crlf.json()["results"]["bindings"][0]["x"]["value"] == "café"
    insert = httpx.post(
        url, data={"update": "INSERT DATA { GRAPH <urn:t> { <urn:a> <urn:b> \"c\" } }"}, headers=auth, timeout=30
    )
    assert insert.status_code == 204
    # With the graph now in the store, USING it is fine too.
    using = httpx.post(
        url, data={"update": "DELETE { GRAPH <urn:t> { ?s ?p ?o } } USING <urn:t> WHERE { ?s ?p ?o }"}, headers=auth, timeout=30
    )
    assert using.status_code == 204
    long_query = "SELECT * { " + " ".join(f"?s{i} <urn:p> ?o{i} ." for i in range(300)) + " }"
    assert httpx.post(url, data={"query": long_query}, timeout=60).status_code == 200


def test_the_reading_is_what_runs_where_rdflib_and_oxigraph_disagree() -> None:
    """In-process: the text the server runs is the one rdflib read, so both see the same SERVICE."""
    from kgqa.errors import QueryError
    from kgqa.sparql.reach import MAX_QUERY_CHARS, read_query, read_update

    # A carriage return ends the comment for Oxigraph; rdflib read the rest of the line as comment.
    reach = read_query("SELECT * { # note\rSERVICE <http://10.0.0.1/> { ?s ?p ?o }\n}")
    assert reach.services == ("http://10.0.0.1/",) and "\r" not in reach.text
    # An escaped keyword is expanded once, in the text that runs too.
    assert read_query("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }").text.startswith("SELECT * { SERVICE")
    with pytest.raises(QueryError):  # never twice: the backslash it gives is no escape rdflib reads in a string
        read_query('SELECT ?x { BIND("\\u005cu0053" AS ?x) }')
    update = read_update("PREFIX x: <http://10.0.0.1/> LOAD x:data ; INSERT { ?s ?p ?o } USING x:g WHERE { ?s ?p ?o }")
    assert update.loads == ("http://10.0.0.1/data",) and [str(d) for d in update.datasets] == ["http://10.0.0.1/g"]
    assert read_query("SELECT * FROM <urn:kgqa:graph:facts> { ?s ?p ?o }").refusal(lambda: ["urn:kgqa:graph:facts"]) is None
    for bad in ("SELECT * { " + "{" * 3000 + "}" * 3000 + " }", "SELECT * { ?s ?p ?o } # " + "x" * MAX_QUERY_CHARS,
                "SELECT * WHERE { ?s ?p }", "PREFIX x: <urn:> SELECT * FROM y:g { ?s ?p ?o }"):
        with pytest.raises(QueryError) as error:
            read_query(bad)
        assert "\n" not in str(error.value)
