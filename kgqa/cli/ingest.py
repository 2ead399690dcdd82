"""kgqa ingest / remove / documents: documents in, facts out, and where each fact came from."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from kgqa.cli.common import console, err_console, open_engine, write_json
from kgqa.linking import fold
from kgqa.namespaces import local_name


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: list[Path] = typer.Argument(None, help="Files or folders (RDF, CSV/TSV, JSON/JSONL, txt, md, html, pdf)."),
        exclude: list[str] = typer.Option([], "--exclude", "-x", help="Glob of files to leave out (repeatable)."),
        mapping: list[Path] = typer.Option([], "--mapping", "-m", help="Mapping file for tables (repeatable)."),
        threshold: float = typer.Option(None, help="Confidence to assert an extracted triple (default ingest.confidence_threshold)."),
        extractor: str = typer.Option(None, help="Text extractor: ontology (default) or llm."),
        force: bool = typer.Option(False, "--force", help="Re-ingest files even when unchanged."),
        unmerge: str = typer.Option(None, "--unmerge", help="Undo the merges of this name and re-ingest their documents."),
        json_out: Path = typer.Option(None, "--json", help="Write the summary as JSON ('-' for stdout)."),
    ) -> None:
        """Turn documents into RDF in the store: one transaction per document, resumable.

        Unchanged files are skipped; changed ones replace their old facts. Exits 1 when a
        document failed (the summary says why).
        """
        # Deferred: ingestion loads sqlite-utils (and pandas), a second at every kgqa start-up.
        from ingest.pipeline import IngestInterrupted, unmerge as undo_merge

        if not paths and not unmerge:
            raise typer.BadParameter("give files or folders to ingest, or --unmerge NAME")
        interrupted = False
        with open_engine() as engine:
            try:
                if unmerge:
                    summary = undo_merge(engine, unmerge, progress=True)
                else:
                    summary = engine.ingest(
                        paths, exclude=exclude, mappings=mapping, threshold=threshold, extractor=extractor,
                        force=force, progress=True,
                    )
            except IngestInterrupted as stop:
                summary, interrupted = stop.summary, True
        if json_out:
            write_json(json_out, summary.to_dict())
        _print_summary(summary)
        if interrupted:
            left = f"{summary.interrupted} is left pending; " if summary.interrupted else ""
            err_console.print(f"interrupted: {left}run the same command again to go on", markup=False, soft_wrap=True)
            sys.exit(130)  # as a shell reports SIGINT, so scripts tell a stopped run from a finished one
        if not summary.ok:
            sys.exit(1)  # typer.Exit is swallowed in kgqa's non-standalone mode

    @app.command()
    def remove(document: str = typer.Argument(..., help="Path (or graph name) of an ingested document.")) -> None:
        """Delete one document's facts; entities other documents mention stay."""
        with open_engine() as engine:
            report = engine.remove(document)
        console.print(f"removed {report.path}: {report.triples} triples, {report.candidates} candidates")

    docs_app = typer.Typer(help="Ingested documents and their provenance.", no_args_is_help=True)
    app.add_typer(docs_app, name="documents")

    @docs_app.command("list")
    def documents_list(
        status: str = typer.Option(None, help="Only documents with this status: ok, failed, pending."),
        json_out: Path = typer.Option(None, "--json", help="Write the rows as JSON ('-' for stdout)."),
    ) -> None:
        """One line per ingested document: status, type, triples, when, and the error if any."""
        # Deferred: ingestion loads sqlite-utils (and pandas), a second at every kgqa start-up.
        from ingest.pipeline import open_provenance

        with open_engine(read_only=True) as engine:
            prov = open_provenance(engine)
            rows = prov.documents(status=status)
            prov.close()
        if json_out:
            write_json(json_out, [{k: v for k, v in r.items() if k != "ontology_nt"} for r in rows])
            return
        table = Table("document", "status", "type", "triples", "candidates", "ingested", "error")
        table.columns[0].overflow = table.columns[6].overflow = "fold"
        for r in rows:
            table.add_row(
                _short(r["path"]), r["status"], r["type"] or "", str(r["triples"] or 0), str(r["candidates"] or 0),
                r["ingested_at"] or "", r["error"] or "",
            )
        console.print(table)

    @docs_app.command("show")
    def documents_show(
        document: str = typer.Argument(..., help="Path (or graph name) of an ingested document."),
        limit: int = typer.Option(50, help="Show at most this many triples."),
        json_out: Path = typer.Option(None, "--json", help="Write the document and its triples as JSON."),
    ) -> None:
        """A document's facts with their provenance: span, sentence, extractor, confidence."""
        # Deferred: ingestion loads sqlite-utils (and pandas), a second at every kgqa start-up.
        from ingest.pipeline import find_document, open_provenance

        with open_engine(read_only=True) as engine:
            prov = open_provenance(engine)
            row = find_document(prov, document)
            triples = prov.triples(row["id"], limit=limit)
            prov.close()
        if json_out:
            write_json(json_out, {"document": {k: v for k, v in row.items() if k != "ontology_nt"}, "triples": triples})
            return
        console.print(f"[bold]{row['path']}[/] {row['status']} ({row['type']}), graph {row['graph']}")
        if row["error"]:
            console.print(f"[red]error[/] {row['error']}")
        table = Table("subject", "predicate", "object", "conf.", "asserted", "where", "extractor")
        for t in triples:
            where = t["location"] or (f"chars {t['start']}-{t['end']}" if t["start"] is not None else "")
            table.add_row(
                _term(t["subject"]), _term(t["predicate"]), _term(t["object"]), f"{t['confidence']:.2f}",
                "yes" if t["asserted"] else "candidate", where, t["extractor"],
            )
        console.print(table)

    @docs_app.command("merges")
    def documents_merges(alias: str = typer.Option(None, help="Only merges of this name.")) -> None:
        """Names entity resolution merged into existing entities (undo with `kgqa ingest --unmerge NAME`)."""
        # Deferred: ingestion loads sqlite-utils (and pandas), a second at every kgqa start-up.
        from ingest.pipeline import open_provenance

        with open_engine(read_only=True) as engine:
            prov = open_provenance(engine)
            rows = prov.merges(fold(alias) if alias else None, include_undone=True)
            prov.close()
        table = Table("alias", "entity", "method", "score", "document", "undone")
        for r in rows:
            table.add_row(r["alias"], _term(f"<{r['iri']}>"), r["method"], f"{r['score']:.2f}", _short(r["doc_id"]), "yes" if r["undone"] else "")
        console.print(table)


def _short(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _term(n3: str) -> str:
    """A short form for tables: an IRI's last segment, a literal's text."""
    if n3.startswith("<") and n3.endswith(">"):
        return local_name(n3[1:-1])
    if n3.startswith('"'):
        return n3[1 : n3.rindex('"')]
    return n3


def _print_summary(summary) -> None:  # noqa: ANN001 - ingest.pipeline.IngestSummary
    counts = summary.counts()
    for item in summary.items:
        # One line each, never wrapped: scripts grep these.
        if item.status == "failed":
            err_console.print(f"failed  {item.path}: {item.reason}", markup=False, highlight=False, soft_wrap=True)
        elif item.status == "skipped" and item.reason != "unchanged":
            console.print(f"skipped {item.path}: {item.reason}", markup=False, highlight=False, soft_wrap=True)
        for warning in item.warnings:
            err_console.print(f"warning {item.path}: {warning}", markup=False, highlight=False, soft_wrap=True)
    unchanged = sum(1 for i in summary.items if i.reason == "unchanged")
    console.print(
        f"{counts['ok']} ok, {counts['skipped']} skipped ({unchanged} unchanged), {counts['failed']} failed; "
        f"{summary.triples} triples asserted, {summary.candidates} candidates, {summary.seconds:.1f} s",
        soft_wrap=True,
    )
