"""Translator training: embeddings reused across runs by text hash, early stop on a held-out plateau."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_translate import PAIRS

from kgqa.translate.embedding_cache import EmbeddingCache
from kgqa.translate.minilm import get_numpy_encoder
from kgqa.translate.model import DEFAULT_ENCODER, Translator


def test_embeddings_are_kept_across_runs_and_give_the_same_model(tmp_path: Path) -> None:
    cache_dir = tmp_path / "embeddings"
    first = Translator.train(PAIRS, epochs=5, validation=0.0, progress=False, embedding_cache=cache_dir)
    texts = sorted({t for t, _ in PAIRS})
    cache = EmbeddingCache.open(cache_dir, DEFAULT_ENCODER)
    assert len(cache) == len(texts)
    found, missing = cache.get(texts)
    assert missing == []
    expected = get_numpy_encoder(DEFAULT_ENCODER).encode(texts)
    assert np.allclose(np.stack([found[i] for i in range(len(texts))]), expected, atol=1e-6)
    # Another encoder's file is another file: its vectors are never mixed in.
    assert EmbeddingCache.open(cache_dir, "another-encoder").get(texts)[1] == list(range(len(texts)))

    again = Translator.train(PAIRS, epochs=5, validation=0.0, progress=False, embedding_cache=cache_dir)
    assert set(again.weights) == set(first.weights)
    assert all(np.array_equal(again.weights[k], first.weights[k]) for k in first.weights)


def test_training_stops_on_a_held_out_plateau_and_keeps_the_best_epoch(tmp_path: Path) -> None:
    t = Translator.train(PAIRS, epochs=80, validation=0.3, patience=3, progress=False)
    report = t.report
    assert report.stopped_at is not None and report.stopped_at < 80
    assert len(report.history) == report.stopped_at + 3
    best = max(h["validation_accuracy"] for h in report.history)
    assert report.validation_accuracy == best == report.history[report.stopped_at - 1]["validation_accuracy"]
    assert all(h["validation_accuracy"] < best for h in report.history[: report.stopped_at - 1])
