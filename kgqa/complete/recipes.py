"""How to train each model: training loop, loss, negatives and default step sizes.

PyKEEN builds any model by name; what it does not choose well for us is *how* to
train it in a small CPU budget. A recipe fills that in: the keyword arguments of
``pykeen.pipeline.pipeline`` (training loop, loss and its settings, negative
sampler) plus a few that :func:`kgqa.complete.train.fit` applies itself:

* ``model_kwargs``: extra model settings (e.g. TransE's L1 distance);
* ``training_kwargs``: extra training settings (e.g. label smoothing);
* ``inverse_triples``: train on (t, r⁻¹, h) as well, so 1-N training (LCWA) learns
  to rank heads and not only tails;
* ``learning_rate`` and ``batch_size``: used when the options leave them at 0.

TransE and DistMult follow the best Kinships configurations of Ali et al. (2021)
(github.com/pykeen/benchmarking, ``ablation/results``), scaled to a CPU budget
(see docs/completion.md); any other model gets PyKEEN's own loss under sLCWA.
Register more with ``@RECIPES.register("name")``.

Example:
    >>> from kgqa.complete.options import TrainingOptions
    >>> recipe_for("DistMult", TrainingOptions(), num_entities=135)["training_loop"]
    'lcwa'
    >>> recipe_for("TransE", TrainingOptions(embedding_dim=256), num_entities=135)["loss_kwargs"]
    {'margin': 32.0, 'adversarial_temperature': 0.2}
    >>> recipe_for("RotatE", TrainingOptions(), num_entities=135)["training_loop"]
    'slcwa'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kgqa.complete.options import TrainingOptions
from kgqa.registry import Registry

#: A recipe gets the options and the number of entities (training cost may depend on it).
Recipe = Callable[[TrainingOptions, int], dict[str, Any]]

#: Above this many entities, 1-N scoring (LCWA) costs too much per epoch on a CPU.
LCWA_MAX_ENTITIES = 5000

RECIPES: Registry[Recipe] = Registry("completion recipe")


def _slcwa(loss: str | None, negatives: int) -> dict[str, Any]:
    recipe: dict[str, Any] = {
        "training_loop": "slcwa",
        "negative_sampler": "basic",
        "negative_sampler_kwargs": {"num_negs_per_pos": negatives},
    }
    if loss is not None:
        recipe["loss"] = loss
    return recipe


@RECIPES.register("transe")
def transe(options: TrainingOptions, num_entities: int) -> dict[str, Any]:
    if num_entities > LCWA_MAX_ENTITIES:
        # Large sparse graphs (MetaQA: 43k entities): an epoch costs about one
        # scored triple per negative, and steps past ~17k scored triples fall out
        # of cache. 16 negatives in batches of 1,024 train an epoch ~1.8x faster
        # than 32 in batches of 512; PyKEEN's NSSA margin (9) and temperature (1)
        # beat the large Kinships margin there (validation MRR 0.12 vs 0.03).
        return {**_slcwa("nssa", 16), "model_kwargs": {"scoring_fct_norm": 1}, "learning_rate": 0.01, "batch_size": 1024}
    # Ali et al.'s best Kinships TransE: sLCWA, self-adversarial NSSA loss, L1
    # distance, ~38 negatives, Adam at ~1e-3, batch 512. Their margin (22 at
    # dimension 128, 28 at 256) grows like the L1 distance between unit vectors,
    # i.e. with the square root of the dimension.
    return {
        **_slcwa("nssa", 32),
        "loss_kwargs": {"margin": round(2.0 * math.sqrt(options.embedding_dim), 1), "adversarial_temperature": 0.2},
        "model_kwargs": {"scoring_fct_norm": 1},
        "learning_rate": 0.002,
        "batch_size": 512,
    }


@RECIPES.register("distmult")
def distmult(options: TrainingOptions, num_entities: int) -> dict[str, Any]:
    # Ali et al.'s best Kinships DistMult: 1-N scoring (LCWA) with cross-entropy,
    # strong label smoothing (0.8) and inverse triples. Above LCWA_MAX_ENTITIES one
    # step scores every entity for each of hundreds of queries, too slow on a CPU:
    # sampled negatives instead.
    if num_entities <= LCWA_MAX_ENTITIES:
        return {
            "training_loop": "lcwa",
            "loss": "crossentropy",
            "training_kwargs": {"label_smoothing": 0.8},
            "inverse_triples": True,
            "learning_rate": 0.01,
            "batch_size": 256,
        }
    return {**_slcwa("softplus", 32), "learning_rate": 0.01, "batch_size": 512}


def default_recipe(options: TrainingOptions, num_entities: int) -> dict[str, Any]:
    """Any other PyKEEN model: its own default loss, trained with sampled negatives."""
    return {**_slcwa(None, 32), "learning_rate": 0.01, "batch_size": 256}


def recipe_for(model: str, options: TrainingOptions, *, num_entities: int) -> dict[str, Any]:
    """The recipe of ``model`` (the default one when none is registered)."""
    recipe = RECIPES.get(model) if model in RECIPES else default_recipe
    return recipe(options, num_entities)
