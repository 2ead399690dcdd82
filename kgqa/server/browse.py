"""What the web page's Browse tab shows: one entity's facts by property, documents, prefixes.

:func:`describe_entity` reads an entity's label, types, and outgoing and incoming
facts, each with the graph that holds it (``document``, ``loaded``, ``inferred``,
``candidate``, ``ontology``), the confidence and rule of an inferred link, and how a
document stated it (:mod:`kgqa.server.evidence`); :func:`neighbourhood` lays its
neighbours out for a small drawing. The entity's IRI is always a bound term, never
query text; every query runs under the server's timeout and a row cap.

Example:
    >>> graph_kind("urn:kgqa:graph:doc:solaris_md_2a66a0d2"), graph_kind("urn:kgqa:graph:inferred")
    ('document', 'inferred')
    >>> short_name("https://w3id.org/kgqa/scifi#publicationYear")
    'publicationYear'
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.term import Node

from kgqa.namespaces import (
    CANDIDATE_GRAPH,
    DEFAULT_FACTS_GRAPH,
    DOCUMENT_GRAPH_PREFIX,
    INFERRED_GRAPH,
    KGQA,
    ONTOLOGY_GRAPH,
    PROV,
    RES,
)
from kgqa.sparql.build import values_clause
from kgqa.sparql.results import SelectResult

if TYPE_CHECKING:
    from kgqa.engine import Engine

#: Facts read per direction; an entity with more says so (``truncated``).
MAX_FACTS = 300
#: Neighbours drawn around the entity.
MAX_NEIGHBOURS = 14
# The reification of predicted links (kgqa.complete.graph) is bookkeeping, not a fact about the entity.
_REIFICATION = (RDF.subject, RDF.predicate, RDF.object)
_STANDARD_PREFIXES = {
    "rdf": str(RDF), "rdfs": str(RDFS), "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": str(PROV), "kgqa": str(KGQA), "res": str(RES),
}


def graph_kind(graph: str | None) -> str:
    """What a named graph holds, in one word (see docs/store.md's table of graphs)."""
    if graph is None:
        return "default"
    if graph.startswith(DOCUMENT_GRAPH_PREFIX):
        return "document"
    return {
        str(INFERRED_GRAPH): "inferred", str(CANDIDATE_GRAPH): "candidate",
        str(ONTOLOGY_GRAPH): "ontology", str(DEFAULT_FACTS_GRAPH): "loaded",
    }.get(graph, "other")


def short_name(iri: str) -> str:
    """The last segment of an IRI: a name of last resort."""
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


def prefixes(engine: Engine) -> dict[str, str]:
    """PREFIX declarations for the query editor: the standard ones, kgqa's, and one per namespace
    of the project's ontology classes and properties (named by its IRI's last segment)."""
    found = dict(_STANDARD_PREFIXES)
    known = set(found.values())
    for iri in [*engine.ontology.classes, *engine.ontology.properties]:
        text = str(iri)
        cut = max(text.rfind("#"), text.rfind("/"))
        namespace = text[: cut + 1]
        if cut < 0 or namespace in known:
            continue
        name = "".join(ch for ch in short_name(namespace).lower() if ch.isalnum()) or "ns"
        while name in found or not name[0].isalpha():
            name = "n" + name
        found[name] = namespace
        known.add(namespace)
    return found


def _select(engine: Engine, query: str, *, timeout: float, limit: int, bindings: dict[str, Node] | None = None) -> SelectResult:
    result = engine.store.query(query, bindings=bindings, timeout=timeout, limit=limit)
    if not isinstance(result, SelectResult):  # every query of this module is a SELECT
        raise TypeError(f"expected SELECT rows, got {type(result).__name__}")
    return result


def _labels(engine: Engine, nodes: set[Node], timeout: float) -> dict[str, str]:
    iris = sorted(n for n in nodes if isinstance(n, URIRef))
    if not iris:
        return {}
    query = (
        f"SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ {values_clause('x', iris)} ?x <{RDFS.label}> ?l "
        "FILTER(LANG(?l) = '' || LANGMATCHES(LANG(?l), 'en')) } GROUP BY ?x"
    )
    result = _select(engine, query, timeout=timeout, limit=len(iris))
    labels = {str(x): str(label) for x, label in result.rows if label is not None}
    labels.update({str(c): engine.ontology.label(c) for c in iris if str(c) not in labels and c in engine.ontology.properties})
    return labels


def _term(node: Node, labels: dict[str, str]) -> dict[str, Any]:
    if isinstance(node, Literal):
        return {"iri": None, "value": str(node), "label": str(node), "datatype": str(node.datatype) if node.datatype else None,
                "lang": node.language}
    return {"iri": str(node), "label": labels.get(str(node), short_name(str(node)))}


def _predictions(engine: Engine, iri: URIRef, timeout: float) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Confidence, rule and run of each predicted link that touches ``iri``."""
    def node(s: str, o: str) -> str:
        return (f"?n <{RDF.subject}> {s} ; <{RDF.predicate}> ?p ; <{RDF.object}> {o} ; <{KGQA.confidence}> ?c . "
                f"OPTIONAL {{ ?n <{KGQA.rule}> ?rule }} OPTIONAL {{ ?n <{KGQA.inferredBy}> ?run }}")

    # ?e stands in a triple pattern of each branch, so the bound entity constrains both.
    query = (
        f"SELECT ?s ?p ?o ?c ?rule ?run WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ "
        f"{{ {node('?e', '?o')} BIND(?e AS ?s) }} UNION {{ {node('?s', '?e')} BIND(?e AS ?o) }} }} }}"
    )
    result = _select(engine, query, bindings={"e": iri}, timeout=timeout, limit=2 * MAX_FACTS)
    return {
        (str(s), str(p), str(o)): {"confidence": float(str(c)), "rule": str(rule) if rule else None, "run": str(run) if run else None}
        for s, p, o, c, rule, run in result.rows
    }


def describe_entity(engine: Engine, iri: str, *, timeout: float) -> dict[str, Any]:
    """Everything the entity page shows about ``iri`` (see the module docs), as JSON-ready data."""
    from kgqa.server.evidence import statements_about

    entity = URIRef(iri)
    directions: dict[str, list[tuple[Any, Any, str | None]]] = {}
    truncated = False
    for direction, pattern in (("outgoing", "?e ?p ?x"), ("incoming", "?x ?p ?e")):
        # No ORDER BY: the cap then stops the scan early (a sort would read every fact of a class with
        # millions of members first, in a thread the timeout cannot stop); the few rows are sorted below.
        query = f"SELECT ?p ?x ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}"
        result = _select(engine, query, bindings={"e": entity}, timeout=timeout, limit=MAX_FACTS)
        truncated = truncated or bool(getattr(result, "truncated", False))
        directions[direction] = [(p, x, str(g) if g is not None else None) for p, x, g in result.rows if p not in _REIFICATION]
    nodes: set[Node] = {entity}
    for rows in directions.values():
        nodes.update(n for p, x, _ in rows for n in (p, x))
    labels = _labels(engine, nodes, timeout)
    predicted = _predictions(engine, entity, timeout)
    stated = statements_about(engine, entity)
    types = sorted({x for p, x, _ in directions["outgoing"] if p == RDF.type}, key=str)
    groups: dict[str, Any] = {}
    for direction, rows in directions.items():
        by_property: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p, x, g in rows:
            s, o = (entity, x) if direction == "outgoing" else (x, entity)
            key = (str(s), str(p), str(o))
            by_property[str(p)].append({
                **_term(x, labels), "graph": g, "kind": graph_kind(g),
                "prediction": predicted.get(key) if graph_kind(g) == "inferred" else None,
                "provenance": [st for st in stated.get(key, []) if st["graph"] == g],
            })
        groups[direction] = [
            {"property": p, "label": labels.get(p, short_name(p)), "facts": sorted(facts, key=lambda f: (f["label"], f["kind"]))}
            for p, facts in sorted(by_property.items())
        ]
    return {
        "iri": iri,
        "label": labels.get(iri, short_name(iri)),
        "known": bool(directions["outgoing"] or directions["incoming"]),
        "types": [{"iri": str(t), "label": labels.get(str(t), short_name(str(t)))} for t in types],
        "outgoing": groups["outgoing"],
        "incoming": groups["incoming"],
        "truncated": truncated,
        "neighbourhood": neighbourhood(iri, labels.get(iri, short_name(iri)), groups),
    }


def neighbourhood(iri: str, label: str, groups: dict[str, Any], size: float = 360.0) -> dict[str, Any]:
    """The entity in the middle and up to :data:`MAX_NEIGHBOURS` linked entities on a circle around
    it, with an edge per property (its direction kept); coordinates fit a ``size`` square.

    Example:
        >>> g = {"outgoing": [{"property": "p", "label": "author", "facts": [{"iri": "b", "label": "B", "kind": "document"}]}],
        ...      "incoming": []}
        >>> drawing = neighbourhood("a", "A", g)
        >>> [n["label"] for n in drawing["nodes"]], drawing["edges"][0]["label"]
        (['A', 'B'], 'author')
    """
    centre = size / 2
    nodes = [{"iri": iri, "label": label, "x": centre, "y": centre, "centre": True}]
    edges: list[dict[str, Any]] = []
    placed: dict[str, int] = {iri: 0}
    links = [
        (direction, group["label"], fact)
        for direction in ("outgoing", "incoming") for group in groups[direction]
        for fact in group["facts"] if fact.get("iri") and group["property"] != str(RDF.type)
    ]
    others = list(dict.fromkeys(fact["iri"] for _, _, fact in links if fact["iri"] != iri))[:MAX_NEIGHBOURS]
    radius = size * 0.36
    for i, other in enumerate(others):
        angle = 2 * math.pi * i / max(len(others), 1) - math.pi / 2
        fact = next(f for _, _, f in links if f["iri"] == other)
        placed[other] = len(nodes)
        nodes.append({"iri": other, "label": fact["label"], "x": round(centre + radius * math.cos(angle), 1),
                      "y": round(centre + radius * math.sin(angle), 1), "centre": False})
    seen = set()
    for direction, prop_label, fact in links:
        if fact["iri"] not in placed or fact["iri"] == iri:
            continue
        ends = (0, placed[fact["iri"]]) if direction == "outgoing" else (placed[fact["iri"]], 0)
        if (ends, prop_label) in seen:
            continue
        seen.add((ends, prop_label))
        edges.append({"source": ends[0], "target": ends[1], "label": prop_label, "kind": fact["kind"]})
    return {"size": size, "nodes": nodes, "edges": edges}


def documents(engine: Engine) -> list[dict[str, Any]]:
    """The ingested documents with status and counts (empty when nothing was ingested)."""
    from kgqa.server.evidence import read_only_provenance

    with read_only_provenance(engine) as db:
        if db is None:
            return []
        rows = db.execute(
            "SELECT id, path, title, type, status, triples, candidates, ingested_at, error FROM documents ORDER BY path"
        ).fetchall()
    keys = ("id", "path", "title", "type", "status", "triples", "candidates", "ingested_at", "error")
    return [dict(zip(keys, row)) for row in rows]


def search(engine: Engine, text: str, *, timeout: float, limit: int = 20) -> list[dict[str, str]]:
    """Entities whose label contains ``text`` (case-insensitive), shortest label first; ``text``
    is a bound literal, never query text."""
    query = (
        f"SELECT ?s (MIN(STR(?l)) AS ?label) WHERE {{ ?s <{RDFS.label}> ?l "
        "FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), LCASE(?q))) } GROUP BY ?s ORDER BY STRLEN(?label) ?label"
    )
    result = _select(engine, query, bindings={"q": Literal(text)}, timeout=timeout, limit=limit)
    return [{"iri": str(s), "label": str(label)} for s, label in result.rows]
