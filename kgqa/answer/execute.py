"""Execution: a plan becomes checked SPARQL, run on asserted facts first, then inferred ones.

:func:`check` refuses a structure whose properties the ontology does not know and
a query that does not parse (the store parses it; nothing runs on failure). The
query text is :meth:`QueryStructure.render` -- values inlined with ``VALUES`` from
bound terms, so it is also what the user can re-run. :func:`run_plans` then

1. runs the best plan over the asserted graphs only;
2. when it finds nothing, tries the next plans that are nearly as likely
   (a wrong reading rarely has answers; a right one with no facts stays empty);
3. when still nothing and inferred links are allowed, runs the best plan over all
   graphs, the inferred one included;
4. and at last asks the completion model (``kgqa.complete.Scorer``) for the
   last hop's most likely ends, keeping those above ``answer.min_inferred_confidence``.

Example:
    >>> from rdflib import URIRef
    >>> from kgqa import Engine
    >>> from kgqa.translate.structure import Hop, QueryStructure
    >>> check(QueryStructure((Hop(URIRef("urn:x:nope")),)), Engine.memory().ontology)
    Traceback (most recent call last):
    ...
    kgqa.errors.QueryError: the query uses urn:x:nope, which the ontology does not define
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from kgqa.answer.bind import Plan
from kgqa.errors import QueryError
from kgqa.ontology import Ontology
from kgqa.sparql.build import render_term, values_clause
from kgqa.sparql.results import AskResult, SelectResult
from kgqa.translate.structure import QueryStructure

#: A plan this close to the best one may answer when the best finds nothing.
FALLBACK_RATIO = 0.3
FALLBACK_PLANS = 3
#: Ends predicted per node by the completion model.
PREDICTED_PER_NODE = 5


@dataclass
class Execution:
    """What running a plan gave."""

    plan: Plan
    sparql: str
    asserted_only: bool
    answers: list[Node] = field(default_factory=list)
    count: int | None = None
    boolean: bool | None = None
    #: Links predicted by the completion model: (subject, predicate, object, confidence).
    predicted: list[tuple[URIRef, URIRef, Node, float]] = field(default_factory=list)
    run: str | None = None
    fallback: bool = False

    @property
    def found(self) -> bool:
        if self.plan.structure.form == "ask":
            return bool(self.boolean)
        if self.plan.structure.form == "count":
            return bool(self.count)
        return bool(self.answers)


def check(structure: QueryStructure, ontology: Ontology) -> None:
    """Raise :class:`QueryError` unless every property and class of ``structure`` is in the ontology."""
    used = [h.property for h in structure.hops]
    if structure.filter is not None:
        used.append(structure.filter.property)
    for p in used:
        if p not in ontology.properties:
            raise QueryError(f"the query uses {p}, which the ontology does not define")
    if structure.answer_class is not None and structure.answer_class not in ontology.classes:
        raise QueryError(f"the query uses class {structure.answer_class}, which the ontology does not define")


def _run(engine: Any, plan: Plan, asserted_only: bool) -> Execution:
    structure = plan.structure
    sparql = structure.render(plan.bindings, asserted_only=asserted_only, exclude_topic=False)
    result = engine.sparql(sparql)
    out = Execution(plan, sparql, asserted_only)
    if isinstance(result, AskResult):
        out.boolean = bool(result)
    elif isinstance(result, SelectResult) and structure.form == "count":
        value = result.rows[0][0] if result.rows else None
        out.count = int(value.toPython()) if isinstance(value, Literal) else 0
    elif isinstance(result, SelectResult):
        out.answers = [row[0] for row in result.rows if row[0] is not None]
    return out


def run_plans(
    engine: Any,
    plans: list[Plan],
    ontology: Ontology,
    *,
    use_inferred: bool,
    min_confidence: float,
    scorer: Callable[[], Any] | None = None,
) -> Execution | None:
    """Run the plans as described in the module docs; ``None`` when there is no plan.

    ``scorer`` returns the completion model's scorer (or ``None``); it is called
    only when nothing else answers, since loading the model imports torch.
    """
    if not plans:
        return None
    for plan in plans:
        check(plan.structure, ontology)
    best = _run(engine, plans[0], asserted_only=True)
    if best.found:
        return best
    if best.plan.structure.form != "ask":
        for plan in plans[1 : 1 + FALLBACK_PLANS]:
            if plan.score < FALLBACK_RATIO * plans[0].score:
                break
            other = _run(engine, plan, asserted_only=True)
            if other.found:
                other.fallback = True
                return other
    if not use_inferred:
        return best
    union = _run(engine, plans[0], asserted_only=False)
    if union.found:
        return union
    predicted = _predict(engine, plans[0], min_confidence, scorer) if scorer is not None else None
    if predicted is not None:
        return predicted
    return best


def _predict(engine: Any, plan: Plan, min_confidence: float, load_scorer: Callable[[], Any]) -> Execution | None:
    """The completion model's best ends for the last hop of a select or ask plan."""
    structure = plan.structure
    if structure.form == "count" or not structure.hops or structure.filter is not None or not plan.fits:
        return None  # predictions for an entity that does not fit the property would be noise
    scorer = load_scorer()
    if scorer is None:
        return None
    last = structure.hops[-1]
    if len(structure.hops) == 1:
        nodes = list(plan.bindings.get("topic", []))
    else:
        prefix = QueryStructure(structure.hops[:-1], "select")
        result = engine.sparql(prefix.render({"topic": plan.bindings.get("topic", [])}, exclude_topic=False))
        nodes = [row[0] for row in result.rows][:10]
    links: list[tuple[URIRef, URIRef, Node, float]] = []
    for node in nodes:
        if last.inverse:
            ranked = scorer.predict_heads(last.property, node, k=PREDICTED_PER_NODE)
        else:
            ranked = scorer.predict_tails(node, last.property, k=PREDICTED_PER_NODE)
        for label, _score, confidence in ranked:
            if confidence is None or confidence < min_confidence:
                continue
            s, o = (URIRef(label), node) if last.inverse else (node, URIRef(label))
            links.append((s, last.property, o, float(confidence)))
    if structure.answer_class is not None and links:
        ends = [link[0] if last.inverse else link[2] for link in links]
        typed = engine.sparql(
            f"SELECT ?e WHERE {{ {values_clause('e', ends)} ?e a {render_term(structure.answer_class)} }}"
        )
        members = {row[0] for row in typed.rows}
        links = [link for link in links if (link[0] if last.inverse else link[2]) in members]
    if not links:
        return None
    from kgqa.complete.graph import run_iri

    comment = f"# no asserted or inferred fact answers this; the completion model (run {scorer.run_id}) predicted the last hop\n"
    out = Execution(plan, comment + structure.render(plan.bindings, exclude_topic=False), False)
    out.predicted = links
    out.run = str(run_iri(scorer.run_id))
    ends = list(dict.fromkeys(l[0] if last.inverse else l[2] for l in links))
    if structure.form == "ask":
        out.boolean = any(e in set(plan.bindings.get("other", [])) for e in ends)
    else:
        out.answers = ends
    return out
