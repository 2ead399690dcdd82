"""Build SPARQL from terms, never from user text.

Values enter a query only as RDF terms rendered by :func:`render_term`, which
escapes literals and rejects IRIs that could break out of ``<...>``. Question
answering, the label index and the dialogue layer build their queries this way.

Example:
    >>> from rdflib import Literal, URIRef
    >>> render_term(Literal('Robert "Bob" } DROP ALL'))
    '"Robert \\\\"Bob\\\\" } DROP ALL"'
    >>> values_clause("x", [URIRef("http://ex.org/a")])
    'VALUES ?x { <http://ex.org/a> }'
    >>> render_term(URIRef("http://ex.org/a> } DROP ALL {"))
    Traceback (most recent call last):
    ...
    kgqa.errors.QueryError: unsafe IRI 'http://ex.org/a> } DROP ALL {'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kgqa.errors import QueryError

# Characters the SPARQL grammar forbids inside IRIREF; rejecting them makes
# <...> impossible to escape from.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def render_term(term: Node) -> str:
    """The SPARQL syntax of one RDF term, safely escaped."""
    if isinstance(term, URIRef):
        if _BAD_IRI.search(str(term)):
            raise QueryError(f"unsafe IRI {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        raise QueryError("blank nodes cannot be bound into a query")
    raise QueryError(f"not an RDF term: {term!r}")


def variable(name: str) -> str:
    """``?name``, after checking that ``name`` is a valid variable name."""
    if not _VAR.match(name):
        raise QueryError(f"invalid SPARQL variable name {name!r}")
    return "?" + name


def values_clause(var: str, terms: Iterable[Node]) -> str:
    """``VALUES ?var { ... }`` binding ``var`` to each of ``terms``."""
    return f"VALUES {variable(var)} {{ " + " ".join(render_term(t) for t in terms) + " }"
