"""Turn raw model scores into thresholds and confidences, one relation at a time.

Raw scores of embedding models are not probabilities and their scale differs by
relation. Calibration replays the prediction rule on data whose answer is known.
A link is predicted when it is among the ``k`` best unknown tails of its head (or
heads of its tail) and scores at least the threshold. So, per relation:

* **positives**: the held-out true triples (the model never trained on them) that
  make the top ``k`` of their head or tail, with their scores;
* **false positives**: for a uniform sample of allowed heads (and of allowed tails),
  the top ``k`` candidates that are not known triples, each anchor standing for
  ``allowed / sampled`` anchors.

Then the **threshold** is the lowest score at which the precision of everything
scoring at least that much reaches the target, and the **confidence** of a score
is the best precision reached by accepting every link that scores at least as
high: it grows with the score and is at least the target exactly from the
threshold on.

Unknown true triples count as false positives, so the figure is the precision of a
graph missing about as many facts as were held out: a graph missing more gets
better predictions than promised, a nearly complete one worse. Relations with
fewer held-out triples than ``min_positives``, or that never reach the target, get
no threshold and therefore no predictions.
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

#: Heads (and tails) per relation whose top candidates estimate the false positives.
SAMPLED_ANCHORS = 1000


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
    top_k: int,
    seed: int,
    relation_names: Sequence[str],
    progress: bool = True,
) -> dict[int, RelationCalibration]:
    """Calibrate every relation on its held-out id triples (``known`` includes them)."""
    # torch/PyKEEN load on first use, not when the module is imported.
    from kgqa.complete.scoring import KnownIndex, id_mask, top_candidates

    rng = np.random.default_rng(seed)
    n = int(model.num_entities)
    all_known = KnownIndex(known)
    # Ranking a held-out triple must not filter it (nor its held-out siblings) as known.
    held_keys = set(map(tuple, held_out.tolist()))
    train_known = KnownIndex(np.asarray([t for t in known.tolist() if tuple(t) not in held_keys], dtype=np.int64))
    allowed = {"head": allowed_heads, "tail": allowed_tails}
    out: dict[int, RelationCalibration] = {}
    bar = progress_bar(total=len(relation_names), desc="calibrating", enabled=progress, unit="relation")
    for r in range(len(relation_names)):
        rows = held_out[held_out[:, 1] == r]
        if len(rows) < min_positives:
            out[r] = RelationCalibration(len(rows), reason=f"{len(rows)} held-out triples, {min_positives} needed")
            bar.update(1)
            continue
        positives: dict[tuple[int, int], float] = {}
        negatives: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for side, anchor_col, target_col in (("tail", 0, 2), ("head", 2, 0)):
            mask = id_mask(allowed[side].get(r, ()), n)
            groups: dict[int, set[int]] = {}
            for row in rows:
                groups.setdefault(int(row[anchor_col]), set()).add(int(row[target_col]))
            anchors = np.fromiter(groups, dtype=np.int64)
            for a, ids, scores in top_candidates(model, anchors, r, side, allowed=mask, known=train_known, k=top_k):
                for target, score in zip(ids.tolist(), scores.tolist()):
                    if target in groups[a]:
                        positives[(a, target) if side == "tail" else (target, a)] = score
            pool = allowed["head" if side == "tail" else "tail"].get(r, np.zeros(0, np.int64))
            sample = rng.choice(pool, min(len(pool), SAMPLED_ANCHORS), replace=False) if len(pool) else pool
            for _, _, scores in top_candidates(model, sample, r, side, allowed=mask, known=all_known, k=top_k):
                negatives.append(scores)
                weights.append(np.full(len(scores), len(pool) / len(sample)))
        if not positives:
            out[r] = RelationCalibration(len(rows), reason=f"no held-out triple ranks in the top {top_k}")
        else:
            pos = np.fromiter(positives.values(), dtype=np.float64)
            neg = np.concatenate(negatives) if negatives else np.zeros(0)
            out[r] = fit_steps(
                np.concatenate([pos, neg]),
                np.concatenate([np.ones(len(pos)), np.zeros(len(neg))]),
                np.concatenate([np.ones(len(pos)), *weights]),
                target=target_precision,
                positives=len(rows),
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
    cal.recall = float(tp[ends][::-1][i] / max(positives, 1))
    return cal
