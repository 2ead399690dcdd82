"""Table readers: CSV/TSV and JSON/JSONL records, shaped by a mapping file.

Rows are streamed: a 50 MB CSV is read row by row, never held whole. Each row
gives its subject (label, class, alternative labels) and one statement per mapped
column; see :mod:`ingest.mapping` for the mapping format. A table without a
mapping is skipped (and the summary says so); a mapping naming a column the table
lacks is an error naming the file, the column and the mapping.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rdflib import RDF, URIRef

from ingest.mapping import Mapping, MappingError, find_mappings
from ingest.model import EntityRef, RecordsContent, Statement
from ingest.readers import register_reader
from ingest.readers.base import IngestError, ReadContext, Reader, SkipDocument, check_text_file

_CONFIDENCE = 1.0  # a mapping states facts; it does not guess


class TableReader(Reader):
    """Shared by the CSV and JSON readers: find the mapping, turn records into statements."""

    def _mapping(self, path: Path, context: ReadContext) -> Mapping:
        found = list(find_mappings(path, context.mappings, context.ontology))
        if not found:
            raise SkipDocument(
                f"no mapping for this table; add a mappings/*.toml whose 'files' matches {path.name} (see docs/ingestion.md)"
            )
        return found[0]

    def fingerprint_extra(self, path: Path, context: ReadContext) -> str:
        try:
            return self._mapping(path, context).digest()
        except SkipDocument:
            return ""

    def records(self, path: Path, mapping: Mapping) -> Iterator[tuple[str, dict[str, Any]]]:
        """(location, record) pairs."""
        raise NotImplementedError

    def read(self, path: Path, context: ReadContext) -> RecordsContent:
        check_text_file(path)
        mapping = self._mapping(path, context)
        warnings: list[str] = []
        return RecordsContent(_statements(path, mapping, self.records(path, mapping), warnings), mapping.path, warnings)


def _values(value: Any, separator: str | None) -> Iterable[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if v not in (None, "")]
    if isinstance(value, str):
        parts = value.split(separator) if separator else [value]
        return [p.strip() for p in parts if p.strip()]
    return [value]


def _statements(
    path: Path, mapping: Mapping, records: Iterator[tuple[str, dict[str, Any]]], warnings: list[str]
) -> Iterator[Statement]:
    """The statements of every record; at the end, a warning in ``warnings`` for each mapped field that
    no record has (JSON fields are optional record by record, but one absent from all is likely a typo)."""
    extractor = f"mapping:{mapping.path.stem}"
    present: set[str] = set()
    for location, record in records:
        present.update(record)
        where = f"{path} {location}"
        label = record.get(mapping.subject_column)
        if label in (None, "") or (isinstance(label, str) and not label.strip()):
            raise MappingError(f"{where}: empty subject column {mapping.subject_column!r} ({mapping.path.name})")
        label = str(label).strip()
        hint = record.get(mapping.disambiguate) if mapping.disambiguate else None
        alts = [str(v) for c in mapping.alt_label_columns for v in _values(record.get(c), None)]
        for template in mapping.alt_label_templates:
            try:
                alts.append(template.format(**{k: ("" if v is None else v) for k, v in record.items()}))
            except (KeyError, IndexError, ValueError) as exc:
                raise MappingError(f"{mapping.path}: alt_label_templates {template!r}: {exc}") from None
        subject = EntityRef(
            label,
            types=(mapping.subject_class,),
            hint=str(hint) if hint not in (None, "") else None,
            alt_labels=tuple(a for a in dict.fromkeys(alts) if a and a != label),
            exact=True,
        )
        yield Statement(subject, RDF.type, mapping.subject_class, _CONFIDENCE, extractor, location=location)
        for column in mapping.columns:
            for value in _values(record.get(column.column), column.separator):
                if isinstance(value, (dict, list)):
                    # str() of it would become an entity named "{'name': ...}"
                    raise MappingError(
                        f"{where}: {column.column} holds a JSON {type(value).__name__}, not a name or value; "
                        f"a mapping reads strings, numbers and lists of them ({mapping.path.name})"
                    )
                if column.prop.literal_range:
                    obj: EntityRef | Any = mapping.literal(column, value, where)
                else:
                    rng = column.prop.range
                    obj = EntityRef(str(value), types=(rng,) if isinstance(rng, URIRef) else ())
                yield Statement(subject, column.prop.iri, obj, _CONFIDENCE, extractor, location=location)
    absent = [c for c in mapping.required_columns if c not in present]
    if present and absent:
        warnings.append(
            f"{', '.join(repr(c) for c in absent)} (mapped in {mapping.path.name}) in no record; "
            f"fields: {', '.join(sorted(present)[:12])}{', ...' if len(present) > 12 else ''}"
        )


@register_reader("csv")
class CsvReader(TableReader):
    extensions = (".csv", ".tsv", ".tab")

    def records(self, path: Path, mapping: Mapping) -> Iterator[tuple[str, dict[str, Any]]]:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=delimiter)
            header = reader.fieldnames or []
            missing = [c for c in mapping.required_columns if c not in header]
            if missing:
                raise MappingError(
                    f"{path}:1: column {missing[0]!r} (mapped in {mapping.path.name}) is not in the header; "
                    f"columns: {', '.join(header) or 'none'}"
                )
            for row in reader:
                yield f"line {reader.line_num}", row


@register_reader("json")
class JsonReader(TableReader):
    extensions = (".json", ".jsonl", ".ndjson")

    def records(self, path: Path, mapping: Mapping) -> Iterator[tuple[str, dict[str, Any]]]:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark, which json refuses.
            with open(path, encoding="utf-8-sig") as fh:
                for number, line in enumerate(fh, 1):
                    if line.strip():
                        yield f"line {number}", _record(_parse(line, path, number), path, f"line {number}")
            return
        data = _parse(path.read_text(encoding="utf-8-sig"), path, None)
        if isinstance(data, dict):
            # {"records": [{...}, ...]}: one key holding a list of objects; an object without one is a record
            # itself ({"title": "Dune", "genres": ["sf", "novel"]})
            lists = [k for k, v in data.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
            if len(lists) > 1:
                raise IngestError(
                    f"{path}: an object with {len(lists)} lists ({', '.join(repr(k) for k in lists[:5])}): "
                    "which one holds the records is not clear; give an array of objects, or an object with one list"
                )
            data = data[lists[0]] if lists else [data]
        if not isinstance(data, list):
            raise IngestError(f"{path}: expected a JSON array of objects")
        for index, item in enumerate(data):
            yield f"record {index + 1}", _record(item, path, f"record {index + 1}")


def _parse(text: str, path: Path, line: int | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"{path}:{line}" if line is not None else f"{path}:{exc.lineno}:{exc.colno}"
        raise IngestError(f"{where}: invalid JSON: {exc.msg}") from None


def _record(item: Any, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise IngestError(f"{path} {where}: expected a JSON object, got {type(item).__name__}")
    return _flatten(item)


def _flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted keys (``{"a": {"b": 1}}`` -> ``a.b``), so mappings can name them."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out
