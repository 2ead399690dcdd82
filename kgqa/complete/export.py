"""Read the asserted entity-to-entity triples and entity types out of the store.

Asserted means every named graph except the ontology, the inferred and the
candidate graphs. Entity-to-entity means both ends are IRIs and the predicate is a
domain relation, not vocabulary bookkeeping (``rdf:``, ``rdfs:``, ``owl:``,
``skos:``, ``prov:`` or kgqa's own terms).
"""

from __future__ import annotations

from collections import defaultdict
from rdflib import URIRef

from kgqa.namespaces import KGQA, NON_ASSERTED_GRAPHS, PROV
from kgqa.sparql.build import graph_not_in
from kgqa.store.base import Store

Triple = tuple[URIRef, URIRef, URIRef]

#: Predicates in these namespaces describe the data rather than relate entities.
SKIPPED_NAMESPACES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2004/02/skos/core#",
    str(PROV),
    str(KGQA),
)
_GRAPH_FILTER = graph_not_in("g", NON_ASSERTED_GRAPHS)
_PREDICATE_FILTER = " && ".join(f'!STRSTARTS(STR(?p), "{ns}")' for ns in SKIPPED_NAMESPACES)

ENTITY_TRIPLES_QUERY = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  {_GRAPH_FILTER}
  FILTER(isIRI(?s) && isIRI(?o) && {_PREDICATE_FILTER})
}}"""

ENTITY_TYPES_QUERY = f"""
SELECT DISTINCT ?e ?c WHERE {{
  GRAPH ?g {{ ?e a ?c }}
  {_GRAPH_FILTER}
  FILTER(isIRI(?e) && isIRI(?c))
}}"""


def asserted_entity_triples(store: Store) -> list[Triple]:
    """Every asserted entity-to-entity triple, sorted (one SPARQL query)."""
    result = store.query(ENTITY_TRIPLES_QUERY, timeout=None, limit=None)
    return sorted((s, p, o) for s, p, o in result.rows)  # type: ignore[misc]


def entity_types(store: Store) -> dict[URIRef, set[URIRef]]:
    """The asserted ``rdf:type`` classes of each typed entity."""
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for e, c in store.query(ENTITY_TYPES_QUERY, timeout=None, limit=None).rows:
        types[e].add(c)  # type: ignore[index]
    return dict(types)
