"""What the pipeline knows about one question, in a form a dialogue can reason over.

An :class:`Observation` holds the ranked entity candidates for the question's topic
mention, the translator's ranked readings, and the answer set of every
(candidate, reading) pair, executed against the graph. Clarifying then never needs
the pipeline again: choosing an entity or a reading selects a cell of that grid.
Everything in it is plain data (IRIs as strings, readings as signatures), so it is
stored with a session and cached between training runs.

Example:
    >>> obs = Observation(
    ...     question="Who directed Solaris?", mention="Solaris",
    ...     candidates=[EntityOption("http://ex.org/s1972", "Solaris", 0.9),
    ...                 EntityOption("http://ex.org/s2002", "Solaris", 0.9)],
    ...     readings=[ReadingOption("select|http://ex.org/director", 0.95, "director")],
    ...     outcomes={(0, 0): Outcome(("http://ex.org/tarkovsky",)), (1, 0): Outcome(("http://ex.org/soderbergh",))})
    >>> obs.outcome(1, 0).answers
    ('http://ex.org/soderbergh',)
    >>> Observation.from_dict(obs.to_dict()) == obs
    True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """The answer set of one (entity, reading) pair.

    ``answers`` are IRIs or literal lexical forms, sorted; ``inferred`` is true when
    they rest on facts predicted by graph completion, with ``confidence`` the
    lowest confidence among those facts.
    """

    answers: tuple[str, ...] = ()
    inferred: bool = False
    confidence: float | None = None
    labels: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.answers


@dataclass(frozen=True)
class Trait:
    """One distinguishing trait of an entity: ``role`` is ``class``, ``year`` or ``neighbour``.

    ``words`` are every way of saying the value (class alt labels, neighbour alt
    labels); ``phrase`` says it in an option ("directed by Andrei Tarkovsky").
    """

    role: str
    value: str
    phrase: str
    words: tuple[str, ...] = ()
    property: str | None = None


@dataclass(frozen=True)
class EntityOption:
    """A candidate for the topic mention, with its linking score and what sets it apart.

    ``score`` is the linker's evidence (about 1 for an exact name, less for a
    misspelling); ``prob`` its share among the mention's candidates (``None``:
    proportional to ``score``).
    """

    iri: str
    label: str
    score: float
    alt_labels: tuple[str, ...] = ()
    traits: tuple[Trait, ...] = ()
    prob: float | None = None

    def trait(self, role: str) -> Trait | None:
        return next((t for t in self.traits if t.role == role), None)


@dataclass(frozen=True)
class ReadingOption:
    """A reading of the question: a QueryStructure signature, its probability and how to say it."""

    signature: str
    prob: float
    description: str = ""
    words: tuple[str, ...] = ()


@dataclass
class Observation:
    """The pipeline's view of one question; ``outcomes[(i, j)]`` is candidate i under reading j.

    A question without a linked topic has no candidates and its outcomes are keyed
    ``(-1, j)``. ``confidence`` is the pipeline's own confidence in its answer.
    """

    question: str
    mention: str | None
    candidates: list[EntityOption]
    readings: list[ReadingOption]
    outcomes: dict[tuple[int, int], Outcome] = field(default_factory=dict)
    confidence: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def outcome(self, entity: int, reading: int) -> Outcome:
        return self.outcomes.get((entity, reading), Outcome())

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "mention": self.mention,
            "candidates": [asdict(c) for c in self.candidates],
            "readings": [asdict(r) for r in self.readings],
            "outcomes": [[i, j, asdict(o)] for (i, j), o in self.outcomes.items()],
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Observation:
        def entity(d: dict[str, Any]) -> EntityOption:
            traits = tuple(Trait(**{**t, "words": tuple(t["words"])}) for t in d["traits"])
            return EntityOption(d["iri"], d["label"], d["score"], tuple(d["alt_labels"]), traits, d.get("prob"))

        def outcome(d: dict[str, Any]) -> Outcome:
            return Outcome(tuple(d["answers"]), d["inferred"], d["confidence"], tuple(d["labels"]))

        return cls(
            question=data["question"],
            mention=data["mention"],
            candidates=[entity(c) for c in data["candidates"]],
            readings=[ReadingOption(r["signature"], r["prob"], r["description"], tuple(r["words"])) for r in data["readings"]],
            outcomes={(i, j): outcome(o) for i, j, o in data["outcomes"]},
            confidence=data["confidence"],
        )
