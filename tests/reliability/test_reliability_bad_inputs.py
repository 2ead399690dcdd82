"""The bad-input table: each input ends failed or skipped, with one line naming why, and leaves nothing.

Every case is a folder given to one ``ingest_paths`` call on the same project (so one bad
input cannot disturb the next); after it, the document has no graph, no provenance rows
and no candidates, and the store holds what it held before. One summary line per input is
printed (``pytest -s``).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

from ingest.pipeline import ingest_paths, open_provenance
from kgqa.engine import Engine
from kgqa.namespaces import CANDIDATE_GRAPH, document_graph
from kgqa.ontology import bundled_ontology

ONTOLOGY_HEAD = (
    "@prefix ex: <http://example.org/o#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<http://example.org/o> a owl:Ontology .\n"
    'ex:Book a owl:Class ; rdfs:label "book" .\n'
)
BOOKS_MAPPING = """files = ["*.csv", "*.json", "*.jsonl"]
[subject]
column = "title"
class = "book"
[columns]
author = "author"
year = { property = "publicationYear", datatype = "xsd:integer" }
"""


def _text(name: str, data: str | bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    return make


def _table(name: str, data: str | bytes, mapping: str = BOOKS_MAPPING) -> Callable[[Path], Path]:
    """A table in a folder whose mappings/books.toml is ``mapping``."""

    def make(folder: Path) -> Path:
        (folder / "mappings").mkdir()
        (folder / "mappings" / "books.toml").write_text(mapping, encoding="utf-8")
        return _text(name, data)(folder)

    return make


#: name -> (input, expected status, a word the one-line reason must contain)
CASES: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "binary bytes named .txt": (_text("a.txt", bytes(range(256)) * 8), "failed", "a.txt"),
    "Latin-1 text": (_text("b.txt", "Stanisław Lem\n\nCaf\xe9 Solaris".encode("latin-1", "replace")), "failed", "UTF-8"),
    "NUL bytes in Markdown": (_text("c.md", "# Title\n\nSolaris\x00 by Lem\n"), "failed", "c.md"),
    "empty file": (_text("d.txt", ""), "skipped", "empty"),
    "unknown extension": (_text("e.xyz", "Solaris"), "skipped", "no reader"),
    "malformed Turtle": (_text("f.ttl", "<urn:a> <urn:b> .\n"), "failed", "f.ttl:1"),
    "literal as subject (N-Triples)": (_text("g.nt", '"a" <urn:b> <urn:c> .\n'), "failed", "g.nt:1"),
    "truncated .ttl.gz": (_text("h.ttl.gz", gzip.compress(b"<urn:a> <urn:b> <urn:c> .\n" * 50)[:40]), "failed", "h.ttl.gz"),
    "not gzip at all (.nt.gz)": (_text("i.nt.gz", "<urn:a> <urn:b> <urn:c> .\n"), "failed", "i.nt.gz"),
    "malformed RDF/XML": (_text("j.rdf", "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><x"), "failed", "j.rdf"),
    "malformed JSON-LD": (_text("k.jsonld", '{"@id": "urn:a", '), "failed", "k.jsonld"),
    "malformed TriG": (_text("l.trig", "<urn:g> { <urn:a> <urn:b> }"), "failed", "l.trig"),
    "ontology with a literal domain": (
        _text("m.ttl", ONTOLOGY_HEAD + 'ex:author a owl:ObjectProperty ; rdfs:label "author" ; rdfs:domain "Book" .\n'),
        "failed", "a literal where an IRI is needed"),
    "ontology with an untyped property": (
        _text("n.ttl", ONTOLOGY_HEAD + "ex:author rdfs:domain ex:Book .\n"), "failed", "not typed as a property"),
    "ontology with an undeclared range": (
        _text("o.ttl", ONTOLOGY_HEAD + 'ex:author a owl:ObjectProperty ; rdfs:label "a" ; rdfs:range ex:Person .\n'),
        "failed", "not a declared class"),
    "table without a mapping": (_text("p.csv", "title,author\nSolaris,Lem\n"), "skipped", "mapping"),
    "CSV missing a mapped column": (_table("q.csv", "title,author\nSolaris,Lem\n"), "failed", "'year'"),
    "CSV with a non-integer year": (_table("r.csv", "title,author,year\nSolaris,Lem,soon\n"), "failed", "year"),
    "JSON that does not parse": (_table("s.json", '[{"title": "Solaris", '), "failed", "s.json"),
    "JSON with a list of objects in a mapped field": (
        _table("t.json", '[{"title": "Solaris", "author": [{"name": "Lem"}], "year": 1961}]'), "failed", "author"),
    "JSON Lines with a broken line": (
        _table("u.jsonl", '{"title": "Solaris", "author": "Lem", "year": 1961}\n{"title": \n'), "failed", "u.jsonl:2"),
    "PDF that is not a PDF": (_text("v.pdf", "just text, named .pdf\n"), "failed", "v.pdf"),
    "text over the size limit": (_text("w.txt", "Solaris is a novel by Stanisław Lem. " * 3_000), "skipped", "max_text_mb"),
    "UTF-16 text": (_text("x.txt", "Solaris by Stanisław Lem".encode("utf-16")), "failed", "x.txt"),
    "binary bytes named .html": (_text("y.html", bytes(range(256)) * 4), "failed", "y.html"),
    "Turtle with an undeclared prefix": (_text("z.ttl", "ex:a ex:b ex:c .\n"), "failed", "z.ttl:1"),
    "IRI with a space (N-Triples)": (_text("a2.nt", "<urn:a b> <urn:p> <urn:c> .\n"), "failed", "a2.nt:1"),
    "malformed N-Quads": (_text("b2.nq", '<urn:a> <urn:b> <urn:c> "g" .\n'), "failed", "b2.nq:1"),
    "CSV with a Latin-1 byte": (_table("c2.csv", b"title,author,year\nSolaris,L\xe9m,1961\n"), "failed", "UTF-8"),
    "JSON with two lists of records": (
        _table("d2.json", '{"books": [{"title": "Solaris"}], "films": [{"title": "Stalker"}]}'), "failed", "d2.json"),
    "JSON that is one number": (_table("e2.json", "42"), "failed", "e2.json"),
    "mapping that is not TOML": (_table("f2.csv", "title\nSolaris\n", "files = [\n"), "failed", "books.toml"),
    "mapping naming no class of the ontology": (
        _table("g2.csv", "title\nSolaris\n", 'files = ["*.csv"]\n[subject]\ncolumn = "title"\nclass = "spaceship"\n'),
        "failed", "spaceship"),
    "PDF cut short": (_text("h2.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n"), "failed", "h2.pdf"),
}


def test_every_bad_input_gets_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    config = {"ingest": {"max_text_mb": 0.1}}
    with Engine.init(tmp_path / "proj", ontologies=[bundled_ontology("scifi.ttl")], config=config) as engine:
        before = {g: engine.store.count(g) for g in engine.store.graphs()}
        lines = []
        for i, (name, (make, status, word)) in enumerate(CASES.items()):
            folder = tmp_path / f"case{i}"
            folder.mkdir()
            path = make(folder)
            summary = ingest_paths(engine, [folder], progress=False)
            [item] = summary.items
            reason = item.reason
            assert (item.status, "\n" in reason) == (status, False), (name, item)
            assert word in reason, (name, reason)
            doc_id = str(path.resolve())
            assert document_graph(doc_id) not in engine.store.graphs(), name
            prov = open_provenance(engine)
            assert prov.triples(doc_id) == [], name
            prov.close()
            lines.append(f"bad input {i + 1:2d} {name}: {item.status}: {reason}")
        assert not engine.store.has_graph(CANDIDATE_GRAPH)
        assert {g: engine.store.count(g) for g in engine.store.graphs()} == before
    print("\n" + "\n".join(lines) + f"\nbad inputs: {len(CASES)} tried, {len(CASES)} one-line errors or reasoned skips, nothing written")
