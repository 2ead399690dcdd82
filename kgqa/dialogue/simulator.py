"""A user simulator built from the graph: questions with known answers, and a user who replies.

:func:`simulate_questions` writes questions about the graph's real triples, using
the ontology's lexicalisations (question phrases and labels), in four kinds:

* ``clean``: one entity, one relation (the label may be shared by entities the
  relation does not apply to, as "Who wrote Solaris?" with two Solaris films);
* ``ambiguous``: the label is shared by entities that each have an answer, and
  the answers differ ("Who directed Solaris?": 1972 or 2002);
* ``underspecified``: a vague phrase that fits two of the entity's relations
  ("Which person is associated with Solaris?": author or translator);
* ``unanswerable``: a relation the entity has no value for, or an unknown name.

The user has one reading in mind (``topic`` and ``signature``, with the gold
``answers``). :class:`SimulatedUser` answers clarifications truthfully from the
graph's facts, by label, by a distinguishing fact or by index, and sometimes
vaguely ("the film" when both options are films) or not at all ("not sure").

Entities are split into train and held-out parts by a hash of their label (so
entities sharing a label stay together): training and evaluation never share them.

Example:
    >>> import random
    >>> from kgqa.dialogue.clarify import Option, Clarification
    >>> c = Clarification("entity", "Which Solaris?", "Who directed Solaris?", [
    ...     Option(1, "s72", "Solaris", "the 1972 film", 0, ("Solaris", "film", "1972")),
    ...     Option(2, "s02", "Solaris", "the 2002 film", 1, ("Solaris", "film", "2002"))])
    >>> user = SimulatedUser(random.Random(1), vague_rate=0.0)
    >>> from kgqa.dialogue.resolve import resolve_reply
    >>> all(resolve_reply(user.reply(c, "s02"), c).chosen == (2,) for _ in range(20))
    True
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from rdflib import URIRef

from kgqa.dialogue.clarify import Clarification, Option
from kgqa.linking.labels import LabelIndex, fold
from kgqa.namespaces import NON_ASSERTED_GRAPHS
from kgqa.sparql.build import graph_not_in, values_clause
from kgqa.translate.structure import Hop, QueryStructure

if TYPE_CHECKING:
    from kgqa.engine import Engine
    from kgqa.ontology import Ontology, Property
    from kgqa.translate.phrasing import Phraser

KINDS = ("clean", "ambiguous", "underspecified", "unanswerable")
# Question phrases that make a question with the name alone after them: "who directed", "author of".
_ASKS = re.compile(r"^(?:who \w+(?:ed|ote|ade)|(?:who|what) (?:is|was|are) the .+ of|.+ of)$")
_TRIPLES = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  {graph_not_in("g", NON_ASSERTED_GRAPHS)}
  FILTER(isIRI(?s))
  __VALUES__
}}"""
# Names for questions about things the graph does not know.
_UNKNOWN_WORDS = (
    "Glass Lighthouse Copper Orchard Silent Meridian Hollow Crown Amber Tide Paper Moon Iron Garden Last Harbor "
    "Velvet Engine Cold Lantern Distant Choir Broken Compass Ninth Archive Salt Cathedral Quiet Machine"
).split()


@dataclass(frozen=True)
class SimQuestion:
    """A simulated question and what the user means by it (``answers`` empty: nothing to find)."""

    question: str
    kind: str
    topic: str | None
    signature: str | None
    answers: tuple[str, ...]


def _hash(text: str) -> float:
    return int(hashlib.sha1(fold(text).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _question(graph: _Graph, prop: Property, label: str, rng: random.Random) -> str:
    """A question asking for ``prop`` of ``label``: question answering's own phrasings of the
    ontology's words ("Who wrote X?", "Where was X born?") or a plain template."""
    phrased = [t for t, _ in graph.phraser.select(Hop(prop.iri), "X") if t.split()[0] != "X" and " X" in f" {t}"]
    if phrased and rng.random() < 0.7:
        text = rng.choice(phrased).replace("X", label, 1)
        return f"{text[0].upper()}{text[1:]}?"
    asks = [p for p in prop.question_phrases if _ASKS.match(p.lower())]
    if asks and rng.random() < 0.5:
        phrase = rng.choice(asks)
        return f"{phrase[0].upper()}{phrase[1:]} {label}?"
    return f"What is the {prop.label} of {label}?"


def _class_label(ontology: Ontology, cls: URIRef | None) -> str | None:
    return ontology.classes[cls].label if cls is not None and cls in ontology.classes else None


class _Graph:
    """The facts of the ontology's properties, per subject, with labels and types."""

    def __init__(self, engine: Engine, heldout_fraction: float = 0.3) -> None:
        self.ontology = engine.ontology
        self.index = LabelIndex.from_store(engine.store)
        props = list(self.ontology.properties)
        query = _TRIPLES.replace("__VALUES__", values_clause("p", props) if props else "")
        self.facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for s, p, o in (engine.sparql(query, limit=None).rows if props else []):
            self.facts[str(s)][str(p)].add(str(o))
        self.used = {p for facts in self.facts.values() for p in facts}
        self.heldout_fraction = heldout_fraction
        # Shared labels are few and carry the ambiguity: deal them out in turn, so both splits get some.
        shared = sorted({fold(self.label(s)) for s in self.facts if len(self.namesakes(s)) > 1}, key=_hash)
        every = max(2, round(1 / heldout_fraction)) if heldout_fraction > 0 else 0
        self._shared_heldout = {k: bool(every) and i % every == 0 for i, k in enumerate(shared)}

    def in_split(self, label: str, split: str) -> bool:
        """Whether entities labelled ``label`` belong to ``split`` (``train``, ``heldout`` or ``all``)."""
        if split == "all":
            return True
        key = fold(label)
        heldout = self._shared_heldout.get(key, _hash(key) < self.heldout_fraction)
        return heldout == (split == "heldout")

    @cached_property
    def phraser(self) -> Phraser:
        from kgqa.translate.lexicon import property_words
        from kgqa.translate.phrasing import Phraser

        return Phraser({p: property_words(self.ontology, prop) for p, prop in self.ontology.properties.items()})

    def label(self, iri: str) -> str:
        return self.index.label(URIRef(iri))

    def namesakes(self, iri: str) -> list[str]:
        return [str(c.iri) for c in self.index.lookup(self.label(iri))]

    def applicable(self, iri: str) -> list[URIRef]:
        """Properties whose domain covers one of the entity's types."""
        types = self.index.types(URIRef(iri))
        return [p for p, prop in sorted(self.ontology.properties.items())
                if prop.domain is not None and any(self.ontology.is_a(t, prop.domain) for t in types)]


def simulate_questions(
    engine: Engine,
    *,
    n: int = 400,
    seed: int = 0,
    split: str = "all",
    mix: dict[str, float] | None = None,
) -> list[SimQuestion]:
    """About ``n`` questions over ``engine``'s graph, drawn with ``seed`` from entities in ``split``.

    ``mix`` gives the share of each kind (default: clean 0.4, ambiguous 0.3,
    underspecified 0.15, unanswerable 0.15); kinds the graph cannot supply are
    filled with clean questions.
    """
    rng = random.Random(seed)
    graph = _Graph(engine)
    mix = mix or {"clean": 0.4, "ambiguous": 0.3, "underspecified": 0.15, "unanswerable": 0.15}
    pools: dict[str, list[SimQuestion]] = {k: [] for k in KINDS}
    for s in sorted(graph.facts):
        label = graph.label(s)
        if not graph.in_split(label, split):
            continue
        _add_relation_questions(graph, s, label, rng, pools)
    pools["unanswerable"].extend(_unknown_entity_questions(graph, rng, max(4, n // 20)))
    questions: list[SimQuestion] = []
    for kind in KINDS:
        pool = pools[kind]
        rng.shuffle(pool)
        questions.extend(pool[: round(n * mix.get(kind, 0.0))])
    shortfall = n - len(questions)
    rest = [q for q in pools["clean"] if q not in questions]
    questions.extend(rest[: max(shortfall, 0)])
    rng.shuffle(questions)
    return questions


def _add_relation_questions(graph: _Graph, s: str, label: str, rng: random.Random, pools: dict[str, list[SimQuestion]]) -> None:
    ontology = graph.ontology
    namesakes = graph.namesakes(s)
    for p, objects in sorted(graph.facts[s].items()):
        prop = ontology.properties[URIRef(p)]
        signature = QueryStructure((Hop(URIRef(p)),)).signature()
        others = {frozenset(graph.facts[o].get(p, ())) for o in namesakes if o != s} - {frozenset()}
        kind = "ambiguous" if others - {frozenset(objects)} else "clean"
        pools[kind].append(SimQuestion(_question(graph, prop, label, rng), kind, s, signature, tuple(sorted(objects))))
    for p in graph.applicable(s):
        if str(p) in graph.used and str(p) not in graph.facts[s] and not any(str(p) in graph.facts[o] for o in namesakes):
            pools["unanswerable"].append(SimQuestion(_question(graph, ontology.properties[p], label, rng), "unanswerable", s,
                                                     QueryStructure((Hop(p),)).signature(), ()))
    pools["underspecified"].extend(_vague_questions(graph, s, label, rng))


def _vague_questions(graph: _Graph, s: str, label: str, rng: random.Random) -> list[SimQuestion]:
    """Questions whose wording fits two of the entity's relations with different answers."""
    ontology = graph.ontology
    if len(graph.namesakes(s)) > 1:
        return []  # one ambiguity at a time: the label must be unique
    by_wording: dict[str, list[str]] = defaultdict(list)
    for p, objects in sorted(graph.facts[s].items()):
        prop = ontology.properties[URIRef(p)]
        target = "year" if "year" in prop.label.lower() else _class_label(ontology, prop.range)
        if target:
            by_wording[f"Which {target} is associated with {label}?"].append(p)
        for phrase in prop.question_phrases:
            if _ASKS.match(phrase.lower()):
                by_wording[f"{phrase[0].upper()}{phrase[1:]} {label}?"].append(p)
    out = []
    for question, props in sorted(by_wording.items()):
        answers = {frozenset(graph.facts[s][p]) for p in props}
        if len(set(props)) >= 2 and len(answers) >= 2:
            p = rng.choice(sorted(set(props)))
            signature = QueryStructure((Hop(URIRef(p)),)).signature()
            out.append(SimQuestion(question, "underspecified", s, signature, tuple(sorted(graph.facts[s][p]))))
    return out[:2]


def _unknown_entity_questions(graph: _Graph, rng: random.Random, count: int) -> list[SimQuestion]:
    props = [p for _, p in sorted(graph.ontology.properties.items()) if p.question_phrases]
    out = []
    while props and len(out) < count:
        name = f"The {rng.choice(_UNKNOWN_WORDS)} {rng.choice(_UNKNOWN_WORDS)}"
        if graph.index.lookup(name):
            continue
        out.append(SimQuestion(_question(graph, rng.choice(props), name, rng), "unanswerable", None, None, ()))
    return out


def _same_key(key: str, intended: str | None) -> bool:
    """An option means what the user intends: the same IRI, or the same reading whatever answer class it names."""
    def bare(k: str) -> str:
        return "|".join(p for p in k.split("|") if not p.startswith("class:"))

    return intended is not None and (key == intended or bare(key) == bare(intended))


class SimulatedUser:
    """Answers clarifications truthfully from the graph's facts; sometimes vaguely.

    With probability ``vague_rate`` a reply only narrows the options (a class word
    shared with another option) or says nothing usable.
    """

    def __init__(self, rng: random.Random, vague_rate: float = 0.15) -> None:
        self.rng = rng
        self.vague_rate = vague_rate

    def reply(self, clarification: Clarification, intended: str | None) -> str:
        """The user's reply, meaning the option whose key is ``intended`` (an IRI or a signature)."""
        target = next((o for o in clarification.options if _same_key(o.key, intended)), None)
        if target is None:
            return self.rng.choice(["neither", "none of these", "something else"])
        if self.rng.random() < self.vague_rate:
            return self._vague(clarification, target)
        styles = [self._by_index, self._by_words]
        for style in self.rng.sample(styles, len(styles)):
            text = style(clarification, target)
            if text:
                return text
        return str(target.number)

    def _by_index(self, clarification: Clarification, target: Option) -> str:
        ordinal = ["first", "second", "third", "fourth"][target.number - 1]
        last = target.number == len(clarification.options) and len(clarification.options) > 1
        forms = [str(target.number), f"the {ordinal} one", f"number {target.number}", f"option {target.number}"]
        return self.rng.choice(forms + (["the last one", "the latter"] if last and len(clarification.options) == 2 else []))

    def _by_words(self, clarification: Clarification, target: Option) -> str | None:
        # Words true of the intended option and of no other: a label, a year, a neighbour, a class.
        others = [o for o in clarification.options if o is not target]
        unique = [w for w in dict.fromkeys((target.label, *target.words))
                  if not any(fold(w) == fold(x) for o in others for x in (o.label, *o.words))]
        if not unique:
            return None
        word = self.rng.choice(unique)
        if re.fullmatch(r"\d{4}", word):
            return self.rng.choice([f"the {word} one", f"the one from {word}", word])
        forms = [word, f"the {word}", f"I mean {word}"]
        names = word.split()
        if len(names) >= 2 and all(n[:1].isupper() for n in names):
            forms += [f"{names[-1]}'s", f"the one by {names[-1]}"]
        return self.rng.choice(forms)

    def _vague(self, clarification: Clarification, target: Option) -> str:
        shared = [w for w in target.words if sum(any(fold(w) == fold(x) for x in o.words) for o in clarification.options) >= 2
                  and len(w) > 2 and not w[0].isdigit()]
        if shared and self.rng.random() < 0.6:
            return f"the {self.rng.choice(shared)}"
        return self.rng.choice(["not sure", "hmm, the usual one", "whichever", "I don't know"])
