"""Rule-based completion: mining, calibration, empty slots, and an answer resting on a rule link."""

from __future__ import annotations

import pytest
from rdflib import RDF, URIRef

from kgqa import Engine
from kgqa.answer import ask
from kgqa.complete.rules import PathIndex, RuleSet
from kgqa.namespaces import INFERRED_GRAPH, KGQA, RES, SF
from test_qa_support import SAMPLE_GRAPH, answering_engine


def series_graph(books: int = 12, published: int = 11) -> list[tuple[str, str, str]]:
    """Books in series of two; each series has one publisher; the last books lack theirs."""
    kb = [(f"b{i}", "series", f"s{i // 2}") for i in range(books)]
    kb += [(f"b{i}", "author", f"a{i % 3}") for i in range(books)]
    kb += [(f"b{i}", "publisher", f"p{i // 2}") for i in range(published)]
    return kb


def test_bodies_never_return_to_the_anchor() -> None:
    index = PathIndex([("x", "r", "y"), ("y", "r", "z")])
    bodies = index.bodies("x", 3)
    assert bodies[(("r", False), ("r", False))] == {"z"}
    # x -> y -> x is not a path: no rule may restate the fact it predicts.
    assert (("r", False), ("r", True)) not in bodies
    assert all("x" not in ends for ends in bodies.values())


def test_mined_rule_has_its_pca_confidence_and_support() -> None:
    rules = RuleSet.mine(series_graph(), min_support=2)
    best = rules.rules[("publisher", False)][0]
    assert best.body == (("series", False), ("series", True), ("publisher", False))
    # b0..b9 each reach their sibling's publisher, which is theirs; b10's sibling b11 has none.
    assert (best.support, best.confidence) == (10, 1.0)
    # No body starts with the head step (it would only restate the anchor's own facts).
    assert all(rule.body[0] != rule.head for rs in rules.rules.values() for rule in rs)
    # Rules predict forward steps only.
    assert all(not head[1] for head in rules.rules)


def test_links_fill_empty_slots_only_and_respect_domains_and_min_facts() -> None:
    rules = RuleSet.mine(series_graph(), min_support=2)
    links = rules.links()
    assert [(x.head, x.relation, x.tail) for x in links] == [("b11", "publisher", "p5")]
    link = links[0]
    assert link.confidence == pytest.approx(11 / 12)  # 10 right of 10 at score 1.0, Laplace
    assert link.rule.head == ("publisher", False) and "series^-1" in str(link.rule)
    assert rules.links(domains={"publisher": {"b0", "b1"}}) == []  # b11 may not have a publisher
    assert rules.links(min_facts=3) == []  # b11 is known by two facts only
    assert rules.links(target_precision=0.95) == []


def test_a_step_whose_rules_are_not_precise_enough_gets_no_threshold() -> None:
    # Publishers follow nothing: each book's publisher is random with respect to series and authors.
    kb = [(f"b{i}", "series", f"s{i // 2}") for i in range(40)]
    kb += [(f"b{i}", "publisher", f"p{(i * 7) % 5}") for i in range(39)]
    rules = RuleSet.mine(kb, min_support=2)
    calibration = rules.calibration.get(("publisher", False))
    assert calibration is None or calibration.threshold is None
    assert rules.links() == []


def test_single_valued_relations_get_one_value_per_slot() -> None:
    # Two rules disagree about b11's publisher; every book has one, so b11 gets one.
    kb = series_graph()
    kb += [("b11", "series", "s0")]
    rules = RuleSet.mine(kb, min_support=2)
    tails = [x.tail for x in rules.links() if x.head == "b11"]
    assert len(tails) == 1


@pytest.fixture(scope="module")
def completed() -> Engine:
    engine = answering_engine("sample")
    report = engine.complete(model="DistMult", epochs=5, embedding_dim=8, threads=1, progress=False)
    engine.report = report  # type: ignore[attr-defined]
    yield engine
    engine.close()


def test_complete_writes_rule_links_with_their_rule_and_run(completed: Engine) -> None:
    report = completed.report  # type: ignore[attr-defined]
    assert report.rules > 0 and report.rule_predictions == sum(report.rule_predictions_by_relation.values()) > 0
    rows = completed.sparql(
        f"""SELECT ?c ?rule ?model WHERE {{ GRAPH <{INFERRED_GRAPH}> {{
          ?p a <{KGQA.Prediction}> ; <{RDF.subject}> <{RES.His_Master_s_Voice}> ;
             <{RDF.predicate}> <{SF.originalLanguage}> ; <{RDF.object}> ?o ; <{KGQA.confidence}> ?c ;
             <{KGQA.rule}> ?rule ; <{KGQA.inferredBy}> ?run . ?run <{KGQA.modelName}> ?model }} }}"""
    ).to_dicts()
    assert len(rows) == 1 and rows[0]["model"] == "rules" and rows[0]["c"] >= 0.8
    assert rows[0]["rule"].startswith("originalLanguage <- ")
    assert (report.directory / "rules.json").is_file()
    # No asserted slot is filled: every rule link's subject lacked that property.
    for s, p in completed.sparql(
        f"SELECT ?s ?p {{ GRAPH <{INFERRED_GRAPH}> {{ ?x <{KGQA.rule}> ?r ; <{RDF.subject}> ?s ; <{RDF.predicate}> ?p }} }}"
    ).rows:
        assert not completed.sparql(
            f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}>) }}", bindings={"s": s, "p": p}
        ).value


def test_an_answer_resting_on_a_rule_link_says_so(completed: Engine) -> None:
    question = "What is the original language of His Master's Voice?"
    assert not ask(completed, question, use_inferred=False).answered
    answer = ask(completed, question)
    assert {URIRef(a.iri) for a in answer.answers} == {RES.Polish} and answer.inferred
    fact = answer.facts[0]
    assert fact.inferred and fact.confidence >= 0.8 and fact.source.endswith("-rules")
    assert fact.to_dict()["rule"].startswith("originalLanguage <- ")
    assert "inferred" in answer.text


def test_rules_can_be_turned_off(tmp_path) -> None:
    from kgqa.ontology import bundled_ontology

    engine = Engine.init(tmp_path / ".kgqa", ontologies=[bundled_ontology("scifi.ttl")])
    try:
        engine.load([SAMPLE_GRAPH])
        report = engine.complete(model="DistMult", epochs=5, embedding_dim=8, threads=1, rules=False, progress=False)
        assert (report.rules, report.rule_predictions) == (0, 0)
        assert not engine.sparql(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?p <{KGQA.rule}> ?r }} }}").value
        assert not (report.directory / "rules.json").exists()
    finally:
        engine.close()
