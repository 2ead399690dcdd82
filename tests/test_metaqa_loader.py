"""The MetaQA loader: KB and question files, the entity name <-> IRI map, RDF output."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Literal

from kgqa import Engine
from kgqa.datasets import metaqa
from kgqa.ontology import bundled_ontology

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "metaqa"
needs_data = pytest.mark.skipif(not (SHARED / "kb.txt").is_file(), reason="MetaQA is not at ../shared/metaqa")


def test_kb_lines_and_errors_name_the_line(tmp_path: Path) -> None:
    good = tmp_path / "kb.txt"
    good.write_text("Big|starred_actors|Tom Hanks\nBig|release_year|1988\nBig|starred_actors|Tom Hanks\n")
    assert metaqa.read_kb(good) == [("Big", "starred_actors", "Tom Hanks"), ("Big", "release_year", "1988")]
    bad = tmp_path / "bad.txt"
    bad.write_text("Big|release_year|1988\nBig|produced_by|Someone\n")
    with pytest.raises(metaqa.MetaQAError, match=r"bad.txt:2: unknown relation 'produced_by'"):
        metaqa.read_kb(bad)
    bad.write_text("Big|release_year\n")
    with pytest.raises(metaqa.MetaQAError, match=r"bad.txt:1: expected head\|relation\|tail"):
        metaqa.read_kb(bad)
    with pytest.raises(metaqa.MetaQAError, match="no such file"):
        metaqa.read_kb(tmp_path / "missing.txt")


def test_question_lines(tmp_path: Path) -> None:
    path = tmp_path / "qa_dev.txt"
    path.write_text("what movies did [Tom Hanks] act in\tBig|Cast Away\nno topic here\tBig\n")
    with pytest.raises(metaqa.MetaQAError, match=r"qa_dev.txt:2: expected 'question with \[topic\]"):
        metaqa.read_questions(path, 1)
    q = metaqa.parse_question_line("who directed [Big]\tPenny Marshall", 1)
    assert (q.topic, q.answers, q.masked(), q.plain()) == ("Big", ("Penny Marshall",), "who directed NE", "who directed Big")


def test_entity_names_are_injective_and_stable() -> None:
    names = metaqa.EntityNames(["Tom Hanks", "tom hanks", "Tom-Hanks", "Big", "1988"])
    iris = {names.iri(n) for n in names.names()}
    assert len(iris) == 5
    assert str(names.iri("Big")).endswith("/Big")
    assert all(names.name(names.iri(n)) == n for n in names.names())
    # The same collection in another order gives the same IRIs.
    again = metaqa.EntityNames(["1988", "Big", "Tom-Hanks", "tom hanks", "Tom Hanks"])
    assert all(again.iri(n) == names.iri(n) for n in names.names())
    with pytest.raises(metaqa.MetaQAError, match="unknown MetaQA entity"):
        names.iri("Splash")


def test_kb_becomes_rdf_with_labels_and_types(tmp_path: Path) -> None:
    triples = [("Big", "starred_actors", "Tom Hanks"), ("Big", "has_tags", "tom hanks"), ("Big", "release_year", "1988")]
    names = metaqa.EntityNames(["Big", "Tom Hanks", "tom hanks", "1988", "Lost Entity"])
    metaqa.kb_to_ntriples(triples, names, tmp_path / "kb.nt")
    engine = Engine.init(tmp_path / "project", ontologies=[bundled_ontology("movies.ttl")])
    engine.load([tmp_path / "kb.nt"])
    hanks, tag = names.iri("Tom Hanks"), names.iri("tom hanks")
    assert engine.sparql("ASK { ?m ?p ?o }", bindings={"m": names.iri("Big"), "p": metaqa.MV.starredActors, "o": hanks})
    labels = engine.sparql(f"SELECT ?e ?l {{ ?e <{RDFS.label}> ?l }}").rows
    assert (tag, Literal("tom hanks")) in labels and (names.iri("Lost Entity"), Literal("Lost Entity")) in labels
    types = set(engine.sparql(f"SELECT ?e ?c {{ ?e <{RDF.type}> ?c }}").rows)
    assert {(hanks, metaqa.MV.Person), (tag, metaqa.MV.Tag), (names.iri("Big"), metaqa.MV.Movie)} <= types
    assert (names.iri("1988"), metaqa.MV.Year) in types
    engine.close()


@needs_data
def test_shared_dev_split_counts_and_heldout() -> None:
    dev = metaqa.read_split(SHARED, "dev")
    assert {h: len(qs) for h, qs in dev.items()} == {1: 9992, 2: 14872, 3: 14274}
    share = sum(metaqa.heldout(q) for q in dev[2]) / len(dev[2])
    assert 0.18 < share < 0.22
    assert [metaqa.heldout(q) for q in dev[1][:50]] == [metaqa.heldout(q) for q in metaqa.read_split(SHARED, "dev", [1])[1][:50]]
