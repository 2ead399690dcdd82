"""Batched scoring with a trained PyKEEN model, and fast look-up of known triples.

Everything here works on PyKEEN ids; :class:`kgqa.complete.Scorer` maps labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import torch


#: Anchors whose score rows are held in memory at once (rows of num_entities floats).
CHUNK = 256
#: Floats one scoring call may materialise: translational models (TransE) build a
#: (queries x entities x dim) tensor when they score every entity at once.
SCORE_BUDGET = 2**25


def rows_per_call(num_entities: int, dim: int) -> int:
    """How many 1-N queries fit in one call under :data:`SCORE_BUDGET` (at most 256)."""
    return max(1, min(256, SCORE_BUDGET // max(1, num_entities * dim)))


def score_targets(model: torch.nn.Module, anchors: np.ndarray, relation: int, side: str) -> np.ndarray:
    """Scores of every entity as the ``side`` ("tail" or "head") of (anchor, relation).

    Returns an array of shape (len(anchors), num_entities); higher is more plausible.
    """
    dim = int(np.prod(model.entity_representations[0].shape))
    step = rows_per_call(model.num_entities, dim)
    out = []
    with torch.inference_mode():
        for start in range(0, len(anchors), step):
            anchors_t = torch.as_tensor(anchors[start : start + step], dtype=torch.long)
            rel = torch.full_like(anchors_t, relation)
            if side == "tail":
                scores = model.predict_t(torch.stack([anchors_t, rel], dim=1))
            elif getattr(model, "use_inverse_triples", False):
                # predict_h would rank heads by f(t, r⁻¹, h); calibration, thresholds and
                # score() all use the forward f(h, r, t), so heads are scored forward too.
                model.eval()
                rt = model._prepare_batch(batch=torch.stack([rel, anchors_t], dim=1), index_relation=0)
                scores = model.score_h(rt)
            else:
                scores = model.predict_h(torch.stack([rel, anchors_t], dim=1))
            out.append(scores.float().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.num_entities), dtype=np.float32)


def id_mask(ids: Iterable[int], n: int) -> np.ndarray:
    """A boolean mask over ``n`` entities, true at ``ids``."""
    mask = np.zeros(n, dtype=bool)
    mask[np.fromiter(ids, dtype=np.int64)] = True
    return mask


def top_k(row: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest finite values of ``row``, best first."""
    finite = np.flatnonzero(np.isfinite(row))
    if len(finite) > k:
        part = np.argpartition(-row[finite], k - 1)[:k]
        finite = finite[part]
    return finite[np.argsort(-row[finite], kind="stable")]


def top_candidates(
    model: torch.nn.Module,
    anchors: np.ndarray,
    relation: int,
    side: str,
    *,
    allowed: np.ndarray | None,
    known: KnownIndex | None,
    k: int,
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each anchor id: (anchor, its ``k`` best ``side`` ids, their scores), best first.

    Candidates are the ``allowed`` entities (a boolean mask; ``None``: all), never the
    anchor itself, and not the ``known`` targets of (anchor, relation).
    """
    for start in range(0, len(anchors), CHUNK):
        chunk = anchors[start : start + CHUNK]
        for a, row in zip(chunk, score_targets(model, chunk, relation, side)):
            row = row.astype(np.float64)
            if allowed is not None:
                row[~allowed] = -np.inf
            if known is not None:
                row[known.targets(int(a), relation, side)] = -np.inf
            row[a] = -np.inf
            best = top_k(row, k)
            yield int(a), best, row[best]


def score_triples(model: torch.nn.Module, triples: np.ndarray, batch_size: int = 65536) -> np.ndarray:
    """Scores of id triples, shape (n,)."""
    out = []
    with torch.inference_mode():
        for start in range(0, len(triples), batch_size):
            batch = torch.as_tensor(triples[start : start + batch_size], dtype=torch.long)
            out.append(model.predict_hrt(batch).view(-1).float().numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


class KnownIndex:
    """The known tails of each (h, r) and heads of each (r, t), from an id triple array."""

    def __init__(self, triples: np.ndarray) -> None:
        triples = np.asarray(triples, dtype=np.int64).reshape(-1, 3)
        self._n_rel = int(triples[:, 1].max()) + 1 if len(triples) else 1
        self._sides = {
            "tail": self._build(triples[:, 0], triples[:, 1], triples[:, 2]),
            "head": self._build(triples[:, 2], triples[:, 1], triples[:, 0]),
        }
        # Per relation and side: (most targets of one anchor, number of anchors).
        self._fanout = {}
        for side, (uniq, starts, ends, _) in self._sides.items():
            most = np.zeros(self._n_rel, dtype=np.int64)
            anchors = np.zeros(self._n_rel, dtype=np.int64)
            np.maximum.at(most, uniq % self._n_rel, ends - starts)
            np.add.at(anchors, uniq % self._n_rel, 1)
            self._fanout[side] = (most, anchors)

    def _build(self, anchor: np.ndarray, rel: np.ndarray, target: np.ndarray):
        keys = anchor * self._n_rel + rel
        order = np.argsort(keys, kind="stable")
        keys, target = keys[order], target[order]
        uniq, starts = np.unique(keys, return_index=True)
        ends = np.append(starts[1:], len(keys))
        return uniq, starts, ends, target

    def single_valued(self, relation: int, side: str, min_anchors: int = 10) -> bool:
        """True when no anchor has two ``side`` entities for ``relation`` (seen on enough anchors).

        A relation whose heads each have one tail (original language, birth place)
        is treated as functional: a head that has its tail gets no other.
        """
        most, anchors = self._fanout[side]
        return relation < self._n_rel and most[relation] == 1 and anchors[relation] >= min_anchors

    def targets(self, anchor: int, relation: int, side: str) -> np.ndarray:
        """Known ``side`` entities of (anchor, relation) (tails of (h, r) or heads of (r, t))."""
        if relation >= self._n_rel:
            return np.zeros(0, dtype=np.int64)
        uniq, starts, ends, target = self._sides[side]
        key = anchor * self._n_rel + relation
        i = np.searchsorted(uniq, key)
        if i < len(uniq) and uniq[i] == key:
            return target[starts[i] : ends[i]]
        return np.zeros(0, dtype=np.int64)
