"""The remote backend: any SPARQL 1.1 Protocol server.

Queries go to the query URL, updates to the update URL (SPARQL 1.1 Protocol, POST).

*The union of all graphs.* kgqa queries see every graph unless they name one. The
protocol cannot name a server's unnamed default graph, so by default kgqa sends the
dataset explicitly: the named graphs (listed with ``GRAPH ?g {}``) form the default
graph, and stay available to ``GRAPH`` patterns; triples in the server's unnamed
default graph are then seen only while no named graph exists. Servers that already
answer over the union (``oxigraph serve --union-default-graph``, GraphDB, Virtuoso,
Fuseki with ``unionDefaultGraph``) can say so with ``union_default_graph=True``
(``store.union_default_graph`` in kgqa.toml): queries then go as they are.

*Atomic writes.* Writes are staged in scratch graphs and ``ADD``-ed in one update, so
a failed load leaves the target graph untouched.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

from kgqa.errors import EndpointError, GraphNotFound, QueryError, QueryTimeout, ReadOnlyError
from kgqa.sparql.build import bind_values, render_term
from kgqa.sparql.results import AskResult, GraphResult, QueryResult, SelectResult, rows_from_dicts
from kgqa.sparql.terms import to_rdflib
from kgqa.store import STORES
from kgqa.store.base import DEFAULT_LIMIT, DEFAULT_TIMEOUT_S, Quad, Store, one_line
from kgqa.store.formats import oxigraph_format, parse_quads, read_checked

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_BATCH = 5_000
_LIST_GRAPHS = "SELECT DISTINCT ?g { GRAPH ?g { } }"


@STORES.register("endpoint")
class EndpointStore(Store):
    """A SPARQL 1.1 server at ``query_url`` (and ``update_url`` for writes).

    Example:
        >>> store = EndpointStore("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update")
        >>> store.location
        'http://127.0.0.1:7878/query'
    """

    backend = "endpoint"

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        read_only: bool = False,
        union_default_graph: bool = False,
        connect_timeout: float = 5.0,
    ) -> None:
        self.location = query_url
        self.query_url = query_url
        self.update_url = update_url
        self.read_only = read_only or update_url is None
        self.union_default_graph = union_default_graph
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        auth = httpx.BasicAuth(username, password or "") if username else None
        self._connect_timeout = connect_timeout
        self._client = httpx.Client(headers=headers, auth=auth, follow_redirects=True)

    # -- transport ---------------------------------------------------------------
    def _post(self, url: str, data: dict[str, str | list[str]], accept: str, timeout: float | None) -> httpx.Response:
        # As for every Store, None or <= 0 means no limit: httpx would read 0 as "do not wait at all"
        # (a non-blocking socket, failing with EAGAIN on any query the server does not answer at once).
        timeout = timeout if timeout is not None and timeout > 0 else None
        limits = httpx.Timeout(timeout, connect=self._connect_timeout)
        try:
            response = self._client.post(url, data=data, headers={"Accept": accept}, timeout=limits)
        except httpx.ConnectTimeout:
            raise EndpointError(f"{url}: cannot reach the SPARQL endpoint (connection timed out)") from None
        except httpx.TimeoutException:
            raise QueryTimeout(f"{url}: no answer within the {timeout:g} s timeout") from None
        except httpx.HTTPError as exc:
            raise EndpointError(f"{url}: cannot reach the SPARQL endpoint ({one_line(exc)})") from None
        if response.status_code in (401, 403):
            raise ReadOnlyError(f"{url}: refused with HTTP {response.status_code}: {one_line(response.text)[:200]}")
        if response.status_code == 400:
            raise QueryError(f"{url}: {one_line(response.text)[:500]}")
        if response.status_code >= 300:
            raise EndpointError(f"{url}: HTTP {response.status_code}: {one_line(response.text)[:200]}")
        return response

    def _send_query(self, query: str, data: dict[str, str | list[str]], timeout: float | None) -> httpx.Response:
        return self._post(self.query_url, {"query": query, **data}, _ACCEPT, timeout)

    # -- reading -----------------------------------------------------------------
    def query(
        self,
        query: str,
        *,
        graph: URIRef | str | None = None,
        bindings: dict[str, Node] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        limit: int | None = DEFAULT_LIMIT,
    ) -> QueryResult:
        query = bind_values(query, bindings or {})
        dataset: dict[str, str | list[str]] = {}
        if graph is not None or not self.union_default_graph:
            named = [str(g) for g in self.graphs()]
            if graph is not None:
                if str(graph) not in named:
                    raise GraphNotFound(f"graph <{graph}> does not exist at {self.location}")
                dataset = {"default-graph-uri": str(graph), "named-graph-uri": named}
            elif named:
                dataset = {"default-graph-uri": named, "named-graph-uri": named}
        response = self._send_query(query, dataset, timeout)
        return _parse_result(response, limit)

    def graphs(self) -> list[URIRef]:
        response = self._send_query(_LIST_GRAPHS, {}, DEFAULT_TIMEOUT_S)
        result = _parse_result(response, None)
        return sorted(URIRef(str(g)) for g in result.column("g"))  # type: ignore[union-attr]

    def count(self, graph: URIRef | str | None = None) -> int:
        if graph is not None:
            q = f"SELECT (COUNT(*) AS ?n) {{ GRAPH {render_term(URIRef(str(graph)))} {{ ?s ?p ?o }} }}"
        elif self.union_default_graph:  # the default graph is the union: count the named graphs' quads
            q = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
        else:
            q = "SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        result = _parse_result(self._send_query(q, {}, DEFAULT_TIMEOUT_S), None)
        return int(result.rows[0][0])  # type: ignore[union-attr, arg-type]

    # -- writing -----------------------------------------------------------------
    def update(self, update: str, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{self.location} has no update URL configured (read-only)")
        self._post(self.update_url, {"update": update}, "*/*", timeout)  # type: ignore[arg-type]

    def _staged(self, quads: Iterable[Quad]) -> int:
        """Write quads through scratch graphs, then publish them all in one update."""
        stage = f"urn:kgqa:staging:{uuid.uuid4().hex}"
        staged: dict[str, str] = {}  # target graph ("" = default) -> its scratch graph
        n = 0
        try:
            for batch in _batches(quads, _BATCH):
                blocks: dict[str, list[str]] = {}
                for s, p, o, g in batch:
                    target = "" if g is None else str(g)
                    scratch = staged.setdefault(target, f"{stage}:{len(staged)}")
                    blocks.setdefault(scratch, []).append(f"{render_term(s)} {render_term(p)} {render_term(o)} .")
                    n += 1
                body = " ".join(f"GRAPH <{g}> {{ {' '.join(lines)} }}" for g, lines in blocks.items())
                self.update(f"INSERT DATA {{ {body} }}")
            publish = " ; ".join(
                f"ADD <{scratch}> TO {render_term(URIRef(target)) if target else 'DEFAULT'}"
                for target, scratch in staged.items()
            )
            if publish:
                self.update(publish)
        finally:
            if staged:
                try:
                    self.update(" ; ".join(f"DROP SILENT GRAPH <{s}>" for s in staged.values()))
                except EndpointError:
                    pass  # the error that brought us here says more; scratch graphs stay behind
        return n

    def add(self, quads: Iterable[Quad]) -> int:
        if self.read_only:
            raise ReadOnlyError(f"{self.location} has no update URL configured (read-only)")
        return self._staged(quads)

    def load(self, path: Path, *, graph: URIRef | str | None = None, fmt: str | None = None) -> int:
        if self.read_only:
            raise ReadOnlyError(f"{self.location} has no update URL configured (read-only)")
        path = Path(path)
        rdf_format = oxigraph_format(path, fmt)
        read_checked(path, rdf_format)  # fail before anything is sent
        target = None if graph is None else URIRef(str(graph))

        def quads() -> Iterator[Quad]:
            # Like Oxigraph's bulk load: quads keep their own graph, triples go to ``graph``.
            for q in parse_quads(path, rdf_format):
                own = None if isinstance(q.graph_name, ox.DefaultGraph) else to_rdflib(q.graph_name)
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), own or target  # type: ignore[misc]

        return self._staged(quads())

    def drop_graph(self, graph: URIRef | str) -> None:
        self.update(f"DROP SILENT GRAPH {render_term(URIRef(str(graph)))}")

    def close(self) -> None:
        self._client.close()


def _parse_result(response: httpx.Response, limit: int | None) -> QueryResult:
    ctype = response.headers.get("content-type", "").split(";")[0].strip()
    if ctype in ("application/sparql-results+json", "application/json"):
        parsed = Result.parse(io.BytesIO(response.content), format="json")
        if parsed.type == "ASK":
            return AskResult(bool(parsed.askAnswer))
        names = [str(v) for v in parsed.vars or []]
        rows = [{str(k): v for k, v in b.items()} for b in parsed.bindings]
        truncated = limit is not None and len(rows) > limit
        return SelectResult(names, rows_from_dicts(names, rows[:limit]), truncated)
    g = Graph()
    g.parse(data=response.content, format="nt" if ctype == "application/n-triples" else "turtle")
    if limit is not None and len(g) > limit:
        kept = Graph()
        for i, triple in enumerate(g):
            if i >= limit:
                break
            kept.add(triple)
        return GraphResult(kept, truncated=True)
    return GraphResult(g)


def _batches(items: Iterable[Quad], size: int) -> Iterator[list[Quad]]:
    batch: list[Quad] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
