"""Train, evaluate, calibrate and save a link-prediction model from labelled triples.

:func:`fit` runs PyKEEN's pipeline on given train / validation / test factories
(early stopping on validation MRR, fixed seed, filtered rank-based evaluation).
:func:`train_triples` is the whole job for a plain list of ``(head, relation,
tail)`` strings: stable split, id mapping (kept from the previous run so ids stay
put), optional warm start, :func:`fit`, calibration, and a run directory that
:class:`kgqa.complete.Scorer` loads.

Example:
    >>> import tempfile
    >>> triples = [(f"p{i}", "knows", f"p{(i + 1) % 30}") for i in range(30)]
    >>> triples += [(f"p{(i + 1) % 30}", "knownBy", f"p{i}") for i in range(30)]
    >>> run = train_triples(triples, tempfile.mkdtemp(),
    ...                     TrainingOptions(epochs=5, embedding_dim=8, min_calibration=1), progress=False)
    >>> sorted(run.metrics) == ["hits@1", "hits@10", "hits@3", "mrr"]
    True
"""

from __future__ import annotations

import gc
import logging
import shutil
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kgqa.complete import runs
from kgqa.complete.calibrate import calibrate
from kgqa.complete.curves import plot_curves
from kgqa.complete.errors import CompletionError
from kgqa.complete.options import TrainingOptions
from kgqa.complete.positions import observed_positions
from kgqa.complete.recipes import recipe_for
from kgqa.complete.split import LabeledTriple, stable_split

if TYPE_CHECKING:
    from pykeen.models import Model
    from pykeen.triples import CoreTriplesFactory

log = logging.getLogger(__name__)

#: Fewer asserted triples than this cannot be split, trained and calibrated meaningfully.
MIN_TRIPLES = 20
_METRICS = {"mrr": "mrr", "hits@1": "hits@1", "hits@3": "hits@3", "hits@10": "hits@10"}


@dataclass
class FitResult:
    """A trained model with its curves and filtered test metrics."""

    model: Model
    losses: list[float]
    #: (epoch, validation MRR) at each early-stopping check.
    validation: list[tuple[int, float]]
    metrics: dict[str, float]
    epochs: int
    train_seconds: float
    evaluate_seconds: float
    #: The step size and batch used (the options' or the recipe's).
    learning_rate: float = 0.0
    batch_size: int = 0


@dataclass
class TrainedRun:
    """What :func:`train_triples` saved, and how training went."""

    directory: Path
    run_id: str
    options: TrainingOptions
    metrics: dict[str, float]
    epochs: int
    train_seconds: float
    warm_started_from: str | None
    counts: dict[str, int]
    #: Relation label -> threshold (``None``: no predictions for it, see ``calibration.json``).
    thresholds: dict[str, float | None] = field(default_factory=dict)


def fit(
    training: CoreTriplesFactory,
    validation: CoreTriplesFactory,
    testing: CoreTriplesFactory,
    options: TrainingOptions,
    *,
    scratch: Path,
    init_from: Model | None = None,
    epochs: int | None = None,
    recipe: Mapping[str, Any] | None = None,
    progress: bool = True,
) -> FitResult:
    """Train ``options.model`` with PyKEEN's pipeline and evaluate it on ``testing`` (filtered).

    ``recipe`` replaces the model's registered recipe (see :mod:`kgqa.complete.recipes`),
    e.g. to rerun a published configuration.
    """
    # torch/PyKEEN load on first use, not when the module is imported.
    import torch
    from pykeen.pipeline import pipeline

    from kgqa.complete.scoring import rows_per_call

    torch.set_num_threads(options.torch_threads())
    # PyKEEN's automatic batch-size search is off on CPU; size evaluation batches ourselves.
    eval_batch = rows_per_call(training.num_entities, options.embedding_dim)
    recipe = dict(recipe if recipe is not None else recipe_for(options.model, options, num_entities=training.num_entities))
    recipe_rate, recipe_batch = recipe.pop("learning_rate", 0.01), recipe.pop("batch_size", 256)
    learning_rate = options.learning_rate or recipe_rate
    batch_size = options.batch_size or _steps_per_epoch_batch(recipe_batch, training.num_triples)
    training_extra = recipe.pop("training_kwargs", {})
    if recipe.pop("inverse_triples", False):
        training, validation, testing = (_with_inverse_triples(tf) for tf in (training, validation, testing))
    model = _make_model(
        options, training, recipe.pop("loss", None), recipe.pop("loss_kwargs", None), recipe.pop("model_kwargs", {})
    )
    if init_from is not None:
        _copy_parameters(init_from, model)
    scratch.mkdir(parents=True, exist_ok=True)
    best_weights = scratch / "best-weights.pt"
    # PyKEEN runs gc.collect() after every epoch; with torch loaded a full collection
    # walks a heap of ~300k objects (0.4 s here), longer than an epoch on small graphs.
    # Freezing the heap after each epoch leaves those collections almost free.
    gc.freeze()
    try:
        with warnings.catch_warnings():
            # Harmless on CPU: PyKEEN asks for pinned memory and warns about its own defaults.
            warnings.filterwarnings("ignore", message=".*pin_memory.*")
            warnings.filterwarnings("ignore", message="Training instances are always shuffled")
            result = pipeline(
                training=training,
                validation=validation,
                testing=testing,
                model=model,
                optimizer="adam",
                optimizer_kwargs={"lr": learning_rate},
                training_kwargs={
                    **training_extra,
                    "num_epochs": epochs or options.epochs,
                    "batch_size": batch_size,
                    "use_tqdm": progress,
                    "use_tqdm_batch": False,
                    "callbacks": [_freeze_heap_callback_class()()],
                },
                stopper="early",
                stopper_kwargs={
                    "frequency": options.eval_every,
                    "patience": options.patience,
                    "relative_delta": 0.002,
                    "metric": "mrr",
                    "best_model_path": best_weights,
                    "evaluation_batch_size": eval_batch,
                },
                evaluator="rankbased",
                evaluator_kwargs={"filtered": True, "batch_size": eval_batch},
                evaluation_kwargs={"use_tqdm": progress, "batch_size": eval_batch},
                random_seed=options.seed,
                device="cpu",
                use_tqdm=progress,
                **recipe,
            )
    finally:
        gc.unfreeze()
    # The stopper deletes its checkpoint only when it stops early; training that
    # used every epoch keeps the last weights, which the test metrics describe.
    best_weights.unlink(missing_ok=True)
    stopper = result.stopper
    checks = list(getattr(stopper, "results", []))
    return FitResult(
        model=result.model,
        losses=[float(x) for x in result.losses],
        validation=[((i + 1) * options.eval_every, float(v)) for i, v in enumerate(checks)],
        metrics={name: float(result.metric_results.get_metric(key)) for name, key in _METRICS.items()},
        epochs=len(result.losses),
        train_seconds=float(result.train_seconds),
        evaluate_seconds=float(result.evaluate_seconds),
        learning_rate=float(learning_rate),
        batch_size=int(batch_size),
    )


#: A recipe's batch shrinks on small graphs so that an epoch still takes this many steps.
MIN_STEPS_PER_EPOCH = 10


def _steps_per_epoch_batch(batch_size: int, num_triples: int) -> int:
    """``batch_size``, or less when the graph would otherwise give an epoch under 10 steps.

    Example:
        >>> _steps_per_epoch_batch(512, 8544), _steps_per_epoch_batch(512, 400)
        (512, 40)
    """
    return max(16, min(batch_size, num_triples // MIN_STEPS_PER_EPOCH))


def _freeze_heap_callback_class() -> type:
    # torch/PyKEEN load on first use, not when the module is imported.
    from pykeen.training.callbacks import TrainingCallback

    class FreezeHeap(TrainingCallback):
        def post_epoch(self, epoch: int, epoch_loss: float, **kwargs: Any) -> None:
            gc.freeze()

    return FreezeHeap


def _make_model(
    options: TrainingOptions,
    training: CoreTriplesFactory,
    loss: str | None,
    loss_kwargs: dict[str, Any] | None,
    model_kwargs: dict[str, Any],
) -> Model:
    # torch/PyKEEN load on first use, not when the module is imported.
    from pykeen.models import model_resolver
    from pykeen.utils import set_random_seed

    try:
        model_cls = model_resolver.lookup(options.model)
    except (KeyError, ValueError):
        known = ", ".join(sorted(model_resolver.options))
        raise CompletionError(f"complete.model: unknown PyKEEN model {options.model!r}; known: {known}") from None
    set_random_seed(options.seed)
    kwargs: dict[str, Any] = {**model_kwargs, "embedding_dim": options.embedding_dim, "random_seed": options.seed}
    if loss is not None:
        kwargs["loss"] = loss
        kwargs["loss_kwargs"] = loss_kwargs
    return model_cls(triples_factory=training, **kwargs)


def _with_inverse_triples(factory: CoreTriplesFactory) -> CoreTriplesFactory:
    """The same triples, flagged so that PyKEEN also trains on (t, r⁻¹, h)."""
    # torch/PyKEEN load on first use, not when the module is imported.
    from pykeen.triples import CoreTriplesFactory, TriplesFactory

    if factory.create_inverse_triples:
        return factory
    if isinstance(factory, TriplesFactory):
        return TriplesFactory(
            factory.mapped_triples, factory.entity_to_id, factory.relation_to_id, create_inverse_triples=True
        )
    return CoreTriplesFactory(
        factory.mapped_triples, factory.num_entities, factory.num_relations, create_inverse_triples=True
    )


def _copy_parameters(source: Model, target: Model) -> None:
    """Warm start: copy every parameter of ``source`` into ``target``.

    Entity tables of the new model may have more rows (new entities are appended
    to the id mapping); their old rows are copied and the new rows keep their
    fresh initialisation.
    """
    # torch/PyKEEN load on first use, not when the module is imported.
    import torch

    old = source.state_dict()
    new = target.state_dict()
    with torch.no_grad():
        for name, value in old.items():
            if name not in new:
                continue
            dest = new[name]
            if dest.shape == value.shape:
                dest.copy_(value)
            elif dest.dim() == value.dim() and dest.shape[1:] == value.shape[1:] and dest.shape[0] >= value.shape[0]:
                dest[: value.shape[0]].copy_(value)
    target.load_state_dict(new)


def train_triples(
    triples: Iterable[tuple[str, str, str]],
    out_dir: str | Path,
    options: TrainingOptions | None = None,
    *,
    positions: tuple[Mapping[str, Iterable[str]], Mapping[str, Iterable[str]]] | None = None,
    previous: str | Path | None = None,
    kind: str = "text",
    progress: bool = True,
) -> TrainedRun:
    """Train, evaluate and calibrate a model on labelled triples; save the run in ``out_dir``.

    ``positions`` gives the allowed heads and tails of each relation (default: those
    seen in ``triples``). ``previous`` is an earlier run directory: when its entities
    are a subset of the new ones and its relations are the same, the new model
    starts from its parameters and trains ``options.finetune_epochs`` epochs (at most
    ``options.epochs``).
    ``kind`` is ``"iri"`` when labels are IRIs (the scorer then returns URIRefs).
    """
    # torch/PyKEEN load on first use, not when the module is imported.
    from pykeen.triples import TriplesFactory

    options = options or TrainingOptions()
    labeled = sorted({(str(h), str(r), str(t)) for h, r, t in triples})
    _check_size(labeled)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    entity_set = {e for h, _, t in labeled for e in (h, t)}
    relation_set = {r for _, r, _ in labeled}
    prior = _compatible_previous(Path(previous) if previous else None, entity_set, relation_set)
    if prior is not None:
        old_entities = runs.read_json(prior / runs.ENTITIES_FILE)
        entities = old_entities + sorted(entity_set - set(old_entities))
        relations = runs.read_json(prior / runs.RELATIONS_FILE)
    else:
        entities, relations = sorted(entity_set), sorted(relation_set)
    e2id = {e: i for i, e in enumerate(entities)}
    r2id = {r: i for i, r in enumerate(relations)}

    train, valid, test = stable_split(labeled, holdout=options.holdout, seed=options.seed)
    if not valid or not test:
        raise CompletionError(
            f"{len(labeled)} entity-to-entity triples leave nothing to validate or test on; add more facts"
        )

    def factory(part: list[LabeledTriple]) -> TriplesFactory:
        return TriplesFactory.from_labeled_triples(np.asarray(part, dtype=str), entity_to_id=e2id, relation_to_id=r2id)

    tf_train, tf_valid, tf_test = factory(train), factory(valid), factory(test)
    init_from = _load_model(prior) if prior is not None else None
    epochs = min(options.finetune_epochs, options.epochs) if prior is not None else options.epochs
    fitted = fit(tf_train, tf_valid, tf_test, options, scratch=out, init_from=init_from, epochs=epochs, progress=progress)

    heads, tails = positions if positions is not None else observed_positions(labeled)
    allowed_heads = _ids_by_relation(heads, e2id, r2id)
    allowed_tails = _ids_by_relation(tails, e2id, r2id)
    known = np.concatenate([tf.mapped_triples.numpy() for tf in (tf_train, tf_valid, tf_test)])
    held_out = np.concatenate([tf_valid.mapped_triples.numpy(), tf_test.mapped_triples.numpy()])

    calibration = calibrate(
        fitted.model,
        held_out,
        known,
        allowed_heads,
        allowed_tails,
        target_precision=options.target_precision,
        min_positives=options.min_calibration,
        top_k=options.top_k,
        seed=options.seed,
        relation_names=relations,
        progress=progress,
    )
    run = TrainedRun(
        directory=out,
        run_id=out.name,
        options=options,
        metrics=fitted.metrics,
        epochs=fitted.epochs,
        train_seconds=fitted.train_seconds,
        warm_started_from=prior.name if prior is not None else None,
        counts={
            "triples": len(labeled),
            "training": len(train),
            "validation": len(valid),
            "testing": len(test),
            "entities": len(entities),
            "relations": len(relations),
        },
        thresholds={relations[r]: c.threshold for r, c in calibration.items()},
    )
    _save(run, fitted, entities, relations, known, allowed_heads, allowed_tails, calibration, kind, started)
    return run


def _check_size(labeled: list[LabeledTriple]) -> None:
    if not labeled:
        raise CompletionError("the graph has no entity-to-entity triples to learn from; load or ingest facts first")
    if len(labeled) < MIN_TRIPLES:
        raise CompletionError(
            f"the graph has only {len(labeled)} entity-to-entity triples; completion needs at least {MIN_TRIPLES}"
        )


def _compatible_previous(previous: Path | None, entities: set[str], relations: set[str]) -> Path | None:
    """``previous`` if the new graph only added entities to it, else ``None`` (retrain)."""
    if previous is None or not (previous / runs.MODEL_FILE).is_file():
        return None
    old_entities = set(runs.read_json(previous / runs.ENTITIES_FILE))
    old_relations = set(runs.read_json(previous / runs.RELATIONS_FILE))
    if old_relations == relations and old_entities <= entities:
        return previous
    log.info("previous run %s is not a subset of the new graph: training from scratch", previous.name)
    return None


def _load_model(run_dir: Path) -> Model:
    # torch/PyKEEN load on first use, not when the module is imported.
    import torch

    return torch.load(run_dir / runs.MODEL_FILE, weights_only=False)


def _ids_by_relation(positions: Mapping[str, Iterable[str]], e2id: dict[str, int], r2id: dict[str, int]) -> dict[int, np.ndarray]:
    out = {}
    for rel, rid in r2id.items():
        ids = sorted(e2id[e] for e in positions.get(rel, ()) if e in e2id)
        out[rid] = np.asarray(ids, dtype=np.int64)
    return out


def _save(
    run: TrainedRun,
    fitted: FitResult,
    entities: list[str],
    relations: list[str],
    known: np.ndarray,
    allowed_heads: dict[int, np.ndarray],
    allowed_tails: dict[int, np.ndarray],
    calibration: dict,
    kind: str,
    started: datetime,
) -> None:
    # torch/PyKEEN load on first use, not when the module is imported.
    import torch

    d = run.directory
    torch.save(fitted.model, d / runs.MODEL_FILE)
    runs.write_json(d / runs.ENTITIES_FILE, entities)
    runs.write_json(d / runs.RELATIONS_FILE, relations)
    np.save(d / runs.TRIPLES_FILE, known.astype(np.int64))
    runs.write_json(
        d / runs.POSITIONS_FILE,
        {
            "heads": {relations[r]: ids.tolist() for r, ids in allowed_heads.items()},
            "tails": {relations[r]: ids.tolist() for r, ids in allowed_tails.items()},
        },
    )
    runs.write_json(d / runs.CALIBRATION_FILE, {relations[r]: c.to_dict() for r, c in calibration.items()})
    runs.write_json(
        d / runs.CONFIG_FILE,
        {
            "run_id": run.run_id,
            "kind": kind,
            "options": run.options.to_dict(),
            "recipe": recipe_for(run.options.model, run.options, num_entities=len(entities)),
            "warm_started_from": run.warm_started_from,
            "started": started.isoformat(),
            "ended": datetime.now(timezone.utc).isoformat(),
            "counts": run.counts,
        },
    )
    runs.write_json(
        d / runs.METRICS_FILE,
        {
            "test": fitted.metrics,
            "filtered": True,
            "epochs": fitted.epochs,
            "train_seconds": fitted.train_seconds,
            "evaluate_seconds": fitted.evaluate_seconds,
            "learning_rate": fitted.learning_rate,
            "batch_size": fitted.batch_size,
            "losses": fitted.losses,
            "validation_mrr": fitted.validation,
        },
    )
    plot_curves(d / runs.CURVES_FILE, fitted.losses, fitted.validation, f"{run.options.model} - {run.run_id}")


def remove_run(run_dir: Path) -> None:
    """Delete a (failed or superseded) run directory."""
    shutil.rmtree(run_dir, ignore_errors=True)

