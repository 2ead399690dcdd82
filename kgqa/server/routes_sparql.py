"""SPARQL 1.1 Protocol: query (GET/POST) and update (POST, only when allowed)."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import Response

from kgqa.errors import KgqaError, QueryError
from kgqa.server.replies import Reply, answer_query, error_reply, status_of
from kgqa.sparql.reach import Reach, read_query, read_update


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


#: rdflib's SPARQL parser (pyparsing) is not thread-safe: parsed from several threads at once, most requests
#: failed with errors such as "<lambda>() missing 1 required positional argument". Parses take turns.
_PARSER = threading.Lock()


async def _inspect(request: Request, text: str, read: Callable[[str], Reach]) -> Reach | Response:
    """``text`` parsed (:mod:`kgqa.sparql.reach`), or the refusal: 400 when it does not parse, 403 when it
    would fetch other URLs (SERVICE, LOAD, FROM outside the store) and the server does not allow it."""
    from starlette.concurrency import run_in_threadpool

    engine, settings = request.app.state.engine, request.app.state.settings

    def check() -> tuple[Reach, str | None]:  # parsing takes milliseconds: off the event loop
        with _PARSER:
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
                return _error(status_of(exc), str(exc))
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
        pool = request.app.state.pool
        accept = request.headers.get("accept", "*/*")
        if pool is not None:
            reply = await pool.run(query.text, graph=graphs[0], accept=accept, timeout=settings.timeout, limit=settings.limit)
        else:
            reply = await run_in_threadpool(
                answer_query, engine.store, query.text, graph=graphs[0], accept=accept,
                timeout=settings.timeout, limit=settings.limit,
            )
        return _response(reply)


def _response(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=reply.headers)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _response(error_reply(status, message, headers))
