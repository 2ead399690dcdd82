"""Running the pipeline for the dialogue: from a question to an :class:`Observation`.

:func:`observe` asks the question-answering pipeline (:func:`kgqa.answer.ask`) and
keeps what it knows beyond its single best answer: the topic mention's ranked
candidates and the translator's top readings. It then executes every
(candidate, reading) pair with answering's own executor
(:func:`kgqa.answer.execute.run_plans`, the one ``[answer] executor`` names:
asserted facts first, inferred ones and the completion model only when those give
nothing, extraction noise left out), and reads the distinguishing traits of each
candidate for clarification questions.

:func:`build_observation` does the same from candidates and readings given
directly, e.g. the previous answer's entities for a follow-up question.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> from kgqa.translate import Hop, QueryStructure
    >>> from rdflib import URIRef
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> _ = engine.load([bundled_ontology("scifi.ttl").parents[1] / "data/sample/graph.ttl"])
    >>> R, SF = "https://w3id.org/kgqa/resource/", "https://w3id.org/kgqa/scifi#"
    >>> obs = build_observation(engine, "Who directed Solaris?", "Solaris",
    ...     [(R + "Solaris", 1.0), (R + "Solaris_1972", 1.0), (R + "Solaris_2002", 1.0)],
    ...     [(QueryStructure((Hop(URIRef(SF + "director")),)), 0.9)])
    >>> [obs.outcome(i, 0).labels for i in range(3)]
    [(), ('Andrei Tarkovsky',), ('Steven Soderbergh',)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from kgqa.answer.ask import ask, given_reading
from kgqa.answer.bind import Plan
from kgqa.answer.collect import collect_facts
from kgqa.answer.context import qa_context
from kgqa.answer.execute import run_plans
from kgqa.dialogue.describe import describe_reading, entity_traits, inverse_labels
from kgqa.dialogue.followup import with_referent
from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption
from kgqa.dialogue.state import MAX_OPTIONS
from kgqa.errors import KgqaError
from kgqa.translate.structure import QueryStructure

if TYPE_CHECKING:
    from kgqa.engine import Engine

#: Bumped whenever what an observation holds changes, so cached ones are recomputed.
#: (5: cells run by answering's executor: the topic may be an answer, noise is left out.)
OBSERVATION_VERSION = 5
#: Candidates and readings an observation keeps (the grid is their product).
MAX_CANDIDATES = MAX_OPTIONS + 1
MAX_READINGS = 3
#: Readings far less likely than the best are not alternatives worth offering ("how many author").
MIN_READING_SHARE = 0.05
#: A follow-up is read with each of this many referents named, most preferred first, until one is answered.
FOLLOW_UP_TRIES = 3


def execute(engine: Engine, structure: QueryStructure, bindings: dict[str, Node]) -> Outcome:
    """The answers of one reading with ``bindings``, run as ``ask`` runs its chosen plan.

    An ASK reading answers ``("true",)`` or ``("false",)``; a COUNT of zero counts as no answer.
    """
    ctx = qa_context(engine)
    cfg = engine.config
    plan = Plan(given_reading(structure), structure, {name: [term] for name, term in bindings.items()}, 1.0)
    execution = run_plans(
        engine, [plan], engine.ontology, use_inferred=cfg.get("answer.use_inferred"),
        min_confidence=cfg.get("answer.min_inferred_confidence"), scorer=ctx.scorer, index=ctx.linker.index,
        executor=cfg.get("answer.executor"),
    )
    assert execution is not None  # one plan always runs
    if structure.form == "ask":
        answers: tuple[Node, ...] = (Literal(True),) if execution.boolean else ()
    elif structure.form == "count":
        answers = (Literal(execution.count),) if execution.count else ()
    else:
        answers = tuple(execution.answers)
    if not answers:
        return Outcome(("false",), labels=("no",)) if structure.form == "ask" else Outcome()
    inferred, confidence = False, None
    if not execution.asserted_only:  # answers from the inferred graph or the model: how sure are they?
        facts = collect_facts(engine, execution, ctx.linker.index, ctx.documents)
        inferred = any(f.inferred for f in facts)
        confidence = min((f.confidence for f in facts if f.inferred and f.confidence is not None), default=None)
    labels = tuple(sorted(ctx.linker.index.label(a) if isinstance(a, URIRef) else str(a) for a in answers))
    return Outcome(tuple(sorted(str(a) for a in answers)), inferred, confidence, labels)


def build_observation(
    engine: Engine,
    question: str,
    mention: str | None,
    candidates: Sequence[tuple[str, float] | tuple[str, float, float]],
    readings: Sequence[tuple[QueryStructure, float]],
    *,
    bindings: dict[str, Node] | None = None,
    confidence: float = 0.0,
) -> Observation:
    """Execute every (candidate, reading) pair and describe candidates and readings.

    ``candidates`` are (IRI, linking score[, share]) best first; ``readings`` (structure,
    probability) best first; ``bindings`` are further pre-bound variables the
    readings need (``?other``, ``?value``).
    """
    candidates = list(candidates)[:MAX_CANDIDATES]
    readings = list(readings)[:MAX_READINGS]
    traits = entity_traits(engine, [c[0] for c in candidates])
    inverse = inverse_labels(engine)
    entity_options = [
        EntityOption(c[0], traits[c[0]][0], float(c[1]), traits[c[0]][1], traits[c[0]][2], float(c[2]) if len(c) > 2 else None)
        for c in candidates
    ]
    reading_options = [
        ReadingOption(s.signature(), float(p), *describe_reading(engine.ontology, s, inverse)) for s, p in readings
    ]
    outcomes: dict[tuple[int, int], Outcome] = {}
    for j, (structure, _) in enumerate(readings):
        for i, iri in enumerate([c[0] for c in candidates] or [None]):
            terms = dict(bindings or {})
            if iri is not None:
                terms["topic"] = URIRef(iri)
            if _bindable(structure, terms):
                outcomes[(i if iri is not None else -1, j)] = execute(engine, structure, terms)
    return Observation(question, mention, entity_options, reading_options, outcomes, float(confidence))


def _bindable(structure: QueryStructure, terms: dict[str, Any]) -> bool:
    return "topic" in terms and (not structure.needs_other or "other" in terms) and (not structure.needs_value or "value" in terms)


def observe(engine: Engine, question: str, *, context: Sequence[tuple[str, float]] | None = None) -> tuple[Observation, Any]:
    """Ask the pipeline, then build the observation from its candidates and readings.

    ``context`` (IRI, score) stands in for the topic when the question names no
    entity of its own, or only a misspelling-like one (a follow-up: "and when was
    it published?"). Returns the
    observation and the pipeline's :class:`~kgqa.answer.Answer`.
    """
    answer = ask(engine, question)
    topic = next((m for m in answer.linked if m.role == "topic" and m.candidates), None)
    topic = topic or next((m for m in answer.linked if m.candidates), None)
    if topic is not None and not (context and topic.fuzzy):
        mention = topic.surface
        candidates = [(c.iri, c.score, c.prob) for c in topic.candidates]
    elif context:
        # A follow-up: the pipeline reads it with a referent named, the most preferred one that gets
        # an answer ("where was Bill Gates born?" / "what did he found?": "him" is not Seattle), for
        # its readings; the candidates are the conversation's entities, not that name's namesakes.
        label = qa_context(engine).linker.index.label
        for iri, _ in context[:FOLLOW_UP_TRIES]:
            answer = ask(engine, with_referent(question, label(URIRef(iri))))
            if answer.answered:
                break
        mention, candidates = None, list(context)
    else:
        mention, candidates = None, []
    readings: list[tuple[QueryStructure, float]] = []
    # Readings are weighed as answering weighs them: the translator's probability times how the
    # entities fit (ReadingInfo.score), so the dialogue's likeliest reading is the one ``ask`` runs.
    top = max((r.score for r in answer.readings), default=0.0)
    # The pipeline's chosen reading comes first and stays even when unlikely: it was chosen because
    # the topic fits it ("who works for <a company>" reads worksFor backwards), the likelier ones do not.
    for r in sorted(answer.readings, key=lambda r: (not r.chosen, -r.score)):
        if r.score < MIN_READING_SHARE * top and not r.chosen:
            continue
        # The chosen reading carries the answer class binding added ("which *books*").
        structure = answer.structure if r.chosen and answer.structure is not None else _structure(r.signature)
        # Alternatives differ in the relation, not the form: "how many" is the question's own word.
        if structure is not None and (not readings or structure.form == readings[0][0].form):
            readings.append((structure, r.score))
    if not readings and answer.structure is not None:
        readings = [(answer.structure, 1.0)]
    if mention is None and candidates:
        candidates = _likeliest_referent(engine, candidates, readings)
    obs = build_observation(engine, question, mention, candidates, readings, bindings=_other_bindings(answer),
                            confidence=answer.confidence)
    return obs, answer


def _likeliest_referent(
    engine: Engine, referents: list[tuple[str, float]], readings: list[tuple[QueryStructure, float]]
) -> list[tuple[str, float]]:
    """A follow-up's pronoun means the most preferred referent the likeliest reading has an answer for."""
    if readings:
        for iri, _ in referents:
            if not execute(engine, readings[0][0], {"topic": URIRef(iri)}).empty:
                return [(iri, 1.0)]
    return referents[:1]


def _structure(signature: str) -> QueryStructure | None:
    try:
        return QueryStructure.from_signature(signature)
    except KgqaError:
        return None


def _other_bindings(answer: Any) -> dict[str, Node]:
    """``?other`` (the second entity of a yes/no question) and ``?value`` (a number to compare with)."""
    bindings: dict[str, Node] = {}
    other = next((m for m in answer.linked if m.role == "other" and m.chosen), None)
    if other is not None:
        bindings["other"] = URIRef(other.chosen[0])
    if answer.values:
        value = answer.values[0]
        bindings["value"] = Literal(int(value)) if float(value).is_integer() else Literal(value)
        bindings.setdefault("other", bindings["value"])
    return bindings
