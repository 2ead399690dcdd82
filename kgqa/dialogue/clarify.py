"""Clarifying questions: which entity, or which relation, the user means.

:func:`entity_clarification` lists the candidates still in play, each named by
the traits that set it apart ("the 1972 film directed by Andrei Tarkovsky");
:func:`relation_clarification` lists the readings ("its author", "its translator").
A :class:`Clarification` is what :meth:`kgqa.dialogue.Session.ask` returns instead of
an answer; its options carry the IRIs or query signatures they stand for.

Example:
    >>> from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption, Trait
    >>> def film(iri, year, who):
    ...     return EntityOption(iri, "Solaris", 1.0, traits=(Trait("class", "F", "film", ("film",)),
    ...         Trait("year", year, year, (year,)), Trait("neighbour", who, "directed by " + who, (who,), "d")))
    >>> obs = Observation("Who directed Solaris?", "Solaris",
    ...     [film("s72", "1972", "Andrei Tarkovsky"), film("s02", "2002", "Steven Soderbergh")],
    ...     [ReadingOption("select|d", 1.0, "its director")], {(0, 0): Outcome(("t",)), (1, 0): Outcome(("s",))})
    >>> from kgqa.dialogue.state import DialogueState
    >>> print(entity_clarification(DialogueState.start(obs)).text)
    Which Solaris do you mean: the 1972 film directed by Andrei Tarkovsky, or the 2002 film directed by Steven Soderbergh?
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kgqa.dialogue.describe import describe_options
from kgqa.dialogue.state import DialogueState


@dataclass(frozen=True)
class Option:
    """One choice in a clarification.

    ``number`` is what the user may reply with (1-based); ``key`` is the entity IRI
    or the reading's QueryStructure signature; ``ref`` indexes the observation's
    candidates or readings.
    """

    number: int
    key: str
    label: str
    description: str
    ref: int
    words: tuple[str, ...] = ()


@dataclass
class Clarification:
    """A question back to the user: ``kind`` is ``"entity"`` or ``"relation"``."""

    kind: str
    text: str
    question: str
    options: list[Option]
    mention: str | None = None
    session_id: str | None = None
    turn: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["type"] = "clarification"
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clarification:
        options = [Option(**{**o, "words": tuple(o["words"])}) for o in data["options"]]
        fields = {k: v for k, v in data.items() if k not in ("options", "type")}
        return cls(options=options, **fields)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + ", or " + items[-1]


def entity_clarification(state: DialogueState) -> Clarification:
    """Ask which of the candidates still in play the user means."""
    obs = state.obs
    refs = state.entity_options()
    # Dated options read best in time order ("the first one" is then the oldest).
    if all(obs.candidates[i].trait("year") for i in refs):
        refs = sorted(refs, key=lambda i: obs.candidates[i].trait("year").value)
    candidates = [obs.candidates[i] for i in refs]
    described = describe_options(candidates)
    options = [
        Option(n, c.iri, c.label, d, ref, tuple(dict.fromkeys([c.label, *c.alt_labels, *(w for t in c.traits for w in t.words)])))
        for n, (ref, c, d) in enumerate(zip(refs, candidates, described), 1)
    ]
    name = obs.mention or "one"  # a follow-up's candidates come from the conversation, not a name
    ask = f"Which {name} exactly" if state.asked_entity else f"Which {name} do you mean"
    return Clarification("entity", f"{ask}: {_join(described)}?", obs.question, options, obs.mention, turn=state.turn)


def relation_clarification(state: DialogueState) -> Clarification:
    """Ask which reading of the question the user means."""
    obs = state.obs
    refs = state.reading_options()
    readings = [obs.readings[j] for j in refs]
    options = [
        Option(n, r.signature, r.description, r.description, ref, r.words)
        for n, (ref, r) in enumerate(zip(refs, readings), 1)
    ]
    pair = state.choice()
    topic = obs.candidates[pair[0]].label if pair and pair[0] >= 0 else None
    about = f" about {topic}" if topic else ""
    ask = "Which one exactly" if state.asked_relation else f"What would you like to know{about}"
    text = f"{ask}: {_join([r.description for r in readings])}?"
    return Clarification("relation", text, obs.question, options, obs.mention, turn=state.turn)
