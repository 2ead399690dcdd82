"""HTTP: a SPARQL 1.1 Protocol endpoint (and, mounted beside it, the question API).

:func:`~kgqa.server.app.create_app` builds the ASGI app for an engine; ``kgqa serve``
runs it with uvicorn. The endpoint is read-only unless started with updates enabled
and a bearer token; every query has a timeout and a result cap.
"""

from kgqa.server.app import ServerSettings, create_app

__all__ = ["ServerSettings", "create_app"]
