"""Question answering end to end on the sample graph, with a translator trained on it."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

import pytest
from rdflib import RDF, URIRef

from kgqa import Engine
from kgqa.answer import Answer, ask
from kgqa.answer.context import translator_dir
from kgqa.complete.graph import prediction_quads, write_inferred
from kgqa.complete.predict import Prediction
from kgqa.namespaces import INFERRED_GRAPH, RES, SF
from kgqa.translate.model import Translator
from test_qa_support import answering_engine, trained_translator


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = answering_engine("sample")
    yield engine
    engine.close()


def iris(answer: Answer) -> set[URIRef]:
    return {URIRef(a.iri) for a in answer.answers if a.iri}


@pytest.mark.parametrize(
    ("question", "form", "expected"),
    [
        ("Who wrote Solaris?", "select", {RES.Stanis_aw_Lem}),
        ("Which books did Liu Cixin write?", "select", {RES.The_Three_Body_Problem, RES.The_Dark_Forest, RES.Death_s_End}),
        ("Where was the author of Solaris born?", "select", {RES.Lviv}),
        ("In which country was the author of The Three-Body Problem born?", "select", {RES.China}),
        ("Which books by Isaac Asimov were published after 1950?", "select",
         {RES.Foundation, RES.Foundation_and_Empire, RES.Second_Foundation, RES.Foundation_s_Edge, RES.The_Caves_of_Steel,
          RES.The_Gods_Themselves}),
        ("Which films were released after 2010?", "select", {RES.Dune_2021, RES.Dune_Part_Two, RES.The_Martian_2015, RES.Ender_s_Game_2013}),
        ("Which books published by Tor Books won the Hugo Award for Best Novel?", "select",
         {RES.Ender_s_Game, RES.Speaker_for_the_Dead, RES.The_Three_Body_Problem}),
    ],
)
def test_entity_answers(engine: Engine, question: str, form: str, expected: set[URIRef]) -> None:
    answer = ask(engine, question)
    assert answer.form == form
    assert iris(answer) == expected, (answer.structure, answer.readings)
    assert answer.sparql and answer.structure is not None and answer.facts
    assert answer.text and answer.confidence > 0


def test_literal_count_and_yes_no_answers(engine: Engine) -> None:
    year = ask(engine, "When was Dune first published?")
    assert [a.value for a in year.answers] == [1965] and year.answers[0].iri is None
    count = ask(engine, "How many films are based on Dune?")
    assert (count.form, count.count) == ("count", 3)
    yes = ask(engine, "Did Stanisław Lem write The Cyberiad?")
    assert (yes.form, yes.boolean) == ("ask", True) and yes.text.startswith("Yes")
    no = ask(engine, "Is Lviv in Poland?")
    assert (no.form, no.boolean) == ("ask", False) and no.text.startswith("No") and "Ukraine" in no.text
    born = ask(engine, "Was Isaac Asimov born in 1920?")
    assert (born.form, born.boolean) == ("ask", True)


def test_questions_without_answers(engine: Engine) -> None:
    unknown = ask(engine, "Who wrote Snow Crash?")
    assert not unknown.answered and unknown.form == "none" and unknown.sparql is None
    assert unknown.text == "I could not find who wrote Snow Crash."
    missing = ask(engine, "Where was Isaac Asimov born?", use_inferred=False)
    assert missing.structure is not None and missing.structure.hops[0].property == SF.birthPlace
    assert not missing.answered and missing.text.startswith("I could not find")


def test_shared_label_answers_for_every_fitting_entity_and_keeps_alternatives(engine: Engine) -> None:
    answer = ask(engine, "Who directed Solaris?")
    assert iris(answer) == {RES.Andrei_Tarkovsky, RES.Steven_Soderbergh}
    topic = next(m for m in answer.linked if m.role == "topic")
    assert set(topic.chosen) == {str(RES.Solaris_1972), str(RES.Solaris_2002)} and topic.ambiguous
    assert {c.iri for c in topic.candidates} == {str(RES.Solaris), str(RES.Solaris_1972), str(RES.Solaris_2002)}
    book = next(c for c in topic.candidates if c.iri == str(RES.Solaris))
    assert book.fits is False and topic.margin < 0.5
    assert "Solaris (1972)" in answer.text and "Solaris (2002)" in answer.text  # same-named works told apart
    films = ask(engine, "Which films are based on Dune?")
    assert sorted(films.labels()) == ["Dune (1984)", "Dune (2021)", "Dune: Part Two"]
    one = ask(engine, "Who directed the 1972 film Solaris?")
    assert iris(one) == {RES.Andrei_Tarkovsky} and not next(m for m in one.linked if m.role == "topic").ambiguous


def test_quotes_around_a_name_change_nothing(engine: Engine) -> None:
    plain = ask(engine, "Who wrote Solaris?")
    for question in ('Who wrote "Solaris"?', "Who wrote 'Solaris'?", "Who wrote “Solaris”?"):
        assert ask(engine, question).sparql == plain.sparql


@pytest.mark.parametrize(
    "question",
    [
        'Who wrote "Solaris } } ; DROP ALL ; INSERT DATA { <a> <b> <c> }"?',
        "Who wrote Solaris ?topic } UNION { ?s ?p ?o } #",
        "Who wrote Solaris'); DELETE WHERE { ?s ?p ?o } --",
    ],
)
def test_sparql_syntax_in_the_question_never_reaches_the_query(engine: Engine, question: str) -> None:
    before = engine.store.count()
    answer = ask(engine, question)
    assert engine.store.count() == before
    # The query is the structure's own text with bound terms, whatever the question said.
    topic = next(m for m in answer.linked if m.role == "topic")
    assert topic.surface == "Solaris"
    bindings = {"topic": [URIRef(i) for i in topic.chosen]}
    assert answer.sparql == answer.structure.render(bindings, asserted_only=True, exclude_topic=False)
    for fragment in ("DROP", "DELETE", "UNION", "INSERT", "?s ?p ?o", "--"):
        assert fragment not in answer.sparql


def test_answer_is_json_with_timings_facts_and_provenance(engine: Engine) -> None:
    answer = ask(engine, "Where was the author of Solaris born?")
    data = json.loads(answer.to_json())
    assert data["structure"] == answer.structure.signature()
    assert {"link", "encode", "rank", "translate", "bind", "execute", "facts", "verbalize"} <= set(data["timings_ms"])
    said = {(f["subject_label"], f["object_label"]) for f in data["facts"]}
    assert {("Solaris", "Stanisław Lem"), ("Stanisław Lem", "Lviv")} <= said
    assert all(f["kind"] == "asserted" and f["source"] == "urn:kgqa:graph:facts" for f in data["facts"])
    assert data["linked"][0]["role"] == "topic" and "margin" in data["linked"][0]
    assert data["readings"][0]["chosen"] is True


def test_inferred_links_answer_when_asserted_facts_do_not(engine: Engine) -> None:
    now = datetime.now(timezone.utc)
    link = Prediction(str(RES.Isaac_Asimov), str(SF.birthPlace), str(RES.New_York_City), 3.2, 0.81)
    write_inferred(engine.store, prediction_quads([link], run_id="test-run", model_name="TransE", started=now, ended=now))
    try:
        answer = ask(engine, "Where was Isaac Asimov born?")
        assert iris(answer) == {RES.New_York_City} and answer.inferred
        assert answer.answers[0].inferred and answer.answers[0].confidence == pytest.approx(0.81)
        fact = answer.facts[0]
        assert fact.inferred and fact.confidence == pytest.approx(0.81) and fact.source == "urn:kgqa:run:test-run"
        assert "inferred" in answer.text
        assert answer.confidence <= 0.81
        assert not ask(engine, "Where was Isaac Asimov born?", use_inferred=False).answered
        # Asserted facts win: questions they answer never look at the inferred graph.
        assert not ask(engine, "Where was Frank Herbert born?").inferred
    finally:
        engine.store.drop_graph(INFERRED_GRAPH)


def test_saved_and_reloaded_translator_gives_the_same_answers(tmp_path) -> None:  # noqa: ANN001
    questions = ["Who wrote Solaris?", "How many films are based on Dune?", "Which films did Andrei Tarkovsky direct?",
                 "Is Neuromancer part of the Sprawl trilogy?"]
    first = answering_engine("sample")
    before = [(a.sparql, a.labels(), a.count, a.boolean) for a in (ask(first, q) for q in questions)]
    Translator.load(trained_translator("sample")).save(tmp_path / "copy")
    second = answering_engine("sample")
    shutil.rmtree(translator_dir(second))
    shutil.copytree(tmp_path / "copy", translator_dir(second))
    after = [(a.sparql, a.labels(), a.count, a.boolean) for a in (ask(second, q) for q in questions)]
    assert after == before
    first.close()
    second.close()


def test_facts_from_ingested_documents_say_how_they_were_read(tmp_path) -> None:
    from kgqa.ontology import bundled_ontology

    docs = tmp_path / "docs"
    (docs / "mappings").mkdir(parents=True)
    (docs / "mappings" / "books.toml").write_text(
        'files = ["*.csv"]\n[subject]\ncolumn = "title"\nclass = "book"\n[columns]\nauthor = "author"\n', encoding="utf-8"
    )
    (docs / "books.csv").write_text("title,author\nSolaris,Stanisław Lem\n", encoding="utf-8")
    (docs / "lem.md").write_text("Stanisław Lem was a Polish writer. Lem was born in Lviv in 1921.\n", encoding="utf-8")
    engine = Engine.init(tmp_path / ".kgqa", ontologies=[bundled_ontology("scifi.ttl")])
    engine.ingest([docs])
    shutil.copytree(trained_translator("sample"), translator_dir(engine))

    (wrote,) = ask(engine, "Who wrote Solaris?").facts
    assert wrote.confidence == 1.0 and wrote.extra["extractor"] == "mapping:books" and wrote.extra["location"] == "line 2"
    assert wrote.source.endswith("books.csv")
    born = next(f for f in ask(engine, "Where was Stanisław Lem born?").facts if f.object_label == "Lviv")
    assert born.extra["extractor"] == "ontology" and born.extra["location"].startswith("chars ")
    assert 0 < born.confidence < 1 and born.source.endswith("lem.md") and not born.inferred
    engine.close()


@pytest.mark.parametrize(("question", "form"), [("How many films are there?", "count"), ("List all films.", "select")])
def test_the_members_of_a_class(engine: Engine, question: str, form: str) -> None:
    films = {row[0] for row in engine.sparql(f"SELECT DISTINCT ?f {{ ?f a <{SF.Film}> }}").rows}
    answer = ask(engine, question)
    assert answer.form == form and answer.structure is not None and answer.structure.is_class_listing
    if form == "count":
        assert answer.count == len(films)
    else:
        assert iris(answer) == films
    assert answer.text.startswith(f"There are {len(films)} films: ")
    assert {f.predicate for f in answer.facts} == {RDF.type} and len(answer.facts) == len(films)


@pytest.mark.parametrize(
    "question", ["Which books did Douglas Adams write?", "which books did douglas adams write", "Which films did Akira Kurosawa direct?"]
)
def test_a_question_about_a_missing_entity_is_no_class_listing(engine: Engine, question: str) -> None:
    answer = ask(engine, question)
    assert answer.form == "none" and not answer.answers and answer.text.startswith("I could not find")
