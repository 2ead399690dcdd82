"""Shared state and helpers of the CLI commands."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from kgqa.echo import printable

from kgqa.engine import Engine


class SafeConsole(Console):
    """A rich console that never writes a control character it was given (rich's own styling stays).

    Answers, labels, file names and errors can carry text from documents and users; rich
    keeps ESC and most other control characters of the strings it prints, so every string
    (table cells included) is cleaned by :func:`kgqa.echo.printable` before rich renders it.
    """

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text), **options)


console = SafeConsole()
err_console = SafeConsole(stderr=True)


def write_out(text: str) -> None:
    """Write ``text`` to stdout as it is, but without control characters when stdout is a terminal."""
    sys.stdout.write(printable(text) if sys.stdout.isatty() else text)


@dataclass
class _State:
    project: str | None = None
    #: The command line being run, when the app is built for one (``None``: every command is built).
    argv: list[str] | None = None


state = _State()


def open_engine(read_only: bool = False) -> Engine:
    """The engine of the project chosen by --project / KGQA_PROJECT / ./.kgqa."""
    return Engine.open(state.project, read_only=read_only)


def write_json(path: Path | str, data: Any) -> None:
    """Write ``data`` as pretty JSON (``-`` for stdout)."""
    text = json.dumps(data, indent=2, default=str)
    if str(path) == "-":
        write_out(text + "\n")
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")
