"""Running the MetaQA benchmark: train what is missing, answer, count Hits@1, time it."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from tqdm import tqdm

from kgqa.bench.metaqa.answer import STAGES, Answerer
from kgqa.bench.metaqa.link import TopicLinker, first_hop_ask
from kgqa.bench.metaqa.memory import simulated_train_facts
from kgqa.bench.metaqa.translator import MetaQATranslator
from kgqa.bench.metaqa.workspace import Workspace
from kgqa.bench.report import peak_rss_mb, percentile
from kgqa.datasets import metaqa
from kgqa.errors import KgqaError
from kgqa.linking import LabelIndex

#: Published Hits@1 (1 / 2 / 3 hops, official test split), printed beside ours.
PUBLISHED = {
    "EmbedKGQA, full KB": (97.5, 98.8, 94.8),
    "best published, full KB (SSKGQA)": (99.1, 99.7, 99.6),
    "EmbedKGQA, half KB": (83.9, 91.8, 70.3),
}


@dataclass
class Results:
    """Hits per (kb, entity mode, hop), the half-KB ablation and the speed figures."""

    hits: dict[str, dict[str, dict[str, float]]] = field(default_factory=lambda: defaultdict(dict))
    ablation: dict[str, dict[str, float]] = field(default_factory=dict)
    inferred_share: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    throughput_qps: dict[str, float] = field(default_factory=dict)
    #: Per KB: milliseconds per question, one at a time, warm (the answerer of the run: all stages).
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    #: Half KB, topic given, with the facts a train split of the official size would state (a what-if).
    what_if: dict[str, float] = field(default_factory=dict)
    #: Peak memory of the benchmark proper (MiB), taken before the what-if, which holds a second KB.
    peak_rss_mb: float = 0.0


def _pct(hit: int, total: int) -> float:
    return round(100.0 * hit / total, 2) if total else float("nan")


def questions_for(
    data_dir: Path, split: str, hops: Sequence[int], limit: int | None = None
) -> dict[int, list[metaqa.Question]]:
    """The questions to score: the held-out 20% of dev, or all of another split (the first ``limit`` per hop)."""
    found = metaqa.read_split(data_dir, split, hops)
    if split == "dev":
        found = {h: [q for q in qs if metaqa.heldout(q)] for h, qs in found.items()}
    return {h: qs[:limit] for h, qs in found.items()}


def training_questions(kb_dir: Path, hops: Sequence[int]) -> list[metaqa.Question]:
    """The 80% of dev the translator learns from (always dev: the official train split is absent)."""
    dev = metaqa.read_split(kb_dir, "dev", hops)
    return [q for h in hops for q in dev[h] if not metaqa.heldout(q)]


def _answer_all(
    answerer: Answerer,
    questions: list[metaqa.Question],
    translator: MetaQATranslator,
    linker: TopicLinker | None,
    desc: str,
) -> tuple[list, float]:
    start = time.perf_counter()
    if linker is None:
        readings = translator.readings([q.masked() for q in questions], k=1)
        topics = [q.topic for q in questions]
    else:
        linked = linker.link([q.plain() for q in questions])
        readings = [item.readings for item in linked]
        topics = [answerer.names.name(item.topic) if item.topic is not None else None for item in linked]
    answers = []
    for reads, topic in tqdm(list(zip(readings, topics)), desc=desc, leave=False, mininterval=2):
        answers.append(answerer.answer(reads[0][0], topic) if reads and topic is not None else None)
    return answers, time.perf_counter() - start


def run_benchmark(
    workspace: Workspace,
    data_dir: Path,
    split: str,
    kbs: Sequence[str],
    hops: Sequence[int],
    entity_modes: Sequence[str],
    latency_sample: int = 300,
    console: Console | None = None,
    inferred_graph: bool = True,
    limit: int | None = None,
    model: bool = True,
    what_if: bool = False,
) -> Results:
    console = console or Console(stderr=True)
    evaluation = questions_for(data_dir, split, hops, limit)
    flat = [q for h in hops for q in evaluation[h]]
    if not flat:
        raise KgqaError(f"{data_dir}: no {split} questions for hops {list(hops)}")
    train = training_questions(workspace.kb_dir, hops)
    results = Results()
    results.counts = {str(h): len(evaluation[h]) for h in hops}
    for kb in kbs:
        console.print(f"[bold]{kb} KB[/]: preparing store, translator" + (", completion" if kb == "half" else ""))
        engine = workspace.engine(kb)
        translator = workspace.translator(kb, train)
        rules = priors = scorer = None
        if kb == "half":
            rules, priors = workspace.memory(engine, train, inferred_graph=inferred_graph)
            scorer = workspace.scorer(kb) if model else None
        answerer = Answerer(
            engine, workspace.names, rules=rules, priors=priors, scorer=scorer, use_inferred=inferred_graph
        )
        for mode in entity_modes:
            # The ablation's extra stages run once, on the half KB with the topic given.
            answerer.ablate = kb == "half" and mode == "given"
            linker = None
            if mode == "linked":
                linker = TopicLinker(
                    LabelIndex.from_store(engine.store), translator.readings, first_hop_ask(engine), translator.known
                )
            answers, seconds = _answer_all(answerer, flat, translator, linker, f"{kb}/{mode}")
            results.throughput_qps[f"{kb}/{mode}"] = round(len(flat) / seconds, 1)
            by_hop: dict[int, list[tuple[metaqa.Question, object]]] = defaultdict(list)
            for q, a in zip(flat, answers):
                by_hop[q.hops].append((q, a))
            results.hits[kb][mode] = _hits_by_hop(flat, answers)
            console.print(f"{kb}/{mode}: Hits@1 {results.hits[kb][mode]} ({len(flat) / seconds:.1f} questions/s)")
            if kb == "half" and mode == "given":
                stages = [st for st in STAGES if any(st in a.top_by_stage for a in answers if a is not None)]
                for stage in stages:
                    results.ablation[stage] = {
                        str(h): _pct(
                            sum(a is not None and a.top_by_stage.get(stage) in q.answers for q, a in pairs), len(pairs)
                        )
                        for h, pairs in by_hop.items()
                    }
                console.print(f"half/given ablation: {results.ablation}")
                results.inferred_share = {
                    str(h): _pct(sum(a is not None and a.inferred for _, a in pairs), len(pairs))
                    for h, pairs in by_hop.items()
                }
        answerer.ablate = False
        results.latency_ms[kb] = _latency(answerer, translator, flat, latency_sample)
        engine.close()
    results.peak_rss_mb = memory_mb()
    if what_if:
        results.what_if = what_if_official_train(workspace, flat, train, console)
    return results


def _hits_by_hop(questions: list[metaqa.Question], answers: list) -> dict[str, float]:
    by_hop: dict[int, list[bool]] = defaultdict(list)
    for q, a in zip(questions, answers):
        by_hop[q.hops].append(a is not None and a.top in q.answers)
    return {str(h): _pct(sum(hits), len(hits)) for h, hits in sorted(by_hop.items())}


def what_if_official_train(
    workspace: Workspace, questions: list[metaqa.Question], train: list[metaqa.Question], console: Console
) -> dict[str, float]:
    """Half KB, topic given, Hits@1 per hop when the training facts are those a train split of the
    official size would state (:func:`~kgqa.bench.metaqa.memory.simulated_train_facts`, drawn from
    ``kb.txt``; the scored 1-hop questions' own (topic, step) pairs excluded). Not a benchmark
    figure: it measures how much of the gap to published half-KB figures is training data.
    Rules, inferred graph and answering as in the half-KB run, in a store of its own; no PyKEEN."""
    structures = workspace.structures("half", train)
    excluded: set[tuple[str, tuple[str, bool]]] = set()
    for q in questions:
        if q.hops == 1:
            hops = structures[q.masked()].hops if q.masked() in structures else None
            if hops:
                excluded.add((q.topic, (metaqa.PROPERTY_RELATION[hops[0].property], hops[0].inverse)))
            else:  # unknown template: none of the topic's pairs may be stated
                excluded |= {(q.topic, (r, inv)) for r in metaqa.RELATIONS for inv in (False, True)}
    simulated = simulated_train_facts(workspace.triples("full"), excluded)
    console.print(f"[bold]half KB, what-if[/]: {len(simulated):,} facts a train split of the official size would state")
    engine = workspace.engine("half", variant="what-if")
    rules, priors = workspace.memory(engine, train, simulated, label="half, what-if")
    answerer = Answerer(engine, workspace.names, rules=rules, priors=priors)
    answers, _ = _answer_all(answerer, questions, workspace.translator("half", train), None, "half/what-if")
    engine.close()
    hits = _hits_by_hop(questions, answers)
    console.print(f"half/what-if: Hits@1 {hits}")
    return hits


def _latency(answerer: Answerer, translator: MetaQATranslator, questions: list[metaqa.Question], n: int) -> list[float]:
    """Milliseconds per question, one at a time (translate + SPARQL + names), models warm.

    The encoder's text cache is emptied first: the first question of each template
    is encoded (as a new question would be), repeats of a template are not.
    """
    sample = random.Random(0).sample(questions, min(n, len(questions)))
    translator.forget_encodings()
    times = []
    for q in sample:
        start = time.perf_counter()
        reading = translator.readings([q.masked()], k=1)[0][0][0]
        answerer.answer(reading, q.topic)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summarize_latency(times: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(times, 50), 2), "p95": round(percentile(times, 95), 2)}


def memory_mb() -> float:
    return round(peak_rss_mb(), 1)
