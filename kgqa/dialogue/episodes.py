"""Simulated dialogues: a strategy, a simulated user, and the reward they earn.

One episode is one simulated question. The strategy sees the
:class:`~kgqa.dialogue.state.DialogueState` built from the real pipeline's
observation and acts; a clarification goes to the :class:`SimulatedUser`, whose
free-text reply is resolved by :func:`~kgqa.dialogue.resolve.resolve_reply`
exactly as in a live session. Rewards: a correct answer +1, a wrong one -1, an
honest "I don't know" 0 (+1 when there is nothing to find), each clarification
``-clarify_cost``. :func:`evaluate` runs many episodes and reports the figures the
benchmark prints.

Example:
    >>> import random
    >>> from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption, Trait
    >>> from kgqa.dialogue.simulator import SimQuestion, SimulatedUser
    >>> from kgqa.policy.strategies import strategies
    >>> film = lambda iri, y: EntityOption(iri, "Solaris", 1.0, traits=(Trait("year", y, y, (y,)),))
    >>> obs = Observation("Who directed Solaris?", "Solaris", [film("s72", "1972"), film("s02", "2002")],
    ...     [ReadingOption("select|d", 1.0)], {(0, 0): Outcome(("t",)), (1, 0): Outcome(("s",))})
    >>> case = Case(SimQuestion("Who directed Solaris?", "ambiguous", "s02", "select|d", ("s",)), obs)
    >>> user = SimulatedUser(random.Random(0), vague_rate=0.0)
    >>> run_episode(case, strategies.get("clarify_when_ambiguous")(), user, clarify_cost=0.2).reward
    0.8
    >>> run_episode(case, strategies.get("always_answer")(), user, clarify_cost=0.2).correct
    False
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kgqa.dialogue.clarify import Clarification, entity_clarification, relation_clarification
from kgqa.dialogue.observation import Observation
from kgqa.dialogue.resolve import resolve_reply
from kgqa.dialogue.simulator import SimQuestion, SimulatedUser
from kgqa.dialogue.state import ACTIONS, Action, DialogueState


@dataclass(frozen=True)
class Case:
    """A simulated question and the pipeline's observation of it."""

    question: SimQuestion
    obs: Observation


@dataclass
class Step:
    """One decision: the state's features, the valid-action mask and the action taken."""

    features: np.ndarray
    mask: list[bool]
    action: int
    reward: float


@dataclass
class Episode:
    """How one simulated dialogue went."""

    case: Case
    reward: float
    correct: bool
    clarifications: int
    final: Action
    steps: list[Step] = field(default_factory=list)


def apply_reply(state: DialogueState, clarification: Clarification, reply: str | int) -> DialogueState:
    """The state after the user's ``reply`` to ``clarification`` (shared by sessions and simulations)."""
    resolution = resolve_reply(reply, clarification)
    shown = [o.ref for o in clarification.options]
    if resolution.how == "unclear":
        action = Action.CLARIFY_ENTITY if clarification.kind == "entity" else Action.CLARIFY_RELATION
        return state.asked(action)
    if resolution.how == "rejected":
        chosen = [i for i in (state.entities if clarification.kind == "entity" else state.readings) if i not in shown]
    else:
        chosen = [clarification.options[n - 1].ref for n in resolution.chosen]
    return state.narrow_entities(chosen) if clarification.kind == "entity" else state.narrow_readings(chosen)


def clarification_for(state: DialogueState, action: Action) -> Clarification:
    return entity_clarification(state) if action is Action.CLARIFY_ENTITY else relation_clarification(state)


def is_correct(state: DialogueState, gold: Sequence[str]) -> bool:
    """Whether answering in ``state`` gives exactly the intended answer set."""
    return set(state.outcome().answers) == set(gold)


def run_episode(
    case: Case,
    strategy: Any,
    user: SimulatedUser,
    *,
    clarify_cost: float,
    choose: Callable[[DialogueState], Action] | None = None,
) -> Episode:
    """Play one dialogue; ``choose`` (default ``strategy.choose``) picks each action."""
    choose = choose or strategy.choose
    state = DialogueState.start(case.obs)
    gold = case.question
    steps: list[Step] = []
    total = 0.0
    while True:
        action = choose(state)
        features, mask = state.features(), state.valid_actions()
        if action in (Action.CLARIFY_ENTITY, Action.CLARIFY_RELATION) and mask[ACTIONS.index(action)]:
            clarification = clarification_for(state, action)
            intended = gold.topic if action is Action.CLARIFY_ENTITY else gold.signature
            state = apply_reply(state, clarification, user.reply(clarification, intended))
            steps.append(Step(features, mask, ACTIONS.index(action), -clarify_cost))
            total -= clarify_cost
            continue
        if action is Action.ABSTAIN:
            correct = not gold.answers
            reward = 1.0 if correct else 0.0
        else:
            action = Action.ANSWER
            correct = is_correct(state, gold.answers)
            reward = 1.0 if correct else -1.0
        steps.append(Step(features, mask, ACTIONS.index(action), reward))
        return Episode(case, round(total + reward, 6), correct, state.turn, action, steps)


def evaluate(
    cases: Sequence[Case], strategy: Any, *, clarify_cost: float, seed: int = 0, vague_rate: float = 0.15
) -> dict[str, float]:
    """Average reward, accuracy, clarification rates (clean / ambiguous questions) and turns of ``strategy``."""
    user = SimulatedUser(random.Random(seed), vague_rate=vague_rate)
    episodes = [run_episode(c, strategy, user, clarify_cost=clarify_cost) for c in cases]
    return summarize(episodes)


def summarize(episodes: Sequence[Episode]) -> dict[str, float]:
    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else float("nan")

    by_kind = {k: [e for e in episodes if e.case.question.kind == k] for k in ("clean", "ambiguous", "underspecified", "unanswerable")}
    figures = {
        "reward": mean([e.reward for e in episodes]),
        "accuracy": mean([float(e.correct) for e in episodes]),
        "clarify_rate_clean": mean([float(e.clarifications > 0) for e in by_kind["clean"]]),
        "clarify_rate_ambiguous": mean([float(e.clarifications > 0) for e in by_kind["ambiguous"]]),
        # Turns: the system's turns, each clarification plus the final answer.
        "turns": mean([e.clarifications + 1.0 for e in episodes]),
    }
    for kind, group in by_kind.items():
        figures[f"accuracy_{kind}"] = mean([float(e.correct) for e in group])
    figures["abstain_rate"] = mean([float(e.final is Action.ABSTAIN) for e in episodes])
    return figures
