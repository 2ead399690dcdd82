"""Running the pipeline for the dialogue: from a question to an :class:`Observation`.

:func:`observe` asks the question-answering pipeline (:func:`kgqa.answer.ask`) and
keeps what it knows beyond its single best answer: the topic mention's ranked
candidates and the translator's top readings. It then executes every
(candidate, reading) pair, binding ``?topic`` as an RDF term (asserted facts
first, inferred ones only when those give nothing, as answering does), and reads
the distinguishing traits of each candidate for clarification questions.

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

from kgqa.dialogue.describe import describe_reading, entity_traits, inverse_labels
from kgqa.dialogue.followup import with_referent
from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption
from kgqa.dialogue.state import MAX_OPTIONS
from kgqa.errors import KgqaError
from kgqa.namespaces import INFERRED_GRAPH, KGQA
from kgqa.sparql.build import render_term, values_clause
from kgqa.sparql.results import AskResult
from kgqa.translate.structure import QueryStructure

if TYPE_CHECKING:
    from kgqa.engine import Engine

#: Bumped whenever what an observation holds changes, so cached ones are recomputed.
OBSERVATION_VERSION = 4
#: Candidates and readings an observation keeps (the grid is their product).
MAX_CANDIDATES = MAX_OPTIONS + 1
MAX_READINGS = 3
#: Readings far less likely than the best are not alternatives worth offering ("how many author").
MIN_READING_SHARE = 0.05
#: A follow-up is read with each of this many referents named, most preferred first, until one is answered.
FOLLOW_UP_TRIES = 3
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_CONFIDENCE_QUERY = f"""
SELECT (MIN(?c) AS ?confidence) WHERE {{
  GRAPH {render_term(INFERRED_GRAPH)} {{
    ?st <{_RDF}predicate> ?p ; <{_RDF}subject> ?s ; <{_RDF}object> ?o ; {render_term(KGQA.confidence)} ?c .
  }}
  FILTER(?s IN (__TERMS__) || ?o IN (__TERMS__))
  __VALUES__
}}"""


def execute(engine: Engine, structure: QueryStructure, bindings: dict[str, Node]) -> Outcome:
    """The answers of one reading with ``bindings``: asserted facts first, then inferred ones.

    An ASK reading answers ``("true",)`` or ``("false",)``; a COUNT of zero counts as no answer.
    """
    use_inferred = bool(engine.config.get("answer.use_inferred"))
    for asserted_only in (True, False) if use_inferred else (True,):
        result = engine.sparql(structure.to_sparql(asserted_only=asserted_only), bindings=bindings)
        if isinstance(result, AskResult):
            answers: tuple[Node, ...] = (Literal(True),) if bool(result) else ()
        else:
            answers = tuple(row[0] for row in result.rows if row and row[0] is not None)
            if structure.form == "count" and answers and int(answers[0]) == 0:
                answers = ()
        if answers:
            inferred = not asserted_only
            confidence = _inferred_confidence(engine, structure, answers) if inferred else None
            return Outcome(tuple(sorted(str(a) for a in answers)), inferred, confidence, _labels(engine, answers))
    return Outcome(("false",), labels=("no",)) if structure.form == "ask" else Outcome()


def _labels(engine: Engine, terms: Sequence[Node]) -> tuple[str, ...]:
    iris = [t for t in terms if isinstance(t, URIRef)]
    names: dict[str, str] = {}
    if iris:
        query = f"SELECT ?e (SAMPLE(?l) AS ?label) WHERE {{ {values_clause('e', iris)} ?e <{_LABEL}> ?l }} GROUP BY ?e"
        names = {str(e): str(label) for e, label in engine.sparql(query, limit=None).rows}
    return tuple(sorted(names.get(str(t), str(t)) for t in terms))


def _inferred_confidence(engine: Engine, structure: QueryStructure, answers: Sequence[Node]) -> float | None:
    iris = [a for a in answers if isinstance(a, URIRef)]
    if not iris:
        return None
    terms = ", ".join(render_term(a) for a in iris)
    query = _CONFIDENCE_QUERY.replace("__TERMS__", terms).replace(
        "__VALUES__", values_clause("p", [h.property for h in structure.hops])
    )
    rows = engine.sparql(query, limit=None).rows
    return float(rows[0][0]) if rows and rows[0][0] is not None else None


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
    from kgqa.answer import ask

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
        from kgqa.answer.context import qa_context

        label = qa_context(engine).linker.index.label
        for iri, _ in context[:FOLLOW_UP_TRIES]:
            answer = ask(engine, with_referent(question, label(URIRef(iri))))
            if answer.answered:
                break
        mention, candidates = None, list(context)
    else:
        mention, candidates = None, []
    readings: list[tuple[QueryStructure, float]] = []
    top = max((r.prob for r in answer.readings), default=0.0)
    # The pipeline's chosen reading comes first and stays even when unlikely: it was chosen because
    # the topic fits it ("who works for <a company>" reads worksFor backwards), the likelier ones do not.
    for r in sorted(answer.readings, key=lambda r: (not r.chosen, -r.prob)):
        if r.prob < MIN_READING_SHARE * top and not r.chosen:
            continue
        # The chosen reading carries the answer class binding added ("which *books*").
        structure = answer.structure if r.chosen and answer.structure is not None else _structure(r.signature)
        # Alternatives differ in the relation, not the form: "how many" is the question's own word.
        if structure is not None and (not readings or structure.form == readings[0][0].form):
            readings.append((structure, r.prob))
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
