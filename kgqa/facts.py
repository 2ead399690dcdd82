"""Facts: the unit an answer rests on, asserted or inferred.

A :class:`Fact` is one triple with the labels needed to say it and where it comes
from: a source document (asserted) or a graph-completion run (inferred, with its
confidence). Question answering collects them, verbalization turns them into
sentences, and the dialogue policy reads whether an answer rests on inferred ones.

Example:
    >>> from rdflib import URIRef
    >>> f = Fact(URIRef("https://w3id.org/kgqa/resource/Solaris"), "Solaris",
    ...          URIRef("https://w3id.org/kgqa/scifi#author"),
    ...          URIRef("https://w3id.org/kgqa/resource/Stanis_aw_Lem"), "Stanisław Lem")
    >>> f.inferred, f.kind
    (False, 'asserted')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef
from rdflib.term import Node


@dataclass(frozen=True)
class Fact:
    """One triple with labels and provenance.

    ``source`` is the (first) document path (asserted facts) or the model-run IRI
    (inferred ones), ``extra["sources"]`` all of them; ``confidence`` is set for
    inferred facts and for facts an ingested document stated, whose
    ``extra["extractor"]`` and ``extra["location"]`` say how and where it was read
    ("mapping:books", "line 2"; "ontology", "chars 120-164"); ``extra["rule"]``
    names the mined rule behind a rule-based link.
    """

    subject: URIRef
    subject_label: str
    predicate: URIRef
    object: Node
    object_label: str
    inferred: bool = False
    confidence: float | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def kind(self) -> str:
        return "inferred" if self.inferred else "asserted"

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": str(self.subject),
            "subject_label": self.subject_label,
            "predicate": str(self.predicate),
            "object": str(self.object),
            "object_label": self.object_label,
            "kind": self.kind,
            "confidence": self.confidence,
            "source": self.source,
            "sources": self.extra.get("sources", [self.source] if self.source else []),
            "extractor": self.extra.get("extractor"),
            "location": self.extra.get("location"),
            "rule": self.extra.get("rule"),
        }
