"""Declarative mappings: how the rows of a table (CSV/TSV, JSON, JSONL) become statements.

A mapping is a small TOML file, usually in a ``mappings/`` folder next to the
tables. It names the tables it applies to, the column holding the subject's
label and its class, and for every other column the property it fills::

    files = ["tables/books.csv"]          # globs, relative to the folder holding mappings/

    [subject]
    column = "title"
    class = "book"                        # class label, local name, prefix:name or IRI
    alt_labels = ["original_title"]       # columns with other names (optional)
    disambiguate = "year"                 # tells homonyms apart in the IRI (optional)

    [columns]
    author = "author"                     # column = property (label or local name)
    year = { property = "publicationYear", datatype = "xsd:integer" }
    series = { property = "partOfSeries", separator = ";" }

Object properties take labels, resolved to entities of the property's range;
datatype properties take literals typed by ``datatype`` or the property's range.

Example:
    >>> import tempfile, pathlib
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "books.toml"
    >>> _ = path.write_text('files = ["*.csv"]\\n[subject]\\ncolumn = "title"\\nclass = "book"\\n[columns]\\nauthor = "author"\\n')
    >>> m = Mapping.load(path, onto)
    >>> m.subject_class.endswith("#Book"), [c.prop.local_name for c in m.columns]
    (True, ['author'])
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDFS, SKOS, XSD, Literal, URIRef

from kgqa.errors import KgqaError
from kgqa.namespaces import local_name
from kgqa.ontology import Ontology, Property

_KNOWN_PREFIXES = {
    "xsd": str(XSD),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "kgqa": "https://w3id.org/kgqa/vocab#",
}
#: Literal-valued standard properties a mapping may fill though the ontology does not declare them.
_ANNOTATIONS = {RDFS.comment, RDFS.label, SKOS.altLabel, SKOS.prefLabel, SKOS.note, SKOS.definition}
MAPPING_FOLDER = "mappings"
_BOUNDARIES = (".git", ".kgqa")


class MappingError(KgqaError):
    """A mapping file that does not fit the ontology or its table; the message names file and key."""


@dataclass(frozen=True)
class ColumnMap:
    """One column (or JSON field) and the property it fills."""

    column: str
    prop: Property
    datatype: URIRef | None
    separator: str | None = None


@dataclass
class Mapping:
    """A parsed, ontology-checked mapping file."""

    path: Path
    files: list[str]
    subject_column: str
    subject_class: URIRef
    alt_label_columns: list[str]
    alt_label_templates: list[str]
    disambiguate: str | None
    columns: list[ColumnMap]

    @classmethod
    def load(cls, path: Path, ontology: Ontology) -> Mapping:
        """Read and check ``path``; :class:`MappingError` names the file and the key at fault."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise MappingError(f"{path}: {exc}") from None
        prefixes = {**_KNOWN_PREFIXES, **data.get("prefixes", {})}
        subject = data.get("subject")
        if not isinstance(subject, dict) or "column" not in subject or "class" not in subject:
            raise MappingError(f"{path}: [subject] needs 'column' and 'class'")
        files = data.get("files") or []
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise MappingError(f"{path}: 'files' must be a list of file names or globs")
        columns = []
        for column, spec in _dotted(data.get("columns") or {}):
            if isinstance(spec, str):
                spec = {"property": spec}
            if not isinstance(spec, dict) or "property" not in spec:
                raise MappingError(f"{path}: columns.{column} needs a property")
            prop = _property(ontology, spec["property"], prefixes, f"{path}: columns.{column}")
            datatype = spec.get("datatype")
            dt = _expand(datatype, prefixes, f"{path}: columns.{column}.datatype") if datatype else None
            if dt is None and prop.literal_range and prop.range is not None:
                dt = prop.range
            columns.append(ColumnMap(column, prop, dt, spec.get("separator")))
        templates = subject.get("alt_label_templates", [])
        return cls(
            path=path,
            files=files,
            subject_column=subject["column"],
            subject_class=_class(ontology, subject["class"], prefixes, f"{path}: subject.class"),
            alt_label_columns=list(subject.get("alt_labels", [])),
            alt_label_templates=list(templates),
            disambiguate=subject.get("disambiguate"),
            columns=columns,
        )

    @property
    def required_columns(self) -> list[str]:
        """Every column the mapping reads (all must be in a CSV header)."""
        names = [self.subject_column, *self.alt_label_columns, *(c.column for c in self.columns)]
        if self.disambiguate:
            names.append(self.disambiguate)
        return list(dict.fromkeys(names))

    @property
    def base(self) -> Path:
        """The folder its ``files`` globs are relative to."""
        folder = self.path.parent
        return folder.parent if folder.name == MAPPING_FOLDER else folder

    def applies_to(self, table: Path) -> bool:
        try:
            relative = table.resolve().relative_to(self.base.resolve()).as_posix()
        except ValueError:
            relative = table.name
        return any(fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(table.name, g) for g in self.files)

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def literal(self, column: ColumnMap, value: object, where: str) -> Literal:
        """A typed literal for ``value``; ill-typed values raise :class:`MappingError` naming ``where``."""
        if column.datatype is None:
            return Literal(value if not isinstance(value, str) else value.strip())
        # The lexical form is what gets checked: a JSON 1.5 or true must not pass as an xsd:integer.
        lexical = str(value).lower() if isinstance(value, bool) else str(value).strip()
        if not _well_typed(lexical, column.datatype):
            raise MappingError(f"{where}: {column.column} = {value!r} is not a valid {column.datatype}")
        return Literal(lexical, datatype=column.datatype)


#: Lexical forms of the XSD date parts rdflib does not check (https://www.w3.org/TR/xmlschema11-2/).
_ZONE = r"(Z|[+-]\d\d:\d\d)?"
_PATTERNS = {
    XSD.gYear: re.compile(rf"-?\d{{4,}}{_ZONE}"),
    XSD.gYearMonth: re.compile(rf"-?\d{{4,}}-(0[1-9]|1[0-2]){_ZONE}"),
    XSD.gMonth: re.compile(rf"--(0[1-9]|1[0-2]){_ZONE}"),
    XSD.gMonthDay: re.compile(rf"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){_ZONE}"),
    XSD.gDay: re.compile(rf"---(0[1-9]|[12]\d|3[01]){_ZONE}"),
}
_RDFLIB_TERM_LOG = logging.getLogger("rdflib.term")


def _well_typed(lexical: str, datatype: URIRef) -> bool:
    pattern = _PATTERNS.get(datatype)
    if pattern is not None:
        return pattern.fullmatch(lexical) is not None
    # rdflib logs a traceback for every lexical form it cannot convert; the error we raise says it in one line.
    level = _RDFLIB_TERM_LOG.level
    _RDFLIB_TERM_LOG.setLevel(logging.CRITICAL)
    try:
        return not Literal(lexical, datatype=datatype).ill_typed
    finally:
        _RDFLIB_TERM_LOG.setLevel(level)


def _dotted(columns: dict[str, object], prefix: str = "") -> Iterator[tuple[str, object]]:
    """``[columns]`` entries with TOML's dotted keys (``hq.city = "..."`` is a nested table) as ``hq.city``."""
    for key, spec in columns.items():
        if isinstance(spec, dict) and "property" not in spec:
            yield from _dotted(spec, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", spec


def find_mappings(table: Path, explicit: list[Path], ontology: Ontology) -> Iterator[Mapping]:
    """Mappings that apply to ``table``: explicit ones first, then ``mappings/*.toml`` in its folder
    and the folders above it, up to the first one holding ``.git`` or ``.kgqa`` (a repository or project)."""
    seen: set[Path] = set()
    candidates = list(explicit)
    folder = table.resolve().parent
    while True:
        candidates.extend(sorted((folder / MAPPING_FOLDER).glob("*.toml")))
        if folder.parent == folder or any((folder / marker).exists() for marker in _BOUNDARIES):
            break
        folder = folder.parent
    for path in candidates:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        mapping = Mapping.load(path, ontology)
        if mapping.applies_to(table):
            yield mapping


def _expand(name: str, prefixes: dict[str, str], where: str) -> URIRef:
    if name.startswith("<") and name.endswith(">"):
        return URIRef(name[1:-1])
    if name.startswith(("http://", "https://", "urn:")):
        return URIRef(name)
    prefix, sep, local = name.partition(":")
    if sep and prefix in prefixes:
        return URIRef(prefixes[prefix] + local)
    if not sep and name in ("integer", "decimal", "double", "date", "dateTime", "gYear", "string", "boolean"):
        return XSD[name]
    raise MappingError(f"{where}: cannot expand {name!r}; declare its prefix under [prefixes]")


def _class(ontology: Ontology, name: str, prefixes: dict[str, str], where: str) -> URIRef:
    key = name.lower()
    for cls in ontology.classes.values():
        if key in (local_name(cls.iri).lower(), cls.label.lower()):
            return cls.iri
    if ":" in name:
        iri = _expand(name, prefixes, where)
        if iri in ontology.classes:
            return iri
    known = ", ".join(sorted(c.label for c in ontology.classes.values()))
    raise MappingError(f"{where}: no class {name!r} in the ontology; known: {known}")


def _property(ontology: Ontology, name: str, prefixes: dict[str, str], where: str) -> Property:
    iri = None
    if ":" in name:
        try:
            iri = _expand(name, prefixes, where)
        except MappingError:
            iri = None
    if iri is not None and iri in ontology.properties:
        return ontology.properties[iri]
    if iri in _ANNOTATIONS:
        return Property(iri, local_name(iri), is_datatype=True)
    try:
        return ontology.property_by_name(name)
    except KgqaError:
        raise MappingError(f"{where}: no property {name!r} in the ontology") from None
