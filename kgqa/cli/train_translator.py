"""kgqa train translator: synthesize questions from the graph and train the translator."""

from __future__ import annotations

from pathlib import Path

import typer

from kgqa.cli.common import console, open_engine, write_json
from kgqa.namespaces import local_name
from kgqa.cli.train import train_app


@train_app.command("translator")
def translator(
    examples: Path = typer.Option(None, "--examples", help="Extra (question, structure) pairs, TSV or JSON."),
    qa: Path = typer.Option(None, "--qa", help="Question-answer pairs, 'question<TAB>answer1|answer2' lines: "
                            "the graph's paths that give those answers become training examples."),
    no_corrections: bool = typer.Option(False, "--no-corrections", help="Leave out the pending corrections "
                                        "(kgqa ask --correct, POST /feedback)."),
    epochs: int = typer.Option(None, help="Training epochs (default: translator.epochs in kgqa.toml)."),
    per_structure: int = typer.Option(None, "--per-structure", help="Synthesized phrasings per structure."),
    json_out: Path = typer.Option(None, "--json", help="Write the training report as JSON."),
) -> None:
    """Train the question translator on questions synthesized from this project's graph."""
    # Deferred: the answering pipeline loads only for this command, not at every kgqa start-up.
    from kgqa.answer.feedback import FeedbackStore, feedback_path
    from kgqa.answer.weak import learned
    from kgqa.translate.train import train_translator

    with open_engine() as engine:
        extra = learned(engine, qa, corrections=not no_corrections)
        if extra.pairs or extra.corrections:
            console.print(f"question-answer pairs: {extra.pairs:,} from {qa or 'no file'}, {extra.corrections:,} "
                          f"pending corrections; {len({l.question for l in extra.labels}):,} matched a path "
                          f"({len(extra.labels):,} examples), {len(extra.missed):,} did not")
        result = train_translator(engine, examples=examples, extra=extra.examples, epochs=epochs,
                                  per_structure=per_structure)
        if extra.corrections:
            FeedbackStore(feedback_path(engine)).mark_used()
        engine.invalidate()
    r = result.report
    console.print(f"trained on {r.examples:,} questions ({result.synthesized:,} synthesized, {result.user_examples:,} yours), "
                  f"{r.labels} structures, {r.classes} answer classes, {r.epochs} epochs, {r.seconds:.0f} s")
    console.print("by kind: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result.by_kind.items())))
    val = "n/a" if r.validation_accuracy is None else f"{r.validation_accuracy:.3f}"
    console.print(f"accuracy: train {r.train_accuracy:.3f}, held-out {val} ({r.validation_examples:,} questions)")
    if result.few_phrasings:
        console.print("few phrasings (labels, alt labels or comments would add more): "
                      + ", ".join(f"{local_name(p)} {n}" for p, n in result.few_phrasings))
    console.print(f"saved to {result.directory} (curves: {result.directory / 'curves.png'})")
    if json_out:
        write_json(json_out, {**r.__dict__, "directory": str(result.directory), "by_kind": result.by_kind,
                              "few_phrasings": result.few_phrasings, "qa_pairs": extra.pairs, "corrections": extra.corrections,
                              "qa_matched": len({l.question for l in extra.labels}), "qa_missed": extra.missed})


def register(app: typer.Typer) -> None:
    """The command lives in the ``train`` group (see :mod:`kgqa.cli.train`)."""
