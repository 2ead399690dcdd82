"""The entity linker of question answering: detection and ranking over one graph.

:class:`Linker` bundles what linking needs for one store and ontology: the
:class:`~kgqa.linking.labels.LabelIndex`, the ontology's vocabulary (words that
are read as words, not names), its class words (for "the *film* Stalker") and
an :class:`~kgqa.linking.entities.EntityFacts` cache. Linking runs in two steps
so that the question is embedded only once: :meth:`Linker.detect` finds the
spans (which the caller masks and embeds), :meth:`Linker.rank` orders each
span's candidates with that embedding.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> from kgqa.namespaces import DEFAULT_FACTS_GRAPH
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> _ = engine.update('''PREFIX sf: <https://w3id.org/kgqa/scifi#>
    ... PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    ... INSERT DATA { GRAPH <urn:kgqa:graph:facts> {
    ...   <http://ex.org/solaris> a sf:Book ; rdfs:label "Solaris" .
    ...   <http://ex.org/solaris72> a sf:Film ; rdfs:label "Solaris" ; sf:releaseYear 1972 . } }''')
    >>> linker = Linker.build(engine.store, engine.ontology)
    >>> found = linker.detect("Who directed the 1972 film Solaris?")
    >>> linker.rank(found)
    >>> [str(c.iri) for c in found.mentions[0].candidates]
    ['http://ex.org/solaris72', 'http://ex.org/solaris']
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from rdflib import URIRef

from kgqa.english import plural
from kgqa.linking.entities import EntityFacts
from kgqa.linking.labels import LabelIndex, fold
from kgqa.linking.mentions import Detection, detect
from kgqa.linking.rank import CandidateRanker, Encode
from kgqa.ontology import Ontology


def ontology_words(ontology: Ontology) -> tuple[frozenset[str], dict[str, frozenset[URIRef]]]:
    """The folded words of all lexicalisations, and class names (with plurals) -> classes."""
    vocabulary: set[str] = set()
    classes: dict[str, set[URIRef]] = defaultdict(set)
    for c in ontology.classes.values():
        for name in c.names:
            for form in (fold(name), fold(plural(name))):
                vocabulary.update(form.split())
                classes[form].add(c.iri)
    for p in ontology.properties.values():
        for phrase in p.phrases:
            vocabulary.update(fold(phrase).split())
    return frozenset(vocabulary), {k: frozenset(v) for k, v in classes.items()}


class Linker:
    """Finds and ranks entity mentions in questions over one graph."""

    def __init__(self, index: LabelIndex, ontology: Ontology, facts: EntityFacts, encode: Encode | None = None) -> None:
        self.index = index
        self.ontology = ontology
        self.facts = facts
        self.vocabulary, self.class_words = ontology_words(ontology)
        single_words = {w for w in self.class_words if " " not in w}
        self.class_tokens = frozenset(single_words)
        self.ranker = CandidateRanker(index, facts, ontology, self.class_words, encode)

    @classmethod
    def build(cls, store, ontology: Ontology, encode: Encode | None = None) -> Linker:  # noqa: ANN001
        """A linker over ``store`` (reads every label once)."""
        index = LabelIndex.from_store(store)
        return cls(index, ontology, EntityFacts(store, index, ontology), encode)

    def detect(self, question: str) -> Detection:
        """Mentions (with unranked candidates) and numbers of ``question``, and the class it asks for."""
        found = detect(self.index, question, vocabulary=self.vocabulary, class_words=self.class_tokens)
        found.asked = self.asked_class(found)
        return found

    def asked_class(self, found: Detection) -> frozenset[URIRef]:
        """The classes named right after "which", "what" or "how many" ("In which *country* ...")."""
        keys = [t.key for t in found.tokens]
        named = set()
        for mention in found.mentions:
            named.update(range(mention.first_token, mention.last_token + 1))
        for k, key in enumerate(keys):
            after = k + 1 if key in ("which", "what") else k + 2 if keys[k : k + 2] == ["how", "many"] else None
            if after is None:
                continue
            for n in (2, 1):  # "science fiction novels" before "novels"
                words = keys[after : after + n]
                if len(words) == n and not named.intersection(range(after, after + n)):
                    classes = self.class_words.get(" ".join(words))
                    if classes:
                        return classes
        return frozenset()

    def rank(self, found: Detection, context: np.ndarray | None = None) -> None:
        """Order each mention's candidates, best first (see :mod:`kgqa.linking.rank`)."""
        self.ranker.rank(found, context)
