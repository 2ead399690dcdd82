"""The remote backend: any SPARQL 1.1 Protocol server.

Queries go to the query URL, updates to the update URL (SPARQL 1.1 Protocol, POST).
Writes are made atomic on the server side by staging them in a scratch graph and
``ADD``-ing it in one update, so a failed load leaves the target graph untouched.
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
from kgqa.sparql.build import render_term
from kgqa.sparql.results import AskResult, GraphResult, QueryResult, SelectResult, rows_from_dicts
from kgqa.sparql.terms import to_rdflib
from kgqa.store import STORES
from kgqa.store.base import DEFAULT_LIMIT, DEFAULT_TIMEOUT_S, Quad, Store
from kgqa.store.formats import oxigraph_format, read_checked

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_BATCH = 5_000


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
        connect_timeout: float = 5.0,
    ) -> None:
        self.location = query_url
        self.query_url = query_url
        self.update_url = update_url
        self.read_only = read_only or update_url is None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        auth = httpx.BasicAuth(username, password or "") if username else None
        self._connect_timeout = connect_timeout
        self._client = httpx.Client(headers=headers, auth=auth, follow_redirects=True)

    # -- transport ---------------------------------------------------------------
    def _post(self, url: str, data: dict[str, str], accept: str, timeout: float | None) -> httpx.Response:
        limits = httpx.Timeout(timeout, connect=self._connect_timeout)
        try:
            response = self._client.post(url, data=data, headers={"Accept": accept}, timeout=limits)
        except httpx.TimeoutException:
            if timeout is None:
                raise EndpointError(f"{url}: connection timed out") from None
            raise QueryTimeout(f"{url}: no answer within the {timeout:g} s timeout") from None
        except httpx.HTTPError as exc:
            raise EndpointError(f"{url}: cannot reach the SPARQL endpoint ({exc})") from None
        if response.status_code in (401, 403):
            raise ReadOnlyError(f"{url}: refused with HTTP {response.status_code}: {response.text.strip()[:200]}")
        if response.status_code == 400:
            raise QueryError(f"{url}: {response.text.strip()[:500]}")
        if response.status_code >= 300:
            raise EndpointError(f"{url}: HTTP {response.status_code}: {response.text.strip()[:200]}")
        return response

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
        if bindings:
            # A trailing VALUES block binds for the whole query; terms are escaped.
            names = list(bindings)
            query = (
                f"{query}\nVALUES ({' '.join('?' + n for n in names)}) "
                f"{{ ({' '.join(render_term(bindings[n]) for n in names)}) }}"
            )
        data = {"query": query}
        if graph is not None:
            if not self.has_graph(graph):
                raise GraphNotFound(f"graph <{graph}> does not exist at {self.location}")
            data["default-graph-uri"] = str(graph)
        response = self._post(self.query_url, data, _ACCEPT, timeout)
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype in ("application/sparql-results+json", "application/json"):
            parsed = Result.parse(io.BytesIO(response.content), format="json")
            if parsed.type == "ASK":
                return AskResult(bool(parsed.askAnswer))
            names = [str(v) for v in parsed.vars or []]
            bindings_list = [{str(k): v for k, v in b.items()} for b in parsed.bindings]
            truncated = limit is not None and len(bindings_list) > limit
            return SelectResult(names, rows_from_dicts(names, bindings_list[:limit]), truncated)
        g = Graph()
        fmt = "nt" if ctype == "application/n-triples" else "turtle"
        g.parse(data=response.content, format=fmt)
        return GraphResult(g)

    def graphs(self) -> list[URIRef]:
        result = self.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", timeout=DEFAULT_TIMEOUT_S)
        return sorted(URIRef(str(g)) for g in result.column("g"))  # type: ignore[union-attr]

    def count(self, graph: URIRef | str | None = None) -> int:
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        else:
            q = f"SELECT (COUNT(*) AS ?n) {{ GRAPH {render_term(URIRef(str(graph)))} {{ ?s ?p ?o }} }}"
        result = self.query(q)
        return int(result.rows[0][0])  # type: ignore[union-attr]

    def has_graph(self, graph: URIRef | str) -> bool:
        result = self.query(f"ASK {{ GRAPH {render_term(URIRef(str(graph)))} {{ ?s ?p ?o }} }}")
        return bool(result)

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
                    blocks.setdefault(scratch, []).append(
                        f"{render_term(s)} {render_term(p)} {render_term(o)} ."
                    )
                    n += 1
                body = " ".join(f"GRAPH <{g}> {{ {' '.join(lines)} }}" for g, lines in blocks.items())
                self.update(f"INSERT DATA {{ {body} }}")
            publish = " ; ".join(
                f"ADD <{scratch}> TO {'DEFAULT' if not target else f'<{target}>'}"
                for target, scratch in staged.items()
            )
            if publish:
                self.update(publish)
        finally:
            if staged:
                self.update(" ; ".join(f"DROP SILENT GRAPH <{s}>" for s in staged.values()))
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
            for q in ox.parse(path=str(path), format=rdf_format):
                g = target
                if g is None and isinstance(q.graph_name, ox.NamedNode):
                    g = URIRef(q.graph_name.value)
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), g  # type: ignore[misc]

        return self._staged(quads())

    def drop_graph(self, graph: URIRef | str) -> None:
        self.update(f"DROP SILENT GRAPH {render_term(URIRef(str(graph)))}")

    def close(self) -> None:
        self._client.close()


def _batches(items: Iterable[Quad], size: int) -> Iterator[list[Quad]]:
    batch: list[Quad] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
