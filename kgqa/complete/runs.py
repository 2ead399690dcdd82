"""Where completion runs live on disk and which one is current.

A run is a directory holding everything needed to score links again without the
store: the model (``model.pt``), the id mappings (``entities.json``,
``relations.json``: position = PyKEEN id), the known triples as ids
(``triples.npy``), the allowed heads and tails of each relation
(``positions.json``), the calibration (``calibration.json``), the settings
(``config.json``), the metrics (``metrics.json``), the training curves
(``curves.png``) and the rules mined beside the model with their calibration
(``rules.json``). A project keeps its runs under ``models/completion/`` and names
the current one in the ``latest`` file, which is replaced atomically.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MODEL_FILE = "model.pt"
ENTITIES_FILE = "entities.json"
RELATIONS_FILE = "relations.json"
TRIPLES_FILE = "triples.npy"
POSITIONS_FILE = "positions.json"
CALIBRATION_FILE = "calibration.json"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"
CURVES_FILE = "curves.png"
RULES_FILE = "rules.json"
LATEST_FILE = "latest"


def completion_dir(models_dir: Path) -> Path:
    """The folder of the completion runs under a project's ``models_dir``."""
    path = models_dir / "completion"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_run_id(model: str) -> str:
    """A sortable, unique-enough run name: UTC time and model."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}-{re.sub(r'[^A-Za-z0-9]+', '', model).lower()}"


def latest_run(root: Path) -> Path | None:
    """The directory of the current run under ``root``, or ``None``."""
    pointer = root / LATEST_FILE
    if not pointer.is_file():
        return None
    run = root / pointer.read_text(encoding="utf-8").strip()
    return run if (run / MODEL_FILE).is_file() else None


def set_latest(root: Path, run_dir: Path) -> None:
    """Make ``run_dir`` the current run (readers never see a half-written pointer)."""
    tmp = root / f".{LATEST_FILE}.tmp"
    tmp.write_text(run_dir.name + "\n", encoding="utf-8")
    os.replace(tmp, root / LATEST_FILE)


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
