"""From resolved statements to one document's quads and provenance rows, in bounded memory.

:class:`QuadSink` keeps a document's quads in memory while they are few and spills
them to a temporary N-Quads file once they are many, so a 50 MB table never sits
in memory as Python objects; the pipeline then writes the sink to the store in one
call (``store.add``, one transaction) or one bulk load.

:class:`DocumentWriter` turns :class:`~ingest.model.Statement` s into quads: facts
at or above the confidence threshold go to the document's graph, the others to the
candidates graph; every entity a document mentions gets its label, alternative
names and types in the document's graph, so each document graph stands on its own
and removing one document never strips an entity that another still mentions.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.term import Node

from kgqa.linking import fold
from kgqa.namespaces import CANDIDATE_GRAPH, KGQA
from kgqa.store.base import Quad, Store

from ingest.model import EntityRef, Statement
from ingest.provenance import nt_term
from ingest.resolve import Resolution, ResolverSession

_SPILL_AT = 4_000_000  # characters of terms held in memory before spilling to disk
_FILE_CHUNK = 4_000_000  # characters per spill file: the bulk loader holds about twice its input in memory


class QuadSink:
    """Collects quads; spills to temporary N-Quads files once they hold ``spill_at`` characters.

    Spill files are cut at ``file_chunk`` characters and loaded one by one, because
    Oxigraph's bulk loader holds about twice its input in memory.
    """

    def __init__(self, spill_at: int = _SPILL_AT, file_chunk: int = _FILE_CHUNK) -> None:
        self.spill_at = spill_at
        self.file_chunk = file_chunk
        self.quads: list[Quad] = []
        self.count = 0
        self._size = 0
        self._file: IO[str] | None = None
        self._paths: list[Path] = []

    @property
    def spilled(self) -> bool:
        return bool(self._paths)

    def add(self, quad: Quad) -> None:
        self.count += 1
        # Terms are counted by length: big literals, not many quads, are what fill memory.
        size = 100 + len(quad[2]) if isinstance(quad[2], Literal) else 200
        if self._paths:
            self._write(quad, size)
            return
        self.quads.append(quad)
        self._size += size
        if self._size >= self.spill_at:
            held, self.quads = self.quads, []
            self._size = 0
            self._rotate()
            for q in held:
                self._write(q, 200)

    def _rotate(self) -> None:
        if self._file is not None:
            self._file.close()
        fd, name = tempfile.mkstemp(prefix="kgqa-ingest-", suffix=".nq")
        self._paths.append(Path(name))
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        self._size = 0

    def _write(self, quad: Quad, size: int) -> None:
        if self._size >= self.file_chunk:
            self._rotate()
        s, p, o, g = quad
        graph = f" {g.n3()}" if g is not None else ""
        assert self._file is not None
        self._file.write(f"{s.n3()} {p.n3()} {nt_term(o)}{graph} .\n")
        self._size += size

    def write_to(self, store: Store) -> None:
        """Write everything collected: one ``add`` (one transaction), or one bulk load per spill file.

        A document spilled to several files is visible in parts while it loads; its
        ``pending`` status lets the pipeline remove the parts if the run stops.
        """
        if not self._paths:
            store.add(self.quads)
            return
        assert self._file is not None
        self._file.close()
        for path in self._paths:
            store.load(path)

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        for path in self._paths:
            path.unlink(missing_ok=True)


def document_quads(graph: URIRef, path: str, sha256: str) -> list[Quad]:
    """The document node, in its own graph: the graph's name is the document."""
    return [
        (graph, RDF.type, KGQA.Document, graph),
        (graph, KGQA.path, Literal(path), graph),
        (graph, KGQA.sha256, Literal(sha256), graph),
    ]


class DocumentWriter:
    """Resolves a document's statements and routes their quads and provenance rows."""

    def __init__(
        self,
        doc_id: str,
        graph: URIRef,
        session: ResolverSession,
        sink: QuadSink,
        *,
        threshold: float,
        language: str | None = "en",
    ) -> None:
        self.doc_id = doc_id
        self.graph = graph
        self.session = session
        self.sink = sink
        self.threshold = threshold
        self.language = language or None
        self.asserted = 0
        self.candidates = 0
        self._described: dict[URIRef, tuple[set[URIRef], set[str]]] = {}

    def header(self, path: str, sha256: str) -> None:
        """The document node: the graph names the document it holds."""
        for quad in document_quads(self.graph, path, sha256):
            self.sink.add(quad)

    def rows(self, statements: Iterable[Statement]) -> Iterator[dict[str, Any]]:
        """Provenance rows for ``statements``; their quads go to the sink as a side effect."""
        for st in statements:
            asserted = st.asserted(self.threshold)
            # The types a candidate statement implies are guesses too ("starring George Clooney" read as
            # a film's director makes him a film): they are asserted only with an asserted statement.
            subject = self._entity(st.subject, typed=asserted)
            obj: Node
            if isinstance(st.object, EntityRef):
                obj = self._entity(st.object, typed=asserted)
            else:
                obj = st.object
            graph = self.graph if asserted else CANDIDATE_GRAPH
            if asserted:
                self.asserted += 1
            else:
                self.candidates += 1
            self.sink.add((subject, st.predicate, obj, graph))
            yield {
                "doc_id": self.doc_id,
                "subject": subject.n3(),
                "predicate": st.predicate.n3(),
                "object": nt_term(obj),
                "graph": str(graph),
                "asserted": int(asserted),
                "confidence": round(float(st.confidence), 4),
                "extractor": st.extractor,
                "start": st.start,
                "end": st.end,
                "location": st.location,
                "sentence": st.sentence,
            }

    def _entity(self, ref: EntityRef, *, typed: bool = True) -> URIRef:
        res = self.session.resolve(ref)
        self._describe(res, ref, typed)
        return res.iri

    def _describe(self, res: Resolution, ref: EntityRef, typed: bool = True) -> None:
        """Label, types (when ``typed``) and new alternative names of an entity, once each per document."""
        g = self.graph
        seen = self._described.get(res.iri)
        if seen is None:
            seen = self._described[res.iri] = (set(), {fold(res.label)})
            self.sink.add((res.iri, RDFS.label, Literal(res.label, lang=self.language), g))
        types, names = seen
        for t in sorted(res.types - types if typed else ()):
            types.add(t)
            self.sink.add((res.iri, RDF.type, t, g))
        for name in (ref.label, *ref.alt_labels, *([f"{ref.label} ({ref.hint})"] if ref.hint else [])):
            key = fold(name)
            if key and key not in names:
                names.add(key)
                self.sink.add((res.iri, SKOS.altLabel, Literal(name, lang=self.language), g))
