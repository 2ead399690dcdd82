"""Sessions over the real pipeline on the sample graph: clarify, reply, answer, follow up, reopen.

The translator is trained once per test session with small settings
(``tests/test_qa_support.py``); the policy is the one shipped with kgqa.
"""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from kgqa import Engine
from kgqa.answer.context import translator_dir
from kgqa.dialogue import Clarification
from kgqa.dialogue.session import NoPendingClarification
from kgqa.ontology import bundled_ontology
from kgqa.server.app import create_app
from test_qa_support import SAMPLE_GRAPH, TEST_CONFIG, answering_engine, trained_translator

R = "https://w3id.org/kgqa/resource/"
DIRECTORS = {"Solaris_1972": "Andrei Tarkovsky", "Solaris_2002": "Steven Soderbergh"}


@pytest.fixture(scope="module")
def engine():
    engine = answering_engine("sample")
    yield engine
    engine.close()


def iris(answer) -> list[str]:
    return [a.iri for a in answer.answers]


def test_ambiguous_label_gets_a_clarification_naming_the_right_entities(engine):
    response = engine.session().ask("Who directed Solaris?")
    assert isinstance(response, Clarification) and response.kind == "entity"
    assert [o.key for o in response.options] == [R + "Solaris_1972", R + "Solaris_2002"]
    assert "1972 film directed by Andrei Tarkovsky" in response.text
    assert "2002 film directed by Steven Soderbergh" in response.text


@pytest.mark.parametrize(
    ("reply", "film"),
    [
        ("Solaris (2002)", "Solaris_2002"),  # by label
        ("the one by Tarkovsky", "Solaris_1972"),  # by a distinguishing fact
        ("the 2002 one", "Solaris_2002"),
        (1, "Solaris_1972"),  # by index
        ("the second one", "Solaris_2002"),
    ],
)
def test_reply_resolves_and_answers(engine, reply, film):
    session = engine.session()
    assert isinstance(session.ask("Who directed Solaris?"), Clarification)
    answer = session.reply(reply)
    assert not isinstance(answer, Clarification)
    assert answer.labels() == [DIRECTORS[film]]
    assert session.pending is None
    assert [t["kind"] for t in session.history()] == ["question", "clarification", "reply", "answer"]


def test_clean_question_is_answered_without_clarification(engine):
    session = engine.session()
    answer = session.ask("Who wrote The Three-Body Problem?")
    assert not isinstance(answer, Clarification)
    assert answer.labels() == ["Liu Cixin"]
    with pytest.raises(NoPendingClarification):
        session.reply("the first one")


def test_a_name_that_only_one_namesake_fits_is_not_asked_about(engine):
    answer = engine.session().ask("Who wrote Solaris?")  # the films have no author
    assert not isinstance(answer, Clarification)
    assert iris(answer) == [R + "Stanis_aw_Lem"]


def test_follow_up_refers_to_the_previous_answer(engine):
    session = engine.session()
    assert session.ask("Who wrote Solaris?").labels() == ["Stanisław Lem"]
    published = session.ask("And when was it published?")
    assert not isinstance(published, Clarification)
    assert [a.label for a in published.answers] == ["1961"]
    born = session.ask("Where was he born?")
    assert born.labels() == ["Lviv"]


def test_session_survives_reopening_the_engine(tmp_path):
    project = tmp_path / ".kgqa"
    engine = Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")], config=TEST_CONFIG)
    engine.load([SAMPLE_GRAPH])
    shutil.copytree(trained_translator("sample"), translator_dir(engine))
    session = engine.session()
    assert isinstance(session.ask("Who directed Solaris?"), Clarification)
    sid = session.id
    engine.close()
    reopened = Engine.open(project)
    try:
        session = reopened.session(sid)
        assert session.pending is not None and session.pending.kind == "entity"
        assert session.reply("the 2002 one").labels() == ["Steven Soderbergh"]
        assert len(session.history()) == 4
    finally:
        reopened.close()


def test_http_session_api(engine):
    client = TestClient(create_app(engine))
    sid = client.post("/sessions").json()["id"]
    asked = client.post(f"/sessions/{sid}/ask", json={"question": "Who directed Solaris?"}).json()
    assert asked["type"] == "clarification" and [o["number"] for o in asked["options"]] == [1, 2]
    replied = client.post(f"/sessions/{sid}/reply", json={"option": 2}).json()
    assert replied["type"] == "answer" and [a["label"] for a in replied["answers"]] == ["Steven Soderbergh"]
    state = client.get(f"/sessions/{sid}").json()
    assert state["pending"] is None and len(state["turns"]) == 4
    assert client.post(f"/sessions/{sid}/reply", json={"reply": "the first"}).status_code == 400
    assert client.get("/sessions/nope").status_code == 404


@pytest.fixture(scope="module")
def companies():
    engine = answering_engine("companies")
    yield engine
    engine.close()


@pytest.mark.parametrize(
    ("first", "follow_up", "expected"),
    [
        ("Where was Bill Gates born?", "What was founded by him?", ["Microsoft"]),  # "him" is no city
        ("Who is the CEO of Tesla?", "What was founded by him?", ["SpaceX"]),  # the answer, not the topic
        ("Where was Elon Musk born?", "And what was founded by him?", ["SpaceX"]),  # an opening "and"
        ("Where is Nintendo headquartered?", "Which companies are headquartered there?", ["Nintendo"]),  # "there"
    ],
)
def test_a_follow_up_means_the_referent_it_can_be_answered_for(companies, first, follow_up, expected):
    session = companies.session()
    session.ask(first)
    reply = session.ask(follow_up)
    assert not isinstance(reply, Clarification)
    assert reply.labels() == expected
