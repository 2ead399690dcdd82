"""Generality: a domain written for the tests (companies) gets a working translator from its graph alone."""

from __future__ import annotations

from rdflib import URIRef

from kgqa.answer import ask
from kgqa.answer.context import qa_context
from kgqa.bench.qa import is_correct, read_gold
from test_qa_support import COMPANIES, answering_engine, trained_translator


def test_translator_trained_on_the_companies_graph_answers_its_gold_questions() -> None:
    engine = answering_engine("companies")
    labels = qa_context(engine).linker.index.labels
    results = []
    for gold in read_gold(COMPANIES / "questions.tsv"):
        answer = ask(engine, gold.question)
        results.append((gold, answer, is_correct(answer, gold, labels)))
    wrong = [(g.question, g.answers, a.labels() or a.count or a.boolean, a.structure) for g, a, ok in results if not ok]
    accuracy = 1 - len(wrong) / len(results)
    assert len(results) >= 20 and {g.kind for g, _, _ in results} >= {"1hop", "2hop", "count", "ask", "filter", "reverse", "none"}
    assert accuracy >= 0.8, wrong
    engine.close()


def test_the_companies_translator_knows_only_its_own_vocabulary() -> None:
    from kgqa.translate.model import Translator

    translator = Translator.load(trained_translator("companies"))
    used = {p for label in translator.labels for p in label.split("|")}
    assert any("https://example.org/companies#founder" in p for p in used)
    assert not any("scifi" in p for p in used)
    assert all(URIRef(c).startswith("https://example.org/companies#") for c in translator.classes[1:])
