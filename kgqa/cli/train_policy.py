"""kgqa train policy: train the dialogue policy for this project's graph (REINFORCE on simulated dialogues)."""

from __future__ import annotations

from pathlib import Path

import typer

from kgqa.cli.common import console, open_engine
from kgqa.cli.train import train_app


def register(app: typer.Typer) -> None:
    @train_app.command("policy")
    def policy(
        iterations: int = typer.Option(600, help="REINFORCE iterations (batches of dialogues)."),
        batch_size: int = typer.Option(64, help="Dialogues per iteration."),
        seed: int = typer.Option(0, help="Seed of training (network, sampling, simulated user)."),
        restarts: int = typer.Option(3, help="Train from this many seeds (seed, seed+1, ...); the best on the dev set is kept."),
        out: Path = typer.Option(None, "--out", help="Write the policy here (default: <project>/models/policy/policy.pt)."),
    ) -> None:
        """Train when to answer, clarify or abstain; saves the weights and a learning-curve PNG."""
        # Deferred: the policy imports torch, which every other command would pay for at start-up.
        from kgqa.dialogue.cases import graph_fingerprint, spec_cases
        from kgqa.dialogue.session import project_policy_path
        from kgqa.policy.reinforce import TrainSettings
        from kgqa.policy.training import cache_dir, train_policy

        with open_engine() as engine:
            settings = TrainSettings(iterations=iterations, batch_size=batch_size, seed=seed,
                                     clarify_cost=engine.settings.dialogue.clarify_cost)
            cache = cache_dir(engine.models_dir)
            done = train_policy(
                lambda spec: spec_cases(engine, spec, cache_dir=cache),
                out or project_policy_path(engine),
                settings=settings,
                restarts=restarts,
                about={"trained_on": str(engine.directory), "graph_fingerprint": graph_fingerprint(engine)},
            )
        best = done.result.best
        console.print(f"policy: {done.path} (curve: {done.curve})")
        console.print(f"dev: reward {best['reward']:.3f}, accuracy {best['accuracy']:.3f}, "
                      f"clarified {best['clarify_rate_clean']:.1%} of clean and {best['clarify_rate_ambiguous']:.1%} "
                      f"of ambiguous questions ({done.cases} training dialogues, best at iteration {done.result.best_iteration})")
