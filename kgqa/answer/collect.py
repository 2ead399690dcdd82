"""The facts an answer rests on, each with where it comes from.

After the answer query, :func:`collect_facts` runs the structure's
:meth:`~kgqa.translate.structure.QueryStructure.facts_sparql` (the same pattern,
returning every path variable and the named graph of every hop) and turns each
hop of each row into a :class:`~kgqa.facts.Fact`:

* asserted facts name their source documents (the ``kgqa:path`` that ingestion
  records for a document graph) or, for loaded RDF, the graph; for facts a
  document stated, the provenance table adds the extractor, where it was read and
  its confidence (``Fact.extra["extractor"]``, ``["location"]``, ``Fact.confidence``);
* facts of the inferred graph are marked ``inferred`` with the calibrated
  confidence and the completion run that predicted them;
* links the completion model predicted at question time (no triple anywhere)
  come from the :class:`~kgqa.answer.execute.Execution` itself.

Example:
    >>> from kgqa.namespaces import DEFAULT_FACTS_GRAPH
    >>> source_of(DEFAULT_FACTS_GRAPH, {})
    'urn:kgqa:graph:facts'
"""

from __future__ import annotations

from typing import Any

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from kgqa.answer.execute import Execution
from kgqa.facts import Fact
from kgqa.linking.labels import LabelIndex
from kgqa.namespaces import INFERRED_GRAPH, KGQA, is_document_graph
from kgqa.sparql.build import render_term, values_clause
from kgqa.sparql.results import SelectResult
from kgqa.translate.structure import Hop, QueryStructure

#: Facts kept per answer (a count over thousands of items does not list them all).
MAX_FACTS = 200
#: Facts said after "No, ..." (what the graph holds instead).
SAY_INSTEAD = 3
#: These look-ups are small and LIMITed: run them in the calling thread (no timeout thread to start).
_INLINE = 0


def label_of(node: Node, index: LabelIndex) -> str:
    """How to say a term: an entity's label, a literal's lexical form."""
    if isinstance(node, Literal):
        return str(node)
    return index.label(node)  # type: ignore[arg-type]


def source_of(graph: Node, documents: dict[Node, str]) -> str:
    """A fact's source: the document path of its graph, else the graph's name."""
    return documents.get(graph, str(graph))


def _documents(engine: Any, graphs: set[Node], known: dict[Node, str] | None = None) -> dict[Node, str]:
    """The document path of each document graph in ``graphs``; ``known`` caches them between calls."""
    known = {} if known is None else known
    named = [g for g in graphs if isinstance(g, URIRef) and is_document_graph(g) and g not in known]
    if named:
        query = f"SELECT ?g ?path WHERE {{ {values_clause('g', named)} GRAPH ?g {{ ?g {render_term(KGQA.path)} ?path }} }}"
        known.update({g: str(path) for g, path in engine.sparql(query, timeout=_INLINE).rows})
        known.update({g: str(g) for g in named if g not in known})
    return known


def _hop_triple(hop: Hop, src: Node, dst: Node) -> tuple[Node, URIRef, Node]:
    return (dst, hop.property, src) if hop.inverse else (src, hop.property, dst)


Raw = tuple[Node, URIRef, Node, "Node | None"]


def collect_facts(
    engine: Any, execution: Execution, index: LabelIndex, documents: dict[Node, str] | None = None
) -> list[Fact]:
    """The facts behind ``execution``'s answers (see the module docs).

    ``documents`` caches the document path of each graph between calls (it changes
    only when the data does; :class:`~kgqa.answer.context.QAContext` keeps one).
    """
    structure = execution.plan.structure
    raw: list[Raw] = []
    if execution.predicted:
        if len(structure.hops) > 1:
            prefix = QueryStructure(structure.hops[:-1], "select")
            raw += _path_triples(engine, prefix, execution.plan.bindings, True)
        raw += [(s, p, o, None) for s, p, o, _ in execution.predicted]
    elif execution.rows is not None:
        raw += path_triples(structure, execution.rows)
    elif execution.found or structure.form == "ask":
        raw += _path_triples(engine, structure, execution.plan.bindings, execution.asserted_only)
    predicted = {(s, p, o): c for s, p, o, c in execution.predicted}
    return _facts(engine, _first(raw, MAX_FACTS), index, execution.run, predicted, documents)


def instead_facts(
    engine: Any, execution: Execution, index: LabelIndex, documents: dict[Node, str] | None = None
) -> list[Fact]:
    """For a yes/no question answered no: what the path's last hop reaches from the topic instead."""
    structure = execution.plan.structure
    if structure.form != "ask" or structure.filter is not None:
        return []
    bindings = {k: v for k, v in execution.plan.bindings.items() if k != "other"}
    raw = _path_triples(engine, QueryStructure(structure.hops, "select"), bindings, execution.asserted_only)
    last = structure.hops[-1].property
    return _facts(engine, _first([r for r in raw if r[1] == last], SAY_INSTEAD), index, None, {}, documents)


def _first(raw: list[Raw], n: int) -> list[Raw]:
    """The rows of the first ``n`` distinct triples (several documents may state one triple)."""
    triples = set(list(dict.fromkeys(r[:3] for r in raw))[:n])
    return [r for r in dict.fromkeys(raw) if r[:3] in triples]


def _facts(
    engine: Any, raw: list[Raw], index: LabelIndex, run: str | None, predicted: dict, known: dict[Node, str] | None = None
) -> list[Fact]:
    """Facts with labels and provenance for raw (subject, predicate, object, graph) rows."""
    graphs = {g for *_, g in raw if g is not None}
    documents = _documents(engine, graphs, known)
    inferred_keys = [(s, p, o) for s, p, o, g in raw if g == INFERRED_GRAPH]
    provenance: dict[tuple[Any, Any, Any], tuple[float, str, str | None]] = {}
    if inferred_keys:
        from kgqa.complete.graph import inferred_provenance

        provenance = inferred_provenance(engine.store, inferred_keys)  # type: ignore[arg-type]
    stated = _statements(engine, raw)
    names = _names(raw, index)
    # A triple several documents state (the RDF file, a table, a text) is one fact with
    # every source: said once, asserted if any document asserts it.
    by_triple: dict[tuple[Node, URIRef, Node], list[Node | None]] = {}
    for s, p, o, g in raw:
        by_triple.setdefault((s, p, o), []).append(g)
    facts = []
    for (s, p, o), graphs_of in by_triple.items():
        asserted = [g for g in graphs_of if g is not None and g != INFERRED_GRAPH]
        rule = None
        how: dict[str, Any] = {}
        if asserted:
            confidence, sources = None, list(dict.fromkeys(source_of(g, documents) for g in asserted))
            found = [stated[k] for g in asserted if (k := (s, p, o, str(g))) in stated]
            if found:
                best = max(found, key=lambda row: row["confidence"])
                confidence, how = best["confidence"], {"extractor": best["extractor"], "location": best["location"]}
        elif graphs_of[0] is None:  # predicted at question time by the run's model
            confidence, sources = predicted.get((s, p, o)), [run]
        else:  # read from the inferred graph: the run (embedding or rules) that predicted it
            confidence, source, rule = provenance.get((s, p, o), (None, None, None))
            sources = [source]
        g = (asserted or graphs_of)[0]
        extra = {"graph": str(g) if g is not None else None, "sources": sources, **how, **({"rule": rule} if rule else {})}
        facts.append(
            Fact(s, names.get(s) or label_of(s, index), p, o, names.get(o) or label_of(o, index), not asserted,  # type: ignore[arg-type]
                 confidence, sources[0], extra)
        )
    return facts


def _statements(engine: Any, raw: list[Raw]) -> dict[tuple[Node, Node, Node, str], dict[str, Any]]:
    """How ingestion stated the triples of document graphs in ``raw`` (empty without ingested documents)."""
    from ingest.provenance import provenance_path, read_statements

    in_documents = [(s, p, o, g) for s, p, o, g in raw if g is not None and is_document_graph(g)]
    path = provenance_path(engine)
    if not in_documents or not path.is_file():
        return {}
    return read_statements(path, dict.fromkeys(r[:3] for r in in_documents), {str(g) for *_, g in in_documents})


def _names(raw: list[Raw], index: LabelIndex) -> dict[Node, str]:
    """Distinct names for entities whose label other entities of the graph share: "Solaris (1972)".

    An alt label that contains the shared label and says more is used when there is
    one; the answer may hold one of them only ("The Martian (2015)" was released in
    2015, whatever the book of that name did).
    """
    entities = {n for s, _, o, _ in raw for n in (s, o) if isinstance(n, URIRef)}
    out: dict[Node, str] = {}
    for e in entities:
        label = index.label(e)
        if len(index.lookup(label)) < 2:
            continue
        longer = [a for a in index.labels(e)[1:] if label in a and a != label]
        if longer:
            out[e] = min(longer, key=len)
    return out


def _path_triples(
    engine: Any, structure: QueryStructure, bindings: dict[str, list[Node]], asserted_only: bool
) -> list[Raw]:
    query = structure.facts_sparql(bindings, asserted_only=asserted_only, exclude_topic=False)
    return path_triples(structure, engine.sparql(query, limit=MAX_FACTS, timeout=_INLINE))


def path_triples(structure: QueryStructure, result: SelectResult) -> list[Raw]:
    """Each hop of each row of ``structure.facts_sparql(...)``'s result, as (s, p, o, graph)."""
    n = len(structure.hops)
    names = result.vars
    out = []
    for row in result.rows[:MAX_FACTS]:
        values = dict(zip(names, row))
        path = [values.get("topic"), *(values.get(f"x{i}") for i in range(1, n)), values.get(structure.end[1:])]
        for i, hop in enumerate(structure.hops):
            if path[i] is None or path[i + 1] is None:
                continue
            out.append((*_hop_triple(hop, path[i], path[i + 1]), values.get(f"g{i + 1}")))
        if structure.constraint is not None and values.get("other") is not None:
            out.append((*_hop_triple(structure.constraint, values["answer"], values["other"]), values.get("gc")))
        if structure.filter is not None and values.get("v") is not None:
            out.append((values["answer"], structure.filter.property, values["v"], values.get("gv")))
        if structure.is_class_listing and values.get("answer") is not None:
            out.append((values["answer"], RDF.type, structure.answer_class, values.get("ga")))
    return out
