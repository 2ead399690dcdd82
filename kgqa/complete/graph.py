"""The inferred graph: predicted links kept apart from what documents assert.

Each accepted prediction is written twice into ``urn:kgqa:graph:inferred``:

* the plain triple ``<h> <r> <t>``, so the same SPARQL patterns match it;
* a reified ``kgqa:Prediction`` node with ``rdf:subject`` / ``rdf:predicate`` /
  ``rdf:object``, ``kgqa:confidence`` (calibrated, ``xsd:double``), ``kgqa:score``
  (raw), ``kgqa:rule`` (for rule links, the rule that predicts it) and
  ``kgqa:inferredBy`` the ``kgqa:ModelRun`` (``kgqa:modelName``,
  ``prov:startedAtTime``, ``prov:endedAtTime``): the embedding run, or the rules
  mined in the same ``kgqa complete``.

A new run replaces the whole graph in one atomic step; dropping it leaves the
asserted graphs exactly as they were.

Example (the confidence of inferred links, for the QA layer):
    >>> from kgqa.namespaces import RES
    >>> from kgqa.store import open_store
    >>> inferred_confidence(open_store("oxigraph"), RES.a, RES.r, RES.b) is None
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from kgqa.namespaces import INFERRED_GRAPH, KGQA, PROV
from kgqa.sparql.build import render_term
from kgqa.store.base import Quad, Store

if TYPE_CHECKING:
    from kgqa.complete.predict import Prediction

Triple = tuple[URIRef, URIRef, URIRef]

# Run and prediction IRIs are minted here: only completion writes them.
RUN_PREFIX = "urn:kgqa:run:"
PREDICTION_PREFIX = "urn:kgqa:prediction:"


def run_iri(run_id: str) -> URIRef:
    """The IRI of a completion run (a ``kgqa:ModelRun``)."""
    return URIRef(RUN_PREFIX + run_id)


def prediction_iri(run_id: str, h: str, r: str, t: str) -> URIRef:
    digest = hashlib.sha1("\t".join((h, r, t)).encode()).hexdigest()[:20]
    return URIRef(f"{PREDICTION_PREFIX}{run_id}:{digest}")


def prediction_quads(
    predictions: Iterable[Prediction], *, run_id: str, model_name: str, started: datetime, ended: datetime
) -> Iterator[Quad]:
    """The quads of a run's predictions (graph ``urn:kgqa:graph:inferred``)."""
    g = INFERRED_GRAPH
    run = run_iri(run_id)
    yield run, RDF.type, KGQA.ModelRun, g
    yield run, KGQA.modelName, Literal(model_name), g
    yield run, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime), g
    yield run, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime), g
    for p in predictions:
        h, r, t = URIRef(p.head), URIRef(p.relation), URIRef(p.tail)
        node = prediction_iri(run_id, p.head, p.relation, p.tail)
        yield h, r, t, g
        yield node, RDF.type, KGQA.Prediction, g
        yield node, RDF.subject, h, g
        yield node, RDF.predicate, r, g
        yield node, RDF.object, t, g
        yield node, KGQA.confidence, Literal(p.confidence, datatype=XSD.double), g
        yield node, KGQA.score, Literal(p.score, datatype=XSD.double), g
        if p.rule:
            yield node, KGQA.rule, Literal(p.rule), g
        yield node, KGQA.inferredBy, run, g


def write_inferred(store: Store, quads: Iterable[Quad]) -> int:
    """Replace the inferred graph with ``quads`` atomically; returns the number of quads."""
    return store.replace_graph(INFERRED_GRAPH, quads)


def drop_inferred(store: Store) -> int:
    """Remove every inferred link; returns how many quads the graph held."""
    n = store.count(INFERRED_GRAPH)
    store.drop_graph(INFERRED_GRAPH)
    return n


_PROVENANCE_QUERY = f"""
SELECT ?h ?r ?t ?c ?run ?rule WHERE {{
  {{VALUES}}
  GRAPH <{INFERRED_GRAPH}> {{
    ?p a <{KGQA.Prediction}> ; <{RDF.subject}> ?h ; <{RDF.predicate}> ?r ; <{RDF.object}> ?t ;
       <{KGQA.confidence}> ?c ; <{KGQA.inferredBy}> ?run .
    OPTIONAL {{ ?p <{KGQA.rule}> ?rule }}
  }}
}} ORDER BY DESC(?c) ?run"""


def inferred_provenance(store: Store, triples: Sequence[Triple]) -> dict[Triple, tuple[float, str, str | None]]:
    """For each of ``triples`` that is an inferred link: its best calibrated confidence,
    the run (embedding or rules) that gave it and, for a rule link, the rule. One query
    for the whole batch."""
    if not triples:
        return {}
    rows = " ".join(f"({render_term(h)} {render_term(r)} {render_term(t)})" for h, r, t in triples)
    query = _PROVENANCE_QUERY.replace("{VALUES}", f"VALUES (?h ?r ?t) {{ {rows} }}")
    out: dict[Triple, tuple[float, str, str | None]] = {}
    for h, r, t, c, run, rule in store.query(query, timeout=None, limit=None).rows:
        out.setdefault((h, r, t), (float(c.toPython()), str(run), None if rule is None else str(rule)))  # type: ignore[union-attr]
    return out


def inferred_confidences(store: Store, triples: Sequence[Triple]) -> dict[Triple, float]:
    """Calibrated confidence of each of ``triples`` that is an inferred link (others are absent).

    The QA layer uses it to label answers that rest on predicted rather than asserted facts.
    """
    return {triple: c for triple, (c, _, _) in inferred_provenance(store, triples).items()}


def inferred_confidence(store: Store, head: URIRef, relation: URIRef, tail: URIRef) -> float | None:
    """Calibrated confidence of one inferred link, or ``None`` when it is not inferred."""
    return inferred_confidences(store, [(head, relation, tail)]).get((head, relation, tail))
