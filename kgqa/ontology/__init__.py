"""Ontologies: the classes and properties a kgqa graph follows, and their words.

An ontology is Turtle (or any RDF) with classes and properties. Besides the usual
``rdfs:domain``/``rdfs:range``, kgqa reads each term's lexicalisations --
``rdfs:label``, ``skos:altLabel``, ``kgqa:questionPhrase`` and ``kgqa:template`` --
which drive extraction, question translation and verbalization.

* :func:`~kgqa.ontology.validate.validate_file` checks a file and reports problems
  by file and line;
* :class:`~kgqa.ontology.model.Ontology` is the in-memory view read from the store's
  ontology graph.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> onto.property_by_name("author").label
    'author'
"""

from kgqa.ontology.model import OntClass, Ontology, Property, bundled_ontology
from kgqa.ontology.validate import OntologyReport, validate_file

__all__ = ["OntClass", "Ontology", "OntologyReport", "Property", "bundled_ontology", "validate_file"]
