"""Question embeddings remembered across training runs, keyed by a hash of the text.

Training the translator embeds every distinct synthesized question with MiniLM,
which is most of its time. Retraining after a small change (a few documents, a
correction, more epochs) synthesizes mostly the same questions, so their vectors
are kept in the project's model directory
(``models/embeddings/<encoder hash>.npz``: 16-byte SHA-1 digests of the texts and
their float32 vectors) and only new questions are encoded. One file per encoder,
so vectors of another model are never mixed in.

Example:
    >>> import tempfile, numpy as np
    >>> folder = Path(tempfile.mkdtemp())
    >>> cache = EmbeddingCache.open(folder, "some-encoder")
    >>> cache.add(["Who wrote X?"], np.ones((1, 3), np.float32)); cache.save()
    >>> again = EmbeddingCache.open(folder, "some-encoder")
    >>> again.get(["Who wrote X?", "Who is X?"])[1]
    [1]
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()[:16]


class EmbeddingCache:
    """Vectors by text hash for one encoder, read from and written to one ``.npz`` file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rows: dict[bytes, np.ndarray] = {}
        self._dirty = False
        if path.is_file():
            try:
                with np.load(path) as data:
                    self._rows = dict(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):  # unreadable or truncated: start afresh, it is only a cache
                self._rows = {}

    @classmethod
    def open(cls, directory: Path, encoder: str) -> EmbeddingCache:
        """The cache of ``encoder``'s vectors in ``directory``."""
        name = hashlib.sha1(encoder.encode("utf-8")).hexdigest()[:12]
        return cls(Path(directory) / f"{name}.npz")

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, texts: Sequence[str]) -> tuple[dict[int, np.ndarray], list[int]]:
        """The known vectors by position in ``texts``, and the positions still to encode."""
        found: dict[int, np.ndarray] = {}
        missing: list[int] = []
        for i, text in enumerate(texts):
            vector = self._rows.get(_digest(text))
            if vector is None:
                missing.append(i)
            else:
                found[i] = vector
        return found, missing

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        for text, vector in zip(texts, vectors):
            self._rows[_digest(text)] = vector
        self._dirty = self._dirty or len(texts) > 0

    def save(self) -> None:
        """Write the file (atomically: a half-written cache is never read) when something was added."""
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._rows), dtype="S16")
        vectors = np.stack(list(self._rows.values())).astype(np.float32)
        partial = self.path.with_suffix(".partial.npz")
        np.savez(partial, keys=keys, vectors=vectors)
        os.replace(partial, self.path)
        self._dirty = False
