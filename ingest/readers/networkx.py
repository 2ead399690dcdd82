"""NetworkX graphs, sketched the usual way, mapped onto the ontology.

People sketch knowledge graphs as NetworkX graphs: nodes with a ``type`` (and a
``description``, maybe a ``label``), edges with a ``relation``::

    kg = nx.DiGraph()
    kg.add_node("三体", type="novel", description="2008 novel by Liu Cixin")
    kg.add_node("刘慈欣", type="writer")
    kg.add_edge("三体", "刘慈欣", relation="author")

:func:`ingest_networkx` maps each type to a class (its label or an alternative
label, else the most similar class name by MiniLM) and each relation to a property
(its name, label or a lexicalisation, else the most similar phrase), turning an
edge round when only the other direction fits the property's domain and range
("wrote" from a writer to a novel is ``author`` read backwards). What it cannot
map is reported, not guessed. The graph is one document (``networkx:<name>``): it
can be listed, shown and removed like a file, and ingesting the same graph again
changes nothing.

Example:
    >>> import networkx as nx
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> kg = nx.DiGraph(name="demo")
    >>> kg.add_node("三体", type="novel", description="2008 novel by Liu Cixin")
    >>> kg.add_node("刘慈欣", type="writer")
    >>> kg.add_edge("三体", "刘慈欣", relation="author")
    >>> kg.add_edge("刘慈欣", "三体", relation="favourite colour")
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> report = engine.ingest_graph(kg)
    >>> report.triples, report.unmapped_relations
    (4, {'favourite colour': 1})
    >>> q = "SELECT ?name { ?b <https://w3id.org/kgqa/scifi#author> ?a . ?a <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
    >>> engine.sparql(q).to_dicts()
    [{'name': '刘慈欣'}]
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Literal, URIRef

from kgqa.linking import fold
from kgqa.namespaces import local_name
from kgqa.ontology import Property

from ingest.extract.lexicon import Lexicon
from ingest.model import EntityRef, RecordsContent, Statement

if TYPE_CHECKING:
    import networkx as nx

    from kgqa.engine import Engine

#: A relation name maps to a property by MiniLM only at or above this similarity.
RELATION_MIN = 0.75
_EXTRACTOR = "networkx"


@dataclass
class NetworkXReport:
    """What :func:`ingest_networkx` did, and what it could not map."""

    document: str
    status: str
    triples: int = 0
    unmapped_types: dict[str, int] = field(default_factory=dict)
    unmapped_relations: dict[str, int] = field(default_factory=dict)
    reason: str = ""


class GraphMapper:
    """Maps node types to classes and edge relations to properties of one ontology."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.unmapped_types: Counter[str] = Counter()
        self.unmapped_relations: Counter[str] = Counter()
        self._classes: dict[str, URIRef | None] = {}

    def node_class(self, type_name: str) -> URIRef | None:
        if type_name not in self._classes:
            cls, _ = self.lexicon.class_of_noun(type_name)
            if cls is None:
                for iri in self.lexicon.ontology.classes:
                    if fold(local_name(iri)) == fold(type_name):
                        cls = iri
            self._classes[type_name] = cls
        cls = self._classes[type_name]
        if cls is None:
            self.unmapped_types[type_name] += 1
        return cls

    def edge_property(self, relation: str, s_types: frozenset[URIRef], o_types: frozenset[URIRef]) -> tuple[Property, bool] | None:
        """(property, reversed) for a relation name between nodes of these types, or ``None``."""
        key = fold(relation)
        fits = []
        for prop in self.lexicon.properties:
            if prop.literal_range:
                continue
            for flipped, (a, b) in ((False, (s_types, o_types)), (True, (o_types, s_types))):
                if self.lexicon.fits(a, prop.domain) is not False and self.lexicon.fits(b, prop.range) is not False:
                    fits.append((prop, flipped))
                    break
        for prop, flipped in fits:
            names = {fold(prop.local_name), *(fold(p) for p in self.lexicon.phrases[prop.iri])}
            if key in names and not flipped:
                return prop, False
        if fits:
            sims = self.lexicon.similarities([relation.replace("_", " ")])[0]
            column = {p.iri: k for k, p in enumerate(self.lexicon.properties)}
            best = max(fits, key=lambda pf: (sims[column[pf[0].iri]], not pf[1]))
            if sims[column[best[0].iri]] >= RELATION_MIN:
                return best
        self.unmapped_relations[relation] += 1
        return None


def _fingerprint(graph: nx.Graph) -> str:
    data = {
        "nodes": sorted((str(n), json.dumps(a, sort_keys=True, default=str)) for n, a in graph.nodes(data=True)),
        "edges": sorted((str(u), str(v), json.dumps(a, sort_keys=True, default=str)) for u, v, a in graph.edges(data=True)),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _statements(graph: nx.Graph, mapper: GraphMapper) -> Iterator[Statement]:
    refs: dict[Any, EntityRef] = {}
    for node, attrs in graph.nodes(data=True):
        types = attrs.get("type") or []
        types = [types] if isinstance(types, str) else list(types)
        classes = tuple(c for c in (mapper.node_class(t) for t in types) if c is not None)
        ref = EntityRef(str(attrs.get("label") or node), classes)
        refs[node] = ref
        for cls in classes:
            yield Statement(ref, RDF.type, cls, 1.0, _EXTRACTOR, location=f"node {node}")
        if attrs.get("description"):
            yield Statement(ref, RDFS.comment, Literal(str(attrs["description"])), 1.0, _EXTRACTOR, location=f"node {node}")
    edges = graph.edges(data=True)
    for u, v, attrs in edges:
        relation = attrs.get("relation") or attrs.get("label") or attrs.get("type")
        if not relation:
            mapper.unmapped_relations["(no relation attribute)"] += 1
            continue
        found = mapper.edge_property(str(relation), frozenset(refs[u].types), frozenset(refs[v].types))
        if found is None:
            continue
        prop, flipped = found
        s, o = (refs[v], refs[u]) if flipped else (refs[u], refs[v])
        yield Statement(s, prop.iri, o, 1.0, _EXTRACTOR, location=f"edge {u} -> {v} ({relation})")


def ingest_networkx(engine: Engine, graph: nx.Graph, *, name: str | None = None, force: bool = False) -> NetworkXReport:
    """Ingest a NetworkX graph as one document (see the module docstring)."""
    from ingest.pipeline import Pipeline

    doc_id = f"networkx:{name or graph.graph.get('name') or 'graph'}"
    fingerprint = _fingerprint(graph)
    pipeline = Pipeline(engine, force=force, progress=False)
    try:
        mapper = GraphMapper(Lexicon(engine.ontology, engine.config.get("models.encoder")))
        result = pipeline.ingest_document(
            doc_id, doc_id, sha=fingerprint, size=graph.number_of_nodes() + graph.number_of_edges(),
            fingerprint=fingerprint, kind="networkx", read=lambda: RecordsContent(_statements(graph, mapper)),
        )
    finally:
        pipeline.close()
    return NetworkXReport(
        doc_id, result.status, result.triples, dict(mapper.unmapped_types), dict(mapper.unmapped_relations), result.reason
    )
