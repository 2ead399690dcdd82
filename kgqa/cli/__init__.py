"""The ``kgqa`` command line.

Each module in this package is one command group and exposes
``register(app: typer.Typer)``; :func:`build_app` discovers them, so adding a command
means adding a module. Heavy libraries are imported inside the commands, which keeps
``kgqa sparql`` quick to start.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click
import typer

from kgqa.cli.common import state
from kgqa.echo import printable
from kgqa.errors import KgqaError


def build_app(argv: list[str] | None = None) -> typer.Typer:
    """The ``kgqa`` app; with ``argv`` (the command line to run), only what it needs may be imported."""
    state.argv = argv
    app = typer.Typer(
        name="kgqa",
        help="Question answering over a knowledge graph built from your documents.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @app.callback()
    def main_options(
        project: str = typer.Option(
            None, "--project", "-p", envvar="KGQA_PROJECT", help="Project directory (default: nearest .kgqa)."
        ),
    ) -> None:
        state.project = project

    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name != "common":
            importlib.import_module(f"{__name__}.{module.name}").register(app)
    return app


def main() -> None:
    """Console entry point: user errors become one line on stderr and exit code 1."""
    app = build_app(sys.argv[1:])
    try:
        app(standalone_mode=False)
    except KgqaError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors carry their own exit code
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
