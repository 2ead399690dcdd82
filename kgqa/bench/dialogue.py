"""kgqa bench dialogue: the trained policy against the rules it should beat, on held-out dialogues.

Simulated dialogues over the project's held-out entities and a synthetic graph of
unseen entities (see :mod:`kgqa.policy.training`), each question run through the
real pipeline, the simulated user answering clarifications. Strategies:

* ``policy``: the trained policy (the project's, else the shipped one, or ``--policy``);
* ``always_answer``: the pipeline alone;
* ``clarify_when_ambiguous``: ask whenever candidates or readings tie;
* ``best_threshold``: ask while the confidence is below a threshold, the threshold
  tuned for reward on the dev dialogues (the fallback rule of conversational frameworks).

Figures per strategy: average reward, accuracy, clarification rate on clean and
on ambiguous questions, average system turns; plus accuracy per question kind.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from kgqa.bench.report import Report, machine, write_json
from kgqa.engine import Engine

COLUMNS = ["strategy", "reward", "accuracy", "clarify_rate_clean", "clarify_rate_ambiguous", "turns",
           "accuracy_clean", "accuracy_ambiguous", "accuracy_underspecified", "accuracy_unanswerable", "abstain_rate"]
THRESHOLDS = [round(0.05 * i, 2) for i in range(21)]


def register(app: typer.Typer) -> None:
    @app.command("dialogue")
    def dialogue(
        ctx: typer.Context,
        json_path: Path = typer.Option(None, "--json", help="Write the figures to this JSON file."),
        policy: Path = typer.Option(None, "--policy", help="Policy weights (.pt) to evaluate (default: the project's)."),
        scale: float = typer.Option(1.0, "--scale", help="Fraction of the standard number of dialogues (quick runs)."),
        seed: int = typer.Option(7, "--seed", help="Seed of the simulated user's replies (the first of --repeats)."),
        repeats: int = typer.Option(3, "--repeats", help="Simulated users per strategy (seeds seed, seed+1, ...); figures are their means."),
    ) -> None:
        """Policy vs. always-answer, clarify-when-ambiguous and the best threshold, on held-out dialogues."""
        # Deferred: torch and the dialogue pipeline load only when this benchmark runs.
        import torch

        from kgqa.dialogue.cases import spec_cases
        from kgqa.dialogue.episodes import evaluate
        from kgqa.policy.strategies import LearnedPolicy, Threshold, strategies
        from kgqa.policy.training import DEV, HELDOUT, cache_dir, quick

        torch.set_num_threads(1)
        started = time.perf_counter()
        # The project kgqa's --project (or $KGQA_PROJECT, or the nearest .kgqa) names.
        with Engine.open(ctx.find_root().params.get("project")) as engine:
            cost = engine.settings.dialogue.clarify_cost
            dev_spec, heldout_spec = (quick(DEV, scale), quick(HELDOUT, scale)) if scale != 1.0 else (DEV, HELDOUT)
            dev = spec_cases(engine, dev_spec, cache_dir=cache_dir(engine.models_dir))
            heldout = spec_cases(engine, heldout_spec, cache_dir=cache_dir(engine.models_dir))
            learned = LearnedPolicy(policy) if policy else engine.dialogue_strategy
        def measure(cases, strategy) -> dict[str, float]:
            runs = [evaluate(cases, strategy, clarify_cost=cost, seed=seed + k) for k in range(repeats)]
            return {key: sum(r[key] for r in runs) / repeats for key in runs[0]}

        tuned = {t: measure(dev, Threshold(t))["reward"] for t in THRESHOLDS}
        best_t = max(THRESHOLDS, key=lambda t: (tuned[t], -t))
        contenders = {
            "policy": learned,
            "always_answer": strategies.get("always_answer")(),
            "clarify_when_ambiguous": strategies.get("clarify_when_ambiguous")(),
            "best_threshold": Threshold(best_t),
        }
        report = Report("dialogue", COLUMNS)
        figures = {}
        for name, strategy in contenders.items():
            figures[name] = measure(heldout, strategy)
            report.add_row(name, *(figures[name][c] for c in COLUMNS[1:]))
        kinds = {k: sum(c.question.kind == k for c in heldout) for k in ("clean", "ambiguous", "underspecified", "unanswerable")}
        report.set("threshold", best_t)
        report.set("clarify_cost", cost)
        report.set("heldout_dialogues", kinds)
        report.set("dev_dialogues", len(dev))
        report.set("simulated_users", repeats)
        report.set("seconds", round(time.perf_counter() - started, 1))
        report.print(Console(width=200))
        if json_path:
            write_json(json_path, {**figures, "threshold": best_t, "clarify_cost": cost, "heldout_dialogues": kinds,
                                   "dev_dialogues": len(dev), "simulated_users": repeats,
                                   "heldout": heldout_spec.key(), "dev": dev_spec.key(),
                                   "machine": machine()})
