"""The RDF reader: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML.

The file (gzip-compressed or not) is loaded as it is (bulk, streamed) into its document graph; a file that
declares an ``owl:Ontology`` is validated as an ontology and goes to the ontology
graph instead, so a folder can carry its own ontology. Syntax errors name the file,
line and column.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pyoxigraph as ox

from kgqa.store.formats import EXTENSIONS, oxigraph_format, parse_quads, read_checked

from ingest.model import RdfContent
from ingest.readers import register_reader
from ingest.readers.base import ReadContext, Reader

_OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# An ontology declares itself near the top; looking further would parse big data files twice.
_SNIFF_TRIPLES = 5_000


@register_reader("rdf")
class RdfReader(Reader):
    extensions = (*EXTENSIONS, *(ext + ".gz" for ext in EXTENSIONS))

    def read(self, path: Path, context: ReadContext) -> RdfContent:
        fmt = oxigraph_format(path)
        try:
            head = itertools.islice(parse_quads(path, fmt), _SNIFF_TRIPLES)
            ontology = any(q.predicate == _RDF_TYPE and q.object == _OWL_ONTOLOGY for q in head)
        except (SyntaxError, ValueError, OSError, EOFError):  # EOFError: a .gz cut short
            read_checked(path, fmt)  # raises RDFSyntaxError naming file:line:column
            raise
        return RdfContent(path, ontology=ontology, dataset=fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG))
