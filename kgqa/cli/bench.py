"""kgqa bench ...: every module of kgqa.bench adds one benchmark command.

The benchmark modules import much of kgqa (engines, models, datasets) when they
load, so the console command imports them only when its command line asks for
``bench``: other commands, ``kgqa ask`` first, start without paying for them.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import kgqa.bench as package
from kgqa.cli.common import state


def register(app: typer.Typer) -> None:
    bench_app = typer.Typer(help="Benchmarks: each prints a table; --json FILE writes the figures.", no_args_is_help=True)
    if state.argv is None or "bench" in state.argv:
        for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if module.name != "report":
                importlib.import_module(f"kgqa.bench.{module.name}").register(bench_app)
    app.add_typer(bench_app, name="bench")
