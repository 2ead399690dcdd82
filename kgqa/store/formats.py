"""RDF file formats by extension, and validation that names the file and line.

Any of the formats may be gzip-compressed (``graph.nt.gz``). Relative IRIs resolve
against the file's own ``file://`` URI, as rdflib does.
"""

from __future__ import annotations

import codecs
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kgqa.errors import KgqaError, RDFSyntaxError
from kgqa.store.base import one_line

#: File extension -> Oxigraph format; the same table decides what `kgqa load` accepts.
EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json-ld": ox.RdfFormat.JSON_LD,
}
_NAMES = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "n3": ox.RdfFormat.N3,
    "xml": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def is_rdf_file(path: Path) -> bool:
    """True when the extension names an RDF format kgqa reads."""
    return _suffix(path) in EXTENSIONS


def _suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def oxigraph_format(path: Path, fmt: str | None = None) -> ox.RdfFormat:
    """The Oxigraph format for ``path`` (or the explicit ``fmt`` name)."""
    if fmt is not None:
        try:
            return _NAMES[fmt.lower()]
        except KeyError:
            raise RDFSyntaxError(f"{path}: unknown RDF format {fmt!r}; known: {', '.join(sorted(_NAMES))}") from None
    try:
        return EXTENSIONS[_suffix(path)]
    except KeyError:
        known = ", ".join(sorted(EXTENSIONS))
        raise RDFSyntaxError(f"{path}: cannot tell the RDF format from the extension; use one of {known}") from None


@contextmanager
def open_rdf(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed when the name ends in ``.gz``."""
    with (gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")) as fh:
        yield fh  # type: ignore[misc]


def base_iri(path: Path) -> str:
    """The base against which relative IRIs of ``path`` resolve."""
    return Path(path).resolve().as_uri()


def parse_quads(path: Path, rdf_format: ox.RdfFormat) -> Iterator[ox.Quad]:
    """Stream the quads of an RDF file (gzip or not); raises ``SyntaxError`` as pyoxigraph does."""
    with open_rdf(path) as fh:
        yield from ox.parse(input=fh, format=rdf_format, base_iri=base_iri(path))


def check_utf8(path: Path, error: type[KgqaError] = RDFSyntaxError) -> None:
    """Raise ``error`` naming the line of the first byte that is not UTF-8 (``.gz`` files are decompressed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open_rdf(path) as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                raise error(
                    f"{path}:{line}: not valid UTF-8 (byte 0x{chunk[exc.start]:02x}); save the file as UTF-8"
                ) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise error(f"{path}:{line}: file ends inside a UTF-8 character") from None


def read_checked(path: Path, rdf_format: ox.RdfFormat) -> int:
    """Parse the whole file, returning its quad count; errors name ``file:line:column``."""
    path = Path(path)
    if not path.is_file():
        raise RDFSyntaxError(f"{path}: no such file")
    count = 0
    try:
        check_utf8(path)
        for _ in parse_quads(path, rdf_format):
            count += 1
    except SyntaxError as exc:
        raise RDFSyntaxError(f"{path}:{_position(exc)}") from None
    except (OSError, EOFError) as exc:  # unreadable, or a truncated/corrupt .gz
        raise RDFSyntaxError(f"{path}: cannot read the file: {one_line(exc)}") from None
    return count


def _position(exc: SyntaxError) -> str:
    # pyoxigraph reports "error at L:C: message" (1-based) or sets lineno/offset.
    text = one_line(exc)
    if text.startswith("error at "):
        return text[len("error at ") :]
    if exc.lineno:
        return f"{exc.lineno}:{exc.offset or 0}: {one_line(exc.msg)}"
    return f" {text}"
