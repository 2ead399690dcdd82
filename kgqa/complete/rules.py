"""Rules mined from the asserted graph, and the calibrated links they predict.

Embeddings need many triples per relation; a graph of a few hundred facts rarely
gives them that, yet it often states its regularities outright: the books of one
series share a publisher, a film based on a novel shares its language. Rules in
the style of AMIE (Galárraga et al. 2013) capture them. A *step* is a relation
followed forwards or backwards; a rule predicts a *head* step from an anchor through
a *body* path of up to three steps from the same anchor::

    publisher(x, y) <- partOfSeries(x, s), partOfSeries^-1(s, z), publisher(z, y)

**Mining.** A rule's PCA confidence (partial completeness assumption) is measured on
the anchors that have some target of the head step: of the ends its body reaches,
the share that are targets. Bodies never come back to the anchor (so a rule cannot
restate the fact it predicts), never start with the head step, and never go on
through a hub (a node with more than ``hub`` neighbours on the next step).

**Calibration.** A target's score is the noisy-or of the confidences of the rules
that reach it. As for embedding scores, each head step is calibrated on the anchors
with known targets: the confidence of a score is the share of known targets among
the (anchor, target) pairs scoring at least that much (with Laplace's pseudo-counts,
since a small graph gives few pairs), and a step gets links only
from the lowest score whose confidence reaches the target precision on at least
``min_calibration`` pairs.

Rules predict forward steps only: a slot is an entity's missing value of a
property (who published *Count Zero*), the way questions ask for it; the same link
answers the backward question too.

**Links.** Only *empty slots* get links, which is what PCA confidence speaks
for: entities the relation's domain allows that have no value of it yet and are
known by at least ``min_facts`` other facts. Calibration measures entities with
known values, which are well described; an entity known by a single fact is often
an extraction artefact (a place name typed as a book) that it says nothing about.
Where every entity has one value of a relation, a slot gets its best one.

Example:
    >>> kb = [(f"book{i}", "series", f"s{i // 2}") for i in range(8)]
    >>> kb += [(f"book{i}", "publisher", f"pub{i // 2}") for i in range(7)]
    >>> rules = RuleSet.mine(kb, min_support=2)
    >>> print(rules.rules[("publisher", False)][0])
    publisher <- series, series^-1, publisher (1.00, support 6)
    >>> [(link.head, link.tail, link.confidence) for link in rules.links(min_facts=1)]
    [('book7', 'pub3', 0.875)]
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kgqa.namespaces import local_name

#: A relation followed forwards (``False``) or backwards (``True``).
Step = tuple[str, bool]
Body = tuple[Step, ...]
Triple = tuple[str, str, str]

#: Nodes with more neighbours than this on a step are not expanded inside a body:
#: paths through a country or a language reach half the graph and predict nothing.
HUB = 50


def step_name(step: Step) -> str:
    """``author`` or ``author^-1``: the relation's local name (IRIs are shortened for people)."""
    return local_name(step[0]) + ("^-1" if step[1] else "")


@dataclass(frozen=True)
class Rule:
    """``head(x, y) <- body(x, ..., y)`` with its support and PCA confidence."""

    head: Step
    body: Body
    support: int
    confidence: float

    def __str__(self) -> str:
        body = ", ".join(map(step_name, self.body))
        return f"{step_name(self.head)} <- {body} ({self.confidence:.2f}, support {self.support})"


@dataclass(frozen=True)
class RuleLink:
    """A link the rules predict: its noisy-or score, calibrated confidence and best rule."""

    head: str
    relation: str
    tail: str
    score: float
    confidence: float
    rule: Rule


@dataclass(frozen=True)
class StepCalibration:
    """Score levels of one head step (descending) and the precision at or above each."""

    levels: tuple[float, ...]
    precision: tuple[float, ...]
    counts: tuple[int, ...]
    threshold: float | None

    def confidence(self, score: float) -> float:
        """The precision of the pairs scoring at least as much as ``score``.

        Made non-decreasing in the score (the best precision of any lower level): a
        higher score never gets a lower confidence.
        """
        i = int(np.searchsorted(-np.asarray(self.levels), -score, side="right")) - 1
        return max(self.precision[i:]) if i >= 0 else 0.0


class PathIndex:
    """A graph as adjacency sets of steps, for walking rule bodies in memory."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.adj: dict[str, dict[Step, set[str]]] = defaultdict(lambda: defaultdict(set))
        for head, relation, tail in triples:
            self.adj[head][(relation, False)].add(tail)
            self.adj[tail][(relation, True)].add(head)

    def bodies(self, anchor: str, length: int, hub: int = HUB) -> dict[Body, set[str]]:
        """Every path of 1 to ``length`` steps from ``anchor`` that never returns to it, and where it ends."""
        out: dict[Body, set[str]] = defaultdict(set)
        frontier: dict[Body, set[str]] = {(): {anchor}}
        for depth in range(length):
            grown: dict[Body, set[str]] = defaultdict(set)
            for path, nodes in frontier.items():
                for node in nodes:
                    for step, ends in self.adj.get(node, {}).items():
                        if depth and len(ends) > hub:
                            continue
                        grown[(*path, step)] |= ends
            frontier = {}
            for path, ends in grown.items():
                ends.discard(anchor)
                if ends:
                    out[path] = ends
                    frontier[path] = ends
        return out


def mine_rules(
    index: PathIndex,
    *,
    length: int,
    hub: int = HUB,
    min_support: int = 3,
    min_confidence: float = 0.1,
    head_ok: Callable[[Step], bool] = lambda head: not head[1],
    body_ok: Callable[[Step, Body], bool] = lambda head, body: body[0] != head,
) -> list[Rule]:
    """Every rule ``head <- body`` (``head_ok`` and ``body_ok`` allow) with its support and PCA confidence.

    By default heads are forward steps and no body starts with its head step.
    """
    support: Counter[tuple[Step, Body]] = Counter()
    reached: Counter[tuple[Step, Body]] = Counter()
    for anchor in sorted(index.adj):
        facts = {s: ys for s, ys in index.adj[anchor].items() if head_ok(s)}
        if not facts:
            continue
        bodies = index.bodies(anchor, length, hub)
        for head, targets in facts.items():
            for body, ends in bodies.items():
                if body_ok(head, body):
                    reached[(head, body)] += len(ends)
                    support[(head, body)] += len(ends & targets)
    return [
        Rule(head, body, n, n / reached[(head, body)])
        for (head, body), n in support.items()
        if n >= min_support and n / reached[(head, body)] >= min_confidence
    ]


def misses(rules: Iterable[Rule], bodies: Mapping[Body, set[str]]) -> dict[str, float]:
    """Per target the ``rules`` reach through ``bodies``: the probability that none of them is right."""
    miss: dict[str, float] = {}
    for rule in rules:
        for y in bodies.get(rule.body, ()):
            miss[y] = miss.get(y, 1.0) * (1.0 - rule.confidence)
    return miss


class RuleSet:
    """Mined rules per head step, their calibration, and the links they predict."""

    def __init__(
        self,
        index: PathIndex,
        rules: Sequence[Rule],
        *,
        length: int = 3,
        hub: int = HUB,
        min_calibration: int = 5,
        target_precision: float = 0.8,
    ) -> None:
        self.index = index
        self.length = length
        self.hub = hub
        self.rules: dict[Step, list[Rule]] = defaultdict(list)
        for rule in sorted(rules, key=lambda r: (-r.confidence, -r.support, r.body)):
            self.rules[rule.head].append(rule)
        self.calibration = self._calibrate(min_calibration, target_precision)

    @property
    def count(self) -> int:
        """How many rules were mined."""
        return sum(len(rules) for rules in self.rules.values())

    @classmethod
    def mine(
        cls,
        triples: Sequence[Triple],
        *,
        length: int = 3,
        min_support: int = 3,
        min_confidence: float = 0.1,
        hub: int = HUB,
        min_calibration: int = 5,
        target_precision: float = 0.8,
    ) -> RuleSet:
        """Mine every rule with a body of 1 to ``length`` steps that ``triples`` support."""
        index = PathIndex(triples)
        rules = mine_rules(index, length=length, hub=hub, min_support=min_support, min_confidence=min_confidence)
        return cls(index, rules, length=length, hub=hub, min_calibration=min_calibration,
                   target_precision=target_precision)

    def scores(self, anchor: str, step: Step, bodies: Mapping[Body, set[str]] | None = None) -> dict[str, float]:
        """Noisy-or of the confidences of the rules of ``step`` that reach each target from ``anchor``."""
        if bodies is None:
            bodies = self.index.bodies(anchor, self.length, self.hub)
        return {y: 1.0 - m for y, m in misses(self.rules.get(step, ()), bodies).items()}

    def _calibrate(self, min_calibration: int, target_precision: float) -> dict[Step, StepCalibration]:
        pairs: dict[Step, list[tuple[float, bool]]] = defaultdict(list)
        for anchor in sorted(self.index.adj):
            steps = [s for s in self.index.adj[anchor] if s in self.rules]
            if not steps:
                continue
            bodies = self.index.bodies(anchor, self.length, self.hub)
            for step in steps:
                known = self.index.adj[anchor][step]
                pairs[step] += [(score, y in known) for y, score in self.scores(anchor, step, bodies).items()]
        out = {}
        for step, scored in pairs.items():
            scored.sort(key=lambda p: -p[0])
            scores = np.array([s for s, _ in scored])
            hits = np.cumsum([c for _, c in scored])
            # The last pair of each distinct score level: precision of everything at or above it.
            last = np.flatnonzero(np.append(scores[1:] != scores[:-1], True))
            counts = last + 1
            # Laplace's rule of succession: 6 right of 6 is 0.88, not certainty.
            precision = (hits[last] + 1) / (counts + 2)
            reaching = [i for i in range(len(last)) if precision[i] >= target_precision and counts[i] >= min_calibration]
            threshold = float(scores[last[reaching[-1]]]) if reaching else None
            out[step] = StepCalibration(
                tuple(float(s) for s in scores[last]), tuple(float(p) for p in precision),
                tuple(int(c) for c in counts), threshold,
            )
        return out

    def links(
        self,
        target_precision: float | None = None,
        domains: Mapping[str, set[str]] | None = None,
        min_facts: int = 2,
    ) -> list[RuleLink]:
        """A :class:`RuleLink` for every empty slot the rules fill.

        ``domains`` gives the entities each relation may have as subject (see
        :func:`kgqa.complete.positions.ontology_positions`); by default, any entity
        with a fact. ``target_precision`` above the calibration's raises the bar.
        """
        found = []
        for step, calibration in sorted(self.calibration.items()):
            if calibration.threshold is None:
                continue
            relation = step[0]
            single = all(len(ys) == 1 for ys in (a.get(step) for a in self.index.adj.values()) if ys)
            anchors = domains.get(relation, set()) if domains is not None else set(self.index.adj)
            for anchor in sorted(anchors):
                facts = self.index.adj.get(anchor, {})
                if facts.get(step) or sum(len(ys) for s, ys in facts.items() if s[0] != relation) < min_facts:
                    continue
                bodies = self.index.bodies(anchor, self.length, self.hub)
                ranked = sorted(self.scores(anchor, step, bodies).items(), key=lambda yc: (-yc[1], yc[0]))
                for y, score in ranked[:1] if single else ranked:
                    confidence = calibration.confidence(score)
                    if score < calibration.threshold or confidence < (target_precision or 0.0):
                        break
                    rule = next(r for r in self.rules[step] if y in bodies.get(r.body, ()))
                    found.append(RuleLink(anchor, relation, y, score, confidence, rule))
        return found

    # -- persistence ---------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the rules and each step's calibration as JSON (a person can read it)."""
        data = {
            "length": self.length,
            "hub": self.hub,
            "rules": [{**asdict(r), "text": str(r)} for rs in self.rules.values() for r in rs],
            "calibration": [{"step": list(s), **asdict(c)} for s, c in sorted(self.calibration.items())],
        }
        Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
