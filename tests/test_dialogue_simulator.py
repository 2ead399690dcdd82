"""The user simulator, the synthetic graph, episodes and the session store (no translator needed)."""

from __future__ import annotations

import random

import pytest
from rdflib import RDFS, URIRef

from kgqa.dialogue.clarify import entity_clarification
from kgqa.dialogue.episodes import Case, run_episode
from kgqa.dialogue.followup import is_follow_up, referents, with_referent
from kgqa.dialogue.observe import build_observation
from kgqa.dialogue.resolve import resolve_reply
from kgqa.dialogue.simulator import KINDS, SimulatedUser, simulate_questions
from kgqa.dialogue.state import DialogueState
from kgqa.dialogue.storage import SessionStore
from kgqa.dialogue.synthetic import synthetic_graph
from kgqa.linking.labels import fold
from kgqa.policy.strategies import strategies
from kgqa.translate import QueryStructure
from test_dialogue_support import R, engine  # noqa: F401 - engine is the shared fixture


def test_questions_of_every_kind_with_true_answers(engine):
    questions = simulate_questions(engine, n=200, seed=4)
    assert {q.kind for q in questions} == set(KINDS)
    for q in questions:
        if q.kind == "unanswerable":
            assert q.answers == ()
            continue
        structure = QueryStructure.from_signature(q.signature)
        result = engine.sparql(structure.to_sparql(), bindings={"topic": URIRef(q.topic)})
        assert sorted(str(row[0]) for row in result.rows) == list(q.answers), q
    ambiguous = [q for q in questions if q.kind == "ambiguous"]
    assert ambiguous and all(fold(q.question).count("solaris") or fold(q.question).count("dune") for q in ambiguous)


def test_train_and_heldout_entities_do_not_overlap(engine):
    train = {q.topic for q in simulate_questions(engine, n=300, seed=1, split="train") if q.topic}
    heldout = {q.topic for q in simulate_questions(engine, n=300, seed=1, split="heldout") if q.topic}
    assert train and heldout and not train & heldout
    # Both sides get a shared label: Solaris and Dune are dealt out, not hashed together.
    kinds = [{q.kind for q in simulate_questions(engine, n=300, seed=1, split=s)} for s in ("train", "heldout")]
    assert all("ambiguous" in k for k in kinds)


def test_synthetic_graph_shares_labels_across_and_within_classes(engine):
    g = synthetic_graph(engine.ontology, seed=5, entities_per_class=8, shared_groups=20)
    by_label: dict[str, set] = {}
    for s, label in g.subject_objects(RDFS.label):
        by_label.setdefault(str(label), set()).add(s)
    shared = [iris for iris in by_label.values() if len(iris) > 1]
    assert len(shared) >= 10
    for s, p, o in g:
        prop = engine.ontology.properties.get(p)
        if prop is not None and prop.domain is not None:
            types = set(g.objects(s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
            assert any(engine.ontology.is_a(t, prop.domain) for t in types)


def test_simulated_user_replies_truthfully_and_sometimes_vaguely(engine):
    candidates = [(R + "Solaris", 1.0), (R + "Solaris_1972", 1.0), (R + "Solaris_2002", 1.0)]
    obs = build_observation(engine, "What is the original language of Solaris?", "Solaris", candidates,
                            [(QueryStructure.from_signature("select|https://w3id.org/kgqa/scifi#originalLanguage"), 0.9)])
    c = entity_clarification(DialogueState.start(obs))
    honest = SimulatedUser(random.Random(2), vague_rate=0.0)
    for target in (1, 2, 3):
        for _ in range(15):
            reply = honest.reply(c, c.options[target - 1].key)
            assert resolve_reply(reply, c).chosen == (target,), reply
    vague = SimulatedUser(random.Random(3), vague_rate=1.0)
    replies = [resolve_reply(vague.reply(c, c.options[1].key), c) for _ in range(20)]
    assert all(not r.resolved for r in replies)
    assert any(r.chosen == (2, 3) for r in replies)  # "the film": both films, truthfully


def test_episode_rewards(engine):
    candidates = [(R + "Solaris_1972", 1.0), (R + "Solaris_2002", 1.0)]
    obs = build_observation(engine, "Who directed Solaris?", "Solaris", candidates,
                            [(QueryStructure.from_signature("select|https://w3id.org/kgqa/scifi#director"), 0.9)])
    from kgqa.dialogue.simulator import SimQuestion

    case = Case(SimQuestion("Who directed Solaris?", "ambiguous", R + "Solaris_2002", obs.readings[0].signature,
                            (R + "Steven_Soderbergh",)), obs)
    user = SimulatedUser(random.Random(0), vague_rate=0.0)
    asked = run_episode(case, strategies.get("clarify_when_ambiguous")(), user, clarify_cost=0.25)
    assert (asked.reward, asked.correct, asked.clarifications) == (0.75, True, 1)
    answered = run_episode(case, strategies.get("always_answer")(), user, clarify_cost=0.25)
    assert (answered.reward, answered.correct) == (-1.0, False)  # both directors: not what was asked


def test_follow_up_helpers():
    assert is_follow_up("and when was it published?") and not is_follow_up("When was Dune published?")
    assert referents({"topic": "t", "answers": ["a"]}, "when was it published?")[0] == ("t", 1.0)
    assert referents({"topic": "t", "answers": ["a"]}, "where was she born?")[0] == ("a", 1.0)
    assert with_referent("where was she born?", "Ursula K. Le Guin") == "where was Ursula K. Le Guin born?"


def test_session_store_keeps_turns_context_and_pending(tmp_path):
    store = SessionStore(tmp_path / "sessions.sqlite")
    sid = store.create()
    assert store.add_turn(sid, "user", "question", "Who directed Solaris?") == 1
    assert store.add_turn(sid, "system", "clarification", "Which Solaris?", {"options": [1, 2]}) == 2
    store.set_pending(sid, {"question": "Who directed Solaris?"})
    store.set_context(sid, {"topic": R + "Solaris"})
    store.close()
    again = SessionStore(tmp_path / "sessions.sqlite")
    assert [t["kind"] for t in again.turns(sid)] == ["question", "clarification"]
    assert again.turns(sid)[1]["data"] == {"options": [1, 2]}
    assert again.pending(sid) == {"question": "Who directed Solaris?"}
    assert again.context(sid) == {"topic": R + "Solaris"}
    again.set_pending(sid, None)
    assert again.pending(sid) is None and again.list()[0]["turns"] == 2
