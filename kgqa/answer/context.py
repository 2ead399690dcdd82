"""What answering keeps between questions, per engine: index, encoder, translator.

Building the label index reads every label once; loading the encoder and the
translator reads their files once. :func:`qa_context` keeps them for each open
:class:`~kgqa.engine.Engine` and rebuilds the graph-derived parts when the data
changed. Oxigraph has no cheap change counter (counting quads walks them all), so
an on-disk store is judged by its RocksDB write-ahead log and table files (one
directory listing); other stores by their quad count.

Example:
    >>> from kgqa import Engine
    >>> engine = Engine.memory()
    >>> qa_context(engine) is qa_context(engine)
    True
"""

from __future__ import annotations

import os
import sys
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgqa.errors import KgqaError
from kgqa.linking.link import Linker
from kgqa.translate.minilm import NumpyEncoder, get_numpy_encoder
from kgqa.translate.model import Translator, TranslatorError

if TYPE_CHECKING:
    from kgqa.engine import Engine

#: One engine's answering state is built and refreshed by one thread at a time.
_lock = threading.Lock()


def translator_dir(engine: Engine) -> Path:
    """Where the project's trained translator lives."""
    return engine.models_dir / "translator"


def data_version(store) -> Any:  # noqa: ANN001 - any Store
    """A value that changes when the store's data changes (cheap for on-disk Oxigraph)."""
    location = Path(getattr(store, "location", "") or "")
    if location.is_dir():
        try:
            return tuple(
                sorted(
                    (e.name, e.stat().st_size, e.stat().st_mtime_ns)
                    for e in os.scandir(location)
                    if e.name.endswith((".log", ".sst")) or e.name.startswith("MANIFEST")
                )
            )
        except OSError:
            pass
    return store.count()


class QAContext:
    """Per-engine state of question answering."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.version = data_version(engine.store)
        self.notes: list[str] = []
        #: Document path of each document graph seen in answers (see ``collect_facts``).
        self.documents: dict[Any, str] = {}
        self._scorer: tuple[Path, Any] | None = None
        #: Per run: the highest calibrated confidence of each relation's links.
        self._reach: tuple[Path, dict[str, float]] | None = None

    @cached_property
    def encoder(self) -> NumpyEncoder:
        return get_numpy_encoder(self.engine.config.get("models.encoder"))

    @cached_property
    def linker(self) -> Linker:
        return Linker.build(self.engine.store, self.engine.ontology, encode=self.encoder.encode)

    @cached_property
    def verbalizer(self) -> Any:
        from kgqa.verbalize import Verbalizer

        return Verbalizer.for_engine(self.engine)

    @cached_property
    def translator(self) -> Translator:
        """The project's translator; trained on the spot when missing and ``answer.auto_train`` is on."""
        directory = translator_dir(self.engine)
        if (directory / "config.json").is_file():
            return Translator.load(directory)
        if not self.engine.config.get("answer.auto_train"):
            raise TranslatorError(
                f"{directory}: no trained translator; run `kgqa train translator` first"
            )
        from kgqa.translate.train import train_translator

        print("kgqa: no translator yet; training one on this graph (once)...", file=sys.stderr)
        result = train_translator(self.engine, progress=True)
        self.notes.append(
            f"trained a translator on this graph first ({result.report.examples} questions, "
            f"{result.report.seconds:.0f} s); `kgqa train translator` does it ahead of time"
        )
        return result.translator

    def scorer(self, relation: Any = None, min_confidence: float = 0.0) -> Any:
        """The completion model's scorer of the latest run, loaded once per run; ``None`` without
        one, or when the run's calibration says no link of ``relation`` ever reaches
        ``min_confidence`` (a run that would predict nothing is not loaded: that imports torch
        and scores every candidate, seconds for an answer the model cannot give)."""
        from kgqa.complete.runs import completion_dir, latest_run

        run = latest_run(completion_dir(self.engine.models_dir))
        if run is None or (relation is not None and not self._can_reach(run, str(relation), min_confidence)):
            return None
        if self._scorer is None or self._scorer[0] != run:
            from kgqa.complete import Scorer

            try:
                self._scorer = (run, Scorer.from_directory(run))
            except KgqaError:
                return None
        return self._scorer[1]

    def _can_reach(self, run: Path, relation: str, min_confidence: float) -> bool:
        """Whether the run's calibration gives any link of ``relation`` at least ``min_confidence``."""
        if self._reach is None or self._reach[0] != run:
            from kgqa.complete.runs import CALIBRATION_FILE, read_json

            try:
                steps = read_json(run / CALIBRATION_FILE)
            except (OSError, ValueError, KgqaError):
                steps = {}
            self._reach = (run, {r: max(c.get("y") or [0.0]) for r, c in steps.items()})
        return self._reach[1].get(relation, 0.0) >= min_confidence

    def refresh(self) -> None:
        """Forget the graph-derived state (label index, entity facts)."""
        self.__dict__.pop("linker", None)
        self.__dict__.pop("verbalizer", None)
        self.documents = {}
        self.version = data_version(self.engine.store)


def qa_context(engine: Engine) -> QAContext:
    """The answering state of ``engine`` (:attr:`Engine.answering`), rebuilt when its data changed."""
    with _lock:
        ctx = engine.answering
        if data_version(engine.store) != ctx.version:
            ctx.refresh()
        return ctx


__all__ = ["QAContext", "data_version", "qa_context", "translator_dir"]
