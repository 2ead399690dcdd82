"""A train / validation / test split that stays put as the graph grows.

Each triple goes to a part by a hash of its labels and the seed, not by its
position in a shuffled list, so a triple held out in one run is held out in the
next: fine-tuning the previous model never sees the triples it is then scored on.
A held-out triple whose entity or relation would otherwise be missing from
training moves to training (embeddings need at least one training triple).

Example:
    >>> triples = [(f"e{i}", "r", f"e{i + 1}") for i in range(100)]
    >>> train, valid, test = stable_split(triples, holdout=0.2, seed=1)
    >>> len(train) + len(valid) + len(test)
    100
    >>> stable_split(triples, holdout=0.2, seed=1) == (train, valid, test)
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

LabeledTriple = tuple[str, str, str]


def _unit(seed: int, triple: LabeledTriple) -> float:
    digest = hashlib.blake2b("\t".join((str(seed), *triple)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def stable_split(
    triples: Sequence[LabeledTriple], *, holdout: float, seed: int
) -> tuple[list[LabeledTriple], list[LabeledTriple], list[LabeledTriple]]:
    """Split into (training, validation, testing); ``holdout`` is shared equally by the last two."""
    train: list[LabeledTriple] = []
    held: list[tuple[LabeledTriple, float]] = []
    for triple in triples:
        u = _unit(seed, triple)
        if u < holdout:
            held.append((triple, u))
        else:
            train.append(triple)
    entities = {e for h, _, t in train for e in (h, t)}
    relations = {r for _, r, _ in train}
    valid: list[LabeledTriple] = []
    test: list[LabeledTriple] = []
    for triple, u in held:
        h, r, t = triple
        if h not in entities or t not in entities or r not in relations:
            train.append(triple)
            entities.update((h, t))
            relations.add(r)
        else:
            (valid if u < holdout / 2 else test).append(triple)
    return sorted(train), sorted(valid), sorted(test)
