"""kgqa train matcher: train the relation matcher of the ``parsed`` extractor on WebNLG."""

from __future__ import annotations

from pathlib import Path

import typer

from kgqa.cli.common import console, write_json
from kgqa.cli.train import train_app


@train_app.command("matcher")
def matcher(
    webnlg: Path = typer.Option(..., "--webnlg", help="WebNLG 2020 folder (train/ and dev/ with the XML files)."),
    out: Path = typer.Option(None, "--out", help="Weights file (default: the package's ingest/extract/weights/matcher.npz)."),
    max_texts: int = typer.Option(3000, help="Training texts to read (0 = all 35,426; parsing and embedding dominate)."),
    negatives: int = typer.Option(3, help="Random predicates of the category added as negatives per pair."),
    epochs: int = typer.Option(25, help="Training epochs (the best on WebNLG dev is kept)."),
    plot: Path = typer.Option(Path("matcher-curve.png"), help="Where to draw the loss curves."),
    json_out: Path = typer.Option(None, "--json", help="Write the training report as JSON."),
) -> None:
    """Train the relation matcher (all categories, and one without the held-out categories) on WebNLG train."""
    from ingest.extract.matcher import WEIGHTS
    from ingest.extract.training import train_matcher

    report = train_matcher(webnlg, out or WEIGHTS, max_texts=max_texts, negatives=negatives, epochs=epochs, plot=plot)
    console.print(f"{report['train_rows']:,} training rows, {report['dev_rows']:,} dev rows; held out: {', '.join(report['held_out'])}")
    for name in ("all", "heldout"):
        r = report[name]
        console.print(f"{name}: dev pairs in-category {r['dev_in_categories']}, held-out categories {r['dev_held_out_categories']} -> {r['path']}")
    console.print(f"curves: {plot}")
    if json_out:
        write_json(json_out, report)


def register(app: typer.Typer) -> None:
    """The command lives in the ``train`` group (see :mod:`kgqa.cli.train`)."""
