"""Training a project's dialogue policy: simulate, observe through the pipeline, REINFORCE, save.

:func:`train_policy` is what ``kgqa train policy`` runs. Training dialogues come
from the project's graph (its ``train`` entities) and from a synthetic graph with
many shared labels; the dev set (for keeping the best weights and tuning the
threshold baseline) uses other seeds; the benchmark's held-out set uses the
graph's ``heldout`` entities and yet another synthetic graph, so no entity of it
was seen in training. The policy, its JSON description and the learning curve go
to ``<project>/models/policy/``.

The dialogues come from a :data:`CaseSource`: the caller binds
:func:`kgqa.dialogue.cases.spec_cases` to its project, so this module knows the
dialogues, not the engine that observed them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kgqa.dialogue.cases import CaseSpec
from kgqa.dialogue.episodes import Case
from kgqa.policy.network import save_policy
from kgqa.policy.reinforce import TrainResult, TrainSettings, plot_curve, train_restarts

#: The simulated dialogues a :class:`CaseSpec` names, observed through the answering pipeline.
CaseSource = Callable[[CaseSpec], list[Case]]

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


def cache_dir(models_dir: Path) -> Path:
    """Where observed dialogues are cached, under a project's ``models_dir``."""
    return models_dir / "policy" / "cache"


def train_policy(
    cases: CaseSource,
    out: Path,
    *,
    settings: TrainSettings,
    train: CaseSpec = TRAIN,
    dev: CaseSpec = DEV,
    restarts: int = 3,
    about: Mapping[str, Any] | None = None,
    progress: bool = True,
) -> PolicyTraining:
    """Train on ``train`` from ``restarts`` seeds, keep the weights best on ``dev``, save to ``out``.

    ``about`` (what the policy was trained on) heads the JSON description saved beside it.
    """
    # torch: the network's library, loaded only when a policy trains.
    import torch

    started = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny network: threads only add overhead
    try:
        train_cases = cases(train)
        dev_cases = cases(dev)
        result = train_restarts(train_cases, dev_cases, settings, restarts, progress=progress)
    finally:
        torch.set_num_threads(threads)
    info: dict[str, Any] = {
        **(about or {}),
        "train": train.key(),
        "dev": dev.key(),
        "train_cases": len(train_cases),
        "dev_cases": len(dev_cases),
        "best_iteration": result.best_iteration,
        "dev_figures": result.best,
        "settings": result.settings,
        "seconds": round(time.perf_counter() - started, 1),
    }
    save_policy(result.network, out, info)
    curve = out.with_name(out.stem + "_curve.png")
    plot_curve(result, str(curve))
    return PolicyTraining(result, out, curve, len(train_cases))


def quick(spec: CaseSpec, factor: float) -> CaseSpec:
    """``spec`` with ``factor`` times as many questions (small runs for tests and smoke checks)."""
    return replace(spec, n=max(10, int(spec.n * factor)), synthetic_n=max(10, int(spec.synthetic_n * factor)))
