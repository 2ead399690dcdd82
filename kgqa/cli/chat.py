"""kgqa chat: a conversation in the terminal, with clarifying questions.

Type a question; when kgqa asks back ("Which Solaris do you mean: ...?"), reply
with an option number, a name or a distinguishing fact ("the 1972 one"); a line
ending in "?" asks a new question instead. Empty
line or ``/quit`` ends; ``/new`` starts a fresh session. The conversation is the
same :class:`kgqa.dialogue.Session` the HTTP API serves, stored in the project's
``sessions.sqlite`` (``--session ID`` continues one).
"""

from __future__ import annotations

import typer

from kgqa.cli.common import console, open_engine
from kgqa.errors import KgqaError


def _show(response) -> None:  # noqa: ANN001 - an Answer or a Clarification
    # Deferred: dialogue loads sqlite-utils (and pandas), a second at every kgqa start-up.
    from kgqa.dialogue import Clarification

    if isinstance(response, Clarification):
        console.print(f"[bold yellow]?[/] {response.text}")
        for option in response.options:
            console.print(f"   [cyan]{option.number}[/] {option.description}")
    else:
        console.print(f"[bold green]>[/] {getattr(response, 'text', response)}")


def register(app: typer.Typer) -> None:
    @app.command()
    def chat(
        session: str = typer.Option(None, "--session", "-s", help="Continue this session id."),
        question: list[str] = typer.Option(None, "--say", help="Say these lines in turn instead of reading the terminal."),
    ) -> None:
        """Talk to the graph: ask, answer its clarifying questions, ask follow-ups."""
        with open_engine() as engine:
            conversation = engine.session(session)
            console.print(f"session {conversation.id} (empty line or /quit to end, /new for a fresh session)")
            lines = iter(question) if question else None
            while True:
                try:
                    text = next(lines, "") if lines is not None else console.input("[bold]you:[/] ")
                except (EOFError, KeyboardInterrupt):
                    text = ""
                text = text.strip()
                if lines is not None and text:
                    console.print(f"[bold]you:[/] {text}")
                if not text or text == "/quit":
                    break
                if text == "/new":
                    conversation = engine.session()
                    console.print(f"session {conversation.id}")
                    continue
                try:
                    # While a clarification waits, a line that asks something new is a new question.
                    if conversation.pending is not None and not text.endswith("?"):
                        _show(conversation.reply(text))
                    else:
                        _show(conversation.ask(text))
                except KgqaError as exc:
                    console.print(f"[red]error:[/] {exc}")
