"""Query-time link scoring from a saved run: no store, no retraining.

A :class:`Scorer` loads a run directory once (model, id mappings, known triples,
allowed positions, calibration) and answers per question: the score of one triple,
the best tails of (h, r, ?) or heads of (?, r, t), each with its calibrated
confidence. All candidates of a query are scored in one batched torch call.
Labels are IRIs (URIRef) for runs trained from a kgqa graph, plain strings for runs
trained from string triples.

Example:
    >>> import tempfile
    >>> from kgqa.complete import TrainingOptions, train_triples
    >>> triples = [(f"p{i}", "knows", f"p{(i + 1) % 30}") for i in range(30)]
    >>> run = train_triples(triples, tempfile.mkdtemp(),
    ...                     TrainingOptions(epochs=5, embedding_dim=8, min_calibration=1), progress=False)
    >>> scorer = Scorer.from_directory(run.directory)
    >>> [label for label, score, conf in scorer.predict_tails("p0", "knows", k=3, filter_known=False)][:1] != []
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rdflib import URIRef

from kgqa.complete import runs
from kgqa.complete.calibrate import RelationCalibration
from kgqa.complete.errors import CompletionError

Label = Any  # URIRef for graph runs, str for string runs
Ranked = list[tuple[Label, float, float | None]]


class Scorer:
    """Scores links with the model of one completion run."""

    def __init__(self, directory: Path) -> None:
        # torch/PyKEEN load on first use, not when the module is imported.
        import torch

        from kgqa.complete.scoring import KnownIndex, id_mask

        self.directory = Path(directory)
        config = runs.read_json(self.directory / runs.CONFIG_FILE)
        self.run_id: str = config["run_id"]
        self.model_name: str = config["options"]["model"]
        self.config: dict[str, Any] = config
        self.metrics: dict[str, Any] = runs.read_json(self.directory / runs.METRICS_FILE)["test"]
        self._as_label = URIRef if config["kind"] == "iri" else str
        self.entities: list[str] = runs.read_json(self.directory / runs.ENTITIES_FILE)
        self.relations: list[str] = runs.read_json(self.directory / runs.RELATIONS_FILE)
        self._e2id = {e: i for i, e in enumerate(self.entities)}
        self._r2id = {r: i for i, r in enumerate(self.relations)}
        self.model = torch.load(self.directory / runs.MODEL_FILE, weights_only=False)
        self.model.eval()
        self.known = KnownIndex(np.load(self.directory / runs.TRIPLES_FILE))
        positions = runs.read_json(self.directory / runs.POSITIONS_FILE)
        n = len(self.entities)
        self._allowed = {
            side: {self._r2id[r]: id_mask(ids, n) for r, ids in positions[key].items()}
            for side, key in (("head", "heads"), ("tail", "tails"))
        }
        self.calibration = {
            self._r2id[r]: RelationCalibration(**c)
            for r, c in runs.read_json(self.directory / runs.CALIBRATION_FILE).items()
        }

    # -- loading -------------------------------------------------------------------
    @classmethod
    def from_directory(cls, directory: str | Path) -> Scorer:
        """Load the run saved in ``directory`` (by :func:`kgqa.complete.train_triples`)."""
        directory = Path(directory)
        if not (directory / runs.MODEL_FILE).is_file():
            raise CompletionError(f"{directory}: not a completion run (no {runs.MODEL_FILE})")
        return cls(directory)

    @classmethod
    def load(cls, models_dir: Path) -> Scorer | None:
        """The scorer of the latest completion run under a project's ``models_dir``, or ``None``."""
        run = runs.latest_run(runs.completion_dir(models_dir))
        return cls(run) if run is not None else None

    # -- look-ups ------------------------------------------------------------------
    def knows(self, label: Any) -> bool:
        """True for an entity the model has an embedding for."""
        return str(label) in self._e2id

    def admits(self, head: Any, relation: Any, tail: Any) -> bool:
        """True when ``head`` and ``tail`` fit the relation's domain and range (as the run saw them)."""
        ids = self._ids(head, relation, tail)
        if ids is None:
            return False
        h, r, t = ids
        heads, tails = self._allowed["head"].get(r), self._allowed["tail"].get(r)
        return (heads is None or bool(heads[h])) and (tails is None or bool(tails[t]))

    def threshold(self, relation: Any) -> float | None:
        """The score above which links of ``relation`` reach the target precision."""
        cal = self.calibration.get(self._r2id.get(str(relation), -1))
        return cal.threshold if cal else None

    def confidence(self, relation: Any, score: float) -> float | None:
        """Calibrated probability that a link of ``relation`` with this raw score is true."""
        cal = self.calibration.get(self._r2id.get(str(relation), -1))
        if cal is None or not cal.x:
            return None
        return float(cal.confidence(np.asarray(score)))

    # -- scoring -------------------------------------------------------------------
    def score(self, head: Any, relation: Any, tail: Any) -> float | None:
        """Raw score of one triple; ``None`` when an entity or the relation is unknown."""
        value = self.score_many([(head, relation, tail)])[0]
        return None if np.isnan(value) else float(value)

    def score_many(self, triples: Sequence[tuple[Any, Any, Any]]) -> np.ndarray:
        """Raw scores of many triples in one batch (NaN where a label is unknown)."""
        # torch/PyKEEN load on first use, not when the module is imported.
        from kgqa.complete.scoring import score_triples

        ids = [self._ids(h, r, t) for h, r, t in triples]
        out = np.full(len(ids), np.nan)
        ok = [i for i, x in enumerate(ids) if x is not None]
        if ok:
            out[ok] = score_triples(self.model, np.asarray([ids[i] for i in ok], dtype=np.int64))
        return out

    def predict_tails(self, head: Any, relation: Any, k: int = 10, *, filter_known: bool = True) -> Ranked:
        """The ``k`` best tails of (head, relation, ?) as (label, score, confidence), best first.

        Only entities in the relation's range are candidates; ``filter_known`` drops
        tails already asserted for (head, relation).
        """
        return self._predict("tail", [(head, relation)], k, filter_known)[0]

    def predict_heads(self, relation: Any, tail: Any, k: int = 10, *, filter_known: bool = True) -> Ranked:
        """The ``k`` best heads of (?, relation, tail), like :meth:`predict_tails`."""
        return self._predict("head", [(tail, relation)], k, filter_known)[0]

    def predict_tails_many(
        self, queries: Sequence[tuple[Any, Any]], k: int = 10, *, filter_known: bool = True
    ) -> list[Ranked]:
        """:meth:`predict_tails` for many (head, relation) pairs at once."""
        return self._predict("tail", list(queries), k, filter_known)

    def _predict(self, side: str, queries: list[tuple[Any, Any]], k: int, filter_known: bool) -> list[Ranked]:
        results: list[Ranked] = [[] for _ in queries]
        by_relation: dict[int, list[tuple[int, int]]] = {}
        for qi, (anchor, relation) in enumerate(queries):
            a, r = self._e2id.get(str(anchor)), self._r2id.get(str(relation))
            if a is not None and r is not None:
                by_relation.setdefault(r, []).append((qi, a))
        for r, items in by_relation.items():
            cal = self.calibration.get(r)
            anchors = np.asarray([a for _, a in items], dtype=np.int64)
            ranked = self.ranked_ids(side, r, anchors, k, filter_known=filter_known)
            for (qi, _), (_, ids, scores) in zip(items, ranked):
                confs = cal.confidence(scores) if cal is not None and cal.x else [None] * len(ids)
                results[qi] = [
                    (self._as_label(self.entities[i]), float(s), None if c is None else float(c))
                    for i, s, c in zip(ids, scores, confs)
                ]
        return results

    # -- id-level access (for batch jobs such as filling the inferred graph) ---------
    def ranked_ids(
        self, side: str, relation: int, anchors: np.ndarray, k: int, *, filter_known: bool = True
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """For each anchor id: (anchor, best ``side`` ids, their scores), best first.

        Candidates are the relation's allowed ``side`` entities, minus the anchor
        itself and, with ``filter_known``, minus known triples.
        """
        # torch/PyKEEN load on first use, not when the module is imported.
        from kgqa.complete.scoring import top_candidates

        return top_candidates(
            self.model,
            anchors,
            relation,
            side,
            allowed=self._allowed[side].get(relation),
            known=self.known if filter_known else None,
            k=k,
        )

    def entity_id(self, label: Any) -> int | None:
        return self._e2id.get(str(label))

    def relation_id(self, label: Any) -> int | None:
        return self._r2id.get(str(label))

    def allowed_ids(self, side: str, relation: int) -> np.ndarray:
        """Ids of the entities allowed as ``side`` ("head" or "tail") of a relation id."""
        mask = self._allowed[side].get(relation)
        return np.flatnonzero(mask) if mask is not None else np.arange(len(self.entities))

    def _ids(self, h: Any, r: Any, t: Any) -> tuple[int, int, int] | None:
        ids = (self._e2id.get(str(h)), self._r2id.get(str(r)), self._e2id.get(str(t)))
        return None if None in ids else ids  # type: ignore[return-value]
