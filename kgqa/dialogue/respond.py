"""The system's last word on a question: the answer for what the dialogue settled, or "I don't know".

When the dialogue did not narrow anything, the pipeline's own
:class:`~kgqa.answer.types.Answer` is the answer. After a clarification (or for
a follow-up, whose topic comes from the conversation) the question is answered
again by :func:`kgqa.answer.ask` with the chosen entities and reading
(``topic=``, ``structure=``): the same stages, executor and sentence as
``kgqa ask``, so the answer carries SPARQL, facts and provenance either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgqa.answer import Answer, ask
from kgqa.dialogue.state import DialogueState
from kgqa.translate.structure import QueryStructure

if TYPE_CHECKING:
    from kgqa.engine import Engine


def respond(engine: Engine, question: str, state: DialogueState, pipeline_answer: Answer | None, *, abstain: bool) -> Answer:
    """The Answer to give in ``state`` (an honest "I don't know" when ``abstain``)."""
    if abstain:
        return _abstention(question, state, pipeline_answer)
    pair = state.choice()
    if pair is None:
        base = pipeline_answer or Answer(question=question, text="", form="none")
        base.text = base.text or "I could not find an answer."
        return base
    topics = [state.obs.candidates[i].iri for i in state.answer_entities()]
    structure = QueryStructure.from_signature(state.obs.readings[pair[1]].signature)
    if pipeline_answer is not None and _same(pipeline_answer, topics, structure):
        return pipeline_answer
    answer = ask(engine, question, topic=topics or None, structure=structure)
    if pipeline_answer is not None:
        answer.linked, answer.readings = pipeline_answer.linked, pipeline_answer.readings
    answer.notes.append(_settled(state))
    return answer


def _same(answer: Answer, topics: list[str], structure: QueryStructure) -> bool:
    topic = next((m for m in answer.linked if m.role == "topic"), None)
    chosen = sorted(topic.chosen) if topic is not None else []
    return chosen == sorted(topics) and answer.structure is not None and answer.structure.signature() == structure.signature()


def _settled(state: DialogueState) -> str:
    asked = []
    if state.asked_entity:
        asked.append("which entity")
    if state.asked_relation:
        asked.append("which relation")
    return f"answered after asking {' and '.join(asked)} was meant" if asked else "answered for the entity the conversation is about"


def _abstention(question: str, state: DialogueState, pipeline_answer: Answer | None) -> Answer:
    reasons = []
    if len(state.entities) > 1 and state.entity_ambiguous():
        reasons.append(f"I could not tell which {state.obs.mention or 'entity'} you mean")
    elif state.obs.candidates and max(c.score for c in state.obs.candidates) < 0.9:
        reasons.append(f"I am not sure \"{state.obs.mention}\" is what the graph calls {state.obs.candidates[0].label}")
    if state.outcome().empty:
        reasons.append("the graph gives no answer")
    text = "I don't know" + (": " + "; ".join(reasons) if reasons else "") + "."
    answer = Answer(question=question, text=text, form="none", confidence=round(state.confidence, 4))
    if pipeline_answer is not None:
        answer.linked, answer.readings = pipeline_answer.linked, pipeline_answer.readings
    answer.notes.append("the dialogue policy chose not to answer: a wrong answer costs more than none")
    return answer
