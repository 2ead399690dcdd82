"""Decision strategies: who chooses between answering, clarifying and abstaining.

Every strategy maps a :class:`~kgqa.dialogue.state.DialogueState` to an
:class:`~kgqa.dialogue.state.Action`. They are registered by name so sessions,
training and the benchmark pick them the same way:

* ``policy``: the trained network (greedy), the default;
* ``always_answer``: never asks;
* ``clarify_when_ambiguous``: asks whenever two candidates (or readings) score alike;
* ``threshold``: the fallback rule of conversational frameworks: ask while the
  confidence is below a threshold, about the less certain of entity and reading.

Example:
    >>> from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption
    >>> from kgqa.dialogue.state import DialogueState
    >>> obs = Observation("Who directed Solaris?", "Solaris",
    ...     [EntityOption("a", "Solaris", 1.0), EntityOption("b", "Solaris", 1.0)],
    ...     [ReadingOption("select|d", 0.9)], {(0, 0): Outcome(("x",)), (1, 0): Outcome(("y",))})
    >>> state = DialogueState.start(obs)
    >>> [strategies.get(n)().choose(state).value for n in ("always_answer", "clarify_when_ambiguous")]
    ['answer', 'clarify_entity']
    >>> Threshold(0.6).choose(state).value, Threshold(0.4).choose(state).value
    ('clarify_entity', 'answer')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from kgqa.dialogue.state import ACTIONS, Action, DialogueState
from kgqa.registry import Registry


class Strategy(Protocol):
    """Anything with ``choose(state) -> Action``."""

    def choose(self, state: DialogueState) -> Action: ...


strategies: Registry[Any] = Registry("dialogue_strategy")


@strategies.register("always_answer")
class AlwaysAnswer:
    """Answer at once, whatever the state."""

    def choose(self, state: DialogueState) -> Action:
        return Action.ANSWER


@strategies.register("clarify_when_ambiguous")
class ClarifyWhenAmbiguous:
    """Ask about the entity when candidates tie, about the relation when readings tie; else answer."""

    def __init__(self, entity_margin: float = 0.1, reading_margin: float = 0.2) -> None:
        self.entity_margin = entity_margin
        self.reading_margin = reading_margin

    def choose(self, state: DialogueState) -> Action:
        valid = state.valid_actions()
        if valid[ACTIONS.index(Action.CLARIFY_ENTITY)] and state.entity_ambiguous(self.entity_margin):
            return Action.CLARIFY_ENTITY
        if valid[ACTIONS.index(Action.CLARIFY_RELATION)] and state.reading_ambiguous(self.reading_margin):
            return Action.CLARIFY_RELATION
        return Action.ANSWER


@strategies.register("threshold")
class Threshold:
    """Answer when :attr:`DialogueState.confidence` reaches ``threshold``; else ask about the weaker slot."""

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def choose(self, state: DialogueState) -> Action:
        if state.confidence >= self.threshold:
            return Action.ANSWER
        valid = state.valid_actions()
        features = state.feature_dict()
        order = [Action.CLARIFY_ENTITY, Action.CLARIFY_RELATION]
        if features["reading_prob"] < features["entity_prob"]:
            order.reverse()
        return next((a for a in order if valid[ACTIONS.index(a)]), Action.ANSWER)


@strategies.register("policy")
class LearnedPolicy:
    """The trained policy network, acting greedily (``path`` defaults to the shipped policy)."""

    def __init__(self, path: str | Path | None = None, network: Any = None) -> None:
        # torch loads only when a learned policy is used, not when strategies are listed.
        from kgqa.policy.network import DEFAULT_POLICY, load_policy

        self.net, self.meta = (network, {}) if network is not None else load_policy(path or DEFAULT_POLICY)

    def probabilities(self, state: DialogueState) -> dict[str, float]:
        """The policy's probability of each action in ``state``."""
        # torch loads only when a learned policy is used, not when strategies are listed.
        import torch

        with torch.no_grad():
            logits, _ = self.net(torch.from_numpy(state.features())[None], torch.tensor([state.valid_actions()]))
            probs = torch.softmax(logits, -1)[0].tolist()
        return {a.value: p for a, p in zip(ACTIONS, probs)}

    def choose(self, state: DialogueState) -> Action:
        probs = self.probabilities(state)
        return Action(max(probs, key=probs.get))
