"""What a SPARQL request would make a server reach beyond its own store, read by parsing.

Three constructs make the engine that runs a request fetch other URLs: ``SERVICE``
(federated query: an HTTP request to the named endpoint), ``LOAD <url>`` (an update
that downloads a document) and, depending on the engine, ``FROM`` / ``FROM NAMED`` /
``USING`` IRIs that name no graph of the store. Run by a server on behalf of anonymous
clients, each is a way to reach hosts only the server can see (SSRF). Oxigraph has no
switch to turn them off, so ``kgqa serve`` reads every request with rdflib's SPARQL 1.1
parser (:func:`read_query`, :func:`read_update`) and refuses what
:meth:`Reach.refusal` names; a request rdflib cannot parse is refused too.

A check by parsing is only as good as the agreement between the parser that checks and
the engine that runs: where rdflib and Oxigraph read the same characters differently,
text rdflib takes for a comment could be code for Oxigraph. Two such places are known
and closed by running :attr:`Reach.text`, the text rdflib parsed, instead of the
request as sent:

* a carriage return ends a ``#`` comment for Oxigraph but not for rdflib, so line ends
  are normalised to ``\\n``;
* rdflib expands ``\\uXXXX`` escapes everywhere before parsing, Oxigraph only inside
  strings and IRIs, so the escapes are expanded once here and the grammar is then run
  on that text as it is (never expanded twice).

Parsing costs milliseconds (pyparsing), so readings are cached by request text.

Example:
    >>> reach = read_query("SELECT * { { SELECT ?s { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } } } }")
    >>> reach.services
    ('http://10.0.0.1/sparql',)
    >>> reach.refusal(graphs=lambda: [])
    'this endpoint does not run SERVICE (federated) queries: they make the server fetch other URLs; start it with --allow-service to allow them'
    >>> read_query('SELECT ?service { ?service ?p "SERVICE <x>" } # SERVICE').refusal(graphs=lambda: [])
    >>> read_query("SELECT * { ?s ?p ?o } } SERVICE")
    Traceback (most recent call last):
    ...
    kgqa.errors.QueryError: SPARQL syntax error: Expected end of text, found '}' (at char 22), (line:1, col:23)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib import URIRef, Variable

from kgqa.errors import QueryError

_HOW_TO_ALLOW = "start it with --allow-service to allow them"
#: Requests up to this many characters are cached (2,048 readings at most stay in memory).
_CACHED_CHARS = 20_000
#: rdflib's grammar recurses once per triple pattern of a group: Python's default limit (1,000
#: frames) stops it near 90 patterns. 10,000 reads about 900; deeper C recursion (json, repr)
#: was checked to stay within 8 MiB thread stacks up to 40,000 frames on Linux.
_PARSE_DEPTH = 10_000
#: Longest query text read (about 3 s of parsing on a loaded 2-core machine); updates need the token.
MAX_QUERY_CHARS = 100_000


@dataclass(frozen=True)
class Reach:
    """A parsed request: the text to run and what it reaches outside the store.

    ``services`` are the SERVICE targets (IRIs, or ``?var`` for a variable), ``loads``
    the documents LOAD would fetch, ``datasets`` the IRIs of FROM, FROM NAMED, USING and
    USING NAMED clauses.
    """

    text: str
    services: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()
    datasets: tuple[URIRef, ...] = ()

    def refusal(self, graphs: Callable[[], Iterable[URIRef]]) -> str | None:
        """Why a server that allows no outside access must refuse this request, or ``None``.

        ``graphs`` lists the store's named graphs; it is only called when the request
        names a dataset, so most requests cost no store access.
        """
        if self.services:
            return f"this endpoint does not run SERVICE (federated) queries: they make the server fetch other URLs; {_HOW_TO_ALLOW}"
        if self.loads:
            return f"this endpoint does not LOAD documents: it would fetch <{self.loads[0]}>; {_HOW_TO_ALLOW}"
        if self.datasets:
            known = {str(g) for g in graphs()}
            outside = [iri for iri in self.datasets if str(iri) not in known]
            if outside:
                return (
                    f"<{outside[0]}> in FROM or USING is no graph of this store, and some engines fetch such IRIs; "
                    f"name a graph of `kgqa graphs`, or {_HOW_TO_ALLOW}"
                )
        return None


def canonical(text: str) -> str:
    """``text`` as both rdflib and Oxigraph read it alike: line ends ``\\n``, ``\\uXXXX`` escapes expanded once."""
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    return expandUnicodeEscapes(text.replace("\r\n", "\n").replace("\r", "\n"))


def read_query(text: str) -> Reach:
    """Parse a SPARQL query; :class:`~kgqa.errors.QueryError` (one line) when rdflib cannot."""
    return _cached(text, False) if len(text) <= _CACHED_CHARS else _read(text, False)


def read_update(text: str) -> Reach:
    """Parse a SPARQL update; :class:`~kgqa.errors.QueryError` (one line) when rdflib cannot."""
    return _cached(text, True) if len(text) <= _CACHED_CHARS else _read(text, True)


@lru_cache(maxsize=2048)
def _cached(text: str, update: bool) -> Reach:
    return _read(text, update)


def _read(text: str, update: bool) -> Reach:
    from rdflib.plugins.sparql import parser

    run = canonical(text)
    if not update and len(run) > MAX_QUERY_CHARS:
        raise QueryError(f"the query has {len(run):,} characters; this endpoint reads at most {MAX_QUERY_CHARS:,}")
    _allow_deep_parses()
    try:
        # The grammar objects, not parseQuery/parseUpdate: those would expand escapes a second time.
        if update:
            tree = parser.UpdateUnit.parse_string(run, parse_all=True)[0]
            prologues, parts = list(tree["prologue"]), list(tree["request"])
        else:
            tree = parser.Query.parse_string(run, parse_all=True)
            prologues, parts = [tree[0]], [tree[1]]
        return _reach(run, prologues, parts)
    except RecursionError:
        raise QueryError("SPARQL syntax error: the request is nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - pyparsing and rdflib raise many kinds; all mean "unreadable"
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise QueryError(f"SPARQL syntax error: {message[:300]}") from None


def _reach(text: str, prologues: list[Any], parts: list[Any]) -> Reach:
    """What the parse tree reaches; each part read with the prefixes and base its prologue declares.

    The parse tree, not the algebra: rdflib's translation to algebra takes time quadratic
    in the number of triple patterns (81 s for 3,000 here), while everything looked for
    here is in the tree.
    """
    from rdflib.plugins.sparql.algebra import translatePrologue

    services: list[str] = []
    loads: list[str] = []
    datasets: list[URIRef] = []
    prologue = None
    for declared, part in zip(prologues, parts):
        prologue = translatePrologue(declared, None, None, prologue)
        for node in _nodes(part):
            name = node.name
            if name == "ServiceGraphPattern":
                term = dict.get(node, "term")
                services.append(f"?{term}" if isinstance(term, Variable) else str(_resolved(prologue, term)))
            elif name == "Load":
                loads.append(str(_resolved(prologue, dict.get(node, "iri"))))
            elif name in ("DatasetClause", "UsingClause"):
                datasets.extend(_resolved(prologue, v) for k in ("default", "named") if (v := dict.get(node, k)) is not None)
    return Reach(text, tuple(services), tuple(loads), tuple(dict.fromkeys(datasets)))


def _resolved(prologue: Any, iri: Any) -> URIRef:
    """A prefixed name or relative IRI of the tree as an absolute IRI (unknown prefixes raise)."""
    return URIRef(str(prologue.absolutize(iri)))


def _allow_deep_parses() -> None:
    if sys.getrecursionlimit() < _PARSE_DEPTH:
        sys.setrecursionlimit(_PARSE_DEPTH)


def _nodes(root: Any) -> Iterator[Any]:
    """Every node of a parse tree under ``root`` (sub-selects, EXISTS, OPTIONAL and MINUS included)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(dict.values(node))
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)
