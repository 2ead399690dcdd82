"""The values that flow through ingestion: what readers return, what extractors state.

A reader turns a file into one :data:`Content`: RDF to load as it is
(:class:`RdfContent`), statements already shaped by a mapping
(:class:`RecordsContent`), or text for the extractors (:class:`TextContent`).
Extractors and mappings both produce :class:`Statement` s about
:class:`EntityRef` s: entities named by label and type, not yet IRIs; entity
resolution gives them IRIs.

Example:
    >>> from rdflib import Literal, URIRef
    >>> book = EntityRef("Solaris", types=(URIRef("https://w3id.org/kgqa/scifi#Book"),))
    >>> st = Statement(book, URIRef("https://w3id.org/kgqa/scifi#publicationYear"), Literal(1961), 0.9, "ontology")
    >>> st.asserted(threshold=0.6)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef


@dataclass(frozen=True)
class EntityRef:
    """An entity as a document names it.

    ``iri`` is set when the source already gives one (RDF, a coreference to an
    entity resolved earlier); ``hint`` distinguishes homonyms (``"1972"`` for the
    1972 film *Solaris*); ``alt_labels`` are other names the source gives it.
    ``exact`` asks resolution to match the label only as written (normalised), not
    by similar spelling: a table is the authority on the keys of its own rows.
    """

    label: str
    types: tuple[URIRef, ...] = ()
    iri: URIRef | None = None
    hint: str | None = None
    alt_labels: tuple[str, ...] = ()
    exact: bool = False


@dataclass(frozen=True)
class Statement:
    """One extracted triple with its evidence.

    ``start``/``end`` are character offsets in the document's extracted text,
    ``location`` a human pointer (``"row 12"``, ``"page 3"``), ``sentence`` the text
    it was read from.
    """

    subject: EntityRef
    predicate: URIRef
    object: EntityRef | Literal
    confidence: float
    extractor: str
    start: int | None = None
    end: int | None = None
    location: str | None = None
    sentence: str | None = None

    def asserted(self, threshold: float) -> bool:
        """True when confident enough to assert; otherwise it is kept as a candidate."""
        return self.confidence >= threshold


@dataclass
class Block:
    """A stretch of a text document (a paragraph, a heading, a page) and where it starts.

    ``emphasis`` holds (start, end) offsets, relative to the block, of spans the
    source set apart (italics, quotes, ``<cite>``): usually titles of works.
    """

    text: str
    offset: int = 0
    emphasis: list[tuple[int, int]] = field(default_factory=list)
    heading: bool = False


@dataclass
class TextContent:
    """Text for the extractors, as blocks (streamed for long plain-text files)."""

    blocks: Iterable[Block]
    title: str | None = None


@dataclass
class RecordsContent:
    """Statements produced by a declarative mapping (tables, JSON), streamed."""

    statements: Iterator[Statement]
    mapping: Path | None = None
    #: Filled once ``statements`` is exhausted: what the user should check (a mapped field no record has).
    warnings: list[str] = field(default_factory=list)


@dataclass
class RdfContent:
    """An RDF file to load unchanged: into its document graph, or the ontology graph."""

    path: Path
    ontology: bool = False
    dataset: bool = False


Content = TextContent | RecordsContent | RdfContent


__all__ = ["Block", "Content", "EntityRef", "RdfContent", "RecordsContent", "Statement", "TextContent"]
