"""WebNLG 2020 (English): sets of DBpedia triples, each with human-written texts.

The layout is ``<root>/<split>/<N>triples/<Category>.xml`` (N = 1..7). Each entry has
the triples it states (``<modifiedtripleset>``: ``Subject | predicate | Object``,
entities written with underscores) and one or more ``<lex>`` texts that say exactly
those facts. kgqa uses it to learn lexicalisations (train) and to score its
verbalizer against the human references (dev, or the held-out test split).

Example:
    >>> from kgqa.datasets.webnlg import parse_triple
    >>> parse_triple("Aarhus_Airport | cityServed | \\"Aarhus, Denmark\\"")
    Triple(subject='Aarhus_Airport', predicate='cityServed', object='"Aarhus, Denmark"')
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kgqa.datasets import shared_dir
from kgqa.errors import KgqaError


class WebNLGError(KgqaError):
    """A WebNLG directory that is missing or a file that does not parse."""


@dataclass(frozen=True)
class Triple:
    """One WebNLG triple, as written in the data (underscores, quotes and all)."""

    subject: str
    predicate: str
    object: str


@dataclass(frozen=True)
class Entry:
    """A triple set and the texts that verbalize it."""

    eid: str
    category: str
    triples: tuple[Triple, ...]
    texts: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.triples)


def default_root() -> Path:
    """Where WebNLG is read without ``--data`` (see :func:`kgqa.datasets.shared_dir`)."""
    return shared_dir("webnlg")


def parse_triple(text: str) -> Triple:
    """Split ``Subject | predicate | Object`` (the object may itself contain ``|``-free text)."""
    parts = [p.strip() for p in text.split(" | ")]
    if len(parts) != 3:
        raise ValueError(f"not a WebNLG triple: {text!r}")
    return Triple(*parts)


def split_dir(root: Path | str, split: str) -> Path:
    """The directory of one split; :class:`WebNLGError` when it is absent."""
    path = Path(root) / split
    if not path.is_dir():
        raise WebNLGError(f"{path}: no WebNLG split {split!r} here (expected {path}/<N>triples/*.xml)")
    return path


def iter_entries(root: Path | str, split: str) -> Iterator[Entry]:
    """Entries of ``split`` in a stable order (by size, then file name, then document order)."""
    files = sorted(split_dir(root, split).glob("*triples/*.xml"), key=lambda p: (p.parent.name, p.name))
    if not files:
        raise WebNLGError(f"{Path(root) / split}: no <N>triples/*.xml files")
    for path in files:
        try:
            tree = ET.parse(path)
        except ET.ParseError as exc:
            raise WebNLGError(f"{path}: {exc}") from None
        for node in tree.iterfind(".//entry"):
            try:
                triples = tuple(parse_triple(t.text or "") for t in node.iterfind("modifiedtripleset/mtriple"))
            except ValueError as exc:
                raise WebNLGError(f"{path}: entry {node.get('eid')}: {exc}") from None
            texts = tuple(
                " ".join((lex.text or "").split())
                for lex in node.iterfind("lex")
                if lex.get("comment", "good") == "good" and (lex.text or "").strip()
            )
            yield Entry(f"{path.parent.name}/{node.get('category')}/{node.get('eid')}", node.get("category", ""), triples, texts)


def load(root: Path | str, split: str) -> list[Entry]:
    """All entries of ``split`` under ``root`` (e.g. ``load(default_root(), "dev")``)."""
    return list(iter_entries(root, split))
