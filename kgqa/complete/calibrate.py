"""Turn raw model scores into thresholds and confidences, one relation at a time.

Raw scores of embedding models are not probabilities and their scale differs by
relation. Calibration mirrors how predictions are made: a prediction is any
unknown pair (h, t) of allowed head and tail whose score clears the threshold. So
for each relation we score

* the held-out true triples (the model never trained on them): the positives;
* a uniform sample of all candidate pairs (allowed head x allowed tail, not known,
  not a self-link): the negatives, each weighted by how many candidates it stands for;

and pick

* the **threshold**: the lowest score at which the precision of "score >= threshold"
  reaches the target precision;
* the **confidence** of a score: the best precision reached by accepting every link
  that scores at least as high; it grows with the score and is at least the target
  exactly from the threshold on.

Unknown true triples count as negatives, so the figure is the precision a graph
would see if it were missing about as many facts as were held out: a graph missing
more gets better predictions than promised, a nearly complete one worse. Relations
with fewer held-out triples than ``min_positives``, or that never reach the target,
get no threshold and therefore no predictions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kgqa.complete.progress import progress_bar

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

#: Candidate pairs sampled per relation: 100 per held-out triple, within these bounds.
NEGATIVES_PER_POSITIVE = 100
MIN_NEGATIVES = 10_000
MAX_NEGATIVES = 200_000


@dataclass
class RelationCalibration:
    """Threshold and score-to-confidence steps of one relation."""

    positives: int
    threshold: float | None = None
    #: Precision and recall on the held-out triples at the threshold.
    precision: float | None = None
    recall: float | None = None
    #: Steps: a score >= x[i] (and < x[i + 1]) has confidence y[i]; below x[0], y[0].
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    reason: str = ""

    def confidence(self, scores: np.ndarray) -> np.ndarray:
        """Held-out precision of the links scoring at least ``scores`` (NaN if uncalibrated)."""
        if not self.x:
            return np.full(np.shape(scores), np.nan)
        i = np.searchsorted(self.x, scores, side="right") - 1
        return np.asarray(self.y)[np.clip(i, 0, len(self.y) - 1)]

    def to_dict(self) -> dict:
        return asdict(self)


def calibrate(
    model: torch.nn.Module,
    held_out: np.ndarray,
    known: np.ndarray,
    allowed_heads: Mapping[int, np.ndarray],
    allowed_tails: Mapping[int, np.ndarray],
    *,
    target_precision: float,
    min_positives: int,
    seed: int,
    relation_names: Sequence[str],
    progress: bool = True,
) -> dict[int, RelationCalibration]:
    """Calibrate every relation on its held-out id triples against sampled candidate pairs."""
    from kgqa.complete.scoring import score_triples

    rng = np.random.default_rng(seed)
    n_entities = int(model.num_entities)
    out: dict[int, RelationCalibration] = {}
    bar = progress_bar(total=len(relation_names), desc="calibrating", enabled=progress, unit="relation")
    for r in range(len(relation_names)):
        positives = held_out[held_out[:, 1] == r]
        heads, tails = allowed_heads.get(r, np.zeros(0, np.int64)), allowed_tails.get(r, np.zeros(0, np.int64))
        if len(positives) < min_positives:
            out[r] = RelationCalibration(len(positives), reason=f"{len(positives)} held-out triples, {min_positives} needed")
        else:
            pairs = len(heads) * len(tails)
            size = min(MAX_NEGATIVES, max(MIN_NEGATIVES, NEGATIVES_PER_POSITIVE * len(positives)))
            h = heads[rng.integers(0, len(heads), size)]
            t = tails[rng.integers(0, len(tails), size)]
            rel_known = known[known[:, 1] == r]
            taken = np.isin(h * n_entities + t, rel_known[:, 0] * n_entities + rel_known[:, 2]) | (h == t)
            negatives = np.stack([h, np.full(size, r), t], axis=1)[~taken]
            pos_scores = score_triples(model, positives)
            neg_scores = score_triples(model, negatives)
            out[r] = fit_steps(
                np.concatenate([pos_scores, neg_scores]),
                np.concatenate([np.ones(len(pos_scores)), np.zeros(len(neg_scores))]),
                np.concatenate([np.ones(len(pos_scores)), np.full(len(neg_scores), pairs / size)]),
                target=target_precision,
                positives=len(positives),
            )
        bar.update(1)
    bar.close()
    for r, cal in sorted(out.items()):
        if cal.threshold is None:
            log.info("relation %s gets no predictions: %s", relation_names[r], cal.reason)
    return out


def fit_steps(
    scores: np.ndarray, labels: np.ndarray, weights: np.ndarray, *, target: float, positives: int
) -> RelationCalibration:
    """Confidence steps and threshold from labelled, weighted scores.

    The confidence of a score s is the best precision reached by accepting every
    link scoring at least some s' <= s; it grows with the score, and reaches
    ``target`` exactly from the threshold on.

    Example:
        >>> cal = fit_steps(np.array([0.9, 0.8, 0.7, 0.2]), np.array([1, 1, 0, 0]), np.ones(4),
        ...                 target=0.8, positives=2)
        >>> cal.threshold, cal.recall, cal.confidence(np.array([0.85, 0.5])).tolist()
        (0.8, 1.0, [1.0, 0.5])
    """
    order = np.argsort(-scores, kind="stable")
    desc, labels, weights = scores[order], labels[order], weights[order]
    tp = np.cumsum(labels)
    fp = np.cumsum((1 - labels) * weights)
    # A threshold admits every link with the same score: judge at the end of each tie.
    ends = np.flatnonzero(np.append(desc[1:] != desc[:-1], True))
    precision = (tp / np.maximum(tp + fp, 1e-12))[ends]
    ascending, asc_precision = desc[ends][::-1], precision[::-1]
    best = np.maximum.accumulate(asc_precision)
    keep = np.flatnonzero(np.append(True, best[1:] > best[:-1]))
    cal = RelationCalibration(positives, x=ascending[keep].tolist(), y=best[keep].tolist())
    reached = np.flatnonzero(asc_precision >= target)
    if len(reached) == 0:
        cal.reason = f"precision {target:g} not reached on {positives} held-out triples"
        return cal
    i = reached[0]
    cal.threshold = float(ascending[i])
    cal.precision = float(asc_precision[i])
    cal.recall = float(tp[ends][::-1][i] / max(labels.sum(), 1))
    return cal
