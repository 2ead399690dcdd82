"""The Answer object and its parts: everything ``ask`` found, serialisable to JSON.

An :class:`Answer` carries the sentence, the answer items, the SPARQL that
produced them (with its values inlined, so ``kgqa sparql`` can re-run it), the
structure and the alternative readings, the linked entities with their ranked
alternatives (what a clarification policy needs), the facts used with their
provenance, whether any of them is inferred, a confidence and per-stage timings.

These fields are a public contract (the dialogue layer and the HTTP API read
them); add fields, do not rename them.

Example:
    >>> a = Answer(question="Who wrote Solaris?", text="Solaris was written by Stanisław Lem.", form="select",
    ...            answers=[AnswerItem("https://w3id.org/kgqa/resource/Stanis_aw_Lem", "Stanisław Lem")])
    >>> a.to_dict()["answers"][0]["label"]
    'Stanisław Lem'
    >>> a.labels()
    ['Stanisław Lem']
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from kgqa.facts import Fact
from kgqa.translate.structure import QueryStructure


@dataclass
class AnswerItem:
    """One answer: an entity (``iri`` and ``label``) or a literal (``value``, ``label`` its text)."""

    iri: str | None
    label: str
    value: Any = None
    datatype: str | None = None
    #: True when the answer rests on an inferred link; ``confidence`` is then that link's.
    inferred: bool = False
    confidence: float | None = None


@dataclass
class CandidateInfo:
    """One candidate entity of a mention, ranked: ``prob`` is its share among the mention's candidates."""

    iri: str
    label: str
    score: float
    prob: float
    types: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    #: Whether the chosen reading's types admit it (None: not checked).
    fits: bool | None = None


@dataclass
class LinkedEntity:
    """A mention in the question and its ranked candidates.

    ``role`` is ``topic`` (the query starts there), ``other`` (the second entity of
    a yes/no question) or ``unused``; ``chosen`` lists the IRIs the query used:
    several when candidates tie (an ambiguous name answered for all its readings).
    """

    surface: str
    start: int
    end: int
    candidates: list[CandidateInfo]
    role: str = "unused"
    chosen: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def margin(self) -> float:
        """Probability gap between the best and second candidate among those that fit (1.0 if alone)."""
        fitting = [c.prob for c in self.candidates if c.fits is not False] or [c.prob for c in self.candidates]
        if len(fitting) < 2:
            return 1.0
        top = sorted(fitting, reverse=True)
        total = sum(fitting)
        return (top[0] - top[1]) / total if total else 0.0

    @property
    def ambiguous(self) -> bool:
        """True when the query had to use several tied candidates."""
        return len(self.chosen) > 1


@dataclass
class ReadingInfo:
    """One reading the translator proposed, and how binding judged it."""

    signature: str
    prob: float
    score: float
    fits: bool
    chosen: bool = False


@dataclass
class Answer:
    """The answer to one question (see the module docs)."""

    question: str
    text: str
    form: str
    answers: list[AnswerItem] = field(default_factory=list)
    count: int | None = None
    boolean: bool | None = None
    sparql: str | None = None
    structure: QueryStructure | None = None
    linked: list[LinkedEntity] = field(default_factory=list)
    readings: list[ReadingInfo] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    inferred: bool = False
    confidence: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: The question as the translator read it (names X/Y/Z, numbers N).
    masked: str = ""
    #: Numbers read as values to compare with.
    values: list[float] = field(default_factory=list)
    #: Things the user should know: a fallback reading, an automatic training, ...
    notes: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        """True when there is something to say: answers, a count or a yes/no."""
        return bool(self.answers) or self.count is not None or self.boolean is not None

    def labels(self) -> list[str]:
        """The answers' labels, in order."""
        return [a.label for a in self.answers]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: IRIs as strings, the structure as its signature."""
        data = asdict(self)
        data["structure"] = self.structure.signature() if self.structure is not None else None
        data["facts"] = [f.to_dict() for f in self.facts]
        for linked, entity in zip(data["linked"], self.linked):
            linked["margin"] = entity.margin
            linked["ambiguous"] = entity.ambiguous
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)
