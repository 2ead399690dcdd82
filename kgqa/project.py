"""Where a project lives on disk and how commands find it.

A project is a directory (by default ``./.kgqa``, the way git keeps ``.git``)::

    .kgqa/
      kgqa.toml          settings (see kgqa.config)
      store/             the embedded Oxigraph store
      provenance.sqlite  documents and triple provenance (ingest)
      models/            trained translator, completion runs, policy
      sessions.sqlite    dialogue sessions

Commands use the directory named by ``--project``, else ``$KGQA_PROJECT``, else the
nearest ``.kgqa`` in the current directory or one of its parents.
"""

from __future__ import annotations

import os
from pathlib import Path

from kgqa.config import CONFIG_FILE
from kgqa.errors import ProjectError

DEFAULT_DIRNAME = ".kgqa"
ENV_VAR = "KGQA_PROJECT"


def find_project(explicit: str | Path | None = None, start: Path | None = None) -> Path:
    """The project directory to use, or a :class:`ProjectError` that says how to make one."""
    if explicit is None:
        explicit = os.environ.get(ENV_VAR) or None
    if explicit is not None:
        path = Path(explicit)
        if not (path / CONFIG_FILE).is_file():
            raise ProjectError(f"{path}: not a kgqa project (no {CONFIG_FILE}); create one with `kgqa init {path}`")
        return path
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_DIRNAME
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise ProjectError(
        f"no kgqa project in {here} or its parents; create one with `kgqa init` or pass --project DIR"
    )
