"""Complete a project's graph: export, train, calibrate, predict, write the inferred graph.

Two kinds of prediction land in the inferred graph, each under its own model run:
the PyKEEN embedding's calibrated links, and the links of rules mined from the same
triples (:mod:`kgqa.complete.rules`), calibrated to the same target precision.

Example:
    >>> import tempfile
    >>> from kgqa.ontology import Ontology
    >>> from kgqa.store import open_store
    >>> complete(open_store("oxigraph"), Ontology.from_files([]), Path(tempfile.mkdtemp()), CompleteSection())
    Traceback (most recent call last):
    ...
    kgqa.complete.errors.CompletionError: the graph has no entity-to-entity triples to learn from; load or ingest facts first
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgqa.complete import runs
from kgqa.complete.errors import CompletionError
from kgqa.complete.export import asserted_entity_triples, entity_types
from kgqa.complete.graph import drop_inferred, prediction_quads, write_inferred
from kgqa.complete.options import TrainingOptions
from kgqa.complete.positions import ontology_positions
from kgqa.complete.predict import Prediction, predict_links
from kgqa.complete.rules import RuleSet
from kgqa.complete.scorer import Scorer
from kgqa.complete.train import remove_run, train_triples
from kgqa.config import CompleteSection
from kgqa.ontology import Ontology
from kgqa.store.base import Store

if TYPE_CHECKING:
    from rdflib import URIRef

log = logging.getLogger(__name__)

#: Runs kept on disk: the latest and the one before it.
KEEP_RUNS = 2
#: The rules mined in a run are a model run of their own in the inferred graph.
RULES_RUN_SUFFIX = "-rules"
RULES_MODEL = "rules"


@dataclass
class CompletionReport:
    """What one ``kgqa complete`` did."""

    run_id: str
    directory: Path
    model: str
    metrics: dict[str, float]
    epochs: int
    warm_started_from: str | None
    counts: dict[str, int]
    predictions: int
    predictions_by_relation: dict[str, int] = field(default_factory=dict)
    thresholds: dict[str, float | None] = field(default_factory=dict)
    #: Rules mined, the links they predict per relation, and each relation's score threshold.
    rules: int = 0
    rule_predictions: int = 0
    rule_predictions_by_relation: dict[str, int] = field(default_factory=dict)
    rule_thresholds: dict[str, float | None] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "directory": str(self.directory)}


def complete(
    store: Store,
    ontology: Ontology,
    models_dir: Path,
    settings: CompleteSection,
    *,
    model: str | None = None,
    epochs: int | None = None,
    embedding_dim: int | None = None,
    target_precision: float | None = None,
    seed: int | None = None,
    retrain: bool = False,
    drop: bool = False,
    progress: bool = True,
    **overrides: Any,
) -> CompletionReport | int:
    """Train on the asserted graph and replace the inferred graph with calibrated predictions.

    ``settings`` is the project's ``[complete]`` section; the keyword arguments that
    are not ``None`` override it (``overrides``: any other of its fields). Runs are kept under ``models_dir / "completion"``. When the previous run's
    entities are a subset of today's (and relations unchanged), training fine-tunes
    it unless ``retrain``. ``drop=True`` only removes the inferred graph (the saved
    model stays for query-time scoring) and returns how many quads it held.
    """
    if drop:
        return drop_inferred(store)
    start = time.perf_counter()
    started = datetime.now(timezone.utc)
    options = TrainingOptions.from_settings(
        settings,
        model=model,
        epochs=epochs,
        embedding_dim=embedding_dim,
        target_precision=target_precision,
        seed=seed,
        **overrides,
    )
    triples = asserted_entity_triples(store)
    if not triples:
        raise CompletionError("the graph has no entity-to-entity triples to learn from; load or ingest facts first")
    positions = ontology_positions(triples, entity_types(store), ontology)
    root = runs.completion_dir(models_dir)
    previous = None if retrain else runs.latest_run(root)
    run_dir = root / runs.new_run_id(options.model)
    try:
        trained = train_triples(
            triples, run_dir, options, positions=positions, previous=previous, kind="iri", progress=progress
        )
        scorer = Scorer.from_directory(run_dir)
        predictions = predict_links(scorer, options.top_k, progress=progress)
        embedded = datetime.now(timezone.utc)
        rules, rule_predictions = _rule_predictions(triples, positions[0], options, run_dir)
        write_inferred(
            store,
            chain(
                prediction_quads(
                    predictions, run_id=trained.run_id, model_name=options.model, started=started, ended=embedded
                ),
                prediction_quads(
                    rule_predictions, run_id=trained.run_id + RULES_RUN_SUFFIX, model_name=RULES_MODEL,
                    started=embedded, ended=datetime.now(timezone.utc),
                ) if rules is not None else (),
            ),
        )
    except BaseException:
        remove_run(run_dir)
        raise
    runs.set_latest(root, run_dir)
    _prune(root, keep=KEEP_RUNS, remove=remove_run)
    by_relation = Counter(p.relation for p in predictions)
    by_rule_relation = Counter(p.relation for p in rule_predictions)
    return CompletionReport(
        run_id=trained.run_id,
        directory=run_dir,
        model=options.model,
        metrics=trained.metrics,
        epochs=trained.epochs,
        warm_started_from=trained.warm_started_from,
        counts=trained.counts,
        predictions=len(predictions),
        predictions_by_relation=dict(sorted(by_relation.items())),
        thresholds=trained.thresholds,
        rules=rules.count if rules is not None else 0,
        rule_predictions=len(rule_predictions),
        rule_predictions_by_relation=dict(sorted(by_rule_relation.items())),
        rule_thresholds={s[0]: c.threshold for s, c in sorted(rules.calibration.items())} if rules is not None else {},
        seconds=time.perf_counter() - start,
    )


def _rule_predictions(
    triples: list[tuple[URIRef, URIRef, URIRef]], domains: dict[str, set[str]], options: TrainingOptions, run_dir: Path
) -> tuple[RuleSet | None, list[Prediction]]:
    """Mine rules from ``triples`` (saved as the run's ``rules.json``) and their calibrated links."""
    if not options.rules:
        return None, []
    rules = RuleSet.mine(
        [(str(h), str(r), str(t)) for h, r, t in triples],
        length=options.rule_length,
        min_support=options.rule_min_support,
        min_calibration=options.min_calibration,
        target_precision=options.target_precision,
    )
    rules.save(run_dir / runs.RULES_FILE)
    links = rules.links(domains=domains, min_facts=options.rule_min_facts)
    return rules, [Prediction(x.head, x.relation, x.tail, x.score, x.confidence, str(x.rule)) for x in links]


def _prune(root: Path, *, keep: int, remove: Any) -> None:
    """Delete all but the newest ``keep`` run directories (names sort by time)."""
    run_dirs = sorted(p for p in root.iterdir() if p.is_dir() and (p / runs.MODEL_FILE).is_file())
    for old in run_dirs[:-keep]:
        log.info("removing old completion run %s", old.name)
        remove(old)
