"""A synthetic training graph derived from the ontology, rich in shared labels.

A user's graph may hold only a handful of entities that share a label, too few
for a policy to learn when a clarification pays. :func:`synthetic_graph` invents
entities of the ontology's classes with made-up names, gives them facts that
respect each property's domain and range (years for year properties), and lets
groups of entities share one label: of the same class (two people with one name)
or of different classes (a book and its film). The dialogue simulator then draws
questions from it exactly as from a real graph.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> g = synthetic_graph(onto, seed=1, entities_per_class=5, shared_groups=4)
    >>> len(g) > 50
    True
"""

from __future__ import annotations

import random
from collections.abc import Collection
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from kgqa.namespaces import RES

if TYPE_CHECKING:
    from kgqa.ontology import Ontology, Property

_SYLLABLES = "ka lo ve ri sa mor tel an dra qui nor bel cas fen gar hal ith jor kel lun mi nes ol pra rus tor ul vor wen yl zan".split()


def _name(rng: random.Random, words: int) -> str:
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return " ".join(word() for _ in range(words))


def _leaf_classes(ontology: Ontology, props: list[Property]) -> list[URIRef]:
    used = {c for p in props for c in (p.domain, p.range) if c in ontology.classes}
    parents = {parent for c in ontology.classes.values() for parent in c.parents}
    return sorted(c for c in ontology.classes if c not in parents and any(ontology.is_a(c, u) for u in used))


def synthetic_graph(
    ontology: Ontology,
    *,
    seed: int,
    entities_per_class: int = 25,
    shared_groups: int = 40,
    fill_rate: float = 0.75,
    properties: Collection[URIRef] | None = None,
) -> Graph:
    """Entities of every leaf class, facts by domain and range, and ``shared_groups`` shared labels.

    ``properties`` limits the facts to these (say, those the real graph uses: the
    translator only knows the paths it was trained on).
    """
    rng = random.Random(seed)
    g = Graph()
    allowed = [p for iri, p in sorted(ontology.properties.items()) if properties is None or iri in properties]
    leaves = _leaf_classes(ontology, allowed)
    members: dict[URIRef, list[URIRef]] = {}
    labels: dict[URIRef, str] = {}
    taken: set[str] = set()
    for cls in leaves:
        members[cls] = []
        for k in range(entities_per_class):
            iri = RES[f"syn{seed}_{ontology.label(cls).replace(' ', '_')}_{k}"]
            name = _name(rng, rng.choice((1, 2, 2, 3)))
            while name in taken:
                name = _name(rng, 2)
            taken.add(name)
            labels[iri] = name
            members[cls].append(iri)
            g.add((iri, RDF.type, cls))
    for cls, iris in members.items():
        props = [p for p in allowed if p.domain is not None and ontology.is_a(cls, p.domain)]
        for iri in iris:
            for prop in props:
                if rng.random() > fill_rate:
                    continue
                for _ in range(1 if rng.random() < 0.8 else 2):
                    value = _value(ontology, prop, members, rng)
                    if value is not None and value != iri:
                        g.add((iri, prop.iri, value))
    everyone = [i for iris in members.values() for i in iris]
    for _ in range(shared_groups):
        first = rng.choice(everyone)
        cls = next(c for c, iris in members.items() if first in iris)
        pool = members[cls] if rng.random() < 0.5 else everyone
        for other in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))):
            if other != first:
                labels[other] = labels[first]
    for iri, name in labels.items():
        g.add((iri, RDFS.label, Literal(name, lang="en")))
    return g


def _value(ontology: Ontology, prop, members: dict[URIRef, list[URIRef]], rng: random.Random):  # noqa: ANN001
    if prop.literal_range:
        if "year" in prop.label.lower() or prop.range == XSD.gYear:
            return Literal(rng.randint(1850, 2024), datatype=XSD.integer)
        if prop.range in (XSD.integer, XSD.int, XSD.nonNegativeInteger, XSD.positiveInteger):
            return Literal(rng.randint(80, 900), datatype=XSD.integer)
        return None
    targets = [i for c, iris in members.items() if prop.range is None or ontology.is_a(c, prop.range) for i in iris]
    return rng.choice(targets) if targets else None
