"""The benchmark's trained artifacts, built once and cached under a directory.

Layout of the cache (default ``~/.cache/kgqa/metaqa``)::

    <kb>/project/             a kgqa project (Oxigraph store) with the KB and movies.ttl
    <kb>/paths-<hash>.json    the template -> relation path supervision
    <kb>/translator-<hash>/   the translator trained on it
    <kb>/rules-<hash>.json    rules mined from the KB and the training answers' facts
    half/completion-<hash>/   the completion run (PyKEEN) on the half KB
    half/project/inferred-<hash>  marker: that inferred graph (answers' facts, rule links) is in the store

Every artifact's name carries a hash of what it was built from (input files,
options, code version), so a re-run reuses what still fits and rebuilds the rest.
:attr:`Workspace.timings` records the seconds each component took (0 when cached).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from kgqa.bench.metaqa.memory import AnswerPriors, Example, training_facts
from kgqa.bench.metaqa.rules import RULE_LENGTH, SAME_NAME, RuleModel
from kgqa.bench.metaqa.supervision import KBGraph, Lexicon, derive_structures, training_pairs
from kgqa.bench.metaqa.translator import MetaQATranslator
from kgqa.complete.graph import prediction_quads
from kgqa.complete.options import TrainingOptions
from kgqa.complete.predict import Prediction
from kgqa.datasets import metaqa
from kgqa.engine import Engine
from kgqa.namespaces import INFERRED_GRAPH
from kgqa.ontology import Ontology, bundled_ontology
from kgqa.translate import QueryStructure

if TYPE_CHECKING:
    from kgqa.complete.scorer import Scorer

KB_FILES = {"full": "kb.txt", "half": "kb_half.txt"}
#: Bumped when the way an artifact is built changes, so old caches are not reused.
VERSION = "1"
SUPERVISION_VERSION = "3"
RULES_VERSION = "4"
TRANSLATOR_VERSION = "kgqa-translator-1"
#: Rule links at least this confident go into the inferred graph (PCA confidence).
MATERIALISE = 0.3


def default_cache() -> Path:
    return Path.home() / ".cache" / "kgqa" / "metaqa"


def _digest(*parts: object) -> str:
    h = hashlib.sha1(VERSION.encode())
    for part in parts:
        h.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()[:12]


def completion_options(threads: int) -> TrainingOptions:
    """PyKEEN settings for the half KB, sized for 2 shared cores.

    TransE with kgqa's recipe (self-adversarial sampled negatives). ComplEx, which
    EmbedKGQA used, runs on complex tensors that PyKEEN trains about 5x slower on
    this CPU, DistMult's 1-N recipe scores all 43k entities per training triple,
    and SimplE under sampled negatives did not learn here (test MRR 0.002).
    Predicted links are kept from a calibrated precision of 0.5.
    """
    return TrainingOptions(
        model="TransE",
        embedding_dim=64,
        epochs=15,
        eval_every=5,
        patience=2,
        holdout=0.04,
        batch_size=1024,
        learning_rate=0.01,
        target_precision=0.5,
        threads=threads,
    )


@dataclass
class Workspace:
    """Stores, supervision, translator and completion for one KB directory and cache."""

    kb_dir: Path
    cache: Path
    threads: int = 2
    #: Completion settings (default :func:`completion_options`); tests pass tiny ones.
    completion: TrainingOptions | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.names = metaqa.EntityNames(metaqa.read_entities(self.kb_dir / "entities.txt"))
        self._triples: dict[str, list[metaqa.Triple]] = {}

    def _timed(self, name: str, start: float) -> None:
        self.timings[name] = round(time.perf_counter() - start, 2)

    def triples(self, kb: str) -> list[metaqa.Triple]:
        if kb not in self._triples:
            self._triples[kb] = metaqa.read_kb(self.kb_dir / KB_FILES[kb])
        return self._triples[kb]

    def _kb_digest(self, kb: str) -> str:
        return _digest((self.kb_dir / KB_FILES[kb]).read_bytes(), (self.kb_dir / "entities.txt").read_bytes())

    # -- the store -----------------------------------------------------------------
    def engine(self, kb: str, variant: str = "") -> Engine:
        """The kgqa project holding ``kb`` (loaded once, then opened from disk); a ``variant``
        gets a project of its own, so its inferred graph does not replace the main one's."""
        project = self.cache / kb / ("project" + (f"-{variant}" if variant else ""))
        marker = project / f"loaded-{self._kb_digest(kb)}"
        if not marker.exists():
            start = time.perf_counter()
            shutil.rmtree(project, ignore_errors=True)
            engine = Engine.init(project, ontologies=[bundled_ontology("movies.ttl")])
            nt = self.cache / kb / "kb.nt"
            metaqa.kb_to_ntriples(self.triples(kb), self.names, nt)
            engine.load([nt])
            nt.unlink()
            engine.close()
            marker.touch()
            self._timed(f"store load ({kb})", start)
        else:
            self.timings.setdefault(f"store load ({kb})", 0.0)
        return Engine.open(project)

    # -- supervision and translator ------------------------------------------------------
    def structures(self, kb: str, train: list[metaqa.Question]) -> dict[str, QueryStructure]:
        """Template -> path, derived from the training questions over ``kb``."""
        path = self.cache / kb / f"paths-{_digest(SUPERVISION_VERSION, self._kb_digest(kb), [q.key() for q in train])}.json"
        if path.exists():
            self.timings.setdefault(f"path supervision ({kb})", 0.0)
            data = json.loads(path.read_text(encoding="utf-8"))
            return {t: QueryStructure.from_signature(s) for t, s in data.items()}
        start = time.perf_counter()
        graph = KBGraph(self.triples(kb))
        lexicon = Lexicon(Ontology.from_files([bundled_ontology("movies.ttl")]))
        structures = derive_structures(train, graph, lexicon)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({t: s.signature() for t, s in structures.items()}, indent=1), encoding="utf-8")
        self._timed(f"path supervision ({kb})", start)
        return structures

    def translator(self, kb: str, train: list[metaqa.Question]) -> MetaQATranslator:
        """kgqa's translator trained on ``train`` with the paths derived over ``kb``."""
        pairs = training_pairs(train, self.structures(kb, train))
        directory = self.cache / "translators" / _digest(TRANSLATOR_VERSION, sorted((t, s.signature()) for t, s in pairs))
        if (directory / "config.json").exists():
            self.timings.setdefault(f"translator ({kb})", 0.0)
            return MetaQATranslator.load(directory)
        start = time.perf_counter()
        directory.mkdir(parents=True, exist_ok=True)
        model = MetaQATranslator.fit(pairs, threads=self.threads, curves=directory / "curves.png")
        model.save(directory)
        self._timed(f"translator ({kb})", start)
        return model

    # -- completion ------------------------------------------------------------------
    def scorer(self, kb: str = "half") -> Scorer:
        """The completion run trained on ``kb`` (PyKEEN through :mod:`kgqa.complete`)."""
        # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
        from kgqa.complete.scorer import Scorer
        from kgqa.complete.train import train_triples

        options = self.completion or completion_options(self.threads)
        # Threads change speed, not the model: they stay out of the cache key.
        settings = {k: v for k, v in options.to_dict().items() if k != "threads"}
        directory = self.cache / kb / f"completion-{_digest(self._kb_digest(kb), settings)}"
        if (directory / "config.json").exists():
            self.timings.setdefault(f"completion training ({kb})", 0.0)
            return Scorer.from_directory(directory)
        start = time.perf_counter()
        shutil.rmtree(directory, ignore_errors=True)
        train_triples(self.triples(kb), directory, options, positions=typed_positions(self.triples(kb)), kind="text")
        self._timed(f"completion training ({kb})", start)
        return Scorer.from_directory(directory)

    # -- rules and the inferred graph -----------------------------------------------
    def examples(self, kb: str, train: list[metaqa.Question]) -> list[Example]:
        """The training questions as (topic, relation path, answers), paths derived over ``kb``."""
        structures = self.structures(kb, train)
        return [
            (q.topic, tuple((metaqa.PROPERTY_RELATION[h.property], h.inverse) for h in structures[q.masked()].hops), q.answers)
            for q in train
            if q.masked() in structures
        ]

    def rules(self, kb: str, facts: Sequence[metaqa.Triple], label: str = "") -> RuleModel:
        """Rules mined from ``kb`` plus ``facts`` (what the training answers state; cached as JSON;
        ``label`` names the setting in :attr:`timings`, default ``kb``)."""
        label = label or kb
        triples = list(dict.fromkeys([*self.triples(kb), *facts]))
        path = self.cache / kb / f"rules-{_digest(RULES_VERSION, RULE_LENGTH, self._kb_digest(kb), list(facts))}.json"
        if path.exists():
            self.timings.setdefault(f"rule mining ({label})", 0.0)
            return RuleModel.load(path, triples, self.names.names())
        start = time.perf_counter()
        model = RuleModel.mine(triples, self.names.names())
        model.save(path)
        self._timed(f"rule mining ({label})", start)
        return model

    def memory(
        self,
        engine: Engine,
        train: list[metaqa.Question],
        extra_facts: Sequence[metaqa.Triple] = (),
        label: str = "",
        inferred_graph: bool = True,
    ) -> tuple[RuleModel, AnswerPriors]:
        """What the half-KB answerer learns beside the KB: rules mined over it plus the training
        answers' facts (and ``extra_facts``), those facts and the confident rule links in ``engine``'s
        inferred graph (with ``inferred_graph``), and the answer priors."""
        examples = self.examples("half", train)
        facts = list(dict.fromkeys([*training_facts(examples), *extra_facts]))
        rules = self.rules("half", facts, label)
        if inferred_graph:
            self.write_inferred(engine, rules, facts, label=label)
        return rules, AnswerPriors.from_examples(examples)

    def write_inferred(
        self, engine: Engine, rules: RuleModel, facts: list[metaqa.Triple], kb: str = "half", label: str = ""
    ) -> int:
        """Fill the store's inferred graph (once per input): the training answers' facts the KB
        lacks (confidence 1) and the rule links of confidence :data:`MATERIALISE` or more
        (``label`` names the setting in :attr:`timings`, default ``kb``)."""
        label = label or kb
        key = _digest(RULES_VERSION, MATERIALISE, facts, sorted(str(r) for rs in rules.rules.values() for r in rs))
        marker = Path(engine.directory) / f"inferred-{key}"
        if marker.exists():
            self.timings.setdefault(f"inferred graph ({label})", 0.0)
            return -1
        start = time.perf_counter()
        began = datetime.now(timezone.utc)
        asserted = set(self.triples(kb))

        def link(head: str, relation: str, tail: str, confidence: float) -> Prediction:
            return Prediction(
                str(self.names.iri(head)), str(metaqa.RELATIONS[relation][0]), str(self.names.iri(tail)), confidence, confidence
            )

        stated = [link(*t, 1.0) for t in facts if t not in asserted]
        predicted = [
            link(*((y, step[0], a) if step[1] else (a, step[0], y)), c)
            for a, step, y, c in rules.links(MATERIALISE)
            if step != SAME_NAME
        ]
        ended = datetime.now(timezone.utc)
        quads = itertools.chain(
            prediction_quads(stated, run_id=f"metaqa-answers-{key}", model_name="MetaQA training answers", started=began, ended=ended),
            prediction_quads(predicted, run_id=f"metaqa-rules-{key}", model_name="mined rules", started=began, ended=ended),
        )
        # Added in batches rather than swapped in atomically (``write_inferred``): the MOVE of
        # a few hundred thousand quads outlasts the store's update timeout, and the marker
        # below is only written once the graph is complete.
        engine.store.drop_graph(INFERRED_GRAPH)
        engine.store.add(quads)
        for old in marker.parent.glob("inferred-*"):
            old.unlink()
        marker.touch()
        self._timed(f"inferred graph ({label})", start)
        self.timings[f"inferred links ({label})"] = len(stated) + len(predicted)
        return len(stated) + len(predicted)


def typed_positions(triples: list[metaqa.Triple]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Allowed heads and tails per relation by class: any movie as head, any entity of the tail's class as tail."""
    movies = {h for h, _, _ in triples}
    by_class: dict[object, set[str]] = {}
    for _, relation, tail in triples:
        by_class.setdefault(metaqa.RELATIONS[relation][1], set()).add(tail)
    heads = {r: movies for r in metaqa.RELATIONS}
    tails = {r: by_class.get(cls, set()) for r, (_, cls) in metaqa.RELATIONS.items()}
    return heads, tails
