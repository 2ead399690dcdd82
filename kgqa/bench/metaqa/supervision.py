"""Gold relation paths from (question, answers) pairs: MetaQA does not give them.

A question template (the question with its topic masked) always asks for the same
relation path. For a sample of each template's training questions we search the
KB for every path of the right length (relations in either direction) from the
topic and score each by how well the entities it reaches match the answers (F1,
summed over the sample). On an incomplete KB the data alone is ambiguous (a
random path to languages also ends at "English"), so among the paths scoring at
least :data:`KEEP` of the best, the one whose properties the template names (the
ontology's labels, alternative labels and question phrases) wins. A question then
becomes a training pair (masked question, :class:`~kgqa.translate.QueryStructure`).

Paths never come back to the topic (MetaQA's "films that share actors with X"
exclude X, also as an intermediate node), the same semantics the benchmark's
SPARQL uses.

Example:
    >>> kb = KBGraph([("Big", "starred_actors", "Tom Hanks"), ("Splash", "starred_actors", "Tom Hanks")])
    >>> sorted(kb.reach("Big", (("starred_actors", False), ("starred_actors", True))))
    ['Splash']
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from rdflib import URIRef

from kgqa.complete.rules import PathIndex, Step
from kgqa.datasets.metaqa import PROPERTY_RELATION, RELATIONS, Question
from kgqa.ontology import Ontology
from kgqa.translate import Hop, QueryStructure

#: Intermediate sets larger than this are not expanded while searching (MetaQA's
#: paths go through directors, writers, actors and movies, never through huge tag sets).
MAX_FRONTIER = 1_000
#: Paths within this share of the best data score compete on how well the template names them.
KEEP = 0.2
#: Words that name no property (question words, the movie class, function words).
_STOP = frozenset(
    "the of what who in is by a an and with which movies movie films film did does do o s are were was "
    "share how to that there has be can would people".split()
)
_WORD = re.compile(r"[a-z]+")


class KBGraph(PathIndex):
    """A KB as adjacency sets (:class:`~kgqa.complete.rules.PathIndex`), for searching relation paths in memory."""

    def step(self, frontier: set[str], step: Step) -> set[str]:
        out: set[str] = set()
        for entity in frontier:
            out |= self.adj.get(entity, {}).get(step, set())
        return out

    def reach(self, start: str, path: Sequence[Step]) -> set[str]:
        """Entities at the end of ``path`` from ``start``, never passing through ``start`` again."""
        frontier = {start}
        for step in path:
            frontier = self.step(frontier, step) - {start}
        return frontier

    def path_scores(self, start: str, hops: int, answers: set[str]) -> dict[tuple[Step, ...], float]:
        """F1 between each ``hops``-long path's end set and ``answers`` (paths reaching none left out)."""
        scores: dict[tuple[Step, ...], float] = {}

        def extend(frontier: set[str], prefix: tuple[Step, ...]) -> None:
            if len(prefix) == hops:
                hit = len(frontier & answers)
                if hit:
                    scores[prefix] = 2 * hit / (len(frontier) + len(answers))
                return
            if len(frontier) > MAX_FRONTIER:
                return
            steps = {s for e in frontier for s in self.adj.get(e, {})}
            for s in sorted(steps):
                extend(self.step(frontier, s) - {start}, (*prefix, s))

        extend({start}, ())
        return scores


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def _same_stem(a: str, b: str) -> bool:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 4 or (n >= 3 and n == min(len(a), len(b)))


class Lexicon:
    """Which properties a template names, from the ontology's lexicalisations."""

    def __init__(self, ontology: Ontology) -> None:
        self.cues: dict[URIRef, set[str]] = {
            iri: {w for phrase in prop.phrases for w in _words(phrase)} for iri, prop in ontology.properties.items()
        }

    def mentions(self, template: str) -> Counter[URIRef]:
        """How many words of the template name each property."""
        words = _words(template)
        return Counter(p for w in words for p, cues in self.cues.items() if any(_same_stem(w, c) for c in cues))

    def agreement(self, template: str, structure: QueryStructure) -> tuple[int, int]:
        """(properties of the path the template names minus those it does not, minus the
        mismatch between how often each is named and used: "films written by the
        writer of X" names writtenBy twice)."""
        mentioned = self.mentions(template)
        used = Counter(h.property for h in structure.hops)
        named = set(mentioned)
        coverage = len(set(used) & named) - len(set(used) - named)
        return coverage, -sum(abs(mentioned[p] - used[p]) for p in set(used) | named)


def structure_of(path: Sequence[Step]) -> QueryStructure:
    """The query structure of a relation path."""
    return QueryStructure(tuple(Hop(RELATIONS[rel][0], inverse) for rel, inverse in path))


def derive_structures(
    questions: Iterable[Question], kb: KBGraph, lexicon: Lexicon, *, samples: int = 30, seed: int = 0
) -> dict[str, QueryStructure]:
    """``{masked question: structure}`` for every template with a path in ``kb``.

    Up to ``samples`` questions per template are searched (a fixed random sample);
    all of them when none of the sample reaches an answer.
    """
    by_template: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_template[q.masked()].append(q)
    rng = random.Random(seed)
    out: dict[str, QueryStructure] = {}
    for template in sorted(by_template):
        group = by_template[template]
        total: Counter[tuple[Step, ...]] = Counter()
        sample = rng.sample(group, min(samples, len(group)))
        for q in sample:
            total.update(kb.path_scores(q.topic, q.hops, set(q.answers)))
        # On an incomplete KB a small template's sample may reach no answer: search the rest.
        for q in group if not total else ():
            if q not in sample:
                total.update(kb.path_scores(q.topic, q.hops, set(q.answers)))
        if total:
            top = max(total.values())
            candidates = [structure_of(path) for path, score in total.items() if score >= KEEP * top]
            out[template] = max(
                candidates,
                key=lambda st: (lexicon.agreement(template, st), total[_path_of(st)], st.signature()),
            )
    return out


def _path_of(structure: QueryStructure) -> tuple[Step, ...]:
    return tuple((PROPERTY_RELATION[h.property], h.inverse) for h in structure.hops)


def training_pairs(questions: Iterable[Question], structures: dict[str, QueryStructure]) -> list[tuple[str, QueryStructure]]:
    """(masked question, structure) for each question whose template has a path."""
    return [(q.masked(), structures[q.masked()]) for q in questions if q.masked() in structures]
