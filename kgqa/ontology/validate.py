"""Check an ontology file before it enters a project, and say what is wrong where."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kgqa.errors import OntologyError
from kgqa.ontology.model import Ontology
from kgqa.store.formats import oxigraph_format, read_checked

_XSD = "http://www.w3.org/2001/XMLSchema#"
# Ranges and domains from these vocabularies need no declaration in the file.
_STANDARD = (
    _XSD,
    str(RDFS),
    str(OWL),
    str(RDF),
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/prov#",
)


#: Predicates whose object names a class, property or datatype: a literal there is a mistake
#: ("Book" for ex:Book) that would otherwise be ignored without a word.
_IRI_VALUED = (
    RDF.type, RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf,
    OWL.inverseOf, OWL.equivalentClass, OWL.equivalentProperty, OWL.disjointWith,
)
#: Types that declare a property (OWL 2's property characteristics included).
_PROPERTY_TYPES = (
    RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.OntologyProperty,
    OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
    OWL.AsymmetricProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty,
)
#: Datatypes of the standard vocabularies outside XSD.
_DATATYPES = (RDF.langString, RDF.PlainLiteral, RDF.HTML, RDF.XMLLiteral, RDF.JSON, OWL.real, OWL.rational, RDFS.Literal)


def _standard_non_class(iri: URIRef) -> bool:
    """True for a standard-vocabulary term that is neither a class nor a datatype (``rdfs:label``).

    XSD holds only datatypes; in RDF, RDFS, OWL, SKOS and PROV classes are capitalised and
    properties are not, which is the convention those vocabularies follow throughout.
    """
    text = str(iri)
    if text.startswith(_XSD) or iri in _DATATYPES:
        return False
    local = re.split(r"[#/]", text)[-1]
    return bool(local) and local[0].islower()


@dataclass
class OntologyReport:
    """What validation found: ``errors`` stop a load, ``warnings`` do not."""

    path: Path
    triples: int = 0
    classes: int = 0
    properties: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise OntologyError(self.errors[0] + more)


_PREFIX = re.compile(r"^\s*@?prefix\s+([\w-]*):\s*<([^>]*)>", re.IGNORECASE)


def _line_of(text_lines: list[str], iri: URIRef, after: int = 1) -> int:
    """First line from ``after`` on that mentions ``iri`` (as ``<iri>`` or ``prefix:local``).

    Prefixes the file declares for the IRI's namespace are tried first; any prefix
    with the same local name is the fallback. Lines before ``after`` are searched
    last, and 1 is returned when nothing matches (e.g. RDF/XML).
    """
    text = str(iri)
    local = re.split(r"[#/]", text)[-1]
    declared = [m.group(1) for line in text_lines if (m := _PREFIX.match(line)) and text == m.group(2) + local]
    boundary = r"(^|[\s;,(\[])"
    patterns = [re.compile(re.escape(f"<{text}>"))]
    patterns += [re.compile(boundary + re.escape(f"{prefix}:{local}") + r"\b") for prefix in declared]
    patterns.append(re.compile(boundary + r"[\w-]*:" + re.escape(local) + r"\b"))
    order = [*range(after, len(text_lines) + 1), *range(1, after)]
    for pattern in patterns:
        for i in order:
            if pattern.search(text_lines[i - 1]):
                return i
    return 1


def _line_of_text(text_lines: list[str], value: Literal, after: int = 1) -> int:
    """First line from ``after`` on where the literal ``value`` is written (quoted), else ``after``."""
    needles = [f'"{value}"', f"'{value}'"]
    for i in [*range(after, len(text_lines) + 1), *range(1, after)]:
        if any(n in text_lines[i - 1] for n in needles):
            return i
    return after


def validate_file(path: Path | str, known: Ontology | None = None) -> OntologyReport:
    """Validate one ontology file against itself and the ``known`` ontology.

    Syntax errors and undecodable bytes raise :class:`~kgqa.errors.RDFSyntaxError`
    (``file:line:column``); semantic problems are collected in the report, each
    prefixed with ``file:line``.

    Example:
        >>> from kgqa.ontology import bundled_ontology
        >>> validate_file(bundled_ontology("kgqa.ttl")).ok
        True
    """
    path = Path(path)
    report = OntologyReport(path)
    report.triples = read_checked(path, oxigraph_format(path))
    g = Graph()
    g.parse(str(path), format=_rdflib_format(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    onto = Ontology.from_graph(g)
    report.classes, report.properties = len(onto.classes), len(onto.properties)
    if not onto.classes and not onto.properties:
        report.errors.append(f"{path}:1: declares no classes and no properties (owl:Class, owl:ObjectProperty, ...)")
        return report

    declared = set(onto.classes) | (set(known.classes) if known else set())
    properties = {p for t in _PROPERTY_TYPES for p in g.subjects(RDF.type, t)} | (set(known.properties) if known else set())

    def where(iri: URIRef) -> str:
        return f"{path}:{_line_of(lines, iri)}"

    def shown(term: object) -> str:
        return term.n3(g.namespace_manager) if hasattr(term, "n3") else str(term)

    for predicate in _IRI_VALUED:
        for subject, value in sorted(g.subject_objects(predicate), key=str):
            if isinstance(value, Literal):
                line = _line_of_text(lines, value, after=_line_of(lines, subject) if isinstance(subject, URIRef) else 1)
                report.errors.append(
                    f"{path}:{line}: {shown(subject)} {shown(predicate)} {shown(value)}: a literal where an IRI is needed"
                )
    for subject in sorted({s for p in (RDFS.domain, RDFS.range) for s in g.subjects(p, None)}, key=str):
        if isinstance(subject, URIRef) and subject not in properties:
            report.errors.append(
                f"{where(subject)}: {shown(subject)} has a domain or range but is not typed as a property "
                "(a owl:ObjectProperty, owl:DatatypeProperty or rdf:Property)"
            )

    for prop in onto.properties.values():
        is_object = (prop.iri, RDF.type, OWL.ObjectProperty) in g
        if is_object and prop.is_datatype:
            report.errors.append(f"{where(prop.iri)}: {prop.iri} is both an object and a datatype property")
        for role, target in (("domain", prop.domain), ("range", prop.range)):
            if target is None or not isinstance(target, URIRef):
                if target is None:
                    report.warnings.append(f"{where(prop.iri)}: {prop.label} has no rdfs:{role}")
                continue
            if target in properties or (str(target).startswith(_STANDARD) and _standard_non_class(target)):
                report.errors.append(f"{where(prop.iri)}: {role} of {prop.label} is {shown(target)}, a property, not a class or datatype")
                continue
            if str(target).startswith(_STANDARD):
                if role == "range" and is_object and str(target).startswith(_XSD):
                    report.errors.append(f"{where(prop.iri)}: object property {prop.label} has datatype range {target}")
                continue
            if target not in declared:
                # Point at the rdfs:domain/range statement: the first mention after the property's own line.
                line = _line_of(lines, target, after=_line_of(lines, prop.iri))
                report.errors.append(f"{path}:{line}: {role} of {prop.label} is {target}, which is not a declared class")
            elif role == "range" and prop.is_datatype:
                report.errors.append(f"{where(prop.iri)}: datatype property {prop.label} has class range {target}")
        if (prop.iri, RDFS.label, None) not in g:
            report.warnings.append(f"{where(prop.iri)}: {prop.iri} has no rdfs:label; questions cannot name it")
    for cls in onto.classes.values():
        for parent in cls.parents:
            if parent not in declared and not str(parent).startswith(_STANDARD):
                report.warnings.append(f"{where(cls.iri)}: superclass {parent} of {cls.label} is not declared")
    return report


def _rdflib_format(path: Path) -> str:
    from rdflib.util import guess_format

    return guess_format(str(path)) or "turtle"
