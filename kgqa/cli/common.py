"""Shared state and helpers of the CLI commands."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from kgqa.engine import Engine

console = Console()
err_console = Console(stderr=True)


@dataclass
class _State:
    project: str | None = None
    #: The command line being run, when the app is built for one (``None``: every command is built).
    argv: list[str] | None = None


state = _State()


def open_engine(read_only: bool = False) -> Engine:
    """The engine of the project chosen by --project / KGQA_PROJECT / ./.kgqa."""
    from kgqa.engine import Engine

    return Engine.open(state.project, read_only=read_only)


def write_json(path: Path | str, data: Any) -> None:
    """Write ``data`` as pretty JSON (``-`` for stdout)."""
    text = json.dumps(data, indent=2, default=str)
    if str(path) == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")
