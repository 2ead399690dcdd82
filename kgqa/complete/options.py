"""Training settings of a completion run, read from ``[complete]`` or given in code.

Example:
    >>> from kgqa.config import Config
    >>> opts = TrainingOptions.from_config(Config.from_dict({"complete": {"epochs": 5}}), model="DistMult")
    >>> opts.model, opts.epochs, opts.target_precision
    ('DistMult', 5, 0.8)
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from kgqa.config import Config


@dataclass(frozen=True)
class TrainingOptions:
    """Everything that decides a run (saved as the run's ``config.json``)."""

    #: Any PyKEEN model name; TransE and DistMult have tuned recipes (see ``recipes``).
    model: str = "TransE"
    embedding_dim: int = 64
    #: Upper bound: early stopping on validation MRR usually ends training sooner.
    epochs: int = 200
    #: Epochs when fine-tuning the previous run after the entity set only grew.
    finetune_epochs: int = 50
    #: Adam's step size and the training batch; 0 takes the model recipe's (see ``recipes``).
    learning_rate: float = 0.0
    batch_size: int = 0
    #: Validate every ``eval_every`` epochs; stop after ``patience`` checks without gain.
    eval_every: int = 10
    patience: int = 3
    #: Share of triples held out (half validation, half test); both calibrate.
    holdout: float = 0.2
    target_precision: float = 0.8
    #: Held-out triples a relation needs before it gets predictions.
    min_calibration: int = 5
    #: Predictions kept per (h, r, ?) and per (?, r, t).
    top_k: int = 10
    seed: int = 42
    #: Torch CPU threads; 0 picks half the cores.
    threads: int = 0
    #: Also mine path rules (``kgqa.complete.rules``) and write the links they predict at
    #: ``target_precision``: what small graphs can be completed with.
    rules: bool = True
    #: Longest rule body (steps), the support a rule needs, and the facts an entity
    #: needs besides the missing one before rules fill its slot.
    rule_length: int = 3
    rule_min_support: int = 3
    rule_min_facts: int = 2

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> TrainingOptions:
        """The ``[complete]`` settings, with non-``None`` ``overrides`` on top."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in config.data["complete"].items() if k in names}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> TrainingOptions:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def torch_threads(self) -> int:
        return self.threads or max(1, (os.cpu_count() or 2) // 2)
