"""IRIs and graph names, minted in one place.

kgqa keeps facts apart by named graph:

* ``ONTOLOGY_GRAPH`` holds the ontologies (classes, properties, lexicalisations);
* one graph per source document, named by :func:`document_graph`, holds what that
  document asserts;
* ``INFERRED_GRAPH`` holds links predicted by graph completion, with their scores.

Queries see the union of all graphs unless they name one. :func:`local_name` reads
an IRI's last segment back, for labels of last resort and short names in tables.

Example:
    >>> from kgqa.namespaces import entity_iri, document_graph
    >>> str(entity_iri("Stanisław Lem"))
    'https://w3id.org/kgqa/resource/Stanis_aw_Lem'
    >>> str(document_graph("docs/solaris.md")).startswith("urn:kgqa:graph:doc:")
    True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef

KGQA = Namespace("https://w3id.org/kgqa/vocab#")
RES = Namespace("https://w3id.org/kgqa/resource/")
SF = Namespace("https://w3id.org/kgqa/scifi#")
PROV = Namespace("http://www.w3.org/ns/prov#")

ONTOLOGY_GRAPH = URIRef("urn:kgqa:graph:ontology")
INFERRED_GRAPH = URIRef("urn:kgqa:graph:inferred")
CANDIDATE_GRAPH = URIRef("urn:kgqa:graph:candidates")
DEFAULT_FACTS_GRAPH = URIRef("urn:kgqa:graph:facts")
DOCUMENT_GRAPH_PREFIX = "urn:kgqa:graph:doc:"
#: Graphs whose triples no document asserts: the ontologies, predictions, low-confidence extractions.
NON_ASSERTED_GRAPHS = (ONTOLOGY_GRAPH, INFERRED_GRAPH, CANDIDATE_GRAPH)

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def slug(label: str) -> str:
    """ASCII slug of a label: accents dropped, other runs of symbols become ``_``."""
    decomposed = unicodedata.normalize("NFKD", label)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub("_", ascii_only).strip("_") or hashlib.sha1(label.encode()).hexdigest()[:12]


def entity_iri(label: str, disambiguator: str | None = None) -> URIRef:
    """The stable IRI kgqa mints for an entity labelled ``label``."""
    name = slug(label)
    if disambiguator:
        name = f"{name}_{slug(disambiguator)}"
    return RES[name]


def document_graph(doc_id: str) -> URIRef:
    """The named graph that holds the facts of one source document."""
    return URIRef(DOCUMENT_GRAPH_PREFIX + slug(doc_id) + "_" + hashlib.sha1(doc_id.encode()).hexdigest()[:8])


def local_name(iri: str) -> str:
    """The last segment of an IRI: what follows its last ``#`` or ``/``.

    A trailing ``/`` is dropped first, so ``http://x.org/res/`` is ``res`` rather than
    empty; a string with neither character comes back whole.

    Example:
        >>> local_name("http://x.org/onto#Book"), local_name("http://x.org/res/Tom_Hanks")
        ('Book', 'Tom_Hanks')
        >>> local_name("http://x.org/res/Tom_Hanks/"), local_name("directed_by")
        ('Tom_Hanks', 'directed_by')
    """
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def is_document_graph(graph: str) -> bool:
    """True for graph names minted by :func:`document_graph`."""
    return str(graph).startswith(DOCUMENT_GRAPH_PREFIX)
