"""Training a project's dialogue policy: simulate, observe through the pipeline, REINFORCE, save.

:func:`train_policy` is what ``kgqa train policy`` runs. Training dialogues come
from the project's graph (its ``train`` entities) and from a synthetic graph with
many shared labels; the dev set (for keeping the best weights and tuning the
threshold baseline) uses other seeds; the benchmark's held-out set uses the
graph's ``heldout`` entities and yet another synthetic graph, so no entity of it
was seen in training. The policy, its JSON description and the learning curve go
to ``<project>/models/policy/``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgqa.dialogue.cases import CaseSpec, graph_fingerprint, spec_cases
from kgqa.policy.network import save_policy
from kgqa.policy.reinforce import TrainResult, TrainSettings, plot_curve, train_restarts

if TYPE_CHECKING:
    from kgqa.engine import Engine

TRAIN = CaseSpec("train", seed=1, n=400, synthetic_seed=1001, synthetic_n=600)
DEV = CaseSpec("train", seed=2, n=200, synthetic_seed=1002, synthetic_n=300)
HELDOUT = CaseSpec("heldout", seed=101, n=300, synthetic_seed=2001, synthetic_n=400)


@dataclass
class PolicyTraining:
    """A trained policy and where its files went."""

    result: TrainResult
    path: Path
    curve: Path
    cases: int


def cache_dir(engine: Engine) -> Path:
    return engine.models_dir / "policy" / "cache"


def train_policy(
    engine: Engine,
    *,
    out: str | Path | None = None,
    settings: TrainSettings | None = None,
    train: CaseSpec = TRAIN,
    dev: CaseSpec = DEV,
    restarts: int = 3,
    progress: bool = True,
) -> PolicyTraining:
    """Train on ``train`` from ``restarts`` seeds, keep the weights best on ``dev``, save to ``out``
    (default: the project's policy)."""
    import torch

    from kgqa.dialogue.session import project_policy_path

    settings = settings or TrainSettings(clarify_cost=engine.config.get("dialogue.clarify_cost"))
    path = Path(out) if out else project_policy_path(engine)
    started = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny network: threads only add overhead
    try:
        train_cases = spec_cases(engine, train, cache_dir=cache_dir(engine), progress=progress)
        dev_cases = spec_cases(engine, dev, cache_dir=cache_dir(engine), progress=progress)
        result = train_restarts(train_cases, dev_cases, settings, restarts, progress=progress)
    finally:
        torch.set_num_threads(threads)
    info: dict[str, Any] = {
        "trained_on": str(engine.directory or "in-memory engine"),
        "graph_fingerprint": graph_fingerprint(engine),
        "train": train.key(),
        "dev": dev.key(),
        "train_cases": len(train_cases),
        "dev_cases": len(dev_cases),
        "best_iteration": result.best_iteration,
        "dev_figures": result.best,
        "settings": result.settings,
        "seconds": round(time.perf_counter() - started, 1),
    }
    save_policy(result.network, path, info)
    curve = path.with_name(path.stem + "_curve.png")
    plot_curve(result, str(curve))
    return PolicyTraining(result, path, curve, len(train_cases))


def quick(spec: CaseSpec, factor: float) -> CaseSpec:
    """``spec`` with ``factor`` times as many questions (small runs for tests and smoke checks)."""
    return replace(spec, n=max(10, int(spec.n * factor)), synthetic_n=max(10, int(spec.synthetic_n * factor)))
