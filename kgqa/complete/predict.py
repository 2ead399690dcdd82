"""Choose the links to add to the inferred graph.

For every relation that reached the target precision in calibration, each allowed
head gets its ``top_k`` best unknown tails (h, r, ?) and each allowed tail its
``top_k`` best unknown heads (?, r, t); those scoring at least the relation's
threshold become predictions. Known triples and self-links are never predicted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kgqa.complete.progress import progress_bar
from kgqa.complete.scorer import Scorer

@dataclass(frozen=True)
class Prediction:
    """One predicted link with its raw score and calibrated confidence."""

    head: str
    relation: str
    tail: str
    score: float
    confidence: float
    #: The rule behind a rule-based link (its best one), empty for embedding links.
    rule: str = ""


def predict_links(scorer: Scorer, top_k_per_query: int, *, progress: bool = True) -> list[Prediction]:
    """All accepted predictions of ``scorer``'s run, sorted by relation, then confidence."""
    found: dict[tuple[int, int, int], float] = {}
    candidates: dict[tuple[int, int, int], float] = {}
    relations = [r for r, cal in scorer.calibration.items() if cal.threshold is not None]
    total = sum(len(scorer.allowed_ids(side, r)) for r in relations for side in ("head", "tail"))
    bar = progress_bar(total=total, desc="predicting", enabled=progress)
    for r in relations:
        threshold = scorer.calibration[r].threshold
        for side, anchor_side in (("tail", "head"), ("head", "tail")):
            for a, ids, scores in scorer.ranked_ids(side, r, scorer.allowed_ids(anchor_side, r), top_k_per_query):
                for target, score in zip(ids[scores >= threshold], scores[scores >= threshold]):
                    key = (a, r, int(target)) if side == "tail" else (int(target), r, a)
                    candidates[key] = float(score)
                bar.update(1)
        found.update(_respect_cardinality(candidates, scorer, r))
        candidates.clear()
    bar.close()
    out = []
    for (h, r, t), score in sorted(found.items()):
        conf = scorer.calibration[r].confidence(np.asarray(score))
        out.append(Prediction(scorer.entities[h], scorer.relations[r], scorer.entities[t], score, float(conf)))
    out.sort(key=lambda p: (p.relation, -p.confidence, -p.score, p.head, p.tail))
    return out


def _respect_cardinality(
    candidates: dict[tuple[int, int, int], float], scorer: Scorer, relation: int
) -> dict[tuple[int, int, int], float]:
    """Drop candidates that would give a single-valued relation a second value.

    If every head of the relation has one tail in the data, a head that already has
    one gets none, and a head without one gets only its best; likewise for tails of
    relations whose tails each have one head.
    """
    known = scorer.known
    for side, anchor_at in (("tail", 0), ("head", 2)):
        if not known.single_valued(relation, side):
            continue
        best: dict[int, tuple[tuple[int, int, int], float]] = {}
        for key, score in candidates.items():
            anchor = key[anchor_at]
            if len(known.targets(anchor, relation, side)):
                continue
            if anchor not in best or score > best[anchor][1]:
                best[anchor] = (key, score)
        candidates = dict(best.values())
    return candidates
