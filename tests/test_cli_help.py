"""Every command's --help says what its options default to: nothing in it is eaten as Rich markup."""

from __future__ import annotations

import re

import typer

from kgqa.cli import build_app

# Rich reads "[translator]" in a help text as a style tag and prints nothing for it.
_MARKUP = re.compile(r"(?<!\\)\[[a-z_/][\w .=/-]*\]")


def _commands(command, path: str = "kgqa"):  # noqa: ANN001 - typer's click command
    yield path, command
    if hasattr(command, "commands"):  # a group (typer may ship its own click)
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path} {name}")


def test_no_help_text_loses_words_to_rich_markup() -> None:
    eaten = [
        (path, text)
        for path, command in _commands(typer.main.get_command(build_app()))
        for text in [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
        if _MARKUP.search(text)
    ]
    assert not eaten, eaten


def test_train_translator_help_names_the_epochs_setting() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(build_app(), ["train", "translator", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "translator.epochs" in result.output
