"""Readers: one per file type, chosen by name or by extension.

A reader turns a file into :data:`~ingest.model.Content`. The built-in ones:

* ``rdf``: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (a file that declares
  an ``owl:Ontology`` goes to the ontology graph) -- :mod:`ingest.readers.rdf`;
* ``csv`` and ``json``: tables and JSON/JSONL records, shaped by a declarative
  mapping file -- :mod:`ingest.readers.tables`;
* ``text``: ``.txt``, ``.md``, ``.html``, ``.pdf`` for the extractors --
  :mod:`ingest.readers.text`;
* NetworkX graphs (from Python, not files) -- :mod:`ingest.readers.networkx`.

Add your own with :func:`register_reader`; third-party packages can also use the
entry-point group ``kgqa.reader``.

Example:
    >>> from pathlib import Path
    >>> reader_for(Path("notes.md")).name
    'text'
    >>> reader_for(Path("graph.ttl")).name
    'rdf'
    >>> reader_for(Path("image.png")) is None
    True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kgqa.registry import Registry

from ingest.readers.base import IngestError, ReadContext, Reader

READERS: Registry[type[Reader]] = Registry("reader")


def register_reader(name: str) -> Callable[[type[Reader]], type[Reader]]:
    """Class decorator: register a :class:`Reader` under ``name`` (its ``extensions`` route files to it)."""

    def decorate(cls: type[Reader]) -> type[Reader]:
        cls.name = name
        return READERS.register(name)(cls)

    return decorate


def _load_builtin() -> None:
    from ingest.readers import rdf, tables, text  # noqa: F401  (they register themselves)


def reader_names() -> list[str]:
    _load_builtin()
    return READERS.names()


def get_reader(name: str) -> Reader:
    """A reader by registry name (``rdf``, ``csv``, ``json``, ``text``...)."""
    _load_builtin()
    return READERS.get(name)()


def reader_for(path: Path) -> Reader | None:
    """The reader for ``path`` by its extension (the last registered wins), or ``None``."""
    _load_builtin()
    name = path.name.lower()
    best: tuple[int, str] | None = None
    for reader_name in READERS.names():
        for ext in READERS.get(reader_name).extensions:
            # Longest matching extension wins, so ".nt.gz" beats ".gz".
            if name.endswith(ext) and (best is None or len(ext) > best[0]):
                best = (len(ext), reader_name)
    return get_reader(best[1]) if best else None


__all__ = ["READERS", "IngestError", "ReadContext", "Reader", "get_reader", "reader_for", "reader_names", "register_reader"]
