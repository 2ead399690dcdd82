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
from kgqa.dialogue.observation import EntityOption, Observation, Outcome, ReadingOption
from kgqa.dialogue.state import MAX_OPTIONS
from kgqa.namespaces import INFERRED_GRAPH, KGQA
from kgqa.sparql.build import render_term, values_clause
from kgqa.sparql.results import AskResult
from kgqa.translate.structure import QueryStructure

if TYPE_CHECKING:
    from kgqa.engine import Engine

#: Candidates and readings an observation keeps (the grid is their product).
MAX_CANDIDATES = MAX_OPTIONS + 1
MAX_READINGS = 3
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
    candidates: Sequence[tuple[str, float]],
    readings: Sequence[tuple[QueryStructure, float]],
    *,
    bindings: dict[str, Node] | None = None,
    confidence: float = 0.0,
) -> Observation:
    """Execute every (candidate, reading) pair and describe candidates and readings.

    ``candidates`` are (IRI, linking score) best first; ``readings`` (structure,
    probability) best first; ``bindings`` are further pre-bound variables the
    readings need (``?other``, ``?value``).
    """
    candidates = list(candidates)[:MAX_CANDIDATES]
    readings = list(readings)[:MAX_READINGS]
    traits = entity_traits(engine, [iri for iri, _ in candidates])
    inverse = inverse_labels(engine)
    entity_options = [EntityOption(iri, traits[iri][0], float(score), traits[iri][1], traits[iri][2]) for iri, score in candidates]
    reading_options = [
        ReadingOption(s.signature(), float(p), *describe_reading(engine.ontology, s, inverse)) for s, p in readings
    ]
    outcomes: dict[tuple[int, int], Outcome] = {}
    for j, (structure, _) in enumerate(readings):
        for i, (iri, _) in enumerate(candidates or [(None, 0.0)]):
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
    entity of its own (a follow-up: "and when was it published?"). Returns the
    observation and the pipeline's :class:`~kgqa.answer.Answer`.
    """
    from kgqa.answer import ask

    answer = ask(engine, question)
    mention, candidates = _topic_candidates(answer)
    if not candidates and context:
        mention, candidates = None, list(context)
    readings = list(getattr(answer, "readings", None) or [])
    if not readings and getattr(answer, "structure", None) is not None:
        readings = [(answer.structure, 1.0)]
    return (
        build_observation(engine, question, mention, candidates, readings, bindings=_other_bindings(answer),
                          confidence=float(getattr(answer, "confidence", 0.0) or 0.0)),
        answer,
    )


def _topic_candidates(answer: Any) -> tuple[str | None, list[tuple[str, float]]]:
    for mention in getattr(answer, "linked", None) or []:
        candidates = [(str(c.iri), float(c.score)) for c in getattr(mention, "candidates", [])]
        if candidates:
            return getattr(mention, "surface", None), candidates
    return None, []


def _other_bindings(answer: Any) -> dict[str, Node]:
    bindings = dict(getattr(answer, "bindings", None) or {})
    bindings.pop("topic", None)
    return bindings
