"""Corrections: a question with the answers it should have had, kept until the translator learns from them.

``engine.correct(question, answers)``, ``session.correct(answers)``, ``kgqa ask
--correct "A|B" "QUESTION"`` and ``POST /feedback`` all write here: one SQLite file
per project (``<project>/feedback.sqlite``; for an in-memory engine, inside its
temporary models directory). A correction is *pending* until ``kgqa train
translator`` has read it: it then becomes a question-answer pair like those of
``--qa`` (:mod:`kgqa.answer.weak` finds the paths that give those answers) and
is marked used with the time of that training. Nothing is overwritten: the same
question corrected twice keeps both rows, and the later one counts.

Example:
    >>> import tempfile, pathlib
    >>> store = FeedbackStore(pathlib.Path(tempfile.mkdtemp()) / "feedback.sqlite")
    >>> store.add("Who wrote Solaris?", ["Stanisław Lem"])
    1
    >>> store.pending_count(), store.pending()
    (1, [('Who wrote Solaris?', ['Stanisław Lem'])])
    >>> store.mark_used(), store.pending_count()
    (1, 0)
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kgqa.errors import KgqaError

#: Longest question and answer, and most answers, one correction may carry.
MAX_QUESTION = 2000
MAX_ANSWER = 500
MAX_ANSWERS = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    answers TEXT NOT NULL,
    created REAL NOT NULL,
    used REAL
)"""


class FeedbackError(KgqaError):
    """A correction that cannot be stored (empty question, no answers, too long)."""


def feedback_path(engine: Any) -> Path:
    """Where ``engine``'s corrections live."""
    base = engine.directory if engine.directory is not None else engine.models_dir
    return Path(base) / "feedback.sqlite"


def check_correction(question: str, answers: list[str]) -> tuple[str, list[str]]:
    """The question and answers stripped, or :class:`FeedbackError` naming what is wrong.

    Example:
        >>> check_correction("  Who wrote Solaris? ", [" Stanisław Lem ", ""])
        ('Who wrote Solaris?', ['Stanisław Lem'])
        >>> check_correction("Who wrote Solaris?", [])
        Traceback (most recent call last):
        ...
        kgqa.answer.feedback.FeedbackError: a correction needs at least one answer
    """
    question = question.strip()
    answers = [a.strip() for a in answers if a.strip()]
    if not question:
        raise FeedbackError("a correction needs a question")
    if len(question) > MAX_QUESTION:
        raise FeedbackError(f"the question is longer than {MAX_QUESTION} characters")
    if not answers:
        raise FeedbackError("a correction needs at least one answer")
    if len(answers) > MAX_ANSWERS or any(len(a) > MAX_ANSWER for a in answers):
        raise FeedbackError(f"at most {MAX_ANSWERS} answers of at most {MAX_ANSWER} characters each")
    return question, answers


class FeedbackStore:
    """The corrections of one project, in one SQLite file (safe across threads and processes)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per call, committed and closed at the end (the server's threads share the file)."""
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db
        finally:
            db.close()

    def add(self, question: str, answers: list[str]) -> int:
        """Store a correction; returns how many are pending now."""
        question, answers = check_correction(question, answers)
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO corrections (question, answers, created) VALUES (?, ?, ?)",
                       (question, json.dumps(answers, ensure_ascii=False), time.time()))
            return int(db.execute("SELECT COUNT(*) FROM corrections WHERE used IS NULL").fetchone()[0])

    def pending_count(self) -> int:
        """How many corrections the next training will read."""
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM corrections WHERE used IS NULL").fetchone()[0])

    def pending(self) -> list[tuple[str, list[str]]]:
        """The pending corrections as (question, answers), the latest per question."""
        with self._connect() as db:
            rows = db.execute("SELECT question, answers FROM corrections WHERE used IS NULL ORDER BY id").fetchall()
        latest = {q: json.loads(a) for q, a in rows}
        return list(latest.items())

    def mark_used(self) -> int:
        """Mark every pending correction as read by a training; returns how many."""
        with self._lock, self._connect() as db:
            return db.execute("UPDATE corrections SET used = ? WHERE used IS NULL", (time.time(),)).rowcount


__all__ = ["FeedbackError", "FeedbackStore", "check_correction", "feedback_path"]
