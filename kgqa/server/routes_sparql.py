"""SPARQL 1.1 Protocol: query (GET/POST) and update (POST, only when allowed)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from kgqa.errors import EndpointError, GraphNotFound, KgqaError, QueryError, QueryTimeout, ReadOnlyError
from kgqa.sparql.reach import Reach, read_query, read_update
from kgqa.sparql.results import GRAPH_FORMATS, MIME_OF, SELECT_FORMATS, QueryResult


def _negotiate(accept: str, result: QueryResult) -> str | None:
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


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


#: HTTP status of each kind of failure (first match); other user errors are 400.
_STATUS: tuple[tuple[type[KgqaError], int], ...] = (
    (QueryTimeout, 503),
    (GraphNotFound, 404),
    (ReadOnlyError, 403),
    (EndpointError, 502),
)


def _status(exc: KgqaError) -> int:
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)


def _token_ok(request: Request, expected: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


_BODY_TYPES = ("application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded")


class _UnsupportedBody(Exception):
    """A POST body in a media type the protocol does not define (HTTP 415)."""


async def _read_request(request: Request) -> dict[str, list[str]]:
    """Query/update parameters from the URL and the body, whatever the encoding."""
    params = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8", errors="replace")
        if ctype == "application/sparql-query":
            params["query"] = [body]
        elif ctype == "application/sparql-update":
            params["update"] = [body]
        elif ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif body.strip():
            raise _UnsupportedBody(f"cannot read a POST body of type {ctype or '(none)'!r}; use {', '.join(_BODY_TYPES)}")
    return params


async def _inspect(request: Request, text: str, read: Callable[[str], Reach]) -> Reach | Response:
    """``text`` parsed (:mod:`kgqa.sparql.reach`), or the refusal: 400 when it does not parse, 403 when it
    would fetch other URLs (SERVICE, LOAD, FROM outside the store) and the server does not allow it."""
    from starlette.concurrency import run_in_threadpool

    engine, settings = request.app.state.engine, request.app.state.settings

    def check() -> tuple[Reach, str | None]:  # parsing takes milliseconds: off the event loop
        reach = read(text)
        return reach, None if settings.allow_service else reach.refusal(engine.store.graphs)

    try:
        reach, refusal = await run_in_threadpool(check)
    except QueryError as exc:
        return _error(400, str(exc))
    return _error(403, refusal) if refusal else reach


def add_routes(app: FastAPI) -> None:
    @app.api_route("/sparql", methods=["GET", "POST"], summary="SPARQL 1.1 Protocol endpoint")
    async def sparql_endpoint(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        engine = request.app.state.engine
        settings = request.app.state.settings
        try:
            params = await _read_request(request)
        except _UnsupportedBody as exc:
            return _error(415, str(exc))
        if "update" in params:
            if request.method != "POST":
                return _error(400, "updates must be sent with POST")
            if not settings.allow_updates:
                return _error(403, "this endpoint is read-only: updates are not allowed")
            if not _token_ok(request, settings.update_token or ""):
                return _error(
                    401, "updates need the update token: send 'Authorization: Bearer TOKEN'", {"WWW-Authenticate": "Bearer"}
                )
            update = await _inspect(request, params["update"][0], read_update)
            if isinstance(update, Response):
                return update
            try:
                await run_in_threadpool(engine.store.update, update.text, timeout=settings.timeout)
            except KgqaError as exc:
                return _error(_status(exc), str(exc))
            return Response(status_code=204)
        queries = params.get("query") or []
        if len(queries) != 1 or not queries[0].strip():
            return _error(400, "expected exactly one 'query' parameter")
        query = await _inspect(request, queries[0], read_query)
        if isinstance(query, Response):
            return query
        if params.get("named-graph-uri"):
            return _error(400, "named-graph-uri is not supported: name graphs with GRAPH <...> in the query")
        graphs = params.get("default-graph-uri") or [None]
        if len(graphs) > 1:
            return _error(400, "at most one default-graph-uri is supported")
        try:
            result = await run_in_threadpool(
                engine.store.query, query.text, graph=graphs[0], timeout=settings.timeout, limit=settings.limit
            )
        except KgqaError as exc:
            return _error(_status(exc), str(exc))
        fmt = _negotiate(request.headers.get("accept", "*/*"), result)
        if fmt is None:
            table = GRAPH_FORMATS if result.kind == "graph" else SELECT_FORMATS
            return _error(406, f"cannot answer in {request.headers.get('accept')!r}; this result comes as {', '.join(table)}")
        headers = {"X-Kgqa-Truncated": "true"} if getattr(result, "truncated", False) else {}
        mime = MIME_OF[fmt] if not (result.kind == "graph" and fmt == "xml") else "application/rdf+xml"
        return Response(result.serialize(fmt), media_type=mime, headers=headers)
