"""Graph completion without a store: PyKEEN training on real small graphs, calibration, scoring.

Trains real models (a few seconds each, tiny dimensions): on PyKEEN's bundled
Nations, and on a family graph where a removed link is learnable from its inverse.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from kgqa.complete import CompletionError, Scorer, TrainingOptions, train_triples
from kgqa.complete.calibrate import fit_steps
from kgqa.complete.split import stable_split

FAST = TrainingOptions(embedding_dim=32, epochs=60, eval_every=10, patience=2, threads=1)


def family_graph(families: int = 40, start: int = 0) -> list[tuple[str, str, str]]:
    """Fathers, mothers and two children per family; parentOf and childOf are inverses."""
    triples = []
    for f in range(start, start + families):
        father, mother, kids = f"father{f}", f"mother{f}", [f"kid{f}a", f"kid{f}b"]
        triples += [(father, "spouseOf", mother), (mother, "spouseOf", father)]
        for kid in kids:
            for parent in (father, mother):
                triples += [(parent, "parentOf", kid), (kid, "childOf", parent)]
        triples += [(kids[0], "siblingOf", kids[1]), (kids[1], "siblingOf", kids[0])]
    return triples


@pytest.fixture(scope="module")
def nations_run(tmp_path_factory: pytest.TempPathFactory):
    from pykeen.datasets import Nations

    ds = Nations()
    triples = [tuple(map(str, t)) for f in (ds.training, ds.validation, ds.testing) for t in f.label_triples(f.mapped_triples)]
    out = tmp_path_factory.mktemp("nations")
    return triples, train_triples(triples, out, FAST.replace(model="DistMult"), progress=False)


def test_nations_run_is_saved_with_metrics_mapping_and_curves(nations_run) -> None:
    triples, run = nations_run
    assert set(run.metrics) == {"mrr", "hits@1", "hits@3", "hits@10"}
    assert all(0.0 <= v <= 1.0 for v in run.metrics.values())
    # 14 nations: a random ranking has MRR about 0.23; a trained model does far better.
    assert run.metrics["mrr"] > 0.4
    assert run.counts["training"] + run.counts["validation"] + run.counts["testing"] == len(set(triples))
    files = {p.name for p in run.directory.iterdir()}
    assert {"model.pt", "entities.json", "relations.json", "calibration.json", "config.json", "metrics.json", "curves.png"} <= files
    assert (run.directory / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((run.directory / "metrics.json").read_text())
    assert metrics["filtered"] is True and len(metrics["losses"]) == run.epochs
    entities = json.loads((run.directory / "entities.json").read_text())
    assert entities == sorted({e for h, _, t in triples for e in (h, t)})


def test_scorer_answers_queries_in_batches(nations_run) -> None:
    _, run = nations_run
    scorer = Scorer.from_directory(run.directory)
    ranked = scorer.predict_tails("usa", "embassy", k=5, filter_known=False)
    assert 0 < len(ranked) <= 5
    scores = [s for _, s, _ in ranked]
    assert scores == sorted(scores, reverse=True)
    label, score, _ = ranked[0]
    assert isinstance(label, str) and label != "usa"
    assert scorer.score("usa", "embassy", label) == pytest.approx(score, rel=1e-5)
    many = scorer.score_many([("usa", "embassy", label), ("usa", "nope", label)])
    assert many[0] == pytest.approx(score, rel=1e-5) and np.isnan(many[1])
    assert scorer.score("atlantis", "embassy", "usa") is None
    heads = scorer.predict_heads("embassy", "usa", k=3)
    assert all(h != "usa" for h, _, _ in heads)
    # DistMult trains with inverse triples; heads are still ranked by the forward score.
    assert [s for _, s, _ in heads] == pytest.approx([scorer.score(h, "embassy", "usa") for h, _, _ in heads], rel=1e-5)
    batch = scorer.predict_tails_many([("usa", "embassy"), ("china", "embassy")], k=3, filter_known=False)
    assert batch[0] == scorer.predict_tails("usa", "embassy", k=3, filter_known=False)


def test_known_tails_are_filtered(nations_run) -> None:
    triples, run = nations_run
    scorer = Scorer.from_directory(run.directory)
    known = {t for h, r, t in triples if h == "usa" and r == "embassy"}
    assert known, "Nations has embassy links for usa"
    assert not known & {t for t, _, _ in scorer.predict_tails("usa", "embassy", k=14)}


def test_removed_link_comes_back_in_the_top_10(tmp_path) -> None:
    triples = family_graph()
    removed = ("kid7a", "childOf", "father7")  # its inverse (father7 parentOf kid7a) stays
    run = train_triples(
        [t for t in triples if t != removed], tmp_path / "run", FAST.replace(model="TransE", epochs=100), progress=False
    )
    scorer = Scorer.from_directory(run.directory)
    tails = [t for t, _, _ in scorer.predict_tails("kid7a", "childOf", k=10)]
    assert "father7" in tails
    # Candidates respect the observed range of childOf: parents only, never kids.
    assert all(t.startswith(("father", "mother")) for t in tails)


def test_warm_start_keeps_ids_and_reuses_the_previous_model(tmp_path) -> None:
    first = train_triples(family_graph(30), tmp_path / "a", FAST.replace(model="DistMult", epochs=20), progress=False)
    grown = family_graph(30) + family_graph(2, start=30)
    options = FAST.replace(model="DistMult", finetune_epochs=10)
    second = train_triples(grown, tmp_path / "b", options, previous=first.directory, progress=False)
    assert second.warm_started_from == first.directory.name
    assert second.epochs <= 10
    old = json.loads((first.directory / "entities.json").read_text())
    new = json.loads((second.directory / "entities.json").read_text())
    assert new[: len(old)] == old and len(new) == len(old) + 8
    # A graph that lost entities cannot reuse the ids: it trains from scratch.
    shrunk = train_triples(family_graph(25), tmp_path / "c", options, previous=first.directory, progress=False)
    assert shrunk.warm_started_from is None


def test_empty_and_tiny_graphs_are_refused_clearly(tmp_path) -> None:
    with pytest.raises(CompletionError, match="no entity-to-entity triples"):
        train_triples([], tmp_path)
    with pytest.raises(CompletionError, match="only 3 entity-to-entity triples"):
        train_triples([("a", "r", "b"), ("b", "r", "c"), ("c", "r", "a")], tmp_path)


def test_stable_split_keeps_held_out_triples_held_out_as_the_graph_grows() -> None:
    small = family_graph(20)
    grown = small + family_graph(5, start=20)
    _, v1, t1 = stable_split(small, holdout=0.2, seed=3)
    train2, v2, t2 = stable_split(grown, holdout=0.2, seed=3)
    assert set(v1 + t1) <= set(v2 + t2)
    entities = {e for h, _, t in train2 for e in (h, t)}
    assert all(h in entities and t in entities for h, _, t in v2 + t2)


def test_threshold_is_the_lowest_score_reaching_the_target_precision() -> None:
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.5])
    labels = np.array([1, 1, 0, 1, 0, 0])
    # One negative stands for three (sampled negatives are weighted).
    weights = np.array([1, 1, 3, 1, 1, 1], dtype=float)
    cal = fit_steps(scores, labels, weights, target=0.6, positives=3)
    # At 4.0: 2/2 = 1.0; at 2.0: 3/(3+3) = 0.5 < 0.6, so 4.0 is the lowest that qualifies.
    assert cal.threshold == 4.0 and cal.recall == pytest.approx(2 / 3)
    conf = cal.confidence(np.array([6.0, 4.0, 3.9, 0.0]))
    assert conf[0] == conf[1] == 1.0 and conf[2] < 0.6 and conf[3] <= conf[2]
    assert fit_steps(scores, labels, weights, target=1.1, positives=3).threshold is None
