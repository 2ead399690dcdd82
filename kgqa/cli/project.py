"""kgqa init / load / ontology / config / graphs."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from kgqa.cli.common import console, open_engine, state
from kgqa.config import CONFIG_FILE, Config
from kgqa.engine import Engine
from kgqa.namespaces import KGQA
from kgqa.ontology import bundled_ontology
from kgqa.project import find_project


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        directory: Path = typer.Argument(None, help="Project directory (default: ./.kgqa or --project)."),
        ontology: list[Path] = typer.Option([], "--ontology", "-o", help="Ontology file(s) to add."),
        sample: bool = typer.Option(False, help="Also add the bundled sample ontology (scifi.ttl)."),
    ) -> None:
        """Create a project (store, settings, ontology graph)."""
        target = directory or Path(state.project or ".kgqa")
        files = [*([bundled_ontology("scifi.ttl")] if sample else []), *ontology]
        with Engine.init(target, ontologies=files) as engine:
            onto = engine.ontology
            # kgqa's own vocabulary (documents, runs, predictions) is always there: count the user's.
            classes = [c for c in onto.classes if not c.startswith(KGQA)]
            properties = [p for p in onto.properties if not p.startswith(KGQA)]
            console.print(
                f"project [bold]{target}[/]: {len(classes)} classes, {len(properties)} properties "
                f"(besides kgqa's own vocabulary), {engine.store.count()} triples"
            )

    @app.command()
    def load(
        files: list[Path] = typer.Argument(..., help="RDF files (format from the extension)."),
        graph: str = typer.Option(None, "--graph", "-g", help="Named graph for triples (default urn:kgqa:graph:facts)."),
    ) -> None:
        """Bulk-load RDF files into the store (all are validated before any is loaded)."""
        with open_engine() as engine:
            start = time.perf_counter()
            reports = engine.load(files, graph=graph)
            seconds = time.perf_counter() - start
            total = sum(r.triples for r in reports)
            for r in reports:
                console.print(f"{r.path}: {r.triples} triples -> {r.graph or 'its own graphs'}")
            console.print(f"loaded {total} triples in {seconds:.2f} s ({total / max(seconds, 1e-9):,.0f} triples/s)")

    onto_app = typer.Typer(help="Ontologies of the project.", no_args_is_help=True)
    app.add_typer(onto_app, name="ontology")

    @onto_app.command("add")
    def ontology_add(files: list[Path] = typer.Argument(..., help="Ontology files (Turtle, RDF/XML...).")) -> None:
        """Validate ontology files and add them to the ontology graph."""
        with open_engine() as engine:
            for path in files:
                report = engine.add_ontology(path)
                for warning in report.warnings:
                    console.print(f"[yellow]warning[/] {warning}")
                console.print(f"{path}: {report.classes} classes, {report.properties} properties added")

    @onto_app.command("show")
    def ontology_show() -> None:
        """List the ontology's properties with domain, range and lexicalisations."""
        with open_engine(read_only=True) as engine:
            onto = engine.ontology
            table = Table("property", "domain", "range", "labels")
            for prop in sorted(onto.properties.values(), key=lambda p: p.label):
                table.add_row(
                    prop.label,
                    onto.label(prop.domain) if prop.domain else "",
                    onto.label(prop.range) if prop.range else "",
                    ", ".join(prop.alt_labels[:4]),
                )
            console.print(table)

    @app.command()
    def config() -> None:
        """Show the effective settings (defaults overlaid with kgqa.toml)."""
        directory = find_project(state.project)
        cfg = Config.load(directory / CONFIG_FILE)
        changed = cfg.overrides()
        console.print(f"# {directory / CONFIG_FILE}")
        for section, values in cfg.data.items():
            console.print(f"[bold]\\[{section}][/]")
            for key, value in values.items():
                mark = "" if key not in changed.get(section, {}) else "   # set in kgqa.toml"
                console.print(f"{key} = {value!r}{mark}", markup=False)

    @app.command()
    def graphs() -> None:
        """List the named graphs with their triple counts."""
        with open_engine(read_only=True) as engine:
            table = Table("graph", "triples")
            for g in engine.store.graphs():
                table.add_row(str(g), str(engine.store.count(g)))
            console.print(table)
