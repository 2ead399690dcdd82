"""REINFORCE with a learned baseline, over simulated dialogues.

Each iteration plays a batch of episodes with actions sampled from the policy,
then raises the log-probability of each action in proportion to its advantage:
the return that followed it (rewards to the end of the dialogue) minus the value
head's estimate for its state (advantages normalised per batch). An entropy
bonus, decaying over training, keeps the policy exploring early; the step size
decays to a tenth. Every ``eval_every`` iterations the greedy policy is scored on
the dev cases; the weights kept are those with the best dev reward among the
checkpoints that clarify at most ``max_clean_clarify`` of the clean dev questions
(the best reward overall when none does).

Example:
    >>> from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption
    >>> from kgqa.dialogue.episodes import Case
    >>> from kgqa.dialogue.simulator import SimQuestion
    >>> o = Observation("q", "X", [EntityOption("a", "X", 1.0), EntityOption("b", "X", 1.0)],
    ...     [ReadingOption("s", 1.0)], {(0, 0): Outcome(("x",)), (1, 0): Outcome(("y",))})
    >>> cases = [Case(SimQuestion("q", "ambiguous", iri, "s", (ans,)), o) for iri, ans in (("a", "x"), ("b", "y"))]
    >>> result = train_reinforce(cases, cases, TrainSettings(iterations=60, batch_size=16, eval_every=20), progress=False)
    >>> result.best["reward"] > 0.5
    True
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from kgqa.dialogue.episodes import Case, Step, evaluate, run_episode
from kgqa.dialogue.simulator import SimulatedUser
from kgqa.dialogue.state import ACTIONS, Action, DialogueState
from kgqa.policy.network import PolicyNetwork
from kgqa.policy.strategies import LearnedPolicy


@dataclass
class TrainSettings:
    """Hyper-parameters of policy training (defaults train on 2 cores in well under a minute)."""

    iterations: int = 600
    batch_size: int = 64
    lr: float = 1e-2
    hidden: int = 32
    entropy_start: float = 0.05
    entropy_end: float = 0.002
    value_coef: float = 0.5
    clarify_cost: float = 0.15
    vague_rate: float = 0.15
    eval_every: int = 10
    #: Kept weights clarify at most this share of the dev set's clean questions (when any checkpoint does).
    max_clean_clarify: float = 0.05
    seed: int = 0


@dataclass
class TrainResult:
    """The kept network (see the module docs), its dev figures and the learning curve."""

    network: PolicyNetwork
    best: dict[str, float]
    best_iteration: int
    history: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def better(figures: dict[str, float], than: dict[str, float], max_clean_clarify: float) -> bool:
    """Whether dev ``figures`` beat ``than``: the best reward among those that rarely ask about clean questions."""

    def key(f: dict[str, float]) -> tuple[bool, float]:
        return (not f["clarify_rate_clean"] > max_clean_clarify, f["reward"])

    return key(figures) > key(than)


def _returns(steps: list[Step]) -> list[float]:
    out, running = [], 0.0
    for step in reversed(steps):
        running += step.reward
        out.append(running)
    return out[::-1]


def train_reinforce(
    train_cases: Sequence[Case], dev_cases: Sequence[Case], settings: TrainSettings | None = None, *, progress: bool = True
) -> TrainResult:
    """Train a :class:`PolicyNetwork` on ``train_cases``; keep the weights best on ``dev_cases``."""
    settings = settings or TrainSettings()
    rng = random.Random(settings.seed)
    np_rng = np.random.default_rng(settings.seed)
    torch.manual_seed(settings.seed)
    net = PolicyNetwork(hidden=settings.hidden)
    optimizer = torch.optim.Adam(net.parameters(), lr=settings.lr)
    # The step size decays to a tenth: late updates refine the policy instead of knocking it over.
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda it: 1.0 - 0.9 * it / settings.iterations)
    user = SimulatedUser(rng, vague_rate=settings.vague_rate)

    def sample(state: DialogueState) -> Action:
        with torch.no_grad():
            logits, _ = net(torch.from_numpy(state.features())[None], torch.tensor([state.valid_actions()]))
            probs = torch.softmax(logits, -1)[0].double().numpy()
        return ACTIONS[int(np_rng.choice(len(ACTIONS), p=probs / probs.sum()))]

    def score() -> dict[str, float]:
        net.eval()
        figures = evaluate(dev_cases, LearnedPolicy(network=net), clarify_cost=settings.clarify_cost, seed=settings.seed + 1,
                           vague_rate=settings.vague_rate)
        net.train()
        return figures

    best, best_state, best_iteration = score(), copy.deepcopy(net.state_dict()), 0
    history: list[dict[str, Any]] = [{"iteration": 0, "train_reward": float("nan"), **{f"dev_{k}": v for k, v in best.items()}}]
    iterations = range(1, settings.iterations + 1)
    if progress:
        iterations = tqdm(iterations, desc="policy", unit="it")
    for it in iterations:
        batch = [rng.choice(train_cases) for _ in range(settings.batch_size)]
        episodes = [run_episode(c, None, user, clarify_cost=settings.clarify_cost, choose=sample) for c in batch]
        steps = [s for e in episodes for s in e.steps]
        returns = torch.tensor([g for e in episodes for g in _returns(e.steps)], dtype=torch.float32)
        features = torch.from_numpy(np.stack([s.features for s in steps]))
        masks = torch.tensor([s.mask for s in steps])
        actions = torch.tensor([s.action for s in steps])
        logits, values = net(features, masks)
        log_probs = torch.log_softmax(logits, -1)
        chosen = log_probs.gather(1, actions[:, None]).squeeze(1)
        advantage = returns - values.detach()
        # Normalised advantages: a clarification's small cost still moves the policy.
        advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-6)
        probs = log_probs.exp()
        entropy = -torch.where(masks, probs * log_probs, torch.zeros_like(probs)).sum(-1).mean()
        beta = settings.entropy_start + (settings.entropy_end - settings.entropy_start) * it / settings.iterations
        loss = -(chosen * advantage).mean() + settings.value_coef * ((values - returns) ** 2).mean() - beta * entropy
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        row: dict[str, Any] = {"iteration": it, "train_reward": float(np.mean([e.reward for e in episodes]))}
        if it % settings.eval_every == 0 or it == settings.iterations:
            figures = score()
            row.update({f"dev_{k}": v for k, v in figures.items()})
            if better(figures, best, settings.max_clean_clarify):
                best, best_state, best_iteration = figures, copy.deepcopy(net.state_dict()), it
        history.append(row)
    net.load_state_dict(best_state)
    net.eval()
    return TrainResult(net, best, best_iteration, history, asdict(settings))


def train_restarts(
    train_cases: Sequence[Case], dev_cases: Sequence[Case], settings: TrainSettings, restarts: int, *, progress: bool = True
) -> TrainResult:
    """:func:`train_reinforce` from ``restarts`` seeds (``settings.seed``, +1, ...); the run best on dev wins.

    Policy gradient sometimes settles early on a poorer policy; a few restarts,
    chosen on the dev set, make the result dependable.
    """
    kept: TrainResult | None = None
    runs = []
    for k in range(restarts):
        result = train_reinforce(train_cases, dev_cases, replace(settings, seed=settings.seed + k), progress=progress)
        runs.append({"seed": settings.seed + k, "iteration": result.best_iteration, **result.best})
        if kept is None or better(result.best, kept.best, settings.max_clean_clarify):
            kept = result
    kept.settings["restarts"] = runs
    return kept


def plot_curve(result: TrainResult, path: str, title: str = "dialogue policy (REINFORCE)") -> None:
    """Save the learning curve: batch reward per iteration and dev reward / clarification rate."""
    # matplotlib only when a figure is drawn.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    its = [r["iteration"] for r in result.history if r["iteration"] > 0]
    train = [r["train_reward"] for r in result.history if r["iteration"] > 0]
    if train:
        window = max(1, len(train) // 30)
        smooth = np.convolve(train, np.ones(window) / window, mode="valid")
        ax.plot(its[window - 1 :], smooth, label="train batch reward (smoothed)", alpha=0.8)
    dev = [r for r in result.history if "dev_reward" in r]
    ax.plot([r["iteration"] for r in dev], [r["dev_reward"] for r in dev], "o-", label="dev reward (greedy)")
    ax.plot([r["iteration"] for r in dev], [r["dev_clarify_rate_clean"] for r in dev], "s--", label="dev clarify rate, clean")
    ax.axvline(result.best_iteration, color="grey", linestyle=":", label="kept")
    ax.set_xlabel("iteration")
    ax.set_ylabel("reward / rate")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
