"""Training settings of a completion run: the ``[complete]`` section, or given in code.

:class:`TrainingOptions` has exactly the fields (and defaults) of
:class:`kgqa.config.CompleteSection`; it adds what a run does with them.

Example:
    >>> from kgqa.config import Settings
    >>> settings = Settings.from_dict({"complete": {"epochs": 5}})
    >>> opts = TrainingOptions.from_settings(settings.complete, model="DistMult")
    >>> opts.model, opts.epochs, opts.target_precision
    ('DistMult', 5, 0.8)
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from kgqa.config import CompleteSection


@dataclass(frozen=True)
class TrainingOptions(CompleteSection):
    """Everything that decides a run (saved as the run's ``config.json``); fields: see
    :class:`~kgqa.config.CompleteSection`."""

    @classmethod
    def from_settings(cls, section: CompleteSection, **overrides: Any) -> TrainingOptions:
        """The ``[complete]`` settings, with the ``overrides`` that are not ``None`` on top."""
        values = dataclasses.asdict(section)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> TrainingOptions:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def torch_threads(self) -> int:
        return self.threads or max(1, (os.cpu_count() or 2) // 2)
