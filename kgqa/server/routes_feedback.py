"""The feedback API: corrections a user sends, learnt by the next ``kgqa train translator``.

* ``POST /feedback`` ``{"question": "Who penned Solaris?", "answers": ["Stanisław Lem"]}``
  -> 200 ``{"pending": 3}`` (corrections waiting for the next training);
* ``GET /feedback`` -> ``{"pending": 3}``.

A body without a question or without a non-empty answer answers 400 with the
reason (422 when it is not that JSON shape at all). Corrections live in the
project's ``feedback.sqlite`` (:mod:`kgqa.answer.feedback`), so every worker and
restart sees them; they never change the graph.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from kgqa.answer.feedback import MAX_ANSWERS, FeedbackError, FeedbackStore, feedback_path


class FeedbackBody(BaseModel):
    question: str = Field(..., max_length=2000)
    answers: list[str] = Field(..., max_length=MAX_ANSWERS)


def add_routes(app: FastAPI) -> None:
    @app.post("/feedback", summary="Record the right answers to a question, for the next training")
    def post_feedback(body: FeedbackBody, request: Request) -> dict[str, int]:
        store = FeedbackStore(feedback_path(request.app.state.engine))
        try:
            return {"pending": store.add(body.question, body.answers)}
        except FeedbackError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None

    @app.get("/feedback", summary="How many corrections wait for the next training")
    def get_feedback(request: Request) -> dict[str, int]:
        return {"pending": FeedbackStore(feedback_path(request.app.state.engine)).pending_count()}
