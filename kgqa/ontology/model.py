"""In-memory view of the ontology: classes, properties and their lexicalisations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
import sys
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from kgqa.errors import OntologyError
from kgqa.namespaces import KGQA, local_name

_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
_XSD = "http://www.w3.org/2001/XMLSchema#"


def bundled_ontology(name: str) -> Path:
    """Path of an ontology shipped with kgqa (``kgqa.ttl``, ``scifi.ttl``, ``movies.ttl``)."""
    for folder in (Path(__file__).resolve().parents[2] / "ontologies", Path(sys.prefix) / "share/kgqa/ontologies"):
        if (folder / name).is_file():
            return folder / name
    raise OntologyError(f"no bundled ontology named {name!r}")


@dataclass
class OntClass:
    """A class with its label and alternative labels."""

    iri: URIRef
    label: str
    alt_labels: list[str] = field(default_factory=list)
    parents: list[URIRef] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.label, *self.alt_labels]


@dataclass
class Property:
    """A property with domain, range and every way of saying it."""

    iri: URIRef
    label: str
    alt_labels: list[str] = field(default_factory=list)
    question_phrases: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    domain: URIRef | None = None
    range: URIRef | None = None
    is_datatype: bool = False
    #: The first ``rdfs:comment`` (English first); the verbalizer reads a unit from it ("in minutes").
    comment: str = ""

    @property
    def local_name(self) -> str:
        return local_name(self.iri)

    @property
    def names(self) -> list[str]:
        """Label and alt labels: the short lexicalisations."""
        return [self.label, *self.alt_labels]

    @property
    def phrases(self) -> list[str]:
        """Every lexicalisation: labels, alt labels and question phrases."""
        return [self.label, *self.alt_labels, *self.question_phrases]

    @property
    def literal_range(self) -> bool:
        """True when values are literals (datatype property or an xsd range)."""
        return self.is_datatype or (self.range is not None and str(self.range).startswith(_XSD))


class Ontology:
    """Classes and properties of the project's ontologies, read from RDF."""

    def __init__(self, classes: dict[URIRef, OntClass], properties: dict[URIRef, Property]) -> None:
        self.classes = classes
        self.properties = properties

    @classmethod
    def from_graph(cls, g: Graph) -> Ontology:
        """Read the ontology terms of an rdflib graph."""

        def texts(s: URIRef, p: URIRef) -> list[str]:
            values = [o for o in g.objects(s, p) if isinstance(o, Literal)]
            # English (or untagged) first, for a stable primary label.
            values.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
            return [str(v) for v in values]

        classes: dict[URIRef, OntClass] = {}
        for c in set(g.subjects(RDF.type, OWL.Class)) | set(g.subjects(RDF.type, RDFS.Class)):
            if not isinstance(c, URIRef):
                continue
            labels = texts(c, RDFS.label) or [local_name(c)]
            classes[c] = OntClass(
                c, labels[0], texts(c, SKOS.altLabel), [p for p in g.objects(c, RDFS.subClassOf) if isinstance(p, URIRef)]
            )
        properties: dict[URIRef, Property] = {}
        for ptype in _PROPERTY_TYPES:
            for p in g.subjects(RDF.type, ptype):
                if not isinstance(p, URIRef) or p in properties or str(p).startswith(str(KGQA)):
                    continue
                labels = texts(p, RDFS.label) or [local_name(p)]
                properties[p] = Property(
                    iri=p,
                    label=labels[0],
                    alt_labels=[*labels[1:], *texts(p, SKOS.altLabel)],
                    question_phrases=texts(p, KGQA.questionPhrase),
                    templates=texts(p, KGQA.template),
                    domain=g.value(p, RDFS.domain),
                    range=g.value(p, RDFS.range),
                    is_datatype=(p, RDF.type, OWL.DatatypeProperty) in g,
                    comment=next(iter(texts(p, RDFS.comment)), ""),
                )
        return cls(classes, properties)

    @classmethod
    def from_files(cls, paths: Iterable[Path | str]) -> Ontology:
        g = Graph()
        for path in paths:
            g.parse(str(path))
        return cls.from_graph(g)

    @classmethod
    def from_store(cls, store) -> Ontology:  # noqa: ANN001 - any kgqa Store
        """Read the store's ontology graph (empty ontology when there is none)."""
        from kgqa.namespaces import ONTOLOGY_GRAPH

        g = Graph()
        if store.has_graph(ONTOLOGY_GRAPH):
            result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph=ONTOLOGY_GRAPH, limit=None)
            g = result.graph
        return cls.from_graph(g)

    # -- look-ups ----------------------------------------------------------------
    def property_by_name(self, name: str) -> Property:
        """A property by local name or label (case-insensitive)."""
        key = name.lower()
        for prop in self.properties.values():
            if prop.local_name.lower() == key or prop.label.lower() == key:
                return prop
        raise OntologyError(f"no property named {name!r} in the ontology")

    def ancestors(self, cls_iri: URIRef) -> set[URIRef]:
        """``cls_iri`` and all its superclasses."""
        seen: set[URIRef] = set()
        todo = [cls_iri]
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            if c in self.classes:
                todo.extend(self.classes[c].parents)
        return seen

    def is_a(self, cls_iri: URIRef, ancestor: URIRef | None) -> bool:
        """True when ``cls_iri`` is ``ancestor`` or one of its subclasses (``None`` matches all)."""
        return ancestor is None or ancestor in self.ancestors(cls_iri)

    def label(self, iri: URIRef) -> str:
        """Label of a class or property (its local name if unknown)."""
        if iri in self.classes:
            return self.classes[iri].label
        if iri in self.properties:
            return self.properties[iri].label
        return local_name(iri)

    def __len__(self) -> int:
        return len(self.classes) + len(self.properties)
