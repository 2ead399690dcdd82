"""Question answering: a question in plain English becomes a grounded, explained answer.

``ask(engine, question)`` (also ``engine.ask(question)`` and ``kgqa ask``) links
the entities the question names, translates the masked question into query
structures, binds and type-checks them, runs the resulting SPARQL (asserted facts
first, inferred links when those give nothing), collects the facts behind the
answer with their provenance and says it in a sentence. Everything it did is in
the returned :class:`Answer`.

Public objects: :func:`ask`, :class:`Answer`, :class:`AnswerItem`,
:class:`LinkedEntity`, :class:`CandidateInfo`, :class:`ReadingInfo`,
:func:`qa_context` (the per-engine caches).

Example:
    >>> from kgqa import Engine
    >>> answer = ask(Engine.memory(), "Who wrote Snow Crash?")
    >>> answer.text
    'I could not find who wrote Snow Crash.'
"""

from kgqa.answer import beam as _beam  # noqa: F401 - registers the "beam" executor
from kgqa.answer.ask import ask
from kgqa.answer.context import qa_context
from kgqa.answer.types import Answer, AnswerItem, CandidateInfo, LinkedEntity, ReadingInfo

__all__ = ["Answer", "AnswerItem", "CandidateInfo", "LinkedEntity", "ReadingInfo", "ask", "qa_context"]
