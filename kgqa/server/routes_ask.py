"""The question API: ``POST /ask`` answers one question as JSON.

Request: ``{"question": "Who wrote Solaris?", "use_inferred": true, "k": 3}``
(only ``question`` is required). Response: the :class:`kgqa.answer.Answer` as
JSON (``text``, ``answers``, ``sparql``, ``linked``, ``readings``, ``facts``,
``confidence``, ``timings_ms``...). A question kgqa cannot process (e.g. no
trained translator and auto-training off) answers 400 with the reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from kgqa.errors import KgqaError


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=2000)
    use_inferred: bool | None = None
    k: int = Field(3, ge=1, le=10)


def add_routes(app: FastAPI) -> None:
    @app.post("/ask", summary="Answer a question with its SPARQL, facts and confidence")
    def ask(body: AskRequest, request: Request) -> dict[str, Any]:
        engine = request.app.state.engine
        try:
            answer = engine.ask(body.question, use_inferred=body.use_inferred, k=body.k)
        except KgqaError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        return answer.to_dict()
