"""kgqa complete: predict missing links into the inferred graph (or drop them)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kgqa.cli.common import console, open_engine, write_json
from kgqa.complete.progress import quiet_pykeen
from kgqa.namespaces import local_name


def register(app: typer.Typer) -> None:
    @app.command()
    def complete(
        model: str = typer.Option(None, help="PyKEEN model name (default: complete.model, e.g. TransE, DistMult)."),
        epochs: int = typer.Option(None, help="Most epochs to train (early stopping may end sooner)."),
        dim: int = typer.Option(None, "--dim", help="Embedding dimension."),
        target_precision: float = typer.Option(None, help="Precision each relation's threshold must reach."),
        rules: bool = typer.Option(None, "--rules/--no-rules", help="Also mine path rules (default: complete.rules)."),
        retrain: bool = typer.Option(False, help="Train from scratch even if the last run could be fine-tuned."),
        drop: bool = typer.Option(False, help="Remove the inferred graph and stop."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
        json_out: Path = typer.Option(None, "--json", help="Also write the report as JSON (- for stdout)."),
    ) -> None:
        """Train a graph embedding and mine path rules on the asserted facts; write calibrated predictions.

        Predictions go to the graph urn:kgqa:graph:inferred only; asserted graphs are
        never changed. Run it again after ingesting documents: it fine-tunes the last
        model when the graph only grew.
        """
        with open_engine() as engine:
            if drop:
                n = engine.complete(drop=True)
                console.print(f"dropped the inferred graph ({n} quads)")
                return
            quiet_pykeen()
            report = engine.complete(
                model=model,
                epochs=epochs,
                embedding_dim=dim,
                target_precision=target_precision,
                rules=rules,
                retrain=retrain,
                progress=not quiet,
            )
        _print_report(report)
        if json_out is not None:
            write_json(json_out, report.to_dict())


def _print_report(report) -> None:  # noqa: ANN001 - a CompletionReport
    how = f"fine-tuned from {report.warm_started_from}" if report.warm_started_from else "trained from scratch"
    console.print(
        f"run {report.run_id}: {report.model}, {report.epochs} epochs, {how} "
        f"({report.counts['triples']} triples, {report.counts['entities']} entities, {report.seconds:.1f} s)"
    )
    m = report.metrics
    console.print(
        f"test (filtered): MRR {m['mrr']:.3f}  Hits@1 {m['hits@1']:.3f}  Hits@3 {m['hits@3']:.3f}  Hits@10 {m['hits@10']:.3f}"
    )
    table = Table("relation", "threshold", "predictions", "rule threshold", "rule predictions")
    for rel in sorted({*report.thresholds, *report.rule_thresholds}):
        table.add_row(
            local_name(rel),
            _threshold(report.thresholds.get(rel)),
            str(report.predictions_by_relation.get(rel, 0)),
            _threshold(report.rule_thresholds.get(rel)),
            str(report.rule_predictions_by_relation.get(rel, 0)),
        )
    console.print(table)
    console.print(
        f"{report.predictions} embedding and {report.rule_predictions} rule predictions ({report.rules} rules mined) "
        f"written to urn:kgqa:graph:inferred; model and rules in {report.directory}"
    )
    if report.predictions + report.rule_predictions == 0:
        console.print(
            f"nothing predicted: on held-out facts no relation reached the target precision ('-': no threshold) and "
            f"no rule the minimum support; {report.counts['triples']} triples are few for either. Add facts, or "
            "lower --target-precision (more links, more of them wrong)."
        )


def _threshold(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
