"""The ``beam`` executor: where the graph has no path, walk it hop by hop with the completion model.

``[answer] executor = "beam"`` runs the ``staged`` executor first (asserted facts,
close readings, the inferred graph: what mined rules and ``kgqa complete`` wrote).
When those find nothing for the best plan, it walks the plan's path one hop at a
time from the topic, keeping the :data:`BEAM` best-weighted entities of each hop:

* an entity's known neighbours along the hop (asserted or inferred links, outside
  the candidate graph) carry its weight on;
* an entity with no known neighbour gets the completion model's best
  :data:`PREDICTIONS` ends whose calibrated confidence reaches
  ``answer.min_inferred_confidence``, each weighted by that confidence;
* weights of paths that reach the same entity add up.

The answers are the last hop's entities within :data:`KEEP` of the best weight.
The staged executor asks the model only about the last hop; the beam also crosses
a missing middle link ("Where was the author of X born?" when X's author is not
in the graph but the model is sure of it). Answers resting on predictions are
flagged as such, with the predicted links as their facts.

Example:
    >>> from kgqa.answer.execute import executors
    >>> executors.get("beam") is beam
    True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from kgqa.answer.bind import Plan
from kgqa.answer.execute import Execution, executors, staged
from kgqa.linking.labels import LabelIndex
from kgqa.namespaces import CANDIDATE_GRAPH
from kgqa.sparql.build import render_term, values_clause
from kgqa.translate.structure import Hop

#: Entities kept per hop.
BEAM = 16
#: Ends the model proposes per entity without a known neighbour.
PREDICTIONS = 5
#: Answers are the entities whose weight is at least this share of the best one's.
KEEP = 0.5

Link = tuple[URIRef, URIRef, Node, float]


@executors.register("beam")
def beam(
    engine: Any, plans: list[Plan], *, use_inferred: bool, min_confidence: float,
    scorer: Callable[..., Any] | None = None, index: LabelIndex | None = None,
) -> Execution:
    """The staged executor's answer, or when it has none, the beam's (see the module docs)."""
    first = staged(engine, plans, use_inferred=use_inferred, min_confidence=min_confidence, scorer=None, index=index)
    if first.found or not use_inferred or scorer is None:
        return first
    walked = _walk(engine, plans[0], min_confidence, scorer)
    return walked if walked is not None else first


def _walk(engine: Any, plan: Plan, min_confidence: float, scorer: Callable[..., Any]) -> Execution | None:
    structure = plan.structure
    if structure.form == "count" or not structure.hops or structure.filter is not None \
            or structure.constraint is not None or not plan.fits:
        return None
    weights: dict[Node, float] = {t: 1.0 for t in plan.bindings.get("topic", [])}
    links: list[Link] = []
    model = None
    for hop in structure.hops:
        known = _neighbours(engine, weights, hop)
        reached: dict[Node, float] = defaultdict(float)
        for node, weight in weights.items():
            for end in known.get(node, ()):
                reached[end] += weight
            if known.get(node) or not isinstance(node, URIRef):
                continue
            model = scorer(hop.property, min_confidence)
            if model is None:
                continue
            for link in _predicted(model, node, hop, min_confidence):
                reached[link[0] if hop.inverse else link[2]] += weight * link[3]
                links.append(link)
        weights = dict(sorted(reached.items(), key=lambda kv: -kv[1])[:BEAM])
        if not weights:
            return None
    if not links:
        return None  # nothing predicted: the staged executor already read these links
    if structure.answer_class is not None:
        typed = engine.sparql(
            f"SELECT ?e WHERE {{ {values_clause('e', list(weights))} ?e a {render_term(structure.answer_class)} }}"
        )
        members = {row[0] for row in typed.rows}
        weights = {n: w for n, w in weights.items() if n in members}
        if not weights:
            return None
    best = max(weights.values())
    answers = [n for n, w in sorted(weights.items(), key=lambda kv: -kv[1]) if w >= KEEP * best]
    from kgqa.complete.graph import run_iri

    comment = (f"# no asserted or inferred path answers this; a beam over the path with the completion model "
               f"(run {model.run_id}) predicted {len(links)} link(s)\n") if model is not None else ""
    out = Execution(plan, comment + structure.render(plan.bindings, exclude_topic=False), False)
    out.predicted = links
    out.run = str(run_iri(model.run_id)) if model is not None else None
    if structure.form == "ask":
        out.boolean = bool(set(answers) & set(plan.bindings.get("other", [])))
    else:
        out.answers = answers
    return out


def _neighbours(engine: Any, nodes: Iterable[Node], hop: Hop) -> dict[Node, list[Node]]:
    """Each node's known ends along ``hop`` (asserted or inferred links, never candidate statements)."""
    nodes = [n for n in nodes if isinstance(n, URIRef)]
    if not nodes:
        return {}
    pattern = "?n {p} ?m" if not hop.inverse else "?m {p} ?n"
    query = (f"SELECT ?n ?m WHERE {{ {values_clause('n', nodes)} GRAPH ?g {{ {pattern.format(p=render_term(hop.property))} }} "
             f"FILTER(?g != {render_term(CANDIDATE_GRAPH)}) }}")
    out: dict[Node, list[Node]] = defaultdict(list)
    for n, m in engine.sparql(query).rows:
        out[n].append(m)
    return out


def _predicted(model: Any, node: URIRef, hop: Hop, min_confidence: float) -> list[Link]:
    """The model's links from ``node`` along ``hop`` at ``min_confidence`` or above."""
    if hop.inverse:
        ranked = model.predict_heads(hop.property, node, k=PREDICTIONS)
    else:
        ranked = model.predict_tails(node, hop.property, k=PREDICTIONS)
    out: list[Link] = []
    for label, _score, confidence in ranked:
        if confidence is None or confidence < min_confidence:
            continue
        s, o = (URIRef(label), node) if hop.inverse else (node, URIRef(label))
        out.append((s, hop.property, o, float(confidence)))
    return out
