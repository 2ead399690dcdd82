"""kgqa sparql: run a query and print the result."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from kgqa.cli.common import console, open_engine, write_out
from kgqa.errors import QueryError


def register(app: typer.Typer) -> None:
    @app.command()
    def sparql(
        query: str = typer.Argument(None, help="The SPARQL query (or use -f)."),
        file: Path = typer.Option(None, "--file", "-f", help="Read the query from a file (- for stdin)."),
        fmt: str = typer.Option("table", "--format", help="table, json, xml, csv, tsv (graphs: turtle, nt)."),
        graph: str = typer.Option(None, "--graph", "-g", help="Query only this named graph."),
        timeout: float = typer.Option(None, help="Seconds before the query is stopped."),
        limit: int = typer.Option(None, help="At most this many result rows."),
    ) -> None:
        """Run a SPARQL query over the project's graphs."""
        if file is not None:
            query = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        if not query:
            raise QueryError("no query given; pass it as an argument or with -f FILE")
        with open_engine(read_only=True) as engine:
            result = engine.sparql(query, graph=graph, timeout=timeout, limit=limit)
        if fmt != "table":
            write_out(result.serialize(fmt).decode("utf-8"))
            return
        if result.kind == "ask":
            console.print("true" if result else "false")
        elif result.kind == "graph":
            write_out(result.serialize("turtle").decode("utf-8"))
        else:
            table = Table(*result.vars)
            for row in result.rows:
                table.add_row(*("" if t is None else str(t) for t in row))
            console.print(table)
            note = " (truncated by the result limit)" if result.truncated else ""
            console.print(f"{len(result)} rows{note}")
