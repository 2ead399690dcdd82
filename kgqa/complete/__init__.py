"""Graph completion: predict the links documents never state, and keep them apart.

Knowledge-graph embeddings (PyKEEN: TransE, DistMult or any PyKEEN model by name)
learn from the asserted entity-to-entity triples. A per-relation calibration on
held-out triples turns raw scores into a threshold that reaches a target
precision and a confidence for each link. Accepted predictions go to the
``urn:kgqa:graph:inferred`` named graph, each as a plain triple and as a reified
``kgqa:Prediction`` with its confidence and the run that made it; asserted
graphs are never touched.

Public objects:

* :func:`complete` (``engine.complete()``, ``kgqa complete``): train and rewrite the
  inferred graph; ``drop=True`` removes it.
* :class:`Scorer`: query-time ``score``, ``predict_tails``, ``predict_heads`` from a
  saved run (``Scorer.load(models_dir)``, ``Scorer.from_directory(path)``).
* :func:`train_triples` and :class:`TrainingOptions`: train and save a run from plain
  ``(head, relation, tail)`` strings, no store needed.
* :func:`inferred_confidence` / :func:`inferred_confidences`: the confidence of
  inferred links, for labelling answers.
* :class:`CompletionError`: what goes wrong in user terms.

Example:
    >>> import tempfile
    >>> from kgqa.complete import Scorer, TrainingOptions, train_triples
    >>> triples = [(f"p{i}", "knows", f"p{(i + 1) % 30}") for i in range(30)]
    >>> run = train_triples(triples, tempfile.mkdtemp(),
    ...                     TrainingOptions(epochs=5, embedding_dim=8, min_calibration=1), progress=False)
    >>> scorer = Scorer.from_directory(run.directory)
    >>> isinstance(scorer.score("p0", "knows", "p1"), float)
    True

Heavy libraries (torch, PyKEEN) load only when a name that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import Any

from kgqa.complete.errors import CompletionError
from kgqa.complete.graph import inferred_confidence, inferred_confidences
from kgqa.complete.options import TrainingOptions

_LAZY = {
    "complete": "kgqa.complete.complete_graph",
    "CompletionReport": "kgqa.complete.complete_graph",
    "Scorer": "kgqa.complete.scorer",
    "train_triples": "kgqa.complete.train",
    "TrainedRun": "kgqa.complete.train",
    "fit": "kgqa.complete.train",
    "Prediction": "kgqa.complete.predict",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kgqa.complete' has no attribute {name!r}")


__all__ = [
    "CompletionError",
    "CompletionReport",
    "Prediction",
    "Scorer",
    "TrainedRun",
    "TrainingOptions",
    "complete",
    "fit",
    "inferred_confidence",
    "inferred_confidences",
    "train_triples",
]
