"""The policy network, its files, the baselines and REINFORCE on dialogues over the sample graph.

The cases here come from a synthetic graph with many shared labels: linking
candidates from the real label index, the intended reading executed on the real
store; the translator is left out (its readings are the simulator's), so the test
isolates what the policy has to learn.
"""

from __future__ import annotations

import json

import pytest
from rdflib import URIRef

from kgqa import Engine
from kgqa.dialogue.episodes import Case, evaluate
from kgqa.dialogue.observe import build_observation
from kgqa.dialogue.simulator import simulate_questions
from kgqa.dialogue.synthetic import synthetic_graph
from kgqa.linking.labels import LabelIndex
from kgqa.namespaces import DEFAULT_FACTS_GRAPH
from kgqa.ontology import bundled_ontology
from kgqa.policy.network import PolicyError, PolicyNetwork, load_policy, save_policy
from kgqa.policy.reinforce import TrainSettings, plot_curve, train_reinforce
from kgqa.policy.strategies import LearnedPolicy, strategies
from kgqa.translate import QueryStructure


@pytest.fixture(scope="module")
def cases():
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    graph = synthetic_graph(engine.ontology, seed=7, entities_per_class=10, shared_groups=40)
    engine.store.replace_graph(DEFAULT_FACTS_GRAPH, ((s, p, o, DEFAULT_FACTS_GRAPH) for s, p, o in graph))
    index = LabelIndex.from_store(engine.store)
    questions = simulate_questions(engine, n=120, seed=3, mix={"clean": 0.6, "ambiguous": 0.4})
    out = []
    for q in questions:
        label = index.label(URIRef(q.topic))
        candidates = [(str(c.iri), 1.0) for c in index.lookup(label)]
        obs = build_observation(engine, q.question, label, candidates, [(QueryStructure.from_signature(q.signature), 0.9)])
        out.append(Case(q, obs))
    engine.close()
    return out


def test_save_and_load_round_trip(tmp_path):
    net = PolicyNetwork(hidden=8)
    path = save_policy(net, tmp_path / "p.pt", {"note": "test"})
    loaded, meta = load_policy(path)
    assert meta["note"] == "test" and meta["hidden"] == 8
    meta["features"] = meta["features"][:-1]
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(PolicyError, match="other state features"):
        load_policy(path)
    with pytest.raises(PolicyError, match="no policy there"):
        load_policy(tmp_path / "missing.pt")


def test_baselines_behave_as_named(cases):
    kinds = {c.question.kind for c in cases}
    assert kinds == {"clean", "ambiguous"}
    answer = evaluate(cases, strategies.get("always_answer")(), clarify_cost=0.15)
    ask = evaluate(cases, strategies.get("clarify_when_ambiguous")(), clarify_cost=0.15)
    assert answer["clarify_rate_ambiguous"] == 0.0 and answer["turns"] == 1.0
    assert ask["clarify_rate_ambiguous"] == 1.0
    assert ask["accuracy_ambiguous"] > answer["accuracy_ambiguous"]


def test_reinforce_learns_to_clarify_only_when_it_pays(cases, tmp_path):
    train, dev = cases[::2], cases[1::2]
    result = train_reinforce(train, dev, TrainSettings(iterations=80, batch_size=32, eval_every=20, seed=1), progress=False)
    policy = LearnedPolicy(network=result.network)
    figures = evaluate(dev, policy, clarify_cost=0.15, seed=5)
    always = evaluate(dev, strategies.get("always_answer")(), clarify_cost=0.15, seed=5)
    assert figures["reward"] > always["reward"] + 0.1
    assert figures["clarify_rate_clean"] < 0.1
    assert figures["clarify_rate_ambiguous"] > 0.9
    plot_curve(result, str(tmp_path / "curve.png"))
    assert (tmp_path / "curve.png").stat().st_size > 1000
