"""kgqa serve: the SPARQL 1.1 Protocol endpoint (and question API) over HTTP."""

from __future__ import annotations

import os

import typer

from kgqa.cli.common import console, open_engine, state
from kgqa.config import CONFIG_FILE, Config
from kgqa.errors import ConfigError
from kgqa.project import find_project


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="Address to bind (default from kgqa.toml: 127.0.0.1)."),
        port: int = typer.Option(None, help="Port (default from kgqa.toml: 8085)."),
        allow_updates: bool = typer.Option(
            False, "--allow-updates", help="Accept SPARQL updates from clients that send the update token."
        ),
        allow_service: bool = typer.Option(
            False, "--allow-service", help="Run SERVICE, LOAD and FROM/USING outside the store, which make the server fetch other URLs."
        ),
        timeout: float = typer.Option(None, help="Seconds before a query is stopped."),
        limit: int = typer.Option(None, help="Result cap in rows."),
        workers: int = typer.Option(None, help="Query worker processes (default from kgqa.toml: 0 = one per core)."),
    ) -> None:
        """Serve the project over HTTP: /sparql (SPARQL 1.1 Protocol) and the question API."""
        # Deferred: the web stack (uvicorn, FastAPI) loads only when serving.
        import uvicorn

        from kgqa.server import ServerSettings, create_app

        cfg = Config.load(find_project(state.project) / CONFIG_FILE).settings
        token_env = cfg.server.update_token_env
        allow = allow_updates or cfg.server.allow_updates
        # A read-only server opens the store read-only, so its query workers can open it too.
        token = os.environ.get(token_env) if allow else None
        if allow and not token:
            raise ConfigError(f"updates need a token: set the environment variable {token_env}")
        engine = open_engine(read_only=not allow)
        settings = ServerSettings(
            allow_updates=allow,
            update_token=token,
            allow_service=allow_service or cfg.server.allow_service,
            timeout=cfg.query.timeout if timeout is None else timeout,
            limit=cfg.query.limit if limit is None else limit,
            workers=cfg.server.workers if workers is None else workers,
            client_queries=cfg.server.client_queries,
        )
        host = host or cfg.server.host
        port = port or cfg.server.port
        app = create_app(engine, settings)
        mode = "read-write (token required)" if allow else "read-only"
        runs = f"{app.state.pool.size} query workers" if app.state.pool else "queries in threads"
        console.print(f"kgqa serving {engine.directory} at http://{host}:{port}/sparql ({mode}, {runs})")
        uvicorn.run(app, host=host, port=port, log_level="warning")
