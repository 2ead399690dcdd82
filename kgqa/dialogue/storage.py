"""Sessions on disk: one SQLite file per project, many conversations in it.

Three tables (through sqlite-utils):

* ``sessions``: one row per conversation, with the context a follow-up question
  may refer to (the last answer's entities and topic);
* ``turns``: every user and system turn, in order, with its JSON payload;
* ``pending``: the clarification waiting for a reply, with the dialogue state it
  narrows (observation, candidates and readings still in play), so a reply may
  arrive in another process, after the engine was reopened.

The file is ``<project>/sessions.sqlite`` (for an in-memory engine, inside its
temporary models directory). WAL mode lets the HTTP server's threads read while
one writes.

Example:
    >>> import tempfile, pathlib
    >>> store = SessionStore(pathlib.Path(tempfile.mkdtemp()) / "sessions.sqlite")
    >>> sid = store.create()
    >>> store.add_turn(sid, "user", "question", "Who directed Solaris?")
    1
    >>> [t["text"] for t in store.turns(sid)]
    ['Who directed Solaris?']
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from kgqa.errors import KgqaError

if TYPE_CHECKING:
    from kgqa.engine import Engine


class SessionNotFound(KgqaError):
    """A session id that this project does not know."""


def sessions_path(engine: Engine) -> Path:
    """Where ``engine``'s sessions live."""
    base = engine.directory if engine.directory is not None else engine.models_dir
    return Path(base) / "sessions.sqlite"


class SessionStore:
    """Conversations, their turns and pending clarifications, in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        if "sessions" not in self.db.table_names():
            self.db["sessions"].create(
                {"id": str, "created": float, "updated": float, "context": str}, pk="id", if_not_exists=True
            )
            self.db["turns"].create(
                {"id": int, "session_id": str, "n": int, "role": str, "kind": str, "text": str, "data": str, "created": float},
                pk="id", foreign_keys=[("session_id", "sessions", "id")], if_not_exists=True,
            )
            self.db["turns"].create_index(["session_id", "n"], unique=True, if_not_exists=True)
            self.db["pending"].create({"session_id": str, "state": str}, pk="session_id", if_not_exists=True)

    def close(self) -> None:
        self.db.conn.close()

    # -- sessions ----------------------------------------------------------------
    def create(self, session_id: str | None = None) -> str:
        """A new session (with ``session_id``, or a fresh random one)."""
        sid = session_id or uuid.uuid4().hex[:16]
        now = time.time()
        with self._lock, self.db.conn:
            self.db["sessions"].insert({"id": sid, "created": now, "updated": now, "context": "{}"}, ignore=True)
        return sid

    def exists(self, session_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM sessions WHERE id = ?", [session_id]).fetchone() is not None

    def context(self, session_id: str) -> dict[str, Any]:
        """What a follow-up may refer to: ``{"topic": iri, "answers": [iri...], "signature": ...}``."""
        row = self.db.execute("SELECT context FROM sessions WHERE id = ?", [session_id]).fetchone()
        if row is None:
            raise SessionNotFound(f"no session {session_id!r} in {self.path}")
        return json.loads(row[0])

    def set_context(self, session_id: str, context: dict[str, Any]) -> None:
        with self._lock, self.db.conn:
            self.db["sessions"].update(session_id, {"context": json.dumps(context), "updated": time.time()})

    def list(self) -> list[dict[str, Any]]:
        """Every session with its number of turns, most recently active first."""
        rows = self.db.execute(
            "SELECT s.id, s.created, s.updated, COUNT(t.id) FROM sessions s LEFT JOIN turns t ON t.session_id = s.id "
            "GROUP BY s.id ORDER BY s.updated DESC"
        ).fetchall()
        return [{"id": r[0], "created": r[1], "updated": r[2], "turns": r[3]} for r in rows]

    # -- turns ---------------------------------------------------------------------
    def add_turn(self, session_id: str, role: str, kind: str, text: str, data: dict[str, Any] | None = None) -> int:
        """Append a turn; returns its number in the session (1-based)."""
        with self._lock, self.db.conn:
            n = self.db.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE session_id = ?", [session_id]).fetchone()[0]
            self.db["turns"].insert({
                "session_id": session_id, "n": n, "role": role, "kind": kind, "text": text,
                "data": json.dumps(data or {}, default=str), "created": time.time(),
            })
            self.db["sessions"].update(session_id, {"updated": time.time()})
        return n

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT n, role, kind, text, data, created FROM turns WHERE session_id = ? ORDER BY n", [session_id]
        ).fetchall()
        return [{"n": r[0], "role": r[1], "kind": r[2], "text": r[3], "data": json.loads(r[4]), "created": r[5]} for r in rows]

    # -- the pending clarification -----------------------------------------------------
    def set_pending(self, session_id: str, state: dict[str, Any] | None) -> None:
        with self._lock, self.db.conn:
            if state is None:
                self.db.execute("DELETE FROM pending WHERE session_id = ?", [session_id])
            else:
                self.db["pending"].upsert({"session_id": session_id, "state": json.dumps(state)}, pk="session_id")

    def pending(self, session_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT state FROM pending WHERE session_id = ?", [session_id]).fetchone()
        return json.loads(row[0]) if row else None
