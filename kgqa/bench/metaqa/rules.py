"""Relation rules mined from an incomplete KB, and the links they predict.

WikiMovies is redundant: a film's writer is often its director, its tags repeat
the names of its actors, director, genre and language ("tom hanks" tags a film
starring Tom Hanks), and co-authors keep working together. Rules in the style of
AMIE (Galárraga et al. 2013) capture this: a *head* step (a relation followed in
one direction) is predicted from a *body* path of one or two steps from the same
anchor, e.g. ``directed_by(x, y) <- written_by(x, y)`` or
``starred_actors(x, y) <- has_tags(x, z), same_name(z, y)``, where ``same_name``
links two entities whose names are equal ignoring case. A rule's confidence is its
PCA confidence on the KB it was mined from: of the body's predictions for anchors
that have some fact of the head step, the share that the KB confirms.

:class:`RuleModel` mines the rules (:meth:`RuleModel.mine`), saves and loads them,
and predicts the targets of an (anchor, step) query, each with the noisy-or of the
confidences of the rules that reach it and, where the anchor has no target yet, of
its neighbours' vote: the other films of its director, actors, ... mostly share a
language or genre (:meth:`RuleModel.predict`).

Example:
    >>> kb = [(f"m{i}", "directed_by", f"p{i}") for i in range(8)]
    >>> kb += [(f"m{i}", "written_by", f"p{i}") for i in range(10)]
    >>> model = RuleModel.mine(kb, min_support=2)
    >>> [(y, round(c, 2)) for y, c in model.predict("m9", ("directed_by", False))]
    [('p9', 1.0)]
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from kgqa.bench.metaqa.supervision import KBGraph, Step
from kgqa.complete.rules import Rule, mine_rules, misses
from kgqa.datasets.metaqa import RELATIONS

#: The class of films, beside the tail classes of :data:`RELATIONS` (heads are always films).
FILM = "film"
SAME_NAME: Step = ("same_name", False)
#: Intermediate entities with more neighbours than this on the body's second step
#: are not expanded: rules through hubs (Drama, English) predict everything.
HUB = 60
#: Rule bodies have one or two steps: three gave 74.6 / 62.6 / 72.4 against 74.6 / 63.0 / 72.6 on the
#: first 500 held-out questions per hop (half KB, topic given), with a slower p95 (17.9 vs 12.5 ms).
RULE_LENGTH = 2
#: Neighbours that share more than this many films with others (a year, a genre) do not vote.
SIBLINGS = 200
#: Anchors per step on which the neighbours' vote is checked while mining.
VOTE_SAMPLE = 1500


class NamedGraph(KBGraph):
    """A KB graph with ``same_name`` links between entities whose names differ only in case."""

    def __init__(self, triples: Iterable[tuple[str, str, str]], names: Iterable[str] = ()) -> None:
        triples = list(triples)
        super().__init__(triples)
        groups: dict[str, set[str]] = defaultdict(set)
        for name in {*names, *(h for h, _, _ in triples), *(t for _, _, t in triples)}:
            groups[name.lower()].add(name)
        for group in groups.values():
            for a in group:
                others = group - {a}
                if others:
                    self.adj[a][SAME_NAME] |= others

    def kinds(self, entity: str) -> set[object]:
        """The classes the KB's facts give ``entity`` (empty when it has none)."""
        return {FILM if not s[1] else RELATIONS[s[0]][1] for s in self.adj.get(entity, {}) if s != SAME_NAME}

    def fits(self, entity: str, step: Step) -> bool:
        """Whether ``entity`` may be a target of ``step``: its known classes include the step's
        range (a film for a backward step), or it has no known class."""
        kinds = self.kinds(entity)
        return not kinds or (RELATIONS[step[0]][1] if not step[1] else FILM) in kinds

    def neighbour_votes(self, anchor: str, step: Step) -> Counter[str]:
        """How many of the anchor's neighbours' neighbours of the same kind (the other films
        of its director, actors, ...) have each target of ``step``. Neighbours through the
        step's own relation do not vote: they are what is missing when the vote is needed."""
        votes: Counter[str] = Counter()
        for s1, mids in self.adj.get(anchor, {}).items():
            if s1 == SAME_NAME or s1[0] == step[0]:
                continue
            for z in mids:
                siblings = self.adj.get(z, {}).get((s1[0], not s1[1]), set())
                if len(siblings) <= SIBLINGS:
                    for m in siblings - {anchor}:
                        votes.update(self.adj.get(m, {}).get(step, ()))
        votes.pop(anchor, None)
        return votes


class RuleModel:
    """Mined rules per head step, the neighbours' vote, and predictions from a KB graph."""

    def __init__(
        self,
        graph: NamedGraph,
        rules: Sequence[Rule],
        vote_precision: dict[Step, float],
    ) -> None:
        self.graph = graph
        #: Per step, how often the neighbours' most frequent target is right (when mined).
        self.vote_precision = vote_precision
        self.rules: dict[Step, list[Rule]] = defaultdict(list)
        for rule in sorted(rules, key=lambda r: -r.confidence):
            self.rules[rule.head].append(rule)

    @classmethod
    def mine(
        cls,
        triples: Sequence[tuple[str, str, str]],
        names: Iterable[str] = (),
        *,
        min_support: int = 5,
        min_confidence: float = 0.02,
    ) -> RuleModel:
        """Mine rules of body length 1 and 2 (``same_name`` steps included) from ``triples``."""
        graph = NamedGraph(triples, names)
        rules = mine_rules(
            graph,
            length=RULE_LENGTH,
            hub=HUB,
            min_support=min_support,
            min_confidence=min_confidence,
            head_ok=lambda head: head != SAME_NAME,
            body_ok=lambda head, body: body != (head,),
        )
        return cls(graph, rules, vote_precisions(graph))

    def predict(self, anchor: str, step: Step, k: int = 10, *, vote: bool = True) -> list[tuple[str, float]]:
        """The ``k`` best targets of (anchor, step): noisy-or of the rules and (with ``vote``)
        the neighbours' vote, which helps where the anchor has no target of the step yet."""
        miss = misses(self.rules.get(step, ()), self.graph.bodies(anchor, RULE_LENGTH, HUB) if step in self.rules else {})
        reliability = self.vote_precision.get(step, 0.0) if vote else 0.0
        if reliability > 0:
            votes = self.graph.neighbour_votes(anchor, step)
            top = max(votes.values(), default=0)
            for y, n in votes.items():
                miss[y] = miss.get(y, 1.0) * (1.0 - reliability * n / top)
        # A rule through tags can reach a person where a genre is asked ("has_genre <- has_tags,
        # same_name" holds for the tag "comedy"): targets must fit the step's range.
        ranked = sorted(((y, 1.0 - m) for y, m in miss.items() if self.graph.fits(y, step)), key=lambda yc: (-yc[1], yc[0]))
        return ranked[:k]

    def links(self, min_confidence: float, k: int = 3) -> Iterator[tuple[str, Step, str, float]]:
        """(anchor, step, target, confidence) for every empty slot the rules fill with at least
        ``min_confidence`` (the ``k`` best per slot): what is worth materialising.

        Slots: forward steps of films, backward steps of entities of the relation's range
        (as the KB types them), where the anchor has no target of the step yet.
        """
        for anchor in sorted(self.graph.adj):
            facts = self.graph.adj[anchor]
            kinds = self.graph.kinds(anchor)
            steps = [s for s in self.rules if (FILM if not s[1] else RELATIONS[s[0]][1]) in kinds and not facts.get(s)]
            if not steps:
                continue
            bodies = self.graph.bodies(anchor, RULE_LENGTH, HUB)
            for step in steps:
                ranked = sorted(
                    ((y, 1.0 - m) for y, m in misses(self.rules.get(step, ()), bodies).items() if self.graph.fits(y, step)),
                    key=lambda yc: (-yc[1], yc[0]),
                )
                for y, confidence in ranked[:k]:
                    if confidence >= min_confidence:
                        yield anchor, step, y, confidence

    # -- persistence ------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        rules = [asdict(r) for rs in self.rules.values() for r in rs]
        votes = [[list(step), p] for step, p in self.vote_precision.items()]
        Path(path).write_text(json.dumps({"rules": rules, "votes": votes}), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, triples: Sequence[tuple[str, str, str]], names: Iterable[str] = ()) -> RuleModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        rules = [
            Rule(tuple(r["head"]), tuple(tuple(s) for s in r["body"]), r["support"], r["confidence"])  # type: ignore[arg-type]
            for r in data["rules"]
        ]
        votes = {tuple(step): p for step, p in data["votes"]}
        return cls(NamedGraph(triples, names), rules, votes)  # type: ignore[arg-type]


def vote_precisions(graph: NamedGraph, seed: int = 0) -> dict[Step, float]:
    """Per step, the share of anchors (a fixed sample of those with facts) whose
    neighbours' most frequent target is one of their own targets."""
    anchors: dict[Step, list[str]] = defaultdict(list)
    for anchor in sorted(graph.adj):
        for step in graph.adj[anchor]:
            if step != SAME_NAME:
                anchors[step].append(anchor)
    rng = random.Random(seed)
    out = {}
    for step in sorted(anchors):
        sample = rng.sample(anchors[step], min(VOTE_SAMPLE, len(anchors[step])))
        hits = 0
        for anchor in sample:
            votes = graph.neighbour_votes(anchor, step)
            if votes:
                # Ties go to the first name, as in predict's ranking (not to set order, which varies by run).
                top = max(votes.values())
                hits += min(y for y, n in votes.items() if n == top) in graph.adj[anchor][step]
        out[step] = hits / len(sample)
    return out
