"""What the graph says around an entity: the context a ranker compares a question with.

:class:`EntityFacts` asks the store once per entity (and remembers the answer):
its neighbours' labels, its numbers (years, counts) and its degree. From them it
writes a short description ("Solaris, film. 1972 film directed by Andrei
Tarkovsky") that the MiniLM encoder embeds, so that the words of a question can
prefer one same-named entity over another. Only entities that are candidates of
an ambiguous mention are ever looked at, so the cost does not grow with the graph.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.linking.labels import LabelIndex
    >>> from rdflib import Literal, URIRef
    >>> from kgqa.namespaces import DEFAULT_FACTS_GRAPH
    >>> engine = Engine.memory()
    >>> EX = "http://ex.org/"
    >>> _ = engine.store.add([(URIRef(EX + "d"), URIRef(EX + "year"), Literal(1965), DEFAULT_FACTS_GRAPH)])
    >>> facts = EntityFacts(engine.store, LabelIndex(), engine.ontology)
    >>> facts.info(URIRef(EX + "d")).numbers
    frozenset({1965.0})
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rdflib import RDFS, Literal, URIRef

from kgqa.linking.labels import LabelIndex
from kgqa.namespaces import NON_ASSERTED_GRAPHS
from kgqa.ontology import Ontology
from kgqa.sparql.build import graph_not_in

_NEIGHBOURS = f"""
SELECT DISTINCT ?p ?o ?out WHERE {{
  {{ GRAPH ?g {{ ?topic ?p ?o }} BIND(true AS ?out) }}
  UNION
  {{ GRAPH ?g {{ ?o ?p ?topic }} BIND(false AS ?out) }}
  {graph_not_in("g", NON_ASSERTED_GRAPHS)}
}} LIMIT 200"""
_DIGITS = re.compile(r"\b\d{1,4}\b")
#: Degree at which the popularity prior saturates.
_DEGREE_CAP = 200


@dataclass(frozen=True)
class EntityInfo:
    """An entity's description, the numbers it carries and its degree (capped)."""

    description: str
    numbers: frozenset[float]
    degree: int

    @property
    def prior(self) -> float:
        """A popularity prior in [0, 1]: log degree over log cap."""
        return math.log1p(self.degree) / math.log1p(_DEGREE_CAP)


class EntityFacts:
    """Cached per-entity context read from a store."""

    def __init__(self, store, index: LabelIndex, ontology: Ontology) -> None:  # noqa: ANN001 - any Store
        self.store = store
        self.index = index
        self.ontology = ontology
        self._info: dict[URIRef, EntityInfo] = {}

    def info(self, iri: URIRef) -> EntityInfo:
        """Description, numbers and degree of ``iri`` (one query, then cached)."""
        cached = self._info.get(iri)
        if cached is not None:
            return cached
        rows = self.store.query(_NEIGHBOURS, bindings={"topic": iri}, timeout=None, limit=None).rows
        numbers: set[float] = set()
        comment = ""
        said: list[str] = []
        for p, o, out in rows:
            if isinstance(o, Literal):
                if p == RDFS.comment and not comment:
                    comment = str(o)
                value = o.toPython()
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    numbers.add(float(value))
            elif out.toPython() and p in self.ontology.properties and len(said) < 6:
                said.append(f"{self.ontology.label(p)} {self.index.label(o)}")
        for label in self.index.labels(iri):
            numbers.update(float(d) for d in _DIGITS.findall(label))
        types = ", ".join(sorted(self.ontology.label(t) for t in self.index.types(iri)))
        head = self.index.label(iri) + (f", {types}" if types else "")
        description = f"{head}. {comment or '; '.join(said)}".strip()
        info = EntityInfo(description, frozenset(numbers), min(len(rows), _DEGREE_CAP))
        self._info[iri] = info
        return info
