"""SPARQL in kgqa: typed results, term conversion and safe query building.

User text never becomes part of a query string: queries are built with variables,
and values are passed as bound terms (``bindings=``), which
:func:`kgqa.sparql.build.bind_values` writes into the query as an escaped ``VALUES``
row. Public objects: the results :class:`SelectResult`, :class:`AskResult`,
:class:`GraphResult` (:mod:`kgqa.sparql.results`); ``render_term``,
``values_clause`` and ``bind_values`` (:mod:`kgqa.sparql.build`); ``to_rdflib`` and
``to_oxigraph`` (:mod:`kgqa.sparql.terms`); ``read_query`` and ``read_update``, which parse a
request and say what it would fetch outside the store (:mod:`kgqa.sparql.reach`).

Example:
    >>> from kgqa.sparql.build import bind_values
    >>> from rdflib import Literal
    >>> bind_values("ASK { ?s ?p ?label }", {"label": Literal("Dune")})
    'ASK { VALUES (?label) { ("Dune") } ?s ?p ?label }'
"""

from kgqa.sparql.results import AskResult, GraphResult, QueryResult, SelectResult

__all__ = ["AskResult", "GraphResult", "QueryResult", "SelectResult"]
