"""Binding: each reading of the question, filled with entities and values, ranked.

The translator proposes readings (structures with probabilities) without knowing
which entities the question names; linking proposes candidates without knowing
the reading. :func:`plans` joins them. For each reading it

* takes the first mention as the topic and, for a yes/no question or a
  constraint ("... that won *the Hugo*"), the second as the other entity (or a
  number as the other value, "Was X born in 1920?");
* checks types: the topic must fit the first hop's domain (or range, backwards),
  the other entity the last hop's end (for a yes/no question a misfit there only
  means "no"); fitting candidates win, and those tied
  with the best (within :data:`TIE`) are all kept: "Who directed Solaris?" is
  answered for both films;
* adds the answer class the question names when it narrows the path's end
  ("which *books* ...") and takes the number to compare with for a filter;

and scores the plan ``reading probability x type fit x class fit`` (a reading
ending at cities scores low for "In which *country* ...", unless one property
leads from cities to countries: then it is added as a last hop). Plans that cannot be
filled (a filter without a number, a yes/no question with one name) are dropped.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> from kgqa.linking.labels import Candidate
    >>> from kgqa.linking.mentions import Detection, FoundMention
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> SF = "https://w3id.org/kgqa/scifi#"
    >>> book, film = Candidate(URIRef("urn:x:book"), "Solaris", 1.0, frozenset({URIRef(SF + "Book")})), \\
    ...              Candidate(URIRef("urn:x:film"), "Solaris", 1.0, frozenset({URIRef(SF + "Film")}))
    >>> found = Detection("Who directed Solaris?", [], [FoundMention(13, 20, "Solaris", [book, film])])
    >>> best = plans([Reading(f"select|{SF}director", 0.9)], found, onto)[0]
    >>> best.bindings["topic"]
    [rdflib.term.URIRef('urn:x:film')]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kgqa.linking.labels import Candidate
from kgqa.linking.mentions import Detection, FoundMention
from kgqa.ontology import Ontology
from kgqa.translate.model import Reading, with_class
from kgqa.translate.structure import Hop, QueryStructure

#: Candidates within this score of the best fitting one are used together.
TIE = 0.05
#: Score factor of a plan whose entity does not fit the reading's types.
MISFIT = 0.02
#: Score factor of a yes/no reading whose second entity cannot be the path's end (the answer is then no).
ASK_MISFIT = 0.5
#: The class head's choice is used above this probability.
CLASS_PROB = 0.5
#: Score factor of a reading whose answers cannot be of the class the question names.
CLASS_MISFIT = 0.1
#: Score factor of such a reading finished by the one property that reaches that class.
BRIDGED = 0.8
#: Probability factor of a one-hop reading turned around because its topic fits only the other way.
TURNED = 0.9


@dataclass
class Plan:
    """A reading with its bound terms: ready to become SPARQL."""

    reading: Reading
    structure: QueryStructure
    bindings: dict[str, list[Node]] = field(default_factory=dict)
    score: float = 0.0
    fits: bool = True
    #: Index of the topic / other mention in ``Detection.mentions`` (None when unused).
    topic_mention: int | None = None
    other_mention: int | None = None
    #: Probability mass, among fitting candidates, of the topic candidates used.
    link_prob: float = 1.0


def entity_fits(ontology: Ontology, types: frozenset[URIRef], expected: URIRef | None) -> bool:
    """An entity fits a slot when it has no known type, the slot is open, or a type is compatible."""
    if expected is None or not types or expected not in ontology.classes:
        return True
    return any(ontology.is_a(t, expected) or ontology.is_a(expected, t) for t in types)


def start_type(ontology: Ontology, hop: Hop) -> URIRef | None:
    """The class a hop leaves from."""
    prop = ontology.properties.get(hop.property)
    if prop is None:
        return None
    return prop.range if hop.inverse else prop.domain


def end_type(ontology: Ontology, hop: Hop) -> URIRef | None:
    """The class a hop arrives at (``None`` for literals or unknown)."""
    prop = ontology.properties.get(hop.property)
    if prop is None:
        return None
    end = prop.domain if hop.inverse else prop.range
    return end if end in ontology.classes else None


def _choose(ontology: Ontology, candidates: list[Candidate], expected: URIRef | None) -> tuple[list[Candidate], bool, float]:
    """The candidates to use for a slot, whether they fit, and their probability among fitting ones."""
    fitting = [c for c in candidates if entity_fits(ontology, c.types, expected)]
    if not fitting:
        return candidates[:1], False, candidates[0].features.get("prob", 1.0) if candidates else 0.0
    best = max(c.score for c in fitting)
    chosen = [c for c in fitting if c.score >= best - TIE]
    total = sum(c.features.get("prob", 1.0) for c in fitting)
    mass = sum(c.features.get("prob", 1.0) for c in chosen)
    return chosen, True, (mass / total if total else 1.0)


def _named_class(reading: Reading, found: Detection) -> URIRef | None:
    """The class the question names: the class head's, else the one right after "which" or "how many".

    The class head says nothing where the class adds nothing to the path it was
    trained with ("In which country was the author of X born?" ends at countries),
    so a reading that ends elsewhere is checked against the words too.
    """
    if reading.answer_class is not None and reading.class_prob >= CLASS_PROB:
        return reading.answer_class
    return next(iter(found.asked)) if len(found.asked) == 1 else None


def _class_misfit(ontology: Ontology, cls: URIRef | None, end: URIRef | None, literal_end: bool) -> bool:
    """True when the question names a class ("in which *country*") that the path cannot reach."""
    if cls is None or cls not in ontology.classes:
        return False
    if literal_end:
        return True
    return end is not None and not (ontology.is_a(cls, end) or ontology.is_a(end, cls))


def _answer_class(ontology: Ontology, reading: Reading, end: URIRef | None, hops: tuple[Hop, ...]) -> URIRef | None:
    """The named class, when it narrows what the path reaches (or when a class query needs one)."""
    cls = reading.answer_class if reading.class_prob >= CLASS_PROB else None
    if cls is None or cls not in ontology.classes:
        return None
    if not hops:
        return cls
    if end is not None and cls != end and ontology.is_a(cls, end):
        return cls
    return None


def _bridge(ontology: Ontology, end: URIRef | None, cls: URIRef | None) -> URIRef | None:
    """The one object property from ``end`` to ``cls`` (``None`` when there is none or several)."""
    if end is None or cls is None:
        return None
    found = [
        iri for iri, prop in ontology.properties.items()
        if not prop.literal_range and prop.domain is not None and prop.range is not None
        and ontology.is_a(end, prop.domain) and (ontology.is_a(prop.range, cls) or ontology.is_a(cls, prop.range))
    ]
    return found[0] if len(found) == 1 else None


def plans(
    readings: list[Reading], found: Detection, ontology: Ontology, *, topic: list[Node] | None = None
) -> list[Plan]:
    """Every fillable plan, best first (see the module docs).

    ``topic`` fixes the entities a path starts from (a clarified entity, a follow-up's
    referent) instead of the first mention's candidates; the mention that names one of
    them, if any, is then the topic mention and the next one the other entity.
    """
    mentions = [m for m in found.mentions if m.candidates]
    values = [n.value for n in found.numbers if n.role == "value"]
    out: list[Plan] = []
    for rank, reading in enumerate(readings):
        if rank > 0 and _reads_a_class_listing(reading):
            # Only as the translator's first reading: "which books did <a writer the graph lacks> write"
            # must not fall back to listing every book.
            continue
        plan = _plan(reading, mentions, found, values, ontology, topic)
        if plan is not None:
            out.append(plan)
        if plan is not None and not plan.fits:
            turned = _turned(reading, plan)
            plan = _plan(turned, mentions, found, values, ontology, topic) if turned is not None else None
            # Only when nothing else misfits: its score is then its probability ("Which *companies* are
            # headquartered at Nintendo?" turned would end at cities, which the class named rules out).
            if plan is not None and turned is not None and plan.fits and plan.score >= turned.prob:
                out.append(plan)
    out.sort(key=lambda p: -p.score)
    # One plan per reading: a turned reading the translator also proposed keeps the better score.
    best: dict[str, Plan] = {}
    for p in out:
        best.setdefault(p.reading.signature, p)
    return list(best.values())


def _turned(reading: Reading, plan: Plan) -> Reading | None:
    """A one-hop reading whose topic does not fit, read the other way ("what does X act in": the
    translator read *starred actors* from a film, X is a person), at :data:`TURNED` of its probability.
    The entity's type says which way the property runs; nothing else about the reading changes."""
    structure = plan.structure
    if len(structure.hops) != 1 or structure.filter is not None or structure.constraint is not None \
            or structure.form == "ask":  # a yes/no question names both ends: their types already decide
        return None
    hop = structure.hops[0]
    form, *parts = reading.signature.split("|")
    flipped = Hop(hop.property, not hop.inverse).token()
    parts = [flipped if p == hop.token() else p for p in parts]
    return Reading("|".join([form, *parts]), reading.prob * TURNED, reading.answer_class, reading.class_prob)


def _reads_a_class_listing(reading: Reading) -> bool:
    """A reading of a class's members: no hop, no filter ("select|class:...")."""
    return all(p.startswith("class:") for p in reading.signature.split("|")[1:])


def _plan(
    reading: Reading,
    mentions: list[FoundMention],
    found: Detection,
    values: list[float],
    ontology: Ontology,
    topic: list[Node] | None = None,
) -> Plan | None:
    parts = reading.signature.split("|")
    form = parts[0]
    hops = tuple(Hop.from_token(p) for p in parts[1:] if not p.startswith(("class:", "filter:", "and:")))
    filter_part = next((p for p in parts if p.startswith("filter:")), None)
    constraint = next((Hop.from_token(p[len("and:") :]) for p in parts if p.startswith("and:")), None)
    if any(h.property not in ontology.properties for h in hops):
        return None  # a reading of a property the ontology no longer has
    bindings: dict[str, list[Node]] = {}
    score = reading.prob
    fits = True
    topic_at = other_at = None
    link_prob = 1.0
    literal_end = bool(hops) and ontology.properties[hops[-1].property].literal_range
    rest = mentions[1:]
    if hops and topic is not None:
        bindings["topic"] = list(topic)
        named = next((m for m in mentions if {c.iri for c in m.candidates} & set(topic)), None)
        topic_at = found.mentions.index(named) if named is not None else None
        rest = [m for m in mentions if m is not named]
    elif hops:
        if not mentions:
            return None
        topic_at = found.mentions.index(mentions[0])
        chosen, ok, link_prob = _choose(ontology, mentions[0].candidates, start_type(ontology, hops[0]))
        bindings["topic"] = [c.iri for c in chosen]
        fits &= ok
    if form == "ask" and filter_part is None:
        if literal_end:
            if not values:
                return None
            bindings["other"] = _value_terms(values[0])
        else:
            if not rest:
                return None
            other_at = found.mentions.index(rest[0])
            chosen, ok, _ = _choose(ontology, rest[0].candidates, end_type(ontology, hops[-1]))
            bindings["other"] = [c.iri for c in chosen]
            if not ok:
                # "Was X born in Poland?": a country cannot be a birthplace, so the answer
                # is no (and what the graph says instead), not another question.
                score *= ASK_MISFIT
    if constraint is not None:
        if not rest or constraint.property not in ontology.properties:
            return None
        other_at = found.mentions.index(rest[0])
        chosen, ok, _ = _choose(ontology, rest[0].candidates, end_type(ontology, constraint))
        bindings["other"] = [c.iri for c in chosen]
        fits &= ok
    if filter_part is not None:
        if not values:
            return None
        bindings["value"] = [_number(values[0])]
    end = end_type(ontology, hops[-1]) if hops else None
    signature = reading.signature
    named = _named_class(reading, found)
    if hops and form != "ask" and _class_misfit(ontology, named, end, literal_end):
        plain = len(hops) < 3 and filter_part is None and constraint is None and not literal_end
        bridge = _bridge(ontology, end, named) if plain else None
        if bridge is None:
            score *= CLASS_MISFIT
        else:
            # "In which *country* was the author of X born?" read as ending at the birthplace:
            # the one property from cities to countries finishes the path.
            hops = (*hops, Hop(bridge))
            end = end_type(ontology, hops[-1])
            signature = "|".join([form, *(h.token() for h in hops)])
            score *= BRIDGED
    cls = _answer_class(ontology, reading, end, hops)
    if not hops and filter_part is None:
        # A class's members ("How many films are there?"): the class must be read, and a name or a
        # value in the question ("Which mountains were first climbed before 1900?") is one this
        # reading would ignore.
        if cls is None or values:
            return None
        fits &= not mentions
    elif not hops and cls is None:
        # A class query whose class head said nothing: the filtered property's domain.
        body = filter_part[len("filter:") :].rstrip("<>=")
        prop = ontology.properties.get(URIRef(body))
        cls = prop.domain if prop is not None else None
        if cls is None:
            return None
    structure = QueryStructure.from_signature(signature if cls is None else with_class(signature, cls))
    if not fits:
        score *= MISFIT
    return Plan(reading, structure, bindings, score, fits, topic_at, other_at, link_prob)



def _value_terms(value: float) -> list[Node]:
    """The terms a number may be stored as: ``2015`` and, for a whole number, the year ``"2015"^^xsd:gYear``
    ("Was X released in 2015?" over a graph that types years: a year and a number are different terms)."""
    number = _number(value)
    if not float(value).is_integer() or not 0 < value < 10_000:
        return [number]
    return [number, Literal(f"{int(value):04d}", datatype=XSD.gYear)]


def _number(value: float) -> Literal:
    return Literal(int(value)) if float(value).is_integer() else Literal(value)
