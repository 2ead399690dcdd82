"""Does a SPARQL text call another endpoint (``SERVICE``, SPARQL 1.1 Federated Query)?

A query with ``SERVICE <http://...>`` makes the engine that runs it send an HTTP
request to that address. Run by a server on behalf of anonymous clients, that is a
way to make the server reach hosts only it can see, so ``kgqa serve`` refuses such
queries unless started with ``--allow-service``. Oxigraph has no switch to turn
SERVICE off, hence this check on the text: strings, IRIs, comments, variables and
prefixed names are skipped, so only the keyword itself counts.

Example:
    >>> uses_service("SELECT * { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT ?service { ?service ex:service "SERVICE <x>" } # SERVICE')
    False
"""

from __future__ import annotations

import re

# Longest forms first: a triple-quoted string before a quote, an IRI before "<" as an operator.
_SKIPPED = (
    r'"""[\s\S]*?"""',
    r"'''[\s\S]*?'''",
    r'"(?:[^"\\\n]|\\.)*"',
    r"'(?:[^'\\\n]|\\.)*'",
    r'<[^<>"{}|^`\\\s]*>',
    r"#[^\n]*",
    r"[?$]\w+",
    r"[\w.-]*:[\w.-]*",
)
_TOKENS = re.compile("|".join([*_SKIPPED, r"(?P<service>\bSERVICE\b)"]), re.IGNORECASE)


def uses_service(sparql: str) -> bool:
    """True when ``sparql`` has a ``SERVICE`` clause (outside strings, IRIs and comments)."""
    return any(m.group("service") for m in _TOKENS.finditer(sparql))
