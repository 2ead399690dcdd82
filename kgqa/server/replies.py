"""One SPARQL query, answered as an HTTP reply: run it, pick the format, serialize.

:func:`answer_query` is what the endpoint does for a query once the request has been
checked, whether it runs in the server process or in a query worker
(:mod:`kgqa.server.workers`); its :class:`Reply` is plain data, so it crosses a pipe.

Example:
    >>> from kgqa.store import open_store
    >>> reply = answer_query(open_store("oxigraph"), "ASK { ?s ?p ?o }", accept="text/csv")
    >>> reply.status, reply.media_type, reply.body
    (200, 'text/csv', b'_askResult\\r\\nfalse\\r\\n')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kgqa.errors import EndpointError, GraphNotFound, KgqaError, QueryTimeout, ReadOnlyError
from kgqa.sparql.results import GRAPH_FORMATS, MIME_OF, SELECT_FORMATS, QueryResult
from kgqa.store.base import Store


@dataclass
class Reply:
    """An HTTP answer: status, body and its media type, extra headers."""

    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """A plain-text error reply (one line)."""
    return Reply(status, (message + "\n").encode(), headers=headers or {})


#: HTTP status of each kind of failure (first match); other user errors are 400.
_STATUS: tuple[tuple[type[KgqaError], int], ...] = (
    (QueryTimeout, 503),
    (GraphNotFound, 404),
    (ReadOnlyError, 403),
    (EndpointError, 502),
)


def status_of(exc: KgqaError) -> int:
    """The HTTP status for a user error."""
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)


def answer_query(
    store: Store,
    query: str,
    *,
    graph: str | None = None,
    accept: str = "*/*",
    timeout: float | None = None,
    limit: int | None = None,
) -> Reply:
    """Run ``query`` on ``store`` and serialize the result in the format ``accept`` asks for."""
    try:
        result = store.query(query, graph=graph, timeout=timeout, limit=limit)
    except KgqaError as exc:
        return error_reply(status_of(exc), str(exc))
    fmt = negotiate(accept, result)
    if fmt is None:
        table = GRAPH_FORMATS if result.kind == "graph" else SELECT_FORMATS
        return error_reply(406, f"cannot answer in {accept!r}; this result comes as {', '.join(table)}")
    headers = {"X-Kgqa-Truncated": "true"} if getattr(result, "truncated", False) else {}
    mime = MIME_OF[fmt] if not (result.kind == "graph" and fmt == "xml") else "application/rdf+xml"
    return Reply(200, result.serialize(fmt), mime, headers)


def negotiate(accept: str, result: QueryResult) -> str | None:
    """The result format the client asked for (first acceptable in its Accept order); ``None``
    when it accepts none of ours (no wildcard either)."""
    table = GRAPH_FORMATS if result.kind == "graph" else SELECT_FORMATS
    ranked = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, fields[0].lower()))
    graph = result.kind == "graph"
    wildcards = {"*/*": "turtle" if graph else "json", "": "turtle" if graph else "json",
                 "text/*": "turtle" if graph else "csv", "application/*": "nt" if graph else "json"}
    for q, _, mime in sorted(ranked):
        if q == 0:  # "q=0": not acceptable
            continue
        if mime in table:
            return table[mime]
        if mime in wildcards:
            return wildcards[mime]
    return None
