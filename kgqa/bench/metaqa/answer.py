"""Answering one MetaQA question from its structure and topic, in three stages.

1. ``sparql``: the compiled path over asserted facts only (``?topic`` bound as a term);
2. ``inferred``: when that finds nothing, the same path over asserted *and*
   inferred facts (``urn:kgqa:graph:inferred``, written by graph completion);
3. ``scoring``: when that finds nothing too, a beam search hop by hop: from each
   entity of the beam, asserted neighbours (weight 1) and the completion model's
   best predicted neighbours (weight = calibrated confidence) are scored, the
   path's weights multiply and the scores of the paths reaching an entity add up.

Answers of stages 2 and 3 rest on predicted links and are flagged ``inferred``.
Each stage's top answer is kept, so one pass gives the ablation table. Ranking
within a SPARQL answer set: by the number of paths that reach the answer, then
by name.

Example:
    >>> Answer(["Big"], "sparql", {"sparql": "Big"}).inferred
    False
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import URIRef

from kgqa.datasets.metaqa import PROPERTY_RELATION, EntityNames
from kgqa.errors import QueryError
from kgqa.namespaces import INFERRED_GRAPH
from kgqa.sparql.build import render_term, values_clause
from kgqa.translate import QueryStructure

if TYPE_CHECKING:
    from kgqa.complete import Scorer
    from kgqa.engine import Engine

STAGES = ("sparql", "inferred", "scoring")
#: Entities kept per hop in the beam; the best EXPAND of them also get the model's
#: PREDICTIONS best neighbours (scoring all 43k entities costs more than a SPARQL hop).
BEAM = 16
EXPAND = 4
PREDICTIONS = 5
_HEAD = "SELECT DISTINCT ?answer WHERE {"


@dataclass
class Answer:
    """Ranked answer names, the stage that produced them, and each stage's top answer."""

    names: list[str]
    stage: str
    top_by_stage: dict[str, str | None] = field(default_factory=dict)

    @property
    def inferred(self) -> bool:
        """True when the answer rests on predicted links."""
        return self.stage in ("inferred", "scoring")

    @property
    def top(self) -> str | None:
        return self.names[0] if self.names else None


def ranked_sparql(structure: QueryStructure, *, asserted_only: bool) -> str:
    """The structure's SELECT, answers ranked by path count, never revisiting ``?topic``.

    Thin adapter over :meth:`QueryStructure.to_sparql` (which has no option for
    either yet): the generated text, not user text, is rewritten.
    """
    text = structure.to_sparql(asserted_only=asserted_only)
    if structure.form != "select" or not text.startswith(_HEAD) or not text.endswith("}"):
        raise QueryError(f"cannot rank the answers of {structure.signature()}")
    body = text[len(_HEAD) : -1]
    revisits = "".join(f"  FILTER(?x{i} != ?topic)\n" for i in range(1, len(structure.hops)))
    return f"SELECT ?answer (COUNT(*) AS ?paths) WHERE {{{body}{revisits}}}\nGROUP BY ?answer ORDER BY DESC(?paths) ?answer"


class Answerer:
    """Answers (structure, topic) pairs over one store, with an optional completion scorer."""

    def __init__(
        self, engine: Engine, names: EntityNames, scorer: Scorer | None = None, *, use_inferred: bool = True
    ) -> None:
        self.engine = engine
        self.names = names
        self.scorer = scorer
        self.has_inferred = use_inferred and engine.store.has_graph(INFERRED_GRAPH)
        self._queries: dict[tuple[str, bool], str] = {}

    def _select(self, structure: QueryStructure, topic: URIRef, asserted_only: bool) -> list[str]:
        key = (structure.signature(), asserted_only)
        if key not in self._queries:
            self._queries[key] = ranked_sparql(structure, asserted_only=asserted_only)
        result = self.engine.sparql(self._queries[key], bindings={"topic": topic}, limit=None)
        return [n for n in (self.names.name(row[0]) for row in result.rows) if n is not None]

    def answer(self, structure: QueryStructure, topic: str, *, upto: str = "scoring") -> Answer:
        """Answer with the stages up to ``upto`` ("sparql", "inferred" or "scoring")."""
        last = STAGES.index(upto)
        tops: dict[str, str | None] = {}
        iri = self.names.iri(topic)
        names = self._select(structure, iri, asserted_only=self.has_inferred)
        stage = "sparql"
        tops["sparql"] = names[0] if names else None
        if last >= 1:
            if not names and self.has_inferred:
                names, stage = self._select(structure, iri, asserted_only=False), "inferred"
            tops["inferred"] = names[0] if names else None
        if last >= 2:
            if not names and self.scorer is not None:
                names, stage = self.beam(structure, topic), "scoring"
            tops["scoring"] = names[0] if names else None
        return Answer(names, stage if names else "none", tops)

    # -- stage 3 -----------------------------------------------------------------------
    def _neighbours(self, frontier: list[str], prop: URIRef, inverse: bool) -> list[tuple[str, str]]:
        """Asserted and inferred (source, target) links of ``prop`` from the frontier."""
        pattern = f"?dst {render_term(prop)} ?src ." if inverse else f"?src {render_term(prop)} ?dst ."
        query = f"SELECT ?src ?dst WHERE {{ {values_clause('src', [self.names.iri(n) for n in frontier])} {pattern} }}"
        rows = self.engine.sparql(query, limit=None).rows
        return [(self.names.name(s), self.names.name(d)) for s, d in rows if self.names.name(d) is not None]

    def beam(self, structure: QueryStructure, topic: str) -> list[str]:
        """Entities at the end of the path, ranked by summed path weights (see the module doc)."""
        assert self.scorer is not None
        frontier: dict[str, float] = {topic: 1.0}
        for hop in structure.hops:
            relation = PROPERTY_RELATION[hop.property]
            scores: dict[str, float] = defaultdict(float)
            for src, dst in self._neighbours(list(frontier), hop.property, hop.inverse):
                scores[dst] += frontier[src]
            anchors = list(frontier)[:EXPAND]
            if hop.inverse:
                predicted = [self.scorer.predict_heads(relation, a, PREDICTIONS) for a in anchors]
            else:
                predicted = self.scorer.predict_tails_many([(a, relation) for a in anchors], PREDICTIONS)
            for src, ranked in zip(anchors, predicted):
                for rank, (dst, _, confidence) in enumerate(ranked):
                    # Uncalibrated relations still rank: a small weight that decays with rank.
                    scores[str(dst)] += frontier[src] * max(confidence or 0.0, 1e-3 / (rank + 1))
            scores.pop(topic, None)
            best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:BEAM]
            frontier = dict(best)
            if not frontier:
                return []
        return list(frontier)
