"""Which entities may stand at each end of a relation: domain and range as sets.

Candidate links are scored only between entities the relation can connect. With
an ontology, an entity may be a head of ``r`` when one of its classes is (a subclass
of) ``r``'s domain; without a declared domain, when it shares a class with an
entity already seen as a head of ``r``. Entities seen in a position always keep it.
Plain triples without types fall back to the observed positions alone.

Example:
    >>> heads, tails = observed_positions([("a", "likes", "b"), ("c", "likes", "b")])
    >>> sorted(heads["likes"]), sorted(tails["likes"])
    (['a', 'c'], ['b'])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import URIRef

from kgqa.ontology import Ontology

Positions = dict[str, set[str]]


def observed_positions(triples: Iterable[tuple[str, str, str]]) -> tuple[Positions, Positions]:
    """Heads and tails seen with each relation."""
    heads: Positions = defaultdict(set)
    tails: Positions = defaultdict(set)
    for h, r, t in triples:
        heads[r].add(h)
        tails[r].add(t)
    return dict(heads), dict(tails)


def ontology_positions(
    triples: Iterable[tuple[URIRef, URIRef, URIRef]],
    types: Mapping[URIRef, set[URIRef]],
    ontology: Ontology,
) -> tuple[Positions, Positions]:
    """Allowed heads and tails per relation (string keys), from domain, range and types."""
    triples = list(triples)
    heads, tails = observed_positions((str(h), str(r), str(t)) for h, r, t in triples)
    ancestors: dict[URIRef, set[URIRef]] = {}

    def classes_of(entity: URIRef) -> set[URIRef]:
        out: set[URIRef] = set()
        for c in types.get(entity, ()):
            if c not in ancestors:
                ancestors[c] = ontology.ancestors(c)
            out |= ancestors[c]
        return out

    entity_classes = {e: classes_of(e) for e in types}
    for rel in heads:
        prop = ontology.properties.get(URIRef(rel))
        for positions, declared in ((heads, prop.domain if prop else None), (tails, prop.range if prop else None)):
            seen = positions[rel]
            if declared is not None:
                wanted = {declared}
            else:
                wanted = set().union(*(set(types.get(URIRef(e), ())) for e in seen))
            positions[rel] = seen | {str(e) for e, cs in entity_classes.items() if cs & wanted}
    return heads, tails
