"""The dialogue state: what the policy sees each turn, and the actions it may take.

A :class:`DialogueState` is an :class:`~kgqa.dialogue.observation.Observation`
narrowed by the user's replies (the entity candidates and readings still in play)
plus the turn count. :meth:`DialogueState.features` turns it into a fixed-length
vector built only from pipeline outputs: linking scores and margins, how many
candidates give an answer and whether their answers differ, the translator's
confidence and margin, the answer set's size, inferred facts and their
confidence, the turn and the clarifications already asked.

Example:
    >>> from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption
    >>> obs = Observation("Who directed Solaris?", "Solaris",
    ...     [EntityOption("a", "Solaris", 1.0), EntityOption("b", "Solaris", 1.0)],
    ...     [ReadingOption("select|d", 0.9)], {(0, 0): Outcome(("x",)), (1, 0): Outcome(("y",))})
    >>> state = DialogueState.start(obs)
    >>> state.feature_dict()["entity_answers_differ"], state.valid_actions()
    (1.0, [True, True, False, True])
    >>> state.outcome().answers, state.narrow_entities([1]).outcome().answers
    (('x', 'y'), ('y',))
    >>> DialogueState.from_dict(state.to_dict()) == state
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from enum import Enum
from typing import Any

import numpy as np

from kgqa.dialogue.observation import Observation, Outcome


class Action(str, Enum):
    """What the system does this turn."""

    ANSWER = "answer"
    CLARIFY_ENTITY = "clarify_entity"
    CLARIFY_RELATION = "clarify_relation"
    ABSTAIN = "abstain"


ACTIONS: tuple[Action, ...] = tuple(Action)
#: Clarifying questions per user question before the system must answer or abstain.
MAX_CLARIFICATIONS = 3
#: Options a clarification lists at most.
MAX_OPTIONS = 4
#: Candidates whose linking scores are this close answer together, as question answering
#: does with tied names (kgqa.answer.bind.TIE): "Solaris" without a hint is both films.
TIE = 0.05

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "has_topic",
    "link_top",
    "link_margin",
    "entity_prob",
    "n_candidates",
    "n_viable_entities",
    "entity_answers_differ",
    "reading_prob",
    "reading_margin",
    "n_viable_readings",
    "reading_answers_differ",
    "answer_size",
    "empty_answer",
    "inferred",
    "inferred_confidence",
    "turn",
    "asked_entity",
    "asked_relation",
    "entity_chosen",
    "reading_chosen",
    "pipeline_confidence",
    "confidence",
)


def _share(probs: dict[int, float], key: int, viable: Callable[[int], bool]) -> float:
    """``key``'s probability among the viable keys (among all when ``key`` itself is not viable)."""
    pool = {k: p for k, p in probs.items() if viable(k)}
    pool = pool if key in pool else probs
    return pool[key] / sum(pool.values())


@dataclass(frozen=True)
class DialogueState:
    """An observation narrowed by the user's replies, and the clarifications asked so far."""

    obs: Observation
    entities: tuple[int, ...]
    readings: tuple[int, ...]
    asked_entity: int = 0
    asked_relation: int = 0
    entity_chosen: bool = False
    reading_chosen: bool = False

    @classmethod
    def start(cls, obs: Observation) -> DialogueState:
        return cls(obs, tuple(range(len(obs.candidates))), tuple(range(len(obs.readings))))

    # -- narrowing by the user's replies -------------------------------------------
    def narrow_entities(self, chosen: list[int]) -> DialogueState:
        """The state after the user picked ``chosen`` (candidate indices) from an entity question."""
        keep = tuple(i for i in self.entities if i in chosen)
        return replace(self, entities=keep, asked_entity=self.asked_entity + 1, entity_chosen=len(keep) == 1)

    def narrow_readings(self, chosen: list[int]) -> DialogueState:
        """The state after the user picked ``chosen`` (reading indices) from a relation question."""
        keep = tuple(j for j in self.readings if j in chosen)
        return replace(self, readings=keep, asked_relation=self.asked_relation + 1, reading_chosen=len(keep) == 1)

    def asked(self, action: Action) -> DialogueState:
        """The state after a clarification the user's reply did not narrow."""
        if action is Action.CLARIFY_ENTITY:
            return replace(self, asked_entity=self.asked_entity + 1)
        return replace(self, asked_relation=self.asked_relation + 1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for storing a pending clarification (see :meth:`from_dict`)."""
        data = {k: getattr(self, k) for k in ("entities", "readings", "asked_entity", "asked_relation", "entity_chosen", "reading_chosen")}
        return {"obs": self.obs.to_dict(), **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DialogueState:
        return cls(
            Observation.from_dict(data["obs"]), tuple(data["entities"]), tuple(data["readings"]),
            data["asked_entity"], data["asked_relation"], data["entity_chosen"], data["reading_chosen"],
        )

    @property
    def turn(self) -> int:
        return self.asked_entity + self.asked_relation

    # -- what answering now would give -------------------------------------------------
    def _entity_probs(self) -> dict[int, float]:
        candidates = [self.obs.candidates[i] for i in self.entities]
        use_prob = all(c.prob is not None for c in candidates)
        scores = {i: max(c.prob if use_prob else c.score, 1e-6) for i, c in zip(self.entities, candidates)}
        total = sum(scores.values())
        return {i: s / total for i, s in scores.items()}

    def _reading_probs(self) -> dict[int, float]:
        probs = {j: max(self.obs.readings[j].prob, 1e-6) for j in self.readings}
        total = sum(probs.values())
        return {j: p / total for j, p in probs.items()}

    def choice(self) -> tuple[int, int] | None:
        """The (candidate, reading) answering now would use: the likeliest pair that has an answer.

        ``None`` when no reading (or, for a question with a topic, no candidate) is left.
        """
        return self._choice

    @cached_property
    def _choice(self) -> tuple[int, int] | None:
        if not self.readings or (self.obs.candidates and not self.entities):
            return None
        ent = self._entity_probs() or {-1: 1.0}
        rea = self._reading_probs()
        pairs = [(i, j) for i in ent for j in rea]
        return max(pairs, key=lambda ij: (not self.obs.outcome(*ij).empty, ent[ij[0]] * rea[ij[1]], -ij[0], -ij[1]))

    def answer_entities(self) -> list[int]:
        """The candidates an answer now would speak for: like question answering, every
        candidate that has an answer and ties (within :data:`TIE`) with the chosen one."""
        pair = self.choice()
        if pair is None or pair[0] < 0:
            return []
        best = self.obs.candidates[pair[0]].score
        return [i for i in self.entities if i == pair[0] or (
            self.obs.candidates[i].score >= best - TIE and not self.obs.outcome(i, pair[1]).empty)]

    def outcome(self) -> Outcome:
        """What answering now would say: the chosen reading's answers for :meth:`answer_entities`."""
        pair = self.choice()
        if pair is None:
            return Outcome()
        parts = [self.obs.outcome(i, pair[1]) for i in self.answer_entities()] or [self.obs.outcome(*pair)]
        if len(parts) == 1:
            return parts[0]
        confidences = [p.confidence for p in parts if p.inferred and p.confidence is not None]
        return Outcome(
            tuple(sorted({a for p in parts for a in p.answers})),
            any(p.inferred for p in parts),
            min(confidences) if confidences else None,
            tuple(sorted({label for p in parts for label in p.labels})),
        )

    def entity_options(self) -> list[int]:
        """Candidates an entity question would offer: those that give an answer, when two or more do."""
        pair = self.choice()
        viable = [i for i in self.entities if pair and not self.obs.outcome(i, pair[1]).empty]
        return (viable if len(viable) >= 2 else list(self.entities))[:MAX_OPTIONS]

    def reading_options(self) -> list[int]:
        """Readings a relation question would offer: those that give an answer, when two or more do."""
        pair = self.choice()
        viable = [j for j in self.readings if pair and not self.obs.outcome(pair[0], j).empty]
        return (viable if len(viable) >= 2 else list(self.readings))[:MAX_OPTIONS]

    @property
    def confidence(self) -> float:
        """One number for "how sure": the answer's entity share and reading share among those
        that give an answer, times the linking score (capped at 1)."""
        pair = self.choice()
        if pair is None:
            return 0.0
        i, j = pair
        ent = _share(self._entity_probs(), i, lambda k: not self.obs.outcome(k, j).empty) if i >= 0 else 1.0
        rea = _share(self._reading_probs(), j, lambda k: not self.obs.outcome(i, k).empty)
        link = min(self.obs.candidates[i].score, 1.0) if i >= 0 else 1.0
        return ent * rea * link

    def entity_ambiguous(self, margin: float = 0.1) -> bool:
        """Two or more candidates within ``margin`` of the top linking score."""
        scores = sorted((self.obs.candidates[i].score for i in self.entities), reverse=True)
        return len(scores) >= 2 and scores[0] - scores[1] <= margin

    def reading_ambiguous(self, margin: float = 0.2) -> bool:
        """Two or more readings within ``margin`` of the top probability."""
        probs = sorted(self._reading_probs().values(), reverse=True)
        return len(probs) >= 2 and probs[0] - probs[1] <= margin

    # -- the policy's view -----------------------------------------------------------
    def valid_actions(self) -> list[bool]:
        """A mask over :data:`ACTIONS`: clarifying needs two options and turns left."""
        turns_left = self.turn < MAX_CLARIFICATIONS
        return [
            True,
            turns_left and len(self.entities) >= 2,
            turns_left and len(self.readings) >= 2,
            True,
        ]

    def feature_dict(self) -> dict[str, float]:
        obs, pair = self.obs, self.choice()
        scores = sorted((obs.candidates[i].score for i in self.entities), reverse=True)
        rprobs = sorted(self._reading_probs().values(), reverse=True)
        outcome = self.outcome()
        entity_sets = {obs.outcome(i, pair[1]).answers for i in self.entities} - {()} if pair else set()
        reading_sets = {obs.outcome(pair[0], j).answers for j in self.readings} - {()} if pair else set()
        values = {
            "bias": 1.0,
            "has_topic": float(bool(obs.candidates)),
            "link_top": scores[0] if scores else 0.0,
            "link_margin": scores[0] - scores[1] if len(scores) >= 2 else (scores[0] if scores else 0.0),
            "entity_prob": self._entity_probs().get(pair[0], 0.0) if pair and pair[0] >= 0 else 0.0,
            "n_candidates": min(len(self.entities), 5) / 5,
            "n_viable_entities": min(sum(1 for i in self.entities if pair and not obs.outcome(i, pair[1]).empty), 5) / 5,
            "entity_answers_differ": float(len(entity_sets) >= 2),
            "reading_prob": rprobs[0] if rprobs else 0.0,
            "reading_margin": rprobs[0] - rprobs[1] if len(rprobs) >= 2 else (rprobs[0] if rprobs else 0.0),
            "n_viable_readings": min(sum(1 for j in self.readings if pair and not obs.outcome(pair[0], j).empty), 3) / 3,
            "reading_answers_differ": float(len(reading_sets) >= 2),
            "answer_size": min(math.log1p(len(outcome.answers)) / math.log(11), 1.0),
            "empty_answer": float(outcome.empty),
            "inferred": float(outcome.inferred),
            "inferred_confidence": outcome.confidence if outcome.inferred and outcome.confidence is not None else 1.0,
            "turn": self.turn / MAX_CLARIFICATIONS,
            "asked_entity": min(self.asked_entity, 2) / 2,
            "asked_relation": min(self.asked_relation, 2) / 2,
            "entity_chosen": float(self.entity_chosen),
            "reading_chosen": float(self.reading_chosen),
            "pipeline_confidence": float(obs.confidence),
            "confidence": self.confidence,
        }
        return {name: float(values[name]) for name in FEATURE_NAMES}

    def features(self) -> np.ndarray:
        """The state as a float32 vector, in :data:`FEATURE_NAMES` order."""
        return np.fromiter(self.feature_dict().values(), dtype=np.float32, count=len(FEATURE_NAMES))
