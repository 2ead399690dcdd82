"""SPARQL in kgqa: typed results, term conversion and safe query building.

User text never becomes part of a query string: queries are built with variables,
and values are passed as bound terms (``substitutions``/``VALUES``) that the store
escapes. See :mod:`kgqa.sparql.results` and :mod:`kgqa.sparql.build`.
"""

from kgqa.sparql.results import AskResult, GraphResult, QueryResult, SelectResult

__all__ = ["AskResult", "GraphResult", "QueryResult", "SelectResult"]
