"""Typed SPARQL results, the same whichever store answered.

* :class:`SelectResult`: variables and rows of rdflib terms (``None`` for unbound);
* :class:`AskResult`: a boolean;
* :class:`GraphResult`: an rdflib :class:`~rdflib.Graph` (CONSTRUCT / DESCRIBE).

Each serializes to the SPARQL 1.1 result formats (JSON, XML, CSV, TSV; Turtle and
N-Triples for graphs), which the CLI and the HTTP endpoint share.

Example:
    >>> from rdflib import Literal, URIRef
    >>> r = SelectResult(["s", "n"], [(URIRef("http://ex.org/a"), Literal(1))])
    >>> r.to_dicts()
    [{'s': 'http://ex.org/a', 'n': 1}]
    >>> r.serialize("csv").decode().splitlines()
    ['s,n', 'http://ex.org/a,1']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from kgqa.errors import QueryError

Row = tuple[Node | None, ...]

#: MIME type -> short name, for content negotiation.
SELECT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
MIME_OF = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
}


def _python_value(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


def _tsv_term(term: Node | None) -> str:
    # TSV results keep the RDF syntax of each term (SPARQL 1.1 TSV spec).
    return "" if term is None else term.n3()


def _csv_term(term: Node | None) -> str:
    # CSV results keep only the lexical form, and blank nodes as _:label (SPARQL 1.1 CSV spec).
    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


@dataclass
class SelectResult:
    """Rows of a SELECT query: ``vars`` names the columns, ``rows`` holds rdflib terms.

    ``truncated`` is true when the result cap cut the rows short.
    """

    vars: list[str]
    rows: list[Row]
    truncated: bool = False
    kind: str = field(default="select", init=False)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (IRIs as strings, literals converted)."""
        return [{v: _python_value(t) for v, t in zip(self.vars, row)} for row in self.rows]

    def column(self, var: str) -> list[Node | None]:
        """All values of one variable."""
        i = self.vars.index(var)
        return [row[i] for row in self.rows]

    def serialize(self, fmt: str = "json") -> bytes:
        """Serialize as ``json``, ``xml``, ``csv`` or ``tsv`` (SPARQL 1.1 result formats)."""
        if fmt == "tsv":
            out = io.StringIO()
            out.write("\t".join("?" + v for v in self.vars) + "\n")
            for row in self.rows:
                out.write("\t".join(_tsv_term(t) for t in row) + "\n")
            return out.getvalue().encode()
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(self.vars)
            for row in self.rows:
                writer.writerow([_csv_term(t) for t in row])
            return out.getvalue().encode()
        if fmt not in ("json", "xml"):
            raise QueryError(f"unknown result format {fmt!r} for SELECT; use json, xml, csv or tsv")
        result = Result("SELECT")
        result.vars = [Variable(v) for v in self.vars]
        result.bindings = [
            {Variable(v): t for v, t in zip(self.vars, row) if t is not None} for row in self.rows
        ]
        return result.serialize(format=fmt) or b""


@dataclass
class AskResult:
    """The answer of an ASK query."""

    value: bool
    kind: str = field(default="ask", init=False)

    def __bool__(self) -> bool:
        return self.value

    def to_dicts(self) -> list[dict[str, Any]]:
        return [{"boolean": self.value}]

    def serialize(self, fmt: str = "json") -> bytes:
        """Serialize as ``json``, ``xml``, ``csv`` or ``tsv`` (one ``_askResult`` column, as Jena does)."""
        if fmt == "csv":
            return f"_askResult\r\n{str(self.value).lower()}\r\n".encode()
        if fmt == "tsv":
            return f"?_askResult\n{str(self.value).lower()}\n".encode()
        if fmt not in ("json", "xml"):
            raise QueryError(f"unknown result format {fmt!r} for ASK; use json, xml, csv or tsv")
        result = Result("ASK")
        result.askAnswer = self.value
        return result.serialize(format=fmt) or b""


@dataclass
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query, as an rdflib Graph."""

    graph: Graph
    truncated: bool = False
    kind: str = field(default="graph", init=False)

    def __len__(self) -> int:
        return len(self.graph)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [{"s": str(s), "p": str(p), "o": _python_value(o)} for s, p, o in self.graph]

    def serialize(self, fmt: str = "turtle") -> bytes:
        """Serialize as ``turtle``, ``nt``, ``xml`` (RDF/XML) or ``json-ld``; ``json``/``csv``/``tsv`` map to JSON-LD/N-Triples."""
        fmt = {"json": "json-ld", "csv": "nt", "tsv": "nt"}.get(fmt, fmt)
        if fmt not in GRAPH_FORMATS.values():
            raise QueryError(f"unknown result format {fmt!r} for a graph; use turtle, nt, xml or json-ld")
        return self.graph.serialize(format=fmt, encoding="utf-8")


QueryResult = Union[SelectResult, AskResult, GraphResult]


def is_term(value: object) -> bool:
    """True for the rdflib term types a result row may hold."""
    return isinstance(value, (URIRef, BNode, Literal))


def rows_from_dicts(vars: Sequence[str], bindings: Sequence[Mapping[str, Node]]) -> list[Row]:
    """Rows ordered by ``vars`` from binding dicts (missing -> None)."""
    return [tuple(b.get(v) for v in vars) for b in bindings]
