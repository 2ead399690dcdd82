"""The benchmark's question translator: kgqa's trainable translator on MetaQA pairs.

:class:`kgqa.translate.model.Translator` (MiniLM features, factored heads, see
docs/question-answering.md) is trained on (masked question, structure) pairs from
the training questions, the structures derived from their answers
(:mod:`~kgqa.bench.metaqa.supervision`). :class:`MetaQATranslator` adds what the
topic linker needs besides readings: the masked questions seen in training
(:meth:`MetaQATranslator.known`), so a mention whose masking gives one of them is
taken as the topic without encoding anything.

Held-out dev, full-KB paths: top reading = the template's structure for 100.00%
of 7,728 questions, the same as a nearest-neighbour vote over MiniLM embeddings of
the training questions that this module held before (docs/metaqa.md).

Example:
    >>> from rdflib import URIRef
    >>> from kgqa.translate import Hop, QueryStructure
    >>> d = QueryStructure((Hop(URIRef("https://w3id.org/kgqa/movies#directedBy")),))
    >>> y = QueryStructure((Hop(URIRef("https://w3id.org/kgqa/movies#releaseYear")),))
    >>> t = MetaQATranslator.fit([("who directed NE", d), ("when was NE released", y)] * 4, epochs=30)
    >>> t.readings(["who was the director of NE"])[0][0][0] == d
    True
    >>> t.known("who directed NE")[0][0] == d, t.known("who acted in NE")
    (True, None)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from kgqa.translate import QueryStructure
from kgqa.translate.minilm import get_numpy_encoder
from kgqa.translate.model import DEFAULT_ENCODER, Reading, Translator

SEEN_FILE = "seen.json"


class MetaQATranslator:
    """kgqa's :class:`~kgqa.translate.model.Translator` plus the training questions it saw."""

    def __init__(self, model: Translator, seen: dict[str, str]) -> None:
        self.model = model
        #: Masked training question -> structure signature.
        self.seen = seen

    @classmethod
    def fit(
        cls, pairs: Sequence[tuple[str, QueryStructure]], *, threads: int = 1, epochs: int = 40, curves: Path | None = None
    ) -> MetaQATranslator:
        """Train on (masked question, structure) pairs (all of them: no validation split)."""
        model = Translator.train(pairs, epochs=epochs, validation=0, threads=threads, curves=curves)
        return cls(model, {text: structure.signature() for text, structure in pairs})

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        self.model.save(directory)
        (directory / SEEN_FILE).write_text(json.dumps(self.seen), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> MetaQATranslator:
        directory = Path(directory)
        return cls(Translator.load(directory), json.loads((directory / SEEN_FILE).read_text(encoding="utf-8")))

    def forget_encodings(self) -> None:
        """Empty the encoder's text cache, so the next questions are encoded as if new."""
        get_numpy_encoder(self.model.config.get("encoder", DEFAULT_ENCODER)).clear_cache()

    def known(self, question: str) -> list[tuple[QueryStructure, float]] | None:
        """The reading of a masked question seen in training (probability 1), else ``None``."""
        signature = self.seen.get(question)
        return None if signature is None else [(QueryStructure.from_signature(signature), 1.0)]

    def readings(self, questions: Sequence[str], k: int = 3) -> list[list[Reading]]:
        """The ``k`` most likely structures of each masked question; each unpacks as (structure, prob)."""
        return self.model.predict_batch(list(questions), k) if questions else []
