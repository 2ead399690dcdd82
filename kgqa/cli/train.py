"""kgqa train ...: the group that trainable components add their command to.

A module ``kgqa/cli/train_<name>.py`` adds ``kgqa train <name>`` with
``train_app.command("<name>")``; modules load in name order, so this group exists first.
"""

from __future__ import annotations

import typer

train_app = typer.Typer(help="Train the project's models (translator, policy).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
