"""``ask``: one question in, one grounded :class:`~kgqa.answer.types.Answer` out.

The stages, each timed in ``Answer.timings_ms``:

``link``      find mentions and numbers (:meth:`kgqa.linking.link.Linker.detect`)
``encode``    mask them and embed the masked question once (NumPy MiniLM)
``rank``      order each mention's candidates with that embedding
``translate`` the translator's top readings of the masked question
``bind``      fill each reading with type-checked entities and values (:mod:`kgqa.answer.bind`)
``execute``   checked SPARQL with inlined bound terms, asserted facts first, then
              inferred ones (:mod:`kgqa.answer.execute`)
``facts``     the facts along the path, with provenance (:mod:`kgqa.answer.collect`)
``verbalize`` the sentence (:class:`kgqa.verbalize.Verbalizer`)

Example:
    >>> import tempfile
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> answer = ask(engine, "Who wrote Snow Crash?")   # nothing is linked: no translator needed
    >>> answer.answered, answer.form
    (False, 'none')
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from rdflib import Literal, URIRef

from kgqa.answer.bind import Plan, end_type, entity_fits, plans, start_type
from kgqa.answer.collect import collect_facts, instead_facts, label_of
from kgqa.answer.context import QAContext, qa_context
from kgqa.answer.execute import Execution, run_plans
from kgqa.answer.types import Answer, AnswerItem, CandidateInfo, LinkedEntity, ReadingInfo
from kgqa.linking.mentions import Detection
from kgqa.english import past_tense
from kgqa.translate.lexicon import class_names
from kgqa.translate.masking import mask_spans
from kgqa.translate.model import Reading
from kgqa.translate.structure import QueryStructure


class _Timer:
    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms[stage] = self.ms.get(stage, 0.0) + (time.perf_counter() - start) * 1000


def masked_question(found: Detection) -> str:
    """The question as the translator reads it: names X/Y/Z, values N, disambiguating years dropped."""
    spans = [(m.start, m.end, "entity") for m in found.mentions]
    spans += [(n.start, n.end, "value" if n.role == "value" else "drop") for n in found.numbers]
    return mask_spans(found.text, spans)


def ask(
    engine: Any,
    question: str,
    *,
    topic: Sequence[str | URIRef] | None = None,
    structure: QueryStructure | None = None,
    use_inferred: bool | None = None,
    k: int = 3,
) -> Answer:
    """Answer ``question`` over ``engine``'s graph (see the module docs).

    ``topic`` (IRIs) fixes the entities the path starts from instead of the linker's
    choice, and ``structure`` the reading instead of the translator's: the dialogue
    answers a clarified question ("the 1972 one") or a follow-up ("and when was it
    published?") this way, through the same stages. ``use_inferred`` (default: the
    ``answer.use_inferred`` setting) allows answers from the inferred graph and the
    completion model when the asserted facts give none; ``k`` readings are reported in
    ``Answer.readings``.
    """
    timer = _Timer()
    cfg = engine.config
    if use_inferred is None:
        use_inferred = cfg.get("answer.use_inferred")
    topics = [URIRef(str(t)) for t in topic] if topic is not None else None
    with timer("load"):
        ctx = qa_context(engine)
        linker = ctx.linker
    with timer("link"):
        found = linker.detect(question)
    masked = masked_question(found)
    answer = Answer(question=question, text="", form="none", masked=masked,
                    values=[float(n.value) for n in found.numbers if n.role == "value"])
    given = topics is not None or structure is not None
    if not found.mentions and not answer.values and not given and not lists_a_class(engine.ontology, question):
        answer.text = ctx.verbalizer.not_found(_missing(question))
        answer.notes.append("no entity of the graph is named in the question")
        answer.timings_ms = timer.ms
        return answer
    n_readings = max(k, cfg.get("answer.readings"))
    if structure is None or found.mentions:
        with timer("encode"):
            vector = ctx.encoder.encode([masked])[0]
        with timer("rank"):
            linker.rank(found, vector)
    if structure is not None:
        readings = [given_reading(structure)]
    else:
        with timer("load"):
            translator = ctx.translator
        with timer("translate"):
            readings = translator.readings([answer.masked], vector[None, :], k=n_readings)[0]
    with timer("bind"):
        ranked = plans(readings, found, engine.ontology, topic=topics)
    if len(found.mentions) > 1 and not given and not any(p.fits for p in ranked):
        # No reading fits all the names: read the later ones as plain words ("... into English").
        topic_only = Detection(found.text, found.tokens, found.mentions[:1], found.numbers)
        retry_masked = masked_question(topic_only)
        with timer("translate"):
            retry_vector = ctx.encoder.encode([retry_masked])[0]
            retry_readings = translator.readings([retry_masked], retry_vector[None, :], k=n_readings)[0]
        with timer("bind"):
            retry = plans(retry_readings, topic_only, engine.ontology)
        if retry and retry[0].fits:
            readings, ranked, answer.masked = retry_readings, retry, retry_masked
            answer.notes.append(f"read {', '.join(repr(m.surface) for m in found.mentions[1:])} as plain words")
    with timer("execute"):
        execution = run_plans(
            engine, ranked, engine.ontology, use_inferred=use_inferred,
            min_confidence=cfg.get("answer.min_inferred_confidence"), scorer=ctx.scorer, index=linker.index,
            executor=cfg.get("answer.executor"),
        )
    answer.notes += ctx.notes
    ctx.notes.clear()
    answer.readings = _readings(readings, ranked, execution, k)
    answer.linked = _linked(found, execution, engine.ontology)
    if execution is None:
        answer.text = ctx.verbalizer.not_found(_missing(question, found))
        answer.notes.append("no reading of the question fits the entities it names")
        answer.timings_ms = timer.ms
        return answer
    with timer("facts"):
        answer.facts = collect_facts(engine, execution, linker.index, ctx.documents)
    _fill(answer, execution, linker.index)
    instead = None
    if answer.form == "ask" and answer.boolean is False and execution.plan.structure.filter is None \
            and execution.plan.structure.hops:
        # "No" only when the graph says what is true instead ("No, Lviv is located in Ukraine."): a graph
        # that states nothing of the kind for the entity cannot tell no from not recorded.
        with timer("facts"):
            instead = instead_facts(engine, _from_subject(execution), linker.index, ctx.documents)
        if not instead:
            _unknown(answer, execution, linker.index, engine.ontology)
            answer.timings_ms = timer.ms
            return answer
    with timer("verbalize"):
        answer.text = _say(ctx, answer, execution, _missing(question, found), instead)
    if answer.answered and answer.confidence < cfg.get("answer.min_confidence"):
        _too_unsure(answer, cfg.get("answer.min_confidence"))
    answer.timings_ms = timer.ms
    return answer


def _too_unsure(answer: Answer, floor: float) -> None:
    """No answer below the confidence floor: "I don't know", the guess kept in the notes."""
    answer.notes.append(f"best guess, not given (confidence {answer.confidence:.3f} < {floor}): {answer.text}")
    answer.text = "I don't know: no reading of the question is likely enough."
    answer.answers, answer.count, answer.boolean = [], None, None


def _from_subject(execution: Execution) -> Execution:
    """A yes/no question seen from the subject of its last fact: "Did Ridley Scott write Dune?" (a
    backwards hop from Ridley Scott) is settled by who wrote Dune, not by what else Ridley Scott wrote;
    "Was Lem born in Lviv?" by where Lem was born, not by who else was born in Lviv."""
    structure, plan = execution.plan.structure, execution.plan
    others = [t for t in plan.bindings.get("other", []) if isinstance(t, URIRef)]
    if len(structure.hops) != 1 or not structure.hops[0].inverse or not others:
        return execution
    forwards = replace(structure, hops=(replace(structure.hops[0], inverse=False),))
    return replace(execution, plan=replace(plan, structure=forwards, bindings={"topic": others}))


def _unknown(answer: Answer, execution: Execution, index: Any, ontology: Any) -> None:
    """A yes/no question the graph cannot settle: "I don't know", and why."""
    hop = execution.plan.structure.hops[-1] if execution.plan.structure.hops else None
    topics = [t for t in execution.plan.bindings.get("topic", []) if isinstance(t, URIRef)]
    what = ontology.label(hop.property) if hop is not None else "fact"
    whom = label_of(topics[0], index) if topics else "it"
    answer.boolean = None
    answer.text = f"I don't know: the graph says nothing about the {what} of {whom}."
    answer.notes.append("a yes/no question is answered no only when the graph states what is true instead")


def given_reading(structure: QueryStructure) -> Reading:
    """A reading that is ``structure`` for certain (its class as the class head's sure choice).

    Example:
        >>> from kgqa.translate.structure import Hop
        >>> r = given_reading(QueryStructure((Hop(URIRef("urn:p")),), answer_class=URIRef("urn:C")))
        >>> r.signature, r.answer_class, r.prob
        ('select|urn:p', rdflib.term.URIRef('urn:C'), 1.0)
    """
    cls = structure.answer_class
    plain = "|".join(p for p in structure.signature().split("|") if not p.startswith("class:"))
    return Reading(plain, 1.0, cls, 1.0 if cls is not None else 0.0)


#: The words a question listing a class's members is made of, besides the class's name.
_LISTING_WORDS = frozenset(
    """how many which what list all the show me give tell name count number of are is there in graph do does you
    we have has know exist existing stored available please every each a an""".split()
)


def lists_a_class(ontology: Any, question: str) -> bool:
    """Whether ``question`` asks for a class's members and nothing else ("How many *films* are
    there?", "List all books."): the class in the plural, the rest words of such questions. Without
    an entity or a value, only such a question is read; one with other words ("which books did
    <a writer the graph lacks> write") is not, so it never turns into a list of every book.

    Example:
        >>> from kgqa.ontology import Ontology, bundled_ontology
        >>> onto = Ontology.from_files([bundled_ontology("scifi.ttl")])
        >>> lists_a_class(onto, "How many films are there?"), lists_a_class(onto, "List all books.")
        (True, True)
        >>> lists_a_class(onto, "which books did douglas adams write"), lists_a_class(onto, "What is the weather?")
        (False, False)
    """
    plurals = {name.plural for c in ontology.classes for name in class_names(ontology, c)}
    text = f" {' '.join(re.findall(r'[a-z]+', question.lower()))} "
    named = [p for p in plurals if f" {p} " in text]
    if not named:
        return False
    for p in sorted(named, key=len, reverse=True):
        text = text.replace(f" {p} ", " ")
    return set(text.split()) <= _LISTING_WORDS


_INVERTED = re.compile(r"^((?:in |from |by )?(?:where|when|who|whom|what|which|how many|how)(?: \w+)?) (was|is|were|are|did) (.+)$", re.I)


def missing_phrase(question: str, name_end: int | None = None) -> str:
    """What was looked for, said as a clause: "Where was X born?" -> "where X was born".

    ``name_end`` (the end of the last name in the question) tells where the subject
    stops; without it the question is only lower-cased.

    Example:
        >>> missing_phrase("Where was Isaac Asimov born?", 22), missing_phrase("When did Isaac Asimov die?", 21)
        ('where Isaac Asimov was born', 'when Isaac Asimov died')
    """
    text = question.strip().rstrip("?!. ")
    m = _INVERTED.match(text)
    if m and name_end is not None and m.start(3) < name_end <= len(text):
        subject, rest = text[m.start(3) : name_end], text[name_end:].strip()
        if m.group(2).lower() == "did" and rest:
            verb, _, tail = rest.partition(" ")
            rest = " ".join(filter(None, [past_tense(verb), tail]))
            text = f"{m.group(1)} {subject} {rest}"
        else:
            text = " ".join(filter(None, [m.group(1), subject, m.group(2), rest]))
    return text[:1].lower() + text[1:]


def _missing(question: str, found: Detection | None = None) -> str:
    ends = [m.end for m in found.mentions] if found is not None else []
    return missing_phrase(question, max(ends) if ends else None)


def _readings(readings: list, ranked: list[Plan], execution: Execution | None, k: int) -> list[ReadingInfo]:
    by_signature = {p.reading.signature: p for p in ranked}
    out = []
    chosen_at = next((i for i, r in enumerate(readings)
                      if execution is not None and execution.plan.reading.signature == r.signature), None)
    # The reading used is always reported, also when it ranked below the first k.
    shown = readings[:k] + ([readings[chosen_at]] if chosen_at is not None and chosen_at >= k else [])
    if execution is not None and chosen_at is None:
        shown.append(execution.plan.reading)  # a reading binding made (a one-hop reading turned around)
    for r in shown:
        plan = by_signature.get(r.signature)
        chosen = execution is not None and execution.plan.reading.signature == r.signature
        out.append(ReadingInfo(
            plan.structure.signature() if plan is not None else r.signature, r.prob,
            plan.score if plan is not None else 0.0, bool(plan and plan.fits), chosen,
        ))
    return out


def _linked(found: Detection, execution: Execution | None, ontology: Any) -> list[LinkedEntity]:
    plan = execution.plan if execution is not None else None
    out = []
    for i, m in enumerate(found.mentions):
        role = "unused"
        chosen: list[str] = []
        if plan is not None and i == plan.topic_mention:
            role, chosen = "topic", [str(t) for t in plan.bindings.get("topic", [])]
        elif plan is not None and i == plan.other_mention:
            role, chosen = "other", [str(t) for t in plan.bindings.get("other", [])]
        expected = None
        if plan is not None and plan.structure.hops and role != "unused":
            hops = plan.structure.hops
            expected = start_type(ontology, hops[0]) if role == "topic" else end_type(ontology, hops[-1])
        candidates = []
        for c in m.candidates:
            fits = entity_fits(ontology, c.types, expected) if role != "unused" else None
            candidates.append(CandidateInfo(str(c.iri), c.label, c.score, c.features.get("prob", 1.0),
                                            sorted(map(str, c.types)), dict(c.features), fits))
        out.append(LinkedEntity(m.surface, m.start, m.end, candidates, role, chosen, not m.exact))
    return out


def _fill(answer: Answer, execution: Execution, index: Any) -> None:
    """Answer items, count/boolean, SPARQL, structure, confidence from an execution."""
    plan = execution.plan
    answer.form = plan.structure.form
    answer.structure = plan.structure
    answer.sparql = execution.sparql
    answer.count = execution.count
    answer.boolean = execution.boolean
    inferred_ends = {}
    # The facts name same-labelled entities apart ("Dune (1984)"); answers use the same names.
    names = {f.subject: f.subject_label for f in answer.facts} | {f.object: f.object_label for f in answer.facts}
    for f in answer.facts:
        if f.inferred:
            inferred_ends[f.object] = f.confidence
            inferred_ends[f.subject] = f.confidence
    for node in execution.answers:
        if isinstance(node, Literal):
            value = node.toPython()
            item = AnswerItem(None, str(node), str(node) if isinstance(value, Literal) else value,
                              str(node.datatype) if node.datatype else None)
        else:
            item = AnswerItem(str(node), names.get(node) or label_of(node, index))
        if node in inferred_ends and (not execution.asserted_only):
            item.inferred, item.confidence = True, inferred_ends[node]
        answer.answers.append(item)
    answer.inferred = any(f.inferred for f in answer.facts) and not execution.asserted_only
    inferred_conf = min((f.confidence or 0.0 for f in answer.facts if f.inferred), default=1.0) if answer.inferred else 1.0
    reading_prob = plan.reading.prob
    answer.confidence = round(reading_prob * plan.link_prob * inferred_conf * (1.0 if plan.fits else 0.1), 4)
    for node, why in execution.dropped:
        answer.notes.append(f"left out {label_of(node, index)}: {why}")
    if execution.fallback:
        answer.notes.append(f"the most likely reading found nothing; a later one did: {plan.structure.signature()} "
                            f"(probability {plan.reading.prob:.3f})")
    if execution.predicted:
        answer.notes.append("no fact states this; the answer is the completion model's prediction")


#: Up to this many facts the whole path is said ("X was written by Y, who was born in Z"); beyond, the last hop.
SAY_PATH = 6


def _say(ctx: QAContext, answer: Answer, execution: Execution, missing: str, instead: list | None = None) -> str:
    topics = execution.plan.bindings.get("topic") or [None]
    topic = topics[0] if isinstance(topics[0], URIRef) else None
    facts = answer.facts
    if answer.form == "select" and execution.answers and len(facts) > SAY_PATH:
        ends = set(execution.answers)
        facts = [f for f in facts if f.object in ends or f.subject in ends] or facts
    if answer.form == "ask" and answer.boolean is False:
        # "No, Lviv is located in Ukraine.": what the graph says instead, when it says something.
        return ctx.verbalizer.answer("ask", instead or [], boolean=False, topic=topic)
    count = answer.count
    if count is None and execution.plan.structure.is_class_listing:
        count = len(execution.answers)  # "List all films": the facts said stop at MAX_FACTS, the answers do not
    return ctx.verbalizer.answer(
        answer.form, facts, count=count, boolean=answer.boolean, topic=topic, missing=missing,
    )
