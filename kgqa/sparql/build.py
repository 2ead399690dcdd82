"""Build SPARQL from terms, never from user text.

Values enter a query only as RDF terms rendered by :func:`render_term`, which
escapes literals and rejects IRIs that could break out of ``<...>``. Question
answering, the label index and the dialogue layer build their queries this way;
:func:`bind_values` pre-binds variables of a finished query (``bindings=`` of
:meth:`kgqa.Engine.sparql`).

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
    >>> bind_values("SELECT ?b { ?b <http://ex.org/author> ?a }", {"a": URIRef("http://ex.org/lem")})
    'SELECT ?b { VALUES (?a) { (<http://ex.org/lem>) } ?b <http://ex.org/author> ?a }'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kgqa.errors import QueryError

# Characters the SPARQL grammar forbids inside IRIREF; rejecting them makes
# <...> impossible to escape from.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _iri(value: str) -> str:
    if _BAD_IRI.search(value):
        raise QueryError(f"unsafe IRI {value!r}")
    return f"<{value}>"


def render_term(term: Node) -> str:
    """The SPARQL syntax of one RDF term, safely escaped."""
    if isinstance(term, URIRef):
        return _iri(str(term))
    if isinstance(term, Literal):
        text = '"' + "".join(_ESCAPES.get(c, c) for c in str(term)) + '"'
        if term.language:
            if not _LANG.match(term.language):
                raise QueryError(f"unsafe language tag {term.language!r}")
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{_iri(str(term.datatype))}"
        return text
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


def graph_not_in(var: str, graphs: Iterable[URIRef]) -> str:
    """``FILTER(?var NOT IN (...))``: a ``GRAPH ?var`` pattern that skips ``graphs``.

    Example:
        >>> graph_not_in("g", [URIRef("urn:kgqa:graph:candidates")])
        'FILTER(?g NOT IN (<urn:kgqa:graph:candidates>))'
    """
    return f"FILTER({variable(var)} NOT IN (" + ", ".join(render_term(g) for g in graphs) + "))"


# Strings, IRIs and comments, whose braces and keywords are not syntax. IRIREF
# excludes spaces, so ``?a < ?b`` is not taken for an IRI.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
    re.DOTALL,
)
_FORM = re.compile(r"(?<![\w:?$-])(SELECT|CONSTRUCT|DESCRIBE|ASK)(?![\w:-])", re.IGNORECASE)
_WORD = re.compile(r"\s*([A-Za-z]+|\S)")


def _masked(query: str) -> str:
    """``query`` with strings, IRIs and comments blanked out (same length, same offsets)."""
    return _OPAQUE.sub(lambda m: " " * len(m.group()), query)


def _group_start(masked: str, start: int) -> int:
    """Offset of the first ``{`` at parenthesis depth 0 from ``start`` (-1 if none)."""
    depth = 0
    for i in range(start, len(masked)):
        c = masked[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "{" and depth == 0:
            return i
    return -1


def _group_end(masked: str, open_brace: int) -> int:
    """Offset of the ``}`` that closes the ``{`` at ``open_brace``."""
    depth = 0
    for i in range(open_brace, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise QueryError("unbalanced braces in the SPARQL query")


def bind_values(query: str, bindings: Mapping[str, Node]) -> str:
    """``query`` with each variable of ``bindings`` bound to its term, before evaluation.

    A ``VALUES`` row (terms escaped by :func:`render_term`) opens the query's WHERE
    group, so the binding holds inside aggregates, FILTERs and BINDs alike and the
    variable need not be projected. Works for SELECT, ASK, CONSTRUCT and DESCRIBE.
    """
    if not bindings:
        return query
    names = list(bindings)
    row = (
        f"VALUES ({' '.join(variable(n) for n in names)}) "
        f"{{ ({' '.join(render_term(bindings[n]) for n in names)}) }}"
    )
    masked = _masked(query)
    form = _FORM.search(masked)
    if form is None:
        raise QueryError("bindings need a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    after = form.end()
    if form.group(1).upper() == "CONSTRUCT":
        template = _group_start(masked, after)
        where = re.search(r"(?i)\bWHERE\b", masked[after : template if template >= 0 else None])
        if where is not None:  # short form CONSTRUCT WHERE { T }: spell out the template
            end = _group_end(masked, template)
            triples = query[template + 1 : end]
            return f"{query[: after + where.start()]}{{{triples}}} WHERE {{ {row} {triples}}}{query[end + 1 :]}"
        after = _group_end(masked, template) + 1
    brace = _group_start(masked, after)
    if brace < 0:  # DESCRIBE <iri> without WHERE: a trailing VALUES block is equivalent
        return f"{query}\n{row}"
    first = _WORD.match(masked, brace + 1)
    if first is not None and first.group(1).upper() == "SELECT":  # { SubSelect } cannot take VALUES beside it
        end = _group_end(masked, brace)
        return f"{query[: brace + 1]} {row} {{{query[brace + 1 : end]}}} {query[end:]}"
    return f"{query[: brace + 1]} {row}{query[brace + 1 :]}"
