"""What every reader is, and the checks they share (binary content, UTF-8)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from kgqa.errors import KgqaError
from kgqa.ontology import Ontology
from kgqa.store.formats import check_utf8

from ingest.model import Content


class IngestError(KgqaError):
    """A document that cannot be ingested; the message names the file (and line or field)."""


@dataclass
class ReadContext:
    """What a reader may need besides the file: the ontology and the declarative mappings."""

    ontology: Ontology
    #: Mapping files given explicitly (``--mapping``); others are found beside the tables.
    mappings: list[Path] = field(default_factory=list)


class Reader:
    """Turns one file into :data:`~ingest.model.Content`.

    Subclasses set ``extensions`` and implement :meth:`read`; register them with
    :func:`ingest.readers.register_reader` to make ``kgqa ingest`` use them.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()

    def read(self, path: Path, context: ReadContext) -> Content:
        raise NotImplementedError

    def fingerprint_extra(self, path: Path, context: ReadContext) -> str:
        """Text mixed into the document's fingerprint besides its bytes (e.g. its mapping)."""
        return ""


_SNIFF = 8192


def check_text_file(path: Path) -> None:
    """Refuse binary content and non-UTF-8 bytes, naming the file and line."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF)
    if b"\x00" in head:
        raise IngestError(f"{path}: binary content (NUL bytes) in a file named as text; is the extension right?")
    check_utf8(path, IngestError)


class SkipDocument(KgqaError):
    """A file the pipeline passes over on purpose (e.g. a table without a mapping); the message says why."""
