"""The ASGI application: routes are contributed by modules, one job each."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from kgqa.engine import Engine
from kgqa.server.limits import ClientLimit
from kgqa.server.workers import QueryPool, machine_cores


@dataclass
class ServerSettings:
    """Limits and permissions of one server."""

    allow_updates: bool = False
    update_token: str | None = None
    #: Run queries with SERVICE (federated query), which make the server send requests elsewhere.
    allow_service: bool = False
    timeout: float = 30.0
    limit: int = 100_000
    #: Query worker processes (0: one per core). Used when the store is Oxigraph on disk, opened read-only.
    workers: int = 0
    #: /sparql requests one client address may have in flight (0: half the workers, at least 1; -1: no limit).
    client_queries: int = 0

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else machine_cores()

    def client_limit(self) -> int:
        if self.client_queries:
            return max(0, self.client_queries)
        return max(1, self.worker_count() // 2)


def create_app(engine: Engine, settings: ServerSettings | None = None) -> FastAPI:
    """An ASGI app serving ``engine``; each ``kgqa.server.routes_*`` module adds its routes.

    When the engine's store is Oxigraph on disk opened read-only, queries run in a pool
    of worker processes that can be killed at their timeout (:mod:`kgqa.server.workers`);
    otherwise (in memory, a remote endpoint, a server that accepts updates) in threads.

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
    store = engine.store
    pool = None
    if store.backend == "oxigraph" and store.read_only and store.location != ":memory:":
        pool = QueryPool(store.location, settings.worker_count())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            await pool.start()
        try:
            yield
        finally:
            if pool is not None:
                pool.close()

    app = FastAPI(
        title="kgqa",
        description="SPARQL 1.1 Protocol endpoint and question API of a kgqa project.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.pool = pool
    app.add_middleware(ClientLimit, limit=settings.client_limit())
    import kgqa.server as package

    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.startswith("routes_"):
            importlib.import_module(f"kgqa.server.{module.name}").add_routes(app)
    return app
