"""MetaQA end to end on small slices: one question per hop over a real store, and the half-KB path.

The slices come from ../shared/metaqa: for one held-out question per hop, the KB
triples along its relation path (and all facts of its topic). The translator is
trained on the masked training questions of a few templates per hop, with paths
derived from question/answer pairs; completion is real PyKEEN on the slice.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from kgqa.bench.metaqa.answer import Answerer
from kgqa.bench.metaqa.memory import AnswerPriors
from kgqa.bench.metaqa.link import TopicLinker, first_hop_ask
from kgqa.bench.metaqa.supervision import KBGraph, Lexicon, derive_structures, training_pairs
from kgqa.bench.metaqa.translator import MetaQATranslator
from kgqa.bench.metaqa.workspace import Workspace
from kgqa.datasets import metaqa
from kgqa.linking import LabelIndex
from kgqa.ontology import Ontology, bundled_ontology

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "metaqa"
pytestmark = pytest.mark.skipif(not (SHARED / "kb.txt").is_file(), reason="MetaQA is not at ../shared/metaqa")
TEMPLATES_PER_HOP = 3


def _path(structure) -> tuple:  # noqa: ANN001
    return tuple((metaqa.PROPERTY_RELATION[h.property], h.inverse) for h in structure.hops)


def _path_triples(graph: KBGraph, start: str, structure) -> set[metaqa.Triple]:  # noqa: ANN001
    out: set[metaqa.Triple] = set()
    frontier = {start}
    for hop in structure.hops:
        relation = metaqa.PROPERTY_RELATION[hop.property]
        nxt = set()
        for src in frontier:
            for dst in graph.adj[src].get((relation, hop.inverse), ()):
                if dst != start:
                    out.add((dst, relation, src) if hop.inverse else (src, relation, dst))
                    nxt.add(dst)
        frontier = nxt
    return out


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory):
    full = metaqa.read_kb(SHARED / "kb.txt")
    graph = KBGraph(full)
    dev = metaqa.read_split(SHARED, "dev")
    lexicon = Lexicon(Ontology.from_files([bundled_ontology("movies.ttl")]))
    tests, train, examples = {}, [], []
    for hop, questions in dev.items():
        by_template: dict[str, list[metaqa.Question]] = defaultdict(list)
        for q in questions:
            if not metaqa.heldout(q):
                by_template[q.masked()].append(q)
        # A topic with facts of more than one relation keeps some in the half KB.
        test = next(
            q for q in questions
            if metaqa.heldout(q) and len(by_template[q.masked()]) >= 3 and len(graph.adj[q.topic]) > 1
        )
        templates = [test.masked(), *[t for t in sorted(by_template) if t != test.masked()][: TEMPLATES_PER_HOP - 1]]
        chosen = [q for t in templates for q in by_template[t][:3]]
        structures = derive_structures(chosen, graph, lexicon, samples=3)
        tests[hop] = (test, structures[test.masked()])
        train += training_pairs(chosen, structures)
        examples += [(q.topic, _path(structures[q.masked()]), q.answers) for q in chosen if q.masked() in structures]
    kb: set[metaqa.Triple] = set(full[:400])  # context for completion to learn from
    for test, structure in tests.values():
        kb |= _path_triples(graph, test.topic, structure)
        kb |= {t for t in full if test.topic in (t[0], t[2])}
    root = tmp_path_factory.mktemp("metaqa")
    (root / "kb.txt").write_text("".join(f"{h}|{r}|{t}\n" for h, r, t in sorted(kb)))
    # The half KB loses every fact that answers the 1-hop question.
    one, one_structure = tests[1]
    removed = _path_triples(graph, one.topic, one_structure)
    (root / "kb_half.txt").write_text("".join(f"{h}|{r}|{t}\n" for h, r, t in sorted(kb - removed)))
    names = {e for h, _, t in kb for e in (h, t)} | {a for test, _ in tests.values() for a in test.answers}
    (root / "entities.txt").write_text("".join(f"{n}\n" for n in sorted(names)))
    from kgqa.complete import TrainingOptions

    tiny = TrainingOptions(model="DistMult", embedding_dim=16, epochs=10, eval_every=5, holdout=0.2,
                           min_calibration=1, batch_size=256, threads=1)
    workspace = Workspace(root, root / "cache", threads=1, completion=tiny)
    return workspace, tests, MetaQATranslator.fit(train), AnswerPriors.from_examples(examples)


@pytest.mark.parametrize("hop", [1, 2, 3])
def test_one_question_per_hop_end_to_end(mini, hop: int) -> None:
    workspace, tests, translator, _ = mini
    question, structure = tests[hop]
    reading, probability = translator.readings([question.masked()])[0][0]
    assert reading == structure and len(reading.hops) == hop and probability > 0.5
    engine = workspace.engine("full")
    answer = Answerer(engine, workspace.names).answer(reading, question.topic)
    assert answer.top in question.answers
    assert answer.stage == "sparql" and not answer.inferred
    # Linked: brackets removed, the label index finds the topic.
    linker = TopicLinker(LabelIndex.from_store(engine.store), translator.readings, first_hop_ask(engine), translator.known)
    linked = linker.link([question.plain()])[0]
    assert workspace.names.name(linked.topic) == question.topic and linked.readings[0][0] == structure
    engine.close()


def test_half_kb_answers_from_inferred_facts_flagged_inferred(mini) -> None:
    from kgqa.complete.graph import prediction_quads, write_inferred
    from kgqa.complete.predict import Prediction
    from kgqa.complete import inferred_confidence
    from datetime import datetime, timezone

    workspace, tests, _, priors = mini
    question, structure = tests[1]
    engine = workspace.engine("half")
    scorer = workspace.scorer("half")
    names = workspace.names
    rules = workspace.rules("half", [])
    # Nothing asserted answers it: the beam over rules, answer priors and the completion model does, flagged.
    answerer = Answerer(engine, names, rules=rules, priors=priors, scorer=scorer, ablate=True)
    answer = answerer.answer(structure, question.topic)
    assert answer.top_by_stage["sparql"] is None
    assert answer.top_by_stage["rules"] is not None and answer.top_by_stage["model"] is not None
    assert answer.stage == "model" and answer.inferred and answer.names
    # With the model's best link in the inferred graph, the SPARQL path over it answers.
    hop = structure.hops[0]
    relation = metaqa.PROPERTY_RELATION[hop.property]
    best = (scorer.predict_heads(relation, question.topic, 1) if hop.inverse
            else scorer.predict_tails(question.topic, relation, 1))[0]
    head, tail = (best[0], question.topic) if hop.inverse else (question.topic, best[0])
    now = datetime.now(timezone.utc)
    link = Prediction(str(names.iri(head)), str(hop.property), str(names.iri(tail)), best[1], best[2] or 0.5)
    write_inferred(engine.store, prediction_quads([link], run_id="test", model_name="DistMult", started=now, ended=now))
    answer = Answerer(engine, names).answer(structure, question.topic)
    assert answer.stage == "inferred" and answer.inferred and answer.top == best[0]
    assert answer.top_by_stage["sparql"] is None
    # With rules the beam answers, flagged too; the inferred graph's answer is kept for the ablation.
    answer = Answerer(engine, names, rules=rules, scorer=scorer, ablate=True).answer(structure, question.topic)
    assert answer.top_by_stage["inferred"] == best[0] and answer.inferred and answer.stage != "sparql"
    assert inferred_confidence(engine.store, names.iri(head), hop.property, names.iri(tail)) is not None
    engine.close()
