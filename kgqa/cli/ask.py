"""kgqa ask: answer a question, print the sentence and the SPARQL that produced it."""

from __future__ import annotations

import re
import sys

import typer
from rich.markup import escape
from rich.table import Table

from kgqa.cli.common import console, open_engine
from kgqa.namespaces import local_name


def register(app: typer.Typer) -> None:
    @app.command()
    def ask(
        question: str = typer.Argument(..., help="The question, in plain English."),
        explain: bool = typer.Option(False, "--explain", "-e", help="Also show entities, readings, facts and timings."),
        as_json: bool = typer.Option(False, "--json", help="Print the whole Answer as JSON."),
        no_inferred: bool = typer.Option(False, "--no-inferred", help="Only asserted facts, never inferred links."),
        readings: int = typer.Option(3, "-k", help="Readings to report."),
        correct: str = typer.Option(None, "--correct", metavar="'ANSWER|ANSWER'",
                                    help="Record the right answers to QUESTION instead of asking it; the next "
                                    "`kgqa train translator` learns from them."),
    ) -> None:
        """Answer a question over the project's graph, with its SPARQL."""
        if correct is not None:
            with open_engine(read_only=True) as engine:
                pending = engine.correct(question, correct.split("|"))
            console.print(f"noted; {pending} correction(s) pending for the next `kgqa train translator`")
            return
        with open_engine(read_only=True) as engine:
            answer = engine.ask(question, use_inferred=False if no_inferred else None, k=readings)
        if as_json:
            sys.stdout.write(answer.to_json() + "\n")
            return
        print_answer(answer, explain)


def print_answer(answer, explain: bool) -> None:  # noqa: ANN001 - kgqa.answer.Answer
    """The sentence, the SPARQL and (with ``explain``) everything behind them."""
    console.print(escape(answer.text), highlight=False)
    if answer.sparql:
        console.print("\n[bold]SPARQL[/bold]")
        console.print(escape(answer.sparql), highlight=False)
    for note in answer.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    if not explain:
        return
    console.print(f"\nconfidence {answer.confidence:.3f}   inferred {answer.inferred}   masked [italic]{escape(answer.masked)}[/italic]")
    table = Table("mention", "role", "candidate", "types", "score", "prob", "fits", "used", title="linked entities")
    for m in answer.linked:
        for i, c in enumerate(m.candidates[:6]):
            table.add_row(
                escape(m.surface) if i == 0 else "", m.role if i == 0 else "", escape(c.label) + f" <{c.iri}>",
                ", ".join(local_name(t) for t in c.types), f"{c.score:.3f}", f"{c.prob:.3f}",
                "" if c.fits is None else ("yes" if c.fits else "no"), "*" if c.iri in m.chosen else "",
            )
    console.print(table)
    table = Table("reading", "prob", "score", "fits", "chosen", title="readings")
    for r in answer.readings:
        table.add_row(escape(_short(r.signature)), f"{r.prob:.3f}", f"{r.score:.3f}", "yes" if r.fits else "no", "*" if r.chosen else "")
    console.print(table)
    table = Table("fact", "kind", "confidence", "source", title="facts")
    for f in answer.facts[:40]:
        table.add_row(escape(f"{f.subject_label} · {_short(str(f.predicate))} · {f.object_label}"), f.kind,
                      "" if f.confidence is None else f"{f.confidence:.2f}",
                      escape("\n".join(_provenance(f))))
    if len(answer.facts) > 40:
        table.add_row(f"... {len(answer.facts) - 40} more", "", "", "")
    console.print(table)
    console.print("timings (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in answer.timings_ms.items()))


def _provenance(fact) -> list[str]:  # noqa: ANN001 - a kgqa.facts.Fact
    """Every source of a fact, then how it was read ("ontology, chars 120-164") or the rule behind it."""
    how = ", ".join(str(x) for x in (fact.extra.get("extractor"), fact.extra.get("location")) if x)
    return [x for x in (*(fact.extra.get("sources") or [fact.source]), how, fact.extra.get("rule")) if x]


def _short(text: str) -> str:
    """IRIs shortened to their local names, for tables."""
    return re.sub(r"[A-Za-z]+://[^\s|]*?[#/]([\w.-]+)(?=\^|\||\s|$|[<>=])", r"\1", text)
