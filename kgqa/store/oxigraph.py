"""The embedded backend: Oxigraph (pyoxigraph) on disk, or in memory for tests."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from kgqa.errors import GraphNotFound, ProjectError, QueryError, RDFSyntaxError, ReadOnlyError
from kgqa.sparql.build import bind_values
from kgqa.sparql.results import AskResult, GraphResult, QueryResult, SelectResult
from kgqa.sparql.terms import graph_node, to_oxigraph, to_rdflib
from kgqa.store import STORES
from kgqa.store.base import DEFAULT_LIMIT, DEFAULT_TIMEOUT_S, Cancelled, Quad, Store, one_line, run_with_timeout
from kgqa.store.formats import base_iri, open_rdf, oxigraph_format, read_checked


@STORES.register("oxigraph")
class OxigraphStore(Store):
    """Oxigraph's RocksDB store in ``path`` (in memory when ``path`` is ``None``).

    Example:
        >>> store = OxigraphStore()          # in memory
        >>> from rdflib import URIRef, Literal
        >>> store.add([(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal("x"), None)])
        1
        >>> store.query("SELECT ?o { ?s ?p ?o }").to_dicts()
        [{'o': 'x'}]
    """

    backend = "oxigraph"

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.location = str(path) if path else ":memory:"
        self.read_only = read_only
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                self._store = ox.Store(str(path))
        except OSError as exc:
            hint = " (is another process, e.g. `kgqa serve`, using it?)" if "lock" in str(exc).lower() else ""
            raise ProjectError(f"{self.location}: cannot open the Oxigraph store{hint}: {exc}") from None
        # Oxigraph is safe to read from many threads; writes we serialise ourselves.
        self._write_lock = threading.Lock()

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
        if graph is not None and not self.has_graph(graph):
            raise GraphNotFound(f"graph <{graph}> does not exist in {self.location}")
        # Without a graph, the query sees the union of all graphs.
        default_graph = graph_node(graph) if graph is not None else None
        # A VALUES row rather than Oxigraph's substitutions, which refuse variables
        # the query does not project (e.g. under COUNT).
        query = bind_values(query, bindings or {})

        def work(cancel: threading.Event) -> QueryResult:
            try:
                raw = self._store.query(
                    query, default_graph=default_graph, use_default_graph_as_union=default_graph is None
                )
                return _materialise(raw, cancel, limit)
            except SyntaxError as exc:
                raise QueryError(f"SPARQL syntax error: {one_line(exc)}") from None
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"query failed: {one_line(exc)}") from None

        return run_with_timeout(work, timeout, "query")

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: URIRef | str | None = None) -> int:
        if graph is None:
            return len(self._store)
        result = self._store.query(
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=graph_node(graph)
        )
        assert isinstance(result, ox.QuerySolutions)  # a SELECT query
        count = next(iter(result))["n"]
        assert isinstance(count, ox.Literal)
        return int(count.value)

    # -- writing -----------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{self.location} is opened read-only")

    def update(self, update: str, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> None:
        self._check_writable()

        def work(cancel: threading.Event) -> None:
            try:
                with self._write_lock:
                    self._store.update(update)
            except SyntaxError as exc:
                raise QueryError(f"SPARQL update syntax error: {one_line(exc)}") from None
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"update failed: {one_line(exc)}") from None

        run_with_timeout(work, timeout, "update", interruptible=False)

    def add(self, quads: Iterable[Quad]) -> int:
        self._check_writable()
        # cast: a Literal subject or predicate is rejected by pyoxigraph (TypeError), not by the types.
        batch = [
            ox.Quad(
                cast(ox.NamedNode, to_oxigraph(s)), cast(ox.NamedNode, to_oxigraph(p)), to_oxigraph(o), graph_node(g)
            )
            for s, p, o, g in quads
        ]
        with self._write_lock:
            self._store.extend(batch)  # one transaction: all or nothing
        return len(batch)

    def load(self, path: Path, *, graph: URIRef | str | None = None, fmt: str | None = None) -> int:
        """Validate the whole file first, then load it in one go.

        A file that fails to parse (or to decode as UTF-8) raises
        :class:`~kgqa.errors.RDFSyntaxError` naming the file and line, and leaves the
        store untouched. Big files are bulk-loaded (streamed, not held in memory).
        """
        self._check_writable()
        path = Path(path)
        rdf_format = oxigraph_format(path, fmt)
        count = read_checked(path, rdf_format)
        with self._write_lock, open_rdf(path) as fh:
            try:
                to_graph = graph_node(graph) if graph is not None else None
                self._store.bulk_load(fh, format=rdf_format, base_iri=base_iri(path), to_graph=to_graph)
            except (SyntaxError, ValueError) as exc:  # validated above; kept for races with the file
                raise RDFSyntaxError(f"{path}: {one_line(exc)}") from None
        return count

    def drop_graph(self, graph: URIRef | str) -> None:
        self._check_writable()
        with self._write_lock:
            self._store.remove_graph(graph_node(graph))

    def optimize(self) -> None:
        """Compact the on-disk files after a big load."""
        self._store.optimize()

    def close(self) -> None:
        # pyoxigraph closes RocksDB when the object is collected; drop our reference.
        self._store = None  # type: ignore[assignment]


def _materialise(
    raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, cancel: threading.Event, limit: int | None
) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return AskResult(bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        names = [v.value for v in raw.variables]
        rows: list[tuple[Node | None, ...]] = []
        truncated = False
        for solution in raw:
            if cancel.is_set():
                raise Cancelled()
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(to_rdflib(solution[name]) for name in names))
        return SelectResult(names, rows, truncated)
    graph = Graph()
    truncated = False
    for i, triple in enumerate(raw):  # QueryTriples
        if cancel.is_set():
            raise Cancelled()
        if limit is not None and i >= limit:
            truncated = True
            break
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return GraphResult(graph, truncated)
