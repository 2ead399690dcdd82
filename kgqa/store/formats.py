"""RDF file formats by extension, and validation that names the file and line."""

from __future__ import annotations

import codecs
from pathlib import Path

import pyoxigraph as ox

from kgqa.errors import RDFSyntaxError

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


def check_utf8(path: Path) -> None:
    """Raise :class:`RDFSyntaxError` naming the line of the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                raise RDFSyntaxError(
                    f"{path}:{line}: not valid UTF-8 (byte 0x{chunk[exc.start]:02x}); save the file as UTF-8"
                ) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise RDFSyntaxError(f"{path}:{line}: file ends inside a UTF-8 character") from None


def read_checked(path: Path, rdf_format: ox.RdfFormat) -> int:
    """Parse the whole file, returning its quad count; errors name ``file:line:column``."""
    path = Path(path)
    if not path.is_file():
        raise RDFSyntaxError(f"{path}: no such file")
    check_utf8(path)
    count = 0
    try:
        for _ in ox.parse(path=str(path), format=rdf_format):
            count += 1
    except SyntaxError as exc:
        raise RDFSyntaxError(f"{path}:{_position(exc)}") from None
    return count


def _position(exc: SyntaxError) -> str:
    # pyoxigraph reports "error at L:C: message" (1-based) or sets lineno/offset.
    text = str(exc)
    if text.startswith("error at "):
        return text[len("error at ") :]
    if exc.lineno:
        return f"{exc.lineno}:{exc.offset or 0}: {exc.msg}"
    return f" {text}"
