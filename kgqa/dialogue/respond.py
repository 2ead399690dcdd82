"""The system's last word on a question: the answer for what the dialogue settled, or "I don't know".

When the dialogue did not narrow anything, the pipeline's own
:class:`~kgqa.answer.types.Answer` is the answer. After a clarification (or for
a follow-up, whose topic comes from the conversation) the answer is computed for
the chosen entities and reading: through ``ask``'s ``topic=`` / ``structure=``
keywords where question answering offers them, otherwise from its public pieces
(a :class:`~kgqa.answer.bind.Plan` run by :func:`~kgqa.answer.execute.run_plans`,
its facts collected and verbalized), so the answer carries SPARQL, facts and
provenance either way.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef

from kgqa.dialogue.state import DialogueState
from kgqa.translate.structure import QueryStructure

if TYPE_CHECKING:
    from kgqa.answer.types import Answer
    from kgqa.engine import Engine


def respond(engine: Engine, question: str, state: DialogueState, pipeline_answer: Answer | None, *, abstain: bool) -> Answer:
    """The Answer to give in ``state`` (an honest "I don't know" when ``abstain``)."""
    from kgqa.answer.types import Answer

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
    from kgqa.answer import ask

    if {"topic", "structure"} <= set(inspect.signature(ask).parameters):
        answer = ask(engine, question, topic=topics, structure=structure)
    else:
        answer = _answer_for(engine, question, topics, structure, state)
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
    from kgqa.answer.types import Answer

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


def _answer_for(engine: Engine, question: str, topics: list[str], structure: QueryStructure, state: DialogueState) -> Answer:
    """Interim until ``ask(topic=, structure=)``: run the chosen plan with answering's public pieces."""
    from kgqa.answer.bind import Plan
    from kgqa.answer.collect import collect_facts
    from kgqa.answer.context import qa_context
    from kgqa.answer.execute import run_plans
    from kgqa.answer.types import Answer, AnswerItem
    from kgqa.translate.model import Reading

    bindings: dict[str, list[Any]] = {"topic": [URIRef(t) for t in topics]}
    prob = state.obs.readings[state.choice()[1]].prob
    plan = Plan(Reading(structure.signature(), prob), structure, bindings, prob)
    cfg = engine.config
    ctx = qa_context(engine)
    execution = run_plans(engine, [plan], engine.ontology, use_inferred=cfg.get("answer.use_inferred"),
                          min_confidence=cfg.get("answer.min_inferred_confidence"), scorer=ctx.scorer,
                          index=ctx.linker.index)
    facts = collect_facts(engine, execution, ctx.linker.index, ctx.documents)
    answer = Answer(question=question, text="", form=structure.form, structure=structure, sparql=execution.sparql,
                    count=execution.count, boolean=execution.boolean, facts=facts, confidence=round(state.confidence, 4))
    answer.inferred = any(f.inferred for f in facts) and not execution.asserted_only
    for node in execution.answers:
        if isinstance(node, Literal):
            answer.answers.append(AnswerItem(None, str(node), node.toPython(), str(node.datatype) if node.datatype else None))
        else:
            answer.answers.append(AnswerItem(str(node), ctx.linker.index.label(node)))
    ends = set(execution.answers)
    said = [f for f in facts if f.object in ends or f.subject in ends] or facts
    missing = question.strip().rstrip("?")
    answer.text = ctx.verbalizer.answer(structure.form, said, count=execution.count, boolean=execution.boolean,
                                        topic=URIRef(topics[0]) if topics else None, missing=missing[:1].lower() + missing[1:])
    return answer
