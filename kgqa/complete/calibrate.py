"""Turn raw model scores into thresholds and confidences, one relation at a time.

Raw scores of embedding models are not probabilities and their scale differs by
relation. Calibration uses the held-out true triples, which the model never trained
on: for each held-out (h, r, t) every other allowed tail of (h, r, ?) and every
other allowed head of (?, r, t) that is not a known triple is a negative (a sample
of them, each weighted by how many it stands for). Per relation we then pick

* the **threshold**: the lowest score at which the precision of "score >= threshold"
  on held-out positives versus negatives still reaches the target precision;
* the **confidence** of a score: the best held-out precision reached by accepting
  every link that scores at least as high; it grows with the score and is at least
  the target precision exactly from the threshold on.

Unknown true triples count as negatives here, so the estimate is conservative.
Relations with fewer held-out triples than ``min_positives`` get no threshold and
therefore no predictions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kgqa.complete.progress import progress_bar

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

#: Negatives sampled per held-out query (weighted to stand for all of them).
NEGATIVES_PER_QUERY = 256


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
    """Calibrate every relation of ``held_out`` (id triples) against filtered negatives."""
    from kgqa.complete.scoring import KnownIndex, score_targets

    rng = np.random.default_rng(seed)
    index = KnownIndex(known)
    samples: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = defaultdict(list)
    by_relation: dict[int, np.ndarray] = {
        int(r): held_out[held_out[:, 1] == r] for r in np.unique(held_out[:, 1])
    }
    out: dict[int, RelationCalibration] = {}
    for r in range(len(relation_names)):
        n = len(by_relation.get(r, ()))
        if n < min_positives:
            out[r] = RelationCalibration(n, reason=f"{n} held-out triples, {min_positives} needed")
    todo = {r: rows for r, rows in by_relation.items() if r not in out}
    bar = progress_bar(total=sum(2 * len(v) for v in todo.values()), desc="calibrating", enabled=progress)
    for r, rows in todo.items():
        for side, allowed in (("tail", allowed_tails[r]), ("head", allowed_heads[r])):
            # One query per distinct (h, r) or (r, t); its positives are the held-out answers.
            anchor_col, target_col = (0, 2) if side == "tail" else (2, 0)
            groups: dict[int, list[int]] = defaultdict(list)
            for row in rows:
                groups[int(row[anchor_col])].append(int(row[target_col]))
            anchors = np.fromiter(groups, dtype=np.int64)
            for start in range(0, len(anchors), 256):
                chunk = anchors[start : start + 256]
                scores = score_targets(model, chunk, r, side)
                for anchor, row_scores in zip(chunk, scores):
                    positives = np.asarray(groups[int(anchor)], dtype=np.int64)
                    # Known triples (held-out positives included) and self-links are never negatives.
                    taken = np.append(index.targets(int(anchor), r, side), anchor)
                    negatives = np.setdiff1d(allowed, taken)
                    weight = 1.0
                    if len(negatives) > NEGATIVES_PER_QUERY:
                        weight = len(negatives) / NEGATIVES_PER_QUERY
                        negatives = rng.choice(negatives, NEGATIVES_PER_QUERY, replace=False)
                    samples[r].append((row_scores[positives], row_scores[negatives], np.full(len(negatives), weight)))
                bar.update(sum(len(groups[int(a)]) for a in chunk))
        out[r] = _fit_relation(samples.pop(r), len(rows), target_precision)
    bar.close()
    for r, cal in sorted(out.items()):
        if cal.threshold is None:
            log.info("relation %s gets no predictions: %s", relation_names[r], cal.reason)
    return out


def _fit_relation(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], positives: int, target: float
) -> RelationCalibration:
    pos = np.concatenate([p for p, _, _ in parts])
    neg = np.concatenate([n for _, n, _ in parts])
    return fit_steps(
        np.concatenate([pos, neg]),
        np.concatenate([np.ones(len(pos)), np.zeros(len(neg))]),
        np.concatenate([np.ones(len(pos)), np.concatenate([w for _, _, w in parts])]),
        target=target,
        positives=positives,
    )


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
