"""The question translator the benchmark trains: masked question -> query structure.

STAND-IN, labelled as such: ``kgqa.translate`` has no trainable translator yet, so
this is the minimal one the benchmark needs. It embeds the training questions
(topic masked) with the shared MiniLM encoder and reads a new question as the
structures of its nearest training questions, weighted by similarity. When the
project's own translator lands, the benchmark should train and load that instead
through the same three calls (``fit``, ``save`` / ``load``, ``readings``).

Example:
    >>> from rdflib import URIRef
    >>> from kgqa.translate import Hop, QueryStructure
    >>> d = QueryStructure((Hop(URIRef("https://w3id.org/kgqa/movies#directedBy")),))
    >>> y = QueryStructure((Hop(URIRef("https://w3id.org/kgqa/movies#releaseYear")),))
    >>> t = NearestQuestions.fit([("who directed NE", d), ("when was NE released", y)])
    >>> t.readings(["who was the director of NE"])[0][0][0] == d
    True
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kgqa.models.encoder import get_encoder
from kgqa.translate import QueryStructure

#: Neighbours that vote, and the softmax temperature of their cosine similarities.
NEIGHBOURS = 8
TEMPERATURE = 0.01

Reading = tuple[QueryStructure, float]


class NearestQuestions:
    """Nearest training questions vote for their structures."""

    def __init__(self, texts: list[str], labels: np.ndarray, structures: list[QueryStructure], vectors: np.ndarray) -> None:
        self.texts = texts
        self.labels = labels
        self.structures = structures
        self.vectors = vectors
        self._by_text = {t: int(label) for t, label in zip(texts, labels)}

    @classmethod
    def fit(cls, pairs: Sequence[tuple[str, QueryStructure]]) -> NearestQuestions:
        """Index (masked question, structure) pairs; repeated questions count once."""
        unique = dict(pairs)
        structures = sorted(set(unique.values()), key=QueryStructure.signature)
        index = {s: i for i, s in enumerate(structures)}
        texts = list(unique)
        labels = np.asarray([index[unique[t]] for t in texts], dtype=np.int64)
        return cls(texts, labels, structures, get_encoder().encode(texts, batch_size=128))

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / "vectors.npz", vectors=self.vectors, labels=self.labels)
        meta = {"texts": self.texts, "structures": [s.signature() for s in self.structures]}
        (directory / "translator.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> NearestQuestions:
        directory = Path(directory)
        meta = json.loads((directory / "translator.json").read_text(encoding="utf-8"))
        arrays = np.load(directory / "vectors.npz")
        structures = [QueryStructure.from_signature(s) for s in meta["structures"]]
        return cls(meta["texts"], arrays["labels"], structures, arrays["vectors"])

    def known(self, question: str) -> list[Reading] | None:
        """The reading of a masked question seen in training (probability 1), else ``None``."""
        label = self._by_text.get(question)
        return None if label is None else [(self.structures[label], 1.0)]

    def readings(self, questions: Sequence[str], k: int = 3) -> list[list[Reading]]:
        """The ``k`` most likely structures of each masked question, with probabilities."""
        if not questions:
            return []
        sims = get_encoder().encode(list(questions), batch_size=128) @ self.vectors.T
        n = min(NEIGHBOURS, sims.shape[1])
        out = []
        for row in sims:
            top = np.argpartition(-row, n - 1)[:n]
            weights = np.exp((row[top] - row[top].max()) / TEMPERATURE)
            votes: dict[int, float] = defaultdict(float)
            for i, w in zip(top, weights / weights.sum()):
                votes[int(self.labels[i])] += float(w)
            best = sorted(votes.items(), key=lambda kv: -kv[1])[:k]
            out.append([(self.structures[label], p) for label, p in best])
        return out
