"""The web page: ``/`` (Ask, Query, Browse tabs), ``/entity?iri=...``, its assets and JSON.

The page is static HTML, CSS and JavaScript shipped in ``kgqa/server/web`` (CodeMirror
vendored under ``web/vendor``), so it works without a network. It talks to the same
routes every client uses (``/sessions``, ``/sparql``, ``/feedback``) and reads a few
JSON views of its own under ``/web/api``:

* ``GET /web/api/info``: prefixes for the editor, whether updates are allowed, limits;
* ``GET /web/api/entity?iri=...``: :func:`kgqa.server.browse.describe_entity`;
* ``GET /web/api/search?q=...``: entities whose label contains the text;
* ``GET /web/api/documents``: ingested documents with status and counts;
* ``GET /web/api/statements?subject=&predicate=&object=``: how documents stated a fact.

Security: the pages carry a per-server CSRF token that :mod:`kgqa.server.csrf` checks
on every browser POST; a Content-Security-Policy allows scripts from this server only;
the page builds its DOM with ``textContent``, so labels and literals are never markup.
No setting or secret is written into the page besides that token.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from kgqa.errors import KgqaError, QueryTimeout
from kgqa.server.csrf import CSRFMiddleware, new_token

WEB = Path(__file__).resolve().parent / "web"
_TOKEN_SLOT = "{{csrf_token}}"
#: Scripts and connections to this server only; CodeMirror sets inline styles from script.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _page(request: Request) -> HTMLResponse:
    text = (WEB / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(text.replace(_TOKEN_SLOT, html.escape(request.app.state.csrf_token)), headers=_HEADERS)


async def _engine_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run blocking engine work off the event loop; a user error is 400, a timeout 503 (as at /sparql)."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    except KgqaError as exc:
        raise HTTPException(status_code=503 if isinstance(exc, QueryTimeout) else 400, detail=str(exc)) from None


def add_routes(app: FastAPI) -> None:
    app.state.csrf_token = new_token()
    app.add_middleware(CSRFMiddleware, token=app.state.csrf_token)
    app.mount("/web/static", StaticFiles(directory=WEB), name="web-static")

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return _page(request)

    @app.get("/entity", include_in_schema=False)
    def entity_page(request: Request) -> HTMLResponse:  # the page reads ?iri= and asks /web/api/entity
        return _page(request)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/web/api/info", summary="What the web page needs to know about this server")
    async def info(request: Request) -> dict[str, Any]:
        from kgqa.server.browse import prefixes

        settings = request.app.state.settings
        return {
            "prefixes": await _engine_call(prefixes, request.app.state.engine),
            "properties": {str(iri): p.label for iri, p in request.app.state.engine.ontology.properties.items()},
            "allow_updates": settings.allow_updates,
            "timeout": settings.timeout,
            "limit": settings.limit,
        }

    @app.get("/web/api/entity", summary="An entity's label, types, facts by property with provenance, neighbours")
    async def entity(request: Request, iri: str = Query(..., min_length=1, max_length=4000)) -> dict[str, Any]:
        from kgqa.server.browse import describe_entity

        if not _valid_iri(iri):
            raise HTTPException(status_code=400, detail=f"not an IRI: {iri!r}")
        settings = request.app.state.settings
        return await _engine_call(describe_entity, request.app.state.engine, iri, timeout=settings.timeout)

    @app.get("/web/api/search", summary="Entities whose label contains the text")
    async def search(request: Request, q: str = Query(..., min_length=1, max_length=200)) -> list[dict[str, str]]:
        from kgqa.server.browse import search as find

        return await _engine_call(find, request.app.state.engine, q, timeout=request.app.state.settings.timeout)

    @app.get("/web/api/documents", summary="Ingested documents with status and counts")
    async def documents(request: Request) -> list[dict[str, Any]]:
        from kgqa.server.browse import documents as read

        return await _engine_call(read, request.app.state.engine)

    @app.get("/web/api/statements", summary="How ingested documents stated one fact")
    async def statements(
        request: Request,
        subject: str = Query(..., max_length=4000),
        predicate: str = Query(..., max_length=4000),
        object: str = Query(..., max_length=20000),  # noqa: A002 - the fact's field name
    ) -> list[dict[str, Any]]:
        from kgqa.server.evidence import statements_of

        return await _engine_call(statements_of, request.app.state.engine, subject, predicate, object)


def _valid_iri(iri: str) -> bool:
    """An absolute IRI that can be written as ``<...>`` (what the query layer would accept)."""
    from rdflib import URIRef

    from kgqa.errors import QueryError
    from kgqa.sparql.build import render_term

    if ":" not in iri or any(ch.isspace() for ch in iri):
        return False
    try:
        render_term(URIRef(iri))
    except (QueryError, ValueError):
        return False
    return True
