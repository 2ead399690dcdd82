"""Training questions from the graph itself: structures that occur, in many phrasings.

A brand-new graph has no question log. :func:`synthesize` makes one from what
it has: the ontology's lexicalisations (see :mod:`kgqa.translate.lexicon`) and
the facts. It enumerates the query structures the graph can answer --

* every property, forwards and (for object properties) backwards: 1-hop;
* chains of 2 and 3 hops whose types fit and that actually occur in the store
  (one ``ASK`` each);
* counts, yes/no questions (about an entity or a value), literal filters on the
  answers of a hop ("... published after N") and on a whole class ("Which films
  were released after N?") for every numeric property with data;
* the members of every class with instances, listed or counted ("How many books
  are there?");

and phrases each in up to ``per_structure`` ways with :class:`~kgqa.translate.phrasing.Phraser`,
plus light noise (case, question mark, "tell me ...", "the film X"). Texts are
masked the way :mod:`kgqa.translate.masking` masks real questions.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> _ = engine.update('''PREFIX sf: <https://w3id.org/kgqa/scifi#>
    ... INSERT DATA { GRAPH <urn:kgqa:graph:facts> { <urn:x:b> a sf:Book ; sf:author <urn:x:a> ; sf:publicationYear 1961 .
    ...   <urn:x:a> sf:birthPlace <urn:x:c> . } }''')
    >>> examples = synthesize(engine, per_structure=5, seed=1)
    >>> sorted({e.kind for e in examples})
    ['1hop', '2hop', '3hop', 'ask', 'class', 'class-filter', 'constraint', 'count', 'filter']
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import XSD, URIRef

from kgqa.namespaces import KGQA, ONTOLOGY_GRAPH
from kgqa.ontology import Ontology
from kgqa.sparql.build import render_term
from kgqa.translate.lexicon import PropertyWords, Side, class_names, property_words
from kgqa.translate.masking import OTHER_MASK, TOPIC_MASK
from kgqa.translate.phrasing import Phraser, Question
from kgqa.translate.structure import Hop, LiteralFilter, QueryStructure

#: Phrasings kept per structure, by kind (1-hop questions are the most common, so get most).
PER_KIND = {"1hop": 1.5, "2hop": 0.7, "3hop": 0.5, "count": 0.6, "ask": 0.6, "filter": 0.5, "class-filter": 0.6,
            "constraint": 0.4, "class": 0.6}
FILTER_OPS = (">", "<", "=", ">=", "<=")
COUNT_FILTER_OPS = (">", "<")
_PREFIXES = ("tell me ", "can you tell me ", "do you know ", "please tell me ", "i would like to know ")
_IMPERATIVE = ("list ", "name ", "give ", "tell ", "show ", "count ", "number ")
_WORD = re.compile(rf"\b{TOPIC_MASK}\b")


@dataclass(frozen=True)
class Example:
    """One synthesized training pair: a masked question and its structure."""

    text: str
    structure: QueryStructure
    kind: str


def inverse_labels(store) -> dict[URIRef, list[str]]:  # noqa: ANN001 - any Store
    """``kgqa:inverseLabel`` values per property, read from the ontology graph."""
    query = f"SELECT ?p ?l WHERE {{ GRAPH {render_term(ONTOLOGY_GRAPH)} {{ ?p {render_term(KGQA.inverseLabel)} ?l }} }}"
    out: dict[URIRef, list[str]] = {}
    for p, label in store.query(query, timeout=None, limit=None).rows:
        out.setdefault(p, []).append(str(label))
    return out


class Synthesizer:
    """Enumerates answerable structures of one graph and phrases them."""

    def __init__(self, ontology: Ontology, store, *, seed: int = 13, max_three_hop: int = 150) -> None:  # noqa: ANN001
        self.ontology = ontology
        self.store = store
        self.rng = random.Random(seed)
        self.max_three_hop = max_three_hop
        inverse = inverse_labels(store)
        self.used = {p for p in ontology.properties if self._exists(QueryStructure((Hop(p),), "ask"))}
        self.numeric = {p for p in self.used if self._numeric(p)}
        self.words = {
            p: property_words(ontology, prop, inverse.get(p, []), p in self.numeric)
            for p, prop in ontology.properties.items()
        }
        self.phraser = Phraser(self.words)

    # -- what the graph can answer -----------------------------------------------
    def _exists(self, structure: QueryStructure) -> bool:
        return bool(self.store.query(structure.to_sparql(), timeout=10.0, limit=1))

    def _numeric(self, p: URIRef) -> bool:
        # Years are numbers to compare ("released after 2010"), however they are typed.
        query = f"ASK {{ ?s {render_term(p)} ?v FILTER(isNumeric(?v) || datatype(?v) = {render_term(XSD.gYear)}) }}"
        return bool(self.store.query(query, timeout=10.0, limit=1))

    def hops(self) -> list[Hop]:
        """Every direction of every property with data (literal properties only forwards)."""
        out = []
        for p in sorted(self.used):
            out.append(Hop(p))
            if not self.ontology.properties[p].literal_range and p not in self.numeric:
                out.append(Hop(p, inverse=True))
        return out

    def _ends(self, hop: Hop) -> tuple[URIRef | None, URIRef | None]:
        prop = self.ontology.properties[hop.property]
        rng = prop.range if prop.range in self.ontology.classes else None
        return (rng, prop.domain) if hop.inverse else (prop.domain, rng)

    def _fits(self, end: URIRef | None, start: URIRef | None) -> bool:
        if end is None or start is None:
            return True
        return self.ontology.is_a(end, start) or self.ontology.is_a(start, end)

    def _entity_end(self, hop: Hop) -> bool:
        return hop.inverse or not (self.ontology.properties[hop.property].literal_range or hop.property in self.numeric)

    def paths(self) -> list[tuple[Hop, ...]]:
        """1-, 2- and 3-hop paths that fit the schema and occur in the graph."""
        single = self.hops()
        paths: list[tuple[Hop, ...]] = [(h,) for h in single]
        frontier = [(h,) for h in single if self._entity_end(h)]
        for length in (2, 3):
            grown = []
            for path in frontier:
                for h in single:
                    if path[-1].inverse and h == Hop(path[-1].property):
                        continue  # "the language of the books written in X" is X again
                    if length == 3 and h.inverse:
                        continue  # long chains read outwards: "the country of the birthplace of the author of X"
                    if self._fits(self._ends(path[-1])[1], self._ends(h)[0]):
                        grown.append((*path, h))
            if length == 3:
                # Chains read outwards from the topic come first ("the country of the birthplace
                # of the author of X"); the cap then drops the contrived ones.
                self.rng.shuffle(grown)
                grown.sort(key=lambda p: sum(h.inverse for h in p))
                grown = grown[: self.max_three_hop * 3]
            existing = [p for p in grown if self._exists(QueryStructure(p, "ask"))]
            if length == 3:
                existing = existing[: self.max_three_hop]
            paths += existing
            frontier = [p for p in existing if self._entity_end(p[-1])]
        return paths

    # -- phrasings -------------------------------------------------------------------
    def examples(self, per_structure: int = 40, progress: Callable[[Iterable], Iterable] | None = None) -> list[Example]:
        """Masked questions for every answerable structure (see the module docs)."""
        jobs = []
        for path in self.paths():
            kind = f"{len(path)}hop"
            jobs.append((kind, path))
        out: list[Example] = []
        iterate = progress(jobs) if progress else jobs
        for kind, path in iterate:
            out += self._for_path(kind, path, per_structure)
        out += self._class_filters(per_structure)
        out += self._classes(per_structure)
        return out

    def _keep(self, items: list, kind: str, per_structure: int) -> list:
        unique = list(dict.fromkeys(items))
        n = max(2, int(round(per_structure * PER_KIND[kind])))
        return self.rng.sample(unique, min(n, len(unique)))

    def _for_path(self, kind: str, path: tuple[Hop, ...], per_structure: int) -> list[Example]:
        inner, last = path[:-1], path[-1]
        nps = self.phraser.paths(inner) if inner else [TOPIC_MASK]
        self.rng.shuffle(nps)
        nps = nps[:60]
        out: list[Example] = []
        select = [q for np in nps for q in self.phraser.select(last, np)]
        if inner:
            outer = self.phraser.paths(inner[:-1]) if len(inner) > 1 else [TOPIC_MASK]
            select += [q for np in outer[:60] for q in self.phraser.through(inner[-1], last, np)]
        out += self._examples(select, path, "select", kind, per_structure)
        if len(path) == 3:
            return out  # counts and yes/no questions over three hops are rare; keep the label set small
        if self._entity_end(last):
            count = [q for np in nps for q in self.phraser.count(last, np)]
            out += self._examples(count, path, "count", "count", per_structure)
            asks = []
            for np in nps:
                subject, obj = (OTHER_MASK, np) if last.inverse else (np, OTHER_MASK)
                asks += [(t, None) for t in self.phraser.ask(last, subject, obj)]
            out += self._examples(asks, path, "ask", "ask", per_structure)
            if len(path) == 1:
                out += self._filters(path, per_structure)
                out += self._constraints(path, per_structure)
        elif last.property in self.numeric:
            asks = [(t, None) for np in nps for t in self.phraser.ask_value(last, np)]
            out += self._examples(asks, path, "ask", "ask", per_structure)
        return out

    def _filters(self, path: tuple[Hop, ...], per_structure: int) -> list[Example]:
        end = self._ends(path[-1])[1]
        out: list[Example] = []
        for f in sorted(self.numeric):
            fw = self.words[f]
            if not self._fits(end, fw.domain.iri) or not self._exists(QueryStructure((*path, Hop(f)), "ask")):
                continue
            # Filters mostly narrow down lists ("books by X after N"), rarely what X has (its author).
            forms = (("select", FILTER_OPS), ("count", COUNT_FILTER_OPS)) if path[-1].inverse else (("select", FILTER_OPS[:2]),)
            for form, ops in forms:
                for op in ops:
                    questions = self.phraser.filtered(path[-1], TOPIC_MASK, fw, op, form)
                    structure = QueryStructure(path, form, None, LiteralFilter(f, op))
                    out += self._examples(questions, structure, form, "filter", per_structure)
        return out

    def _constraints(self, path: tuple[Hop, ...], per_structure: int) -> list[Example]:
        """Intersections: the answers of a 1-hop path that also link to a second entity Y."""
        end = self._ends(path[-1])[1]
        out: list[Example] = []
        for q in self.hops():
            if not self._entity_end(q) or not self._fits(end, self._ends(q)[0]):
                continue
            if not self._exists(QueryStructure((*path, q), "ask")):
                continue
            for form in ("select", "count"):
                questions = self.phraser.constrained(path[-1], TOPIC_MASK, q, OTHER_MASK, form)
                structure = QueryStructure(path, form, None, None, q)
                out += self._examples(questions, structure, form, "constraint", per_structure)
        return out

    def _classes(self, per_structure: int) -> list[Example]:
        out: list[Example] = []
        for cls in sorted(self.ontology.classes):
            names = [c for c in class_names(self.ontology, cls) if c.iri == cls]
            if not names or not self._exists(QueryStructure((), "select", cls)):
                continue
            for form in ("select", "count"):
                questions = self.phraser.class_members(names, form)
                out += self._examples(questions, QueryStructure((), form, cls), form, "class", per_structure)
        return out

    def _class_filters(self, per_structure: int) -> list[Example]:
        out: list[Example] = []
        for f in sorted(self.numeric):
            fw = self.words[f]
            if fw.domain.iri is None:
                continue
            for form, ops in (("select", FILTER_OPS), ("count", COUNT_FILTER_OPS)):
                for op in ops:
                    questions = self.phraser.class_filter(fw.domain, fw, op, form)
                    structure = QueryStructure((), form, fw.domain.iri, LiteralFilter(f, op))
                    out += self._examples(questions, structure, form, "class-filter", per_structure)
        return out

    def _examples(
        self, questions: list[Question], target: tuple[Hop, ...] | QueryStructure, form: str, kind: str, per_structure: int
    ) -> list[Example]:
        out = []
        for text, cls in self._keep(questions, kind, per_structure):
            if isinstance(target, QueryStructure):
                structure = QueryStructure(target.hops, form, cls or target.answer_class, target.filter, target.constraint)
            else:
                structure = QueryStructure(target, form, cls)
            text, structure = self._topic_first(text, structure)
            out.append(Example(self._noise(text, structure), structure, kind))
        return out

    def _topic_first(self, text: str, structure: QueryStructure) -> tuple[str, QueryStructure]:
        """The topic is the first name in a question: swap X and Y (and reverse the path) if needed."""
        xs = [m.start() for m in _WORD.finditer(text)]
        ys = [m.start() for m in re.finditer(rf"\b{OTHER_MASK}\b", text)]
        if not ys or not xs or xs[0] < ys[0]:
            return text, structure
        swapped = re.sub(rf"\b({TOPIC_MASK}|{OTHER_MASK})\b", lambda m: OTHER_MASK if m.group() == TOPIC_MASK else TOPIC_MASK, text)
        if structure.constraint is not None:
            # Y's edge becomes the path and X's the constraint (1-hop paths only).
            back = structure.constraint
            hop = structure.hops[0]
            return swapped, QueryStructure((Hop(back.property, not back.inverse),), structure.form, structure.answer_class,
                                           structure.filter, Hop(hop.property, not hop.inverse))
        hops = tuple(Hop(h.property, not h.inverse) for h in reversed(structure.hops))
        return swapped, QueryStructure(hops, structure.form, None, structure.filter)

    def _noise(self, text: str, structure: QueryStructure) -> str:
        """Surface variety: a class word around the topic, a polite prefix, case, punctuation."""
        r = self.rng.random()
        if structure.hops and r < 0.12:
            names = self._topic_side(structure).names
            if names:
                name = self.rng.choice(names).singular
                decorated = f"the {name} {TOPIC_MASK}" if r < 0.09 else f"the {TOPIC_MASK} {name}"
                text = _WORD.sub(decorated, text, count=1)
                text = text.replace("the the ", "the ")
        if self.rng.random() < 0.08 and not text.startswith(_IMPERATIVE):
            text = self.rng.choice(_PREFIXES) + text
        if self.rng.random() < 0.75:
            text = text[0].upper() + text[1:]
        if self.rng.random() < 0.8 and not text.startswith(_IMPERATIVE) or text.startswith(("is ", "was ", "did ")):
            text += "?"
        return text

    def _topic_side(self, structure: QueryStructure) -> Side:
        first = structure.hops[0]
        w: PropertyWords = self.words[first.property]
        return w.range if first.inverse else w.domain


def synthesize(
    engine,  # noqa: ANN001 - kgqa Engine
    *,
    per_structure: int = 40,
    seed: int = 13,
    max_three_hop: int = 150,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> list[Example]:
    """Training questions for ``engine``'s graph (see the module docs)."""
    synthesizer = Synthesizer(engine.ontology, engine.store, seed=seed, max_three_hop=max_three_hop)
    return synthesizer.examples(per_structure, progress)

