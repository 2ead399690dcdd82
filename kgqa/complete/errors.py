"""The error graph completion reports to users."""

from __future__ import annotations

from kgqa.errors import KgqaError


class CompletionError(KgqaError):
    """Completion cannot run: no or too few entity-to-entity triples, unknown model, no run yet."""
