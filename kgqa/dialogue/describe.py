"""Saying things apart: the distinguishing traits of entities and the wording of readings.

A clarification must name its options so that a person can tell them apart:
"the 1972 film directed by Andrei Tarkovsky". :func:`entity_traits` reads, from the
graph, an entity's most specific class, a year, and its neighbours (each phrased
with the property's verbalization template); :func:`describe_options` picks the
traits that differ between the options. :func:`describe_reading` says a query
structure as a noun phrase ("its director", "the place of birth of its author").

Example:
    >>> from kgqa.dialogue.observation import EntityOption, Trait
    >>> film = lambda year, who: EntityOption("x" + year, "Solaris", 1.0, traits=(
    ...     Trait("class", "F", "film", ("film", "movie")), Trait("year", year, year),
    ...     Trait("neighbour", who, "directed by " + who, (who,))))
    >>> describe_options([film("1972", "Andrei Tarkovsky"), film("2002", "Steven Soderbergh")])
    ['the 1972 film directed by Andrei Tarkovsky', 'the 2002 film directed by Steven Soderbergh']
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import URIRef

from kgqa.dialogue.observation import EntityOption, Trait
from kgqa.namespaces import ONTOLOGY_GRAPH, local_name
from kgqa.sparql.build import render_term, values_clause

if TYPE_CHECKING:
    from kgqa.engine import Engine
    from kgqa.ontology import Ontology
    from kgqa.translate.structure import QueryStructure

_LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")
_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_YEAR_RANGES = ("http://www.w3.org/2001/XMLSchema#gYear", "http://www.w3.org/2001/XMLSchema#date",
                "http://www.w3.org/2001/XMLSchema#dateTime")
_AUXILIARY = re.compile(r"^(?:was|were|is|are|has|have|had)\s+")
_FACTS_QUERY = f"""
SELECT ?e ?p ?o ?olabel WHERE {{
  {{ GRAPH ?g {{ ?e ?p ?o }} FILTER(?g != {render_term(ONTOLOGY_GRAPH)}) }}
  OPTIONAL {{ ?o ?lp ?olabel VALUES ?lp {{ <{_LABELS[0]}> <{_LABELS[1]}> <{_ALT}> }} }}
  __VALUES__
}}"""


def entity_traits(engine: Engine, iris: list[str]) -> dict[str, tuple[str, tuple[str, ...], tuple[Trait, ...]]]:
    """Label, alternative labels and traits (class, year, neighbours) of each entity, in one query."""
    ontology = engine.ontology
    if not iris:
        return {}
    query = _FACTS_QUERY.replace("__VALUES__", values_clause("e", [URIRef(i) for i in iris]))
    rows = engine.sparql(query, limit=None).rows
    labels: dict[str, list[str]] = defaultdict(list)
    alts: dict[str, list[str]] = defaultdict(list)
    objects: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for e, p, o, olabel in rows:
        e, p = str(e), str(p)
        if p in _LABELS and str(o) not in labels[e]:
            labels[e].append(str(o))
        elif p == _ALT:
            alts[e].append(str(o))
        elif olabel is not None:
            objects[e][(p, str(o))].append(str(olabel))
        elif p not in _LABELS and p != _ALT:
            objects[e].setdefault((p, str(o)), [])
    result = {}
    for iri in iris:
        traits = [*_class_traits(ontology, objects[iri]), *_year_traits(ontology, objects[iri]),
                  *_neighbour_traits(ontology, objects[iri])]
        main = labels[iri][0] if labels[iri] else local_name(iri)
        result[iri] = (main, tuple(dict.fromkeys(labels[iri][1:] + alts[iri])), tuple(traits))
    return result


def _class_traits(ontology: Ontology, objects: dict[tuple[str, str], list[str]]) -> list[Trait]:
    types = [URIRef(o) for (p, o) in objects if p == _TYPE and URIRef(o) in ontology.classes]
    # The most specific class: one that no other of the entity's types is a subclass of.
    specific = [t for t in types if not any(o != t and t in ontology.ancestors(o) for o in types)]
    traits = []
    for t in sorted(specific):
        cls = ontology.classes[t]
        traits.append(Trait("class", str(t), cls.label, tuple(cls.names), None))
    return traits[:1]


def _is_year(ontology: Ontology, prop: URIRef) -> bool:
    p = ontology.properties.get(prop)
    return p is not None and p.literal_range and ("year" in p.label.lower() or str(p.range) in _YEAR_RANGES)


def _year_traits(ontology: Ontology, objects: dict[tuple[str, str], list[str]]) -> list[Trait]:
    years = sorted((p, o[:4]) for (p, o) in objects if _is_year(ontology, URIRef(p)) and o[:4].isdigit())
    return [Trait("year", y, y, (y,), p) for p, y in years[:1]]


def relation_phrase(ontology: Ontology, prop: URIRef) -> str:
    """How a property links a subject to its object: ``"directed by"`` from ``"{s} was directed by {o}"``."""
    p = ontology.properties.get(prop)
    for template in (p.templates if p else []):
        middle = template.split("{s}", 1)[-1].split("{o}", 1)[0].strip() if "{s}" in template and "{o}" in template else ""
        if middle and template.index("{s}") < template.index("{o}"):
            # "was directed by" -> "directed by"; an active verb needs a relative: "that won the".
            stripped = _AUXILIARY.sub("", middle)
            return stripped if stripped != middle else f"that {middle}"
    return f"with {p.label if p else ontology.label(prop)}"


def _neighbour_traits(ontology: Ontology, objects: dict[tuple[str, str], list[str]]) -> list[Trait]:
    found = []
    for (p, o), names in objects.items():
        prop = URIRef(p)
        if p == _TYPE or prop not in ontology.properties or ontology.properties[prop].literal_range or not names:
            continue
        relation = relation_phrase(ontology, prop)
        found.append((relation, Trait("neighbour", o, f"{relation} {names[0]}", tuple(dict.fromkeys(names)), p)))
    # Agents first ("written by", "directed by"): they tell works apart best in conversation.
    found.sort(key=lambda rt: (not rt[0].endswith(" by"), rt[1].property or "", rt[1].phrase))
    return [trait for _, trait in found]


def describe_options(options: list[EntityOption]) -> list[str]:
    """One noun phrase per option, using the class, the year and the neighbours that differ between them."""

    def distinct(role: str, prop: str | None = None) -> bool:
        values = [next((t.value for t in o.traits if t.role == role and (prop is None or t.property == prop)), None)
                  for o in options]
        return len(set(values)) > 1

    props = [t.property for o in options for t in o.traits if t.role == "neighbour" and distinct("neighbour", t.property)]
    named = len({o.label for o in options}) > 1  # options of different names say their name too
    described = []
    for o in options:
        cls, year = o.trait("class"), o.trait("year")
        words = ["the"] + ([year.phrase] if year else []) + [cls.phrase if cls else o.label]
        if named and cls:
            words.append(o.label)
        shown = [t.phrase for t in o.traits if t.role == "neighbour" and t.property in props][:1]
        described.append(" ".join(words + shown))
    # Options that still read alike get every differing neighbour, then their IRIs.
    for k, o in enumerate(options):
        if described.count(described[k]) > 1:
            more = [t.phrase for t in o.traits if t.role == "neighbour" and t.property in props][1:]
            described[k] = " ".join([described[k], *more]) if more else described[k]
    for k, o in enumerate(options):
        if described.count(described[k]) > 1:
            described[k] += f" ({o.iri})"
    return described


def inverse_labels(engine: Engine) -> dict[str, str]:
    """``kgqa:inverseLabel`` of each property ("adaptations" for ``basedOn``), from the ontology graph."""
    query = "SELECT ?p ?l WHERE { ?p <https://w3id.org/kgqa/vocab#inverseLabel> ?l }"
    return {str(p): str(label) for p, label in engine.sparql(query, graph=ONTOLOGY_GRAPH, limit=None).rows}


def describe_reading(
    ontology: Ontology, structure: QueryStructure, inverse: dict[str, str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """A noun phrase for a reading ("the place of birth of its author") and words that name it.

    ``inverse`` maps properties to their inverse labels (see :func:`inverse_labels`).
    """
    names: list[str] = []
    parts: list[str] = []
    for hop in structure.hops:
        prop = ontology.properties.get(hop.property)
        label = prop.label if prop else ontology.label(hop.property)
        if hop.inverse:
            label = (inverse or {}).get(str(hop.property)) or f"what has it as {label}"
            names.append(label)
        elif prop:
            names.extend([*prop.names, *prop.question_phrases])
        parts.append(label)
    if not parts:
        # A class query ("Which films were released after 2010?"): it has no hop to name.
        cls = structure.answer_class
        phrase = f"every {ontology.label(cls) if cls is not None else 'entity'}"
        if structure.filter is not None:
            phrase += f" by its {ontology.label(structure.filter.property)}"
        return (f"how many: {phrase}" if structure.form == "count" else phrase), ()
    phrase = "its " + parts[0]
    for part in parts[1:]:
        phrase = f"the {part} of {phrase}"
    if structure.form == "count":
        phrase = f"how many {parts[-1]}"
    elif structure.form == "ask":
        phrase = f"whether {phrase} matches"
    return phrase, tuple(dict.fromkeys(names))
