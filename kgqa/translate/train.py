"""Training a project's translator: synthesize from the graph, add examples, fit, save.

:func:`train_translator` is what ``kgqa train translator`` runs and what ``ask``
calls when a project has no translator yet: it synthesizes questions from the
ontology and the graph (:mod:`kgqa.translate.synthesize`), adds the user's
example pairs (:mod:`kgqa.translate.examples`), trains the
:class:`~kgqa.translate.model.Translator` and saves it with its curves under
``<project>/models/translator``. Settings come from the ``[translator]`` section.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> _ = engine.update('''PREFIX sf: <https://w3id.org/kgqa/scifi#>
    ... INSERT DATA { GRAPH <urn:kgqa:graph:facts> { <urn:x:b> sf:author <urn:x:a> . <urn:x:a> sf:birthPlace <urn:x:c> . } }''')
    >>> result = train_translator(engine, per_structure=4, epochs=3, progress=False)
    >>> result.directory.name, result.report.labels > 3
    ('translator', True)
"""

from __future__ import annotations

import collections
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kgqa.translate.examples import read_examples
from kgqa.translate.model import Translator, TrainingReport
from kgqa.translate.structure import QueryStructure
from kgqa.translate.synthesize import Synthesizer


@dataclass
class TrainResult:
    """A trained and saved translator, with what went into it."""

    translator: Translator
    directory: Path
    report: TrainingReport
    synthesized: int = 0
    user_examples: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    #: Properties with data whose one-hop questions got few distinct phrasings: (property, phrasings),
    #: fewest first. Their words in the ontology (labels, alt labels, comments) are what to enrich.
    few_phrasings: list[tuple[str, int]] = field(default_factory=list)


#: A property is reported when its one-hop questions have fewer distinct phrasings than this.
FEW_PHRASINGS = 10


def few_phrasings(examples: Sequence[tuple[str, QueryStructure]], limit: int = FEW_PHRASINGS) -> list[tuple[str, int]]:
    """Properties whose one-hop select questions have fewer than ``limit`` distinct phrasings.

    Example:
        >>> from rdflib import URIRef
        >>> from kgqa.translate.structure import Hop
        >>> one = QueryStructure((Hop(URIRef("urn:p")),))
        >>> few_phrasings([("who wrote X?", one), ("Who wrote X", one), ("X's author?", one)])
        [('urn:p', 2)]
    """
    texts: dict[str, set[str]] = collections.defaultdict(set)
    for text, structure in examples:
        if len(structure.hops) == 1 and structure.form == "select" and structure.filter is None:
            texts[str(structure.hops[0].property)].add(" ".join(text.lower().rstrip("?. ").split()))
    return sorted(((p, len(t)) for p, t in texts.items() if len(t) < limit), key=lambda pt: (pt[1], pt[0]))


def ontology_fingerprint(engine) -> str:  # noqa: ANN001 - kgqa Engine
    """A short hash of the ontology's properties and classes: a translator is trained for these."""
    onto = engine.ontology
    text = "\n".join(sorted(map(str, [*onto.properties, *onto.classes])))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def train_translator(
    engine,  # noqa: ANN001 - kgqa Engine
    *,
    examples: str | Path | None = None,
    extra: Sequence[tuple[str, QueryStructure]] = (),
    epochs: int | None = None,
    per_structure: int | None = None,
    directory: str | Path | None = None,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Synthesize, add ``examples`` (a TSV/JSON file) and ``extra`` (masked question, structure)
    pairs (weak labels from question-answer pairs and corrections, :mod:`kgqa.answer.weak`), train
    and save; returns the result.

    ``directory`` defaults to ``engine.models_dir / "translator"``; ``epochs`` and
    ``per_structure`` default to the ``[translator]`` settings.
    """
    cfg = engine.config
    seed = cfg.get("translator.seed")
    synthesizer = Synthesizer(engine.ontology, engine.store, seed=seed, max_three_hop=cfg.get("translator.max_three_hop"))
    wrap = None
    if progress:
        from tqdm import tqdm

        def wrap(items):  # noqa: ANN001, ANN202
            return tqdm(items, desc="synthesizing questions", unit="path")

    synthesized = synthesizer.examples(per_structure or cfg.get("translator.per_structure"), wrap)
    pairs = [(e.text, e.structure) for e in synthesized]
    user = read_examples(examples, engine.ontology) if examples else []
    pairs += user + list(extra)
    directory = Path(directory) if directory else engine.models_dir / "translator"
    translator = Translator.train(
        pairs,
        epochs=epochs or cfg.get("translator.epochs"),
        seed=seed,
        validation=cfg.get("translator.validation"),
        hidden=cfg.get("translator.hidden"),
        batch_size=cfg.get("translator.batch_size"),
        learning_rate=cfg.get("translator.learning_rate"),
        encoder=cfg.get("models.encoder"),
        progress=progress,
        curves=directory / "curves.png",
        log=log,
        threads=cfg.get("translator.threads"),
        embedding_cache=engine.models_dir / "embeddings",
        patience=cfg.get("translator.patience"),
    )
    by_kind = dict(collections.Counter(e.kind for e in synthesized))
    if user:
        by_kind["examples"] = len(user)
    if extra:
        by_kind["qa pairs"] = len(extra)
    translator.config["training"] = {
        "ontology": ontology_fingerprint(engine),
        "synthesized": len(synthesized),
        "user_examples": len(user),
        "qa_pairs": len(extra),
        "by_kind": by_kind,
    }
    translator.save(directory)
    (directory / "synthesized.sample.json").write_text(
        json.dumps([{"question": e.text, "structure": e.structure.signature(), "kind": e.kind} for e in synthesized[:: max(1, len(synthesized) // 300)]], indent=1)
        + "\n",
        encoding="utf-8",
    )
    return TrainResult(translator, directory, translator.report, len(synthesized), len(user) + len(extra), by_kind,
                       few_phrasings([(e.text, e.structure) for e in synthesized]))
