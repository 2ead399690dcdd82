"""Execution: a plan becomes checked SPARQL, run on asserted facts first, then inferred ones.

:func:`check` refuses a structure whose properties the ontology does not know and
a query that does not parse (the store parses it; nothing runs on failure). The
query shown is :meth:`QueryStructure.render` -- values inlined with ``VALUES`` from
bound terms, so it is also what the user can re-run. What runs is its path form,
:meth:`QueryStructure.facts_sparql` (the same pattern, returning every path
variable and graph): one query gives the answers, the count or the yes/no *and*
the facts behind them (:mod:`kgqa.answer.collect` reuses the rows). Only when
there are more than :data:`ROWS` paths does the aggregate query run as well.
These queries start from bound terms and are row-limited, so they run in the
calling thread (starting a timeout thread per query cost more than the query
on a busy machine). Executors are chosen by name (``[answer] executor`` in ``kgqa.toml``, the
:data:`executors` registry); every way of asking runs the plans through
:func:`run_plans`, which checks them and hands them to that executor. The
default, ``staged``:

1. runs the best plan over the asserted graphs only;
2. when it finds nothing, tries the next plans that are nearly as likely
   (a wrong reading rarely has answers; a right one with no facts stays empty);
3. when still nothing and inferred links are allowed, runs the best plan over all
   graphs, the inferred one included;
4. and at last asks the completion model (``kgqa.complete.Scorer``) for the
   last hop's most likely ends, keeping those above ``answer.min_inferred_confidence``.

``beam`` (:mod:`kgqa.answer.beam`) runs the same first stages and, where they find
nothing, walks the path hop by hop over asserted and inferred links and the
completion model's predictions, keeping the best-weighted entities of each hop.

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
from typing import Any, Protocol

from rdflib import Literal, URIRef
from rdflib.term import Node

from kgqa.answer.bind import Plan, end_type, entity_fits
from kgqa.errors import QueryError
from kgqa.linking.labels import LabelIndex, fold
from kgqa.ontology import Ontology
from kgqa.registry import Registry
from kgqa.sparql.build import render_term, values_clause
from kgqa.sparql.results import AskResult, SelectResult
from kgqa.translate.structure import QueryStructure

#: Paths read by the one query that gives answers and facts; beyond, the aggregate query runs too.
ROWS = 1000
#: Run in the calling thread (no timeout thread): the queries here are bounded (see the module docs).
INLINE = 0
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
    #: The path rows (``QueryStructure.facts_sparql``) the answers came from, reused for the facts.
    rows: SelectResult | None = None
    #: Answers left out as extraction noise, with the reason (see :func:`_drop_noise`).
    dropped: list[tuple[Node, str]] = field(default_factory=list)

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


def _run(engine: Any, plan: Plan, asserted_only: bool, index: LabelIndex | None = None) -> Execution:
    structure = plan.structure
    sparql = structure.render(plan.bindings, asserted_only=asserted_only, exclude_topic=False)
    out = Execution(plan, sparql, asserted_only)
    paths = engine.sparql(structure.facts_sparql(plan.bindings, asserted_only=asserted_only, exclude_topic=False),
                          limit=ROWS, timeout=INLINE)
    assert isinstance(paths, SelectResult)
    end = structure.end[1:]
    if index is not None and structure.form != "ask" and not paths.truncated:
        paths, out.dropped = _drop_noise(engine.ontology, structure, paths, index)
    out.rows = paths
    if not paths.truncated:
        ends = [e for e in dict.fromkeys(paths.column(end)) if e is not None]
        if structure.form == "ask":
            out.boolean = bool(paths.rows)
        elif structure.form == "count":
            out.count = len(ends)
        else:
            out.answers = ends
        return out
    # More paths than are read at once: the aggregate query gives the answers, the rows some facts.
    result = engine.sparql(sparql)
    if isinstance(result, AskResult):
        out.boolean = bool(result)
    elif isinstance(result, SelectResult) and structure.form == "count":
        value = result.rows[0][0] if result.rows else None
        out.count = int(value.toPython()) if isinstance(value, Literal) else 0
    elif isinstance(result, SelectResult):
        out.answers = [row[0] for row in result.rows if row[0] is not None]
    return out


def _drop_noise(
    ontology: Ontology, structure: QueryStructure, paths: SelectResult, index: LabelIndex
) -> tuple[SelectResult, list[tuple[Node, str]]]:
    """The path rows without answers that text-extraction noise put there, and those answers.

    Two kinds, both only among several answers (a lone answer is never dropped):

    * an answer whose types (as most of its sources state them, see
      :meth:`LabelIndex.types`) cannot be what the path reaches: the book *The
      Martian* answering "What did Ridley Scott direct?" because one text's film
      was resolved to the book;
    * an answer only one document knows, whose name is part of another answer's
      name, stated by other documents than that one: "BSFA" (one text) beside "BSFA
      Award for Best Novel" (the RDF file), a short form entity resolution did not
      merge. A document that states both ("Dune" and "Dune: Part Two") keeps both.

    On a graph loaded from one RDF file neither happens: types fit, and every answer
    shares its source with the others.
    """
    end = structure.end[1:]
    ends = [e for e in dict.fromkeys(paths.column(end)) if isinstance(e, URIRef)]
    if len(ends) < 2:
        return paths, []
    expected = structure.answer_class or (end_type(ontology, structure.hops[-1]) if structure.hops else None)
    dropped: dict[Node, str] = {}
    fitting = [e for e in ends if entity_fits(ontology, index.types(e), expected)]
    if fitting and len(fitting) < len(ends):
        label = ontology.label(expected) if expected is not None else ""
        dropped |= {e: f"its sources mostly say it is not a {label}" for e in ends if e not in fitting}
    # Which documents state the last hop to each answer.
    graph_at = paths.vars.index(f"g{len(structure.hops)}" if structure.hops else "ga" if structure.is_class_listing else "gv")
    end_at = paths.vars.index(end)
    sources: dict[Node, set[Node]] = {}
    for row in paths.rows:
        sources.setdefault(row[end_at], set()).add(row[graph_at])
    names = {e: [f" {fold(n)} " for n in index.labels(e)] for e in fitting}
    for short in fitting:
        if not names[short] or index.support(short) > 1:
            continue
        key = names[short][0]
        longer = next((e for e in fitting if e != short and not sources.get(e, set()) & sources.get(short, set())
                       and any(key in n and n != key for n in names[e])), None)
        if longer is not None:
            dropped[short] = f"one document's short name for {index.label(longer)}, which other documents state"
    if not dropped:
        return paths, []
    rows = [row for row in paths.rows if row[end_at] not in dropped]
    return SelectResult(paths.vars, rows, paths.truncated), list(dropped.items())


class Executor(Protocol):
    """Runs checked plans, best first, and returns what the chosen one gave (``None``: no plan).

    ``scorer(relation, min_confidence)`` returns the completion model's scorer, or
    ``None`` when there is none or its calibration says it never predicts a link of
    ``relation`` that sure; an executor calls it only when it needs the model, since
    loading it imports torch. ``index`` (the
    label index, with each entity's types) lets extraction noise be left out.
    """

    def __call__(
        self, engine: Any, plans: list[Plan], *, use_inferred: bool, min_confidence: float,
        scorer: Callable[[], Any] | None, index: LabelIndex | None,
    ) -> Execution | None: ...


#: Executors by name (``[answer] executor``); plug-ins add theirs through the ``kgqa.executor`` entry points.
executors: Registry[Executor] = Registry("executor")


def run_plans(
    engine: Any,
    plans: list[Plan],
    ontology: Ontology,
    *,
    use_inferred: bool,
    min_confidence: float,
    scorer: Callable[[], Any] | None = None,
    index: LabelIndex | None = None,
    executor: str = "staged",
) -> Execution | None:
    """Check ``plans`` against ``ontology`` and run them with the executor named ``executor``."""
    if not plans:
        return None
    for plan in plans:
        check(plan.structure, ontology)
    run = executors.get(executor)
    return run(engine, plans, use_inferred=use_inferred, min_confidence=min_confidence, scorer=scorer, index=index)


@executors.register("staged")
def staged(
    engine: Any, plans: list[Plan], *, use_inferred: bool, min_confidence: float,
    scorer: Callable[[], Any] | None = None, index: LabelIndex | None = None,
) -> Execution:
    """Asserted facts for the best plan, then close readings, then inferred links, then the model."""
    best = _run(engine, plans[0], True, index)
    if best.found:
        return best
    fallback = _fallback(engine, plans, index)
    if fallback is not None:
        return fallback
    if not use_inferred:
        return best
    union = _run(engine, plans[0], False, index)
    if union.found:
        return union
    predicted = _predict(engine, plans[0], min_confidence, scorer) if scorer is not None else None
    if predicted is not None:
        return predicted
    return best


def _fallback(engine: Any, plans: list[Plan], index: LabelIndex | None) -> Execution | None:
    """The first of the next plans, nearly as likely as the best, that answers over asserted facts."""
    if plans[0].structure.form == "ask":
        return None  # "no" is an answer
    for plan in plans[1 : 1 + FALLBACK_PLANS]:
        if plan.score < FALLBACK_RATIO * plans[0].score:
            break
        other = _run(engine, plan, True, index)
        if other.found:
            other.fallback = True
            return other
    return None


def _predict(engine: Any, plan: Plan, min_confidence: float, load_scorer: Callable[[], Any]) -> Execution | None:
    """The completion model's best ends for the last hop of a select or ask plan."""
    structure = plan.structure
    if structure.form == "count" or not structure.hops or structure.filter is not None or not plan.fits:
        return None  # predictions for an entity that does not fit the property would be noise
    last = structure.hops[-1]
    scorer = load_scorer(last.property, min_confidence)
    if scorer is None:
        return None
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
