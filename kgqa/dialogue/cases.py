"""Simulated questions run through the real pipeline, cached: the material of training and benchmarks.

:func:`observe_cases` asks the pipeline each simulated question once and keeps
the :class:`~kgqa.dialogue.observation.Observation` (candidates, readings, the
answer grid) in a JSON cache keyed by the graph's content, so retraining the
policy or rerunning the benchmark does not rerun the pipeline.
:func:`graph_engine` builds a throw-away engine over a
:func:`~kgqa.dialogue.synthetic.synthetic_graph` that shares the project's
ontology and trained translator. :class:`CaseSpec` names one reproducible set
(real-graph split, seeds, sizes).

Example:
    >>> CaseSpec("train", seed=1, synthetic_seed=1001).key()
    'train-s1-n300-syn1001x300'
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from kgqa.dialogue.episodes import Case
from kgqa.dialogue.observation import Observation
from kgqa.dialogue.observe import OBSERVATION_VERSION, observe
from kgqa.dialogue.simulator import SimQuestion, simulate_questions
from kgqa.dialogue.synthetic import synthetic_graph
from kgqa.namespaces import DEFAULT_FACTS_GRAPH, NON_ASSERTED_GRAPHS, ONTOLOGY_GRAPH
from kgqa.sparql.build import graph_not_in

if TYPE_CHECKING:
    from kgqa.engine import Engine


@dataclass(frozen=True)
class CaseSpec:
    """A reproducible set of simulated dialogues: ``n`` from the real graph's ``split``
    and ``synthetic_n`` from a synthetic graph made with ``synthetic_seed`` (0: none)."""

    split: str
    seed: int
    n: int = 300
    synthetic_seed: int = 0
    synthetic_n: int = 300

    def key(self) -> str:
        syn = f"-syn{self.synthetic_seed}x{self.synthetic_n}" if self.synthetic_seed else ""
        return f"{self.split}-s{self.seed}-n{self.n}{syn}"


def graph_fingerprint(engine: Engine) -> str:
    """Changes when the graph's size, the trained translator or the observation format changes
    (then cached observations are stale). The quad count, not the store's files: opening an
    on-disk store rewrites its log."""
    from kgqa.answer.context import translator_dir

    config = translator_dir(engine) / "config.json"
    stamp = config.stat().st_mtime_ns if config.is_file() else 0
    return hashlib.sha1(f"{engine.store.count()}|{stamp}|{OBSERVATION_VERSION}".encode()).hexdigest()[:12]


def observe_cases(
    engine: Engine,
    questions: Sequence[SimQuestion],
    *,
    cache: Path | None = None,
    progress: bool = True,
    desc: str = "pipeline",
) -> list[Case]:
    """Each question with the pipeline's observation (from ``cache`` when it has it)."""
    stored: dict[str, dict] = {}
    if cache is not None and cache.is_file():
        stored = json.loads(cache.read_text(encoding="utf-8"))
    todo = [q for q in dict.fromkeys(q.question for q in questions) if q not in stored]
    items = todo
    if progress and todo:
        from tqdm import tqdm

        items = tqdm(todo, desc=desc, unit="question")
    for text in items:
        obs, _ = observe(engine, text)
        stored[text] = obs.to_dict()
    if cache is not None and todo:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(stored), encoding="utf-8")
    observations = {text: Observation.from_dict(data) for text, data in stored.items()}
    return [Case(q, observations[q.question]) for q in questions]


def used_properties(engine: Engine) -> set[URIRef]:
    """The ontology properties that some asserted fact of ``engine`` uses."""
    query = f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {graph_not_in('g', NON_ASSERTED_GRAPHS)} }}"
    return {p for (p,) in engine.sparql(query, limit=None).rows} & set(engine.ontology.properties)


def synthetic_facts(engine: Engine, seed: int) -> Graph:
    """A synthetic graph for ``engine``'s ontology, of the properties its graph uses (those the
    translator was trained on)."""
    return synthetic_graph(engine.ontology, seed=seed, properties=used_properties(engine))


@contextmanager
def graph_engine(engine: Engine, facts: Graph) -> Iterator[Engine]:
    """An in-memory engine with ``engine``'s ontology and trained translator over ``facts``."""
    from kgqa.answer.context import translator_dir
    from kgqa.engine import Engine

    other = Engine.memory(config=engine.config.overrides())
    ontology = engine.sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph=ONTOLOGY_GRAPH, limit=None).graph
    other.store.replace_graph(ONTOLOGY_GRAPH, ((s, p, o, ONTOLOGY_GRAPH) for s, p, o in ontology))
    other.invalidate()
    # In a fixed order: the store's row order (and so the linker's tie-breaks) follows insertion.
    other.store.replace_graph(DEFAULT_FACTS_GRAPH, ((s, p, o, DEFAULT_FACTS_GRAPH) for s, p, o in sorted(facts)))
    if translator_dir(engine).is_dir():
        shutil.copytree(translator_dir(engine), translator_dir(other))
    try:
        yield other
    finally:
        other.close()


def spec_cases(engine: Engine, spec: CaseSpec, *, cache_dir: str | Path | None = None, progress: bool = True) -> list[Case]:
    """The dialogues ``spec`` names, observed through the pipeline (cached under ``cache_dir``)."""
    fingerprint = graph_fingerprint(engine)

    def cache(name: str) -> Path | None:
        return Path(cache_dir) / f"{name}-{fingerprint}.json" if cache_dir is not None else None

    questions = simulate_questions(engine, n=spec.n, seed=spec.seed, split=spec.split)
    cases = observe_cases(engine, questions, cache=cache("graph"), progress=progress, desc=f"{spec.split} questions")
    if spec.synthetic_seed:
        facts = synthetic_facts(engine, spec.synthetic_seed)
        digest = hashlib.sha1("\n".join(sorted(f"{s} {p} {o}" for s, p, o in facts)).encode()).hexdigest()[:8]
        with graph_engine(engine, facts) as other:
            questions = simulate_questions(other, n=spec.synthetic_n, seed=spec.seed)
            cases += observe_cases(other, questions, cache=cache(f"synthetic{spec.synthetic_seed}-{digest}"),
                                   progress=progress, desc=f"synthetic graph {spec.synthetic_seed}")
    return cases
