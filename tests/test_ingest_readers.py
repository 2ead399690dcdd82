"""Each reader on real files: RDF in six formats (and gzip), ontologies, tables with mappings,
text (Markdown, HTML, plain text, PDF), NetworkX graphs, and a reader added by name."""

from __future__ import annotations

import gzip
from pathlib import Path

import networkx as nx
from rdflib import RDF, Dataset, Graph, Literal, URIRef

from kgqa import Engine
from kgqa.namespaces import RES, SF, document_graph

from ingest.model import EntityRef, RecordsContent, Statement
from ingest.pipeline import ingest_paths
from ingest.readers import READERS, ReadContext, Reader, reader_for, register_reader
from test_ingest_support import SAMPLE, engine  # noqa: F401 (a fixture)



def doc_count(engine: Engine, path: Path) -> int:
    return engine.store.count(document_graph(str(path.resolve())))


# -- RDF -------------------------------------------------------------------------------------------
def _lem_graph() -> Graph:
    g = Graph()
    for s, p, o in Graph().parse(SAMPLE / "graph.ttl"):
        if s in (RES.Solaris, RES.Stanis_aw_Lem, RES.The_Cyberiad):
            g.add((s, p, o))
    return g


def test_rdf_in_every_format_lands_in_its_own_graph(engine: Engine, tmp_path: Path) -> None:
    g = _lem_graph()
    folder = tmp_path / "rdf"
    folder.mkdir()
    for name, fmt in [("lem.ttl", "turtle"), ("lem.nt", "nt"), ("lem.jsonld", "json-ld"), ("lem.rdf", "xml")]:
        g.serialize(folder / name, format=fmt)
    ds = Dataset()
    named = ds.graph(URIRef("urn:test:source"))
    for t in g:
        named.add(t)
    ds.serialize(folder / "lem.nq", format="nquads")
    ds.serialize(folder / "lem.trig", format="trig")
    with gzip.open(folder / "lem.nt.gz", "wb") as fh:
        fh.write(g.serialize(format="nt").encode())

    summary = ingest_paths(engine, [folder])
    assert summary.counts() == {"ok": 7, "skipped": 0, "failed": 0}, summary.to_dict()
    for item in summary.items:
        assert item.reader == "rdf" and item.triples == len(g), item
        # the file's triples, plus the graph's three lines about the document itself (type, path, sha256)
        assert doc_count(engine, Path(item.path)) == len(g) + 3, item.path
    # quads keep no graph of their own: everything sits in the document's graph, so removal is clean
    assert URIRef("urn:test:source") not in engine.store.graphs()


def test_an_rdf_file_declaring_an_ontology_extends_the_ontology(engine: Engine, tmp_path: Path) -> None:
    onto = tmp_path / "awards.ttl"
    onto.write_text(
        """@prefix sf: <https://w3id.org/kgqa/scifi#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/awards> a owl:Ontology .
sf:ceremonyYear a owl:DatatypeProperty ; rdfs:label "ceremony year" ; rdfs:domain sf:Award ; rdfs:range xsd:integer .
""",
        encoding="utf-8",
    )
    assert "ceremony year" not in {p.label for p in engine.ontology.properties.values()}
    item = ingest_paths(engine, [onto]).items[0]
    assert item.status == "ok"
    assert engine.ontology.property_by_name("ceremonyYear").domain == SF.Award
    assert engine.store.count(document_graph(str(onto.resolve()))) == 0  # nothing in a document graph
    engine.remove(onto)
    assert "ceremony year" not in {p.label for p in engine.ontology.properties.values()}
    assert engine.ontology.property_by_name("author")  # the rest of the ontology graph stays


# -- tables ----------------------------------------------------------------------------------------
def test_sample_tables_follow_the_reference_graph(engine: Engine) -> None:
    summary = ingest_paths(engine, [SAMPLE / "tables"])
    assert summary.counts()["ok"] == 2, summary.to_dict()
    reference = Graph().parse(SAMPLE / "graph.ttl")
    facts = {
        (s, p, o)
        for s, p, o in engine.sparql("SELECT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:kgqa:graph:doc:')) }").rows
        if str(p).startswith(str(SF))
    }
    assert len(facts) > 250
    assert len(facts & set(reference)) / len(facts) > 0.98
    # films that share a book's title get the year (the reference's IRI scheme)
    assert (RES.Solaris_1972, SF.basedOn, RES.Solaris) in facts
    assert (RES.Solaris_1972, SF.director, RES.Andrei_Tarkovsky) in facts
    assert (RES.Solaris_1972, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), Literal("Solaris (1972)", lang="en")) in {
        tuple(r) for r in engine.sparql("SELECT ?s ?p ?o { ?s ?p ?o FILTER(?s = <https://w3id.org/kgqa/resource/Solaris_1972>) }").rows
    }


def test_jsonl_and_tsv_with_an_explicit_mapping(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "people.tsv").write_text("name\tborn\tcity\nUrsula K. Le Guin\t1929\tBerkeley\n", encoding="utf-8")
    (tmp_path / "people.jsonl").write_text(
        '{"name": "Octavia E. Butler", "born": 1947, "place": {"city": "Pasadena"}}\n\n'
        '{"name": "Iain M. Banks", "born": 1954, "place": {"city": "Dunfermline"}}\n',
        encoding="utf-8",
    )
    tsv_map = tmp_path / "tsv.toml"
    tsv_map.write_text('files = ["*.tsv"]\n[subject]\ncolumn = "name"\nclass = "person"\n[columns]\nborn = "birthYear"\ncity = "birthPlace"\n')
    json_map = tmp_path / "jsonl.toml"
    json_map.write_text('files = ["*.jsonl"]\n[subject]\ncolumn = "name"\nclass = "sf:Person"\n[prefixes]\nsf = "https://w3id.org/kgqa/scifi#"\n'
                        '[columns]\nborn = "birthYear"\n"place.city" = "birthPlace"\n')
    summary = ingest_paths(engine, [tmp_path / "people.tsv", tmp_path / "people.jsonl"], mappings=[tsv_map, json_map])
    assert summary.counts()["ok"] == 2, summary.to_dict()
    rows = engine.sparql(
        "SELECT ?name ?year ?city { ?p <https://w3id.org/kgqa/scifi#birthYear> ?year ; "
        "<https://w3id.org/kgqa/scifi#birthPlace>/<http://www.w3.org/2000/01/rdf-schema#label> ?city ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?year"
    ).to_dicts()
    assert [(r["name"], r["year"], r["city"]) for r in rows] == [
        ("Ursula K. Le Guin", 1929, "Berkeley"), ("Octavia E. Butler", 1947, "Pasadena"), ("Iain M. Banks", 1954, "Dunfermline"),
    ]
    # the range of birthPlace types the cities
    assert engine.sparql("ASK { ?c a <https://w3id.org/kgqa/scifi#City> ; <http://www.w3.org/2000/01/rdf-schema#label> 'Pasadena'@en }")


def test_a_table_without_mapping_is_skipped_with_the_reason(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "orphan.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    item = ingest_paths(engine, [tmp_path / "orphan.csv"]).items[0]
    assert item.status == "skipped" and "no mapping" in item.reason


# -- text ------------------------------------------------------------------------------------------
def test_text_readers_keep_titles_and_emphasis() -> None:
    read = {name: reader_for(SAMPLE / "docs" / name).read(SAMPLE / "docs" / name, None) for name in
            ("andrei_tarkovsky.html", "solaris.md", "andy_weir.txt")}
    html = read["andrei_tarkovsky.html"]
    blocks = list(html.blocks)
    assert html.title == "Andrei Tarkovsky"
    emphasised = [b.text[x:y] for b in blocks for x, y in b.emphasis]
    assert emphasised == ["Solaris", "Stalker"]
    md = read["solaris.md"]
    md_blocks = list(md.blocks)
    assert md.title == "Solaris" and md_blocks[0].heading and not md_blocks[1].heading
    assert not any("#" in b.text for b in md_blocks)
    txt = read["andy_weir.txt"]
    txt_blocks = list(txt.blocks)
    assert txt.title == "Andy Weir" and txt_blocks[1].text.startswith("Andy Weir is an American novelist.")
    # offsets point into the joined text: blocks joined by a blank line
    joined = "\n\n".join(b.text for b in txt_blocks)
    assert all(joined[b.offset : b.offset + len(b.text)] == b.text for b in txt_blocks)


def write_pdf(path: Path, lines: list[str]) -> None:
    """A one-page PDF with ``lines`` in Helvetica (written by hand: no PDF library writes text)."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    content = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({line}) '" for line in escaped) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def test_pdf_reader(tmp_path: Path) -> None:
    pdf = tmp_path / "weir.pdf"
    write_pdf(pdf, ["Andy Weir", "Andy Weir is an American novelist born in 1972."])
    content = reader_for(pdf).read(pdf, None)
    text = " ".join(b.text for b in content.blocks)
    assert "Andy Weir is an American novelist born in 1972." in text
    assert content.title == "Andy Weir"


def test_a_broken_pdf_fails_with_its_name(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    item = ingest_paths(engine, [bad]).items[0]
    assert item.status == "failed" and "broken.pdf" in item.reason


# -- NetworkX ------------------------------------------------------------------------------------------
def test_networkx_graph_is_mapped_onto_the_ontology(engine: Engine) -> None:
    kg = nx.DiGraph(name="sketch")
    kg.add_node("三体", type="novel", description="2008 novel by Liu Cixin")
    kg.add_node("刘慈欣", type="writer")
    kg.add_node("重庆出版社", type="publishing house")
    kg.add_node("地球往事", type="trilogy")
    kg.add_edge("三体", "刘慈欣", relation="author")
    kg.add_edge("三体", "重庆出版社", relation="published by")
    kg.add_edge("三体", "地球往事", relation="part of")
    kg.add_edge("刘慈欣", "地球往事", relation="wrote")  # writer -> series: no property fits either way
    kg.add_node("黑暗森林", type="novel")
    kg.add_edge("刘慈欣", "黑暗森林", relation="wrote")  # only fits author read backwards
    kg.add_node("x", type="spaceship")
    report = engine.ingest_graph(kg)
    assert report.status == "ok"
    assert report.unmapped_types == {"spaceship": 1}
    assert report.unmapped_relations == {"wrote": 1}
    label = lambda name: Literal(name, lang="en")  # noqa: E731
    q = "SELECT ?p ?o { ?s rdfs:label ?sl . ?s ?p ?x . ?x rdfs:label ?o FILTER(?p != rdf:type) } ORDER BY ?p ?o"
    prefix = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    facts = {(str(r["p"]).split("#")[1], r["o"]) for r in engine.sparql(prefix + q, bindings={"sl": label("三体")}).to_dicts()}
    assert facts == {("author", "刘慈欣"), ("publisher", "重庆出版社"), ("partOfSeries", "地球往事")}
    assert engine.sparql(prefix + "ASK { ?b <https://w3id.org/kgqa/scifi#author> ?a . ?b rdfs:label '黑暗森林'@en }")
    assert engine.sparql(prefix + "ASK { ?b rdfs:comment '2008 novel by Liu Cixin' ; a <https://w3id.org/kgqa/scifi#Book> }")
    assert engine.ingest_graph(kg).reason == "unchanged"
    engine.remove("networkx:sketch")
    assert not engine.sparql(prefix + "ASK { ?b rdfs:label '三体'@en }")


# -- registering a reader ----------------------------------------------------------------------------
def test_a_reader_registered_by_name_handles_its_extension(engine: Engine, tmp_path: Path) -> None:
    @register_reader("booklist")
    class BookList(Reader):
        """One book title per line."""

        extensions = (".books",)

        def read(self, path: Path, context: ReadContext) -> RecordsContent:
            def statements():
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    book = EntityRef(line.strip(), (SF.Book,))
                    yield Statement(book, RDF.type, SF.Book, 1.0, "booklist", location=f"line {number}")

            return RecordsContent(statements())

    try:
        (tmp_path / "to-read.books").write_text("Ubik\nThe Dispossessed\n", encoding="utf-8")
        summary = ingest_paths(engine, [tmp_path])
        assert [i.reader for i in summary.items] == ["booklist"] and summary.triples == 2
        assert engine.sparql("ASK { <https://w3id.org/kgqa/resource/The_Dispossessed> a <https://w3id.org/kgqa/scifi#Book> }")
    finally:
        READERS._items.pop("booklist")
