"""The session API: conversations with clarifying questions over HTTP.

* ``POST /sessions`` -> ``{"id": ...}``: a new conversation;
* ``GET /sessions/{id}`` -> its turns and the pending clarification;
* ``POST /sessions/{id}/ask`` ``{"question": "Who directed Solaris?"}`` -> an
  answer (``"type": "answer"``) or a clarification (``"type": "clarification"``,
  with numbered ``options``);
* ``POST /sessions/{id}/reply`` ``{"reply": "the 1972 one"}`` (or ``{"option": 1}``)
  -> an answer or another clarification.

Sessions live in the project's SQLite file, so any worker and any restart sees them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

from kgqa.errors import KgqaError


class AskBody(BaseModel):
    question: str


class ReplyBody(BaseModel):
    reply: str | None = None
    option: int | None = None


def _payload(response: Any, session_id: str) -> dict[str, Any]:
    from kgqa.dialogue import Clarification

    if isinstance(response, Clarification):
        return {"session": session_id, **response.to_dict()}
    data = response.to_dict() if hasattr(response, "to_dict") else {"text": str(response)}
    return {"session": session_id, "type": "answer", **data}


def _call(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except KgqaError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


def add_routes(app: FastAPI) -> None:
    @app.post("/sessions")
    def create_session(request: Request) -> dict[str, Any]:
        session = request.app.state.engine.session()
        return {"id": session.id}

    @app.get("/sessions/{session_id}")
    def get_session(session_id: str, request: Request) -> dict[str, Any]:
        from kgqa.dialogue.session import session_store

        engine = request.app.state.engine
        if not session_store(engine).exists(session_id):
            raise HTTPException(status_code=404, detail=f"no session {session_id!r}")
        session = engine.session(session_id)
        pending = session.pending
        return {"id": session.id, "turns": session.history(), "pending": pending.to_dict() if pending else None}

    @app.post("/sessions/{session_id}/ask")
    def ask(session_id: str, body: AskBody, request: Request) -> dict[str, Any]:
        session = request.app.state.engine.session(session_id)
        return _payload(_call(session.ask, body.question), session.id)

    @app.post("/sessions/{session_id}/reply")
    def reply(session_id: str, body: ReplyBody, request: Request) -> dict[str, Any]:
        if (body.reply is None) == (body.option is None):
            raise HTTPException(status_code=422, detail="send exactly one of 'reply' (text) or 'option' (number)")
        session = request.app.state.engine.session(session_id)
        return _payload(_call(session.reply, body.option if body.option is not None else body.reply), session.id)
