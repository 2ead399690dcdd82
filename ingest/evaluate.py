"""Extraction quality against a hand-checked gold file: precision, recall, F1.

The gold file (``data/sample/gold/triples.tsv``) lists, per document, the triples
it states: ``doc path<TAB>subject label<TAB>property local name<TAB>object label or
value``. Both sides are aligned to a reference graph (``data/sample/graph.ttl``)
before comparing: a gold label becomes the reference entity with that label or
alternative label (``Solaris (1972)`` is the 1972 film), and an extracted entity
becomes the reference entity it shares a name and a compatible type with. Names
the reference does not know are compared by their normalised label. Values are
compared as text. Only asserted triples count (candidates are not claims).

Example:
    >>> s = Scores(tp=6, fp=2, fn=4)
    >>> round(s.precision, 2), round(s.recall, 2), round(s.f1, 2)
    (0.75, 0.6, 0.67)
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.util import from_n3

from kgqa.linking import fold
from kgqa.namespaces import entity_iri, local_name

if TYPE_CHECKING:
    from kgqa.engine import Engine

Key = tuple[str, str, str]


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Evaluation:
    """Overall and per-property scores, and the mistakes for inspection."""

    overall: Scores = field(default_factory=Scores)
    by_property: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    false_positives: list[tuple[str, Key]] = field(default_factory=list)
    false_negatives: list[tuple[str, Key]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"overall": self.overall.as_dict(), "by_property": {k: v.as_dict() for k, v in sorted(self.by_property.items())}}


class Reference:
    """Names and types of the reference graph's entities, for alignment."""

    def __init__(self, graph: Graph) -> None:
        self.by_name: dict[str, set[URIRef]] = defaultdict(set)
        self.types: dict[URIRef, set[URIRef]] = defaultdict(set)
        self.iris: set[URIRef] = set()
        for s, p, o in graph.triples((None, None, None)):
            if not isinstance(s, URIRef):
                continue
            if p in (RDFS.label, SKOS.altLabel):
                self.by_name[fold(str(o))].add(s)
                self.iris.add(s)
            elif p == RDF.type:
                self.types[s].add(o)

    def gold_entity(self, label: str) -> str:
        """A gold label's key: the reference IRI (preferring the plain one), else the folded label."""
        found = self.by_name.get(fold(label), set())
        if not found:
            return "label:" + fold(label)
        plain = entity_iri(label)
        return str(plain if plain in found else sorted(found)[0])

    def align(self, iri: URIRef, names: Iterable[str], types: Iterable[URIRef]) -> str:
        """An extracted entity's key: its own IRI if the reference has it, else a same-named, same-typed one."""
        if iri in self.iris:
            return str(iri)
        names = list(names)
        wanted = set(types)
        for name in names:
            found = self.by_name.get(fold(name), set())
            typed = sorted(f for f in found if not wanted or not self.types[f] or self.types[f] & wanted)
            if typed:
                plain = entity_iri(name)
                return str(plain if plain in typed else typed[0])
        return "label:" + fold(names[0]) if names else str(iri)


def load_gold(path: Path) -> dict[str, set[tuple[str, str, str]]]:
    """Gold triples by document path (as written in the file, relative to the corpus root)."""
    out: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 4 and not row[0].startswith("#"):
                out[row[0]].add((row[1], row[2], row[3]))
    return out


def evaluate(
    engine: Engine, corpus: Path, gold_path: Path, reference_path: Path, documents: Iterable[str] | None = None
) -> Evaluation:
    """Score what ``engine`` extracted from ``corpus``'s documents against the gold file.

    ``documents`` limits the scoring to those gold documents (paths as the gold file writes them).
    """
    from ingest.pipeline import open_provenance

    reference = Reference(Graph().parse(str(reference_path)))
    gold = load_gold(gold_path)
    if documents is not None:
        wanted = set(documents)
        gold = {doc: triples for doc, triples in gold.items() if doc in wanted}
    names, types = _store_names(engine)
    result = Evaluation()
    prov = open_provenance(engine)
    try:
        for doc, triples in sorted(gold.items()):
            row = prov.document(str((corpus / doc).resolve()))
            want = {(reference.gold_entity(s), p, _gold_object(reference, p, o, engine)) for s, p, o in triples}
            got: set[Key] = set()
            for t in prov.triples(row["id"]) if row else []:
                if not t["asserted"] or t["predicate"] == RDF.type.n3():
                    continue
                s, p, o = (from_n3(t[k]) for k in ("subject", "predicate", "object"))
                s_key = reference.align(s, names.get(s, []), types.get(s, []))
                o_key = str(o.toPython()) if isinstance(o, Literal) else reference.align(o, names.get(o, []), types.get(o, []))
                got.add((s_key, local_name(str(p)), o_key))
            _tally(result, doc, want, got)
    finally:
        prov.close()
    return result


def _gold_object(reference: Reference, prop: str, value: str, engine: Engine) -> str:
    try:
        if engine.ontology.property_by_name(prop).literal_range:
            return value
    except Exception:  # noqa: BLE001 - an unknown property in the gold file is compared as a label
        pass
    return reference.gold_entity(value)


def _store_names(engine: Engine) -> tuple[dict[URIRef, list[str]], dict[URIRef, list[URIRef]]]:
    names: dict[URIRef, list[str]] = defaultdict(list)
    types: dict[URIRef, list[URIRef]] = defaultdict(list)
    query = """SELECT ?e ?p ?o WHERE { ?e ?p ?o VALUES ?p { rdfs:label skos:altLabel rdf:type } }"""
    prefixes = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    for e, p, o in engine.sparql(prefixes + query, limit=None, timeout=None).rows:
        if p == RDF.type:
            types[e].append(o)
        elif str(o) not in names[e]:
            (names[e].insert(0, str(o)) if p == RDFS.label else names[e].append(str(o)))
    return names, types


def _tally(result: Evaluation, doc: str, want: set[Key], got: set[Key]) -> None:
    for key in got & want:
        result.overall.tp += 1
        result.by_property[key[1]].tp += 1
    for key in got - want:
        result.overall.fp += 1
        result.by_property[key[1]].fp += 1
        result.false_positives.append((doc, key))
    for key in want - got:
        result.overall.fn += 1
        result.by_property[key[1]].fn += 1
        result.false_negatives.append((doc, key))
