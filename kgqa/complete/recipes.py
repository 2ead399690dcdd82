"""How to train each model: training loop, loss and negatives, chosen by model name.

PyKEEN builds any model by name; what it does not choose well for us is *how* to
train it in a small CPU budget. A recipe fills that in. TransE and DistMult have
recipes picked on PyKEEN's Nations, UMLS and Kinships (see docs/completion.md);
any other model gets PyKEEN's own defaults under sLCWA training. Register more
with ``@RECIPES.register("name")``.

Example:
    >>> from kgqa.complete.options import TrainingOptions
    >>> recipe_for("DistMult", TrainingOptions(), num_entities=135)["training_loop"]
    'lcwa'
    >>> recipe_for("DistMult", TrainingOptions(), num_entities=43_000)["training_loop"]
    'slcwa'
    >>> recipe_for("RotatE", TrainingOptions(), num_entities=135)["training_loop"]
    'slcwa'
"""

from __future__ import annotations

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
    # Self-adversarial negative sampling (Sun et al. 2019) beat margin ranking and
    # 1-N cross-entropy for TransE on Nations, UMLS and Kinships.
    return _slcwa("nssa", 32)


@RECIPES.register("distmult")
def distmult(options: TrainingOptions, num_entities: int) -> dict[str, Any]:
    # 1-N scoring with cross-entropy (LCWA), the setting of DistMult's best Kinships
    # result in Ali et al. (2021), while every entity can be scored at each step;
    # on large graphs sampled negatives with the softplus loss instead.
    if num_entities <= LCWA_MAX_ENTITIES:
        return {"training_loop": "lcwa", "loss": "crossentropy"}
    return _slcwa("softplus", 32)


def default_recipe(options: TrainingOptions, num_entities: int) -> dict[str, Any]:
    """Any other PyKEEN model: its own default loss, trained with sampled negatives."""
    return _slcwa(None, 32)


def recipe_for(model: str, options: TrainingOptions, *, num_entities: int) -> dict[str, Any]:
    """The recipe of ``model`` (the default one when none is registered)."""
    recipe = RECIPES.get(model) if model in RECIPES else default_recipe
    return recipe(options, num_entities)
