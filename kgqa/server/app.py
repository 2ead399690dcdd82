"""The ASGI application: routes are contributed by modules, one job each."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from fastapi import FastAPI

from kgqa.engine import Engine


@dataclass
class ServerSettings:
    """Limits and permissions of one server."""

    allow_updates: bool = False
    update_token: str | None = None
    #: Run queries with SERVICE (federated query), which make the server send requests elsewhere.
    allow_service: bool = False
    timeout: float = 30.0
    limit: int = 100_000


def create_app(engine: Engine, settings: ServerSettings | None = None) -> FastAPI:
    """An ASGI app serving ``engine``; each ``kgqa.server.routes_*`` module adds its routes.

    Example:
        >>> from kgqa import Engine
        >>> app = create_app(Engine.memory())
        >>> sorted(r.path for r in app.routes if r.path.startswith("/sparql"))
        ['/sparql']
    """
    settings = settings or ServerSettings(
        timeout=engine.config.get("query.timeout"), limit=engine.config.get("query.limit")
    )
    if settings.allow_updates and not settings.update_token:
        from kgqa.errors import ConfigError

        raise ConfigError("updates can only be enabled together with an update token")
    app = FastAPI(title="kgqa", description="SPARQL 1.1 Protocol endpoint and question API of a kgqa project.")
    app.state.engine = engine
    app.state.settings = settings
    import kgqa.server as package

    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.startswith("routes_"):
            importlib.import_module(f"kgqa.server.{module.name}").add_routes(app)
    return app
