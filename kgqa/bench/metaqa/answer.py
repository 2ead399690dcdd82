"""Answering one MetaQA question from its structure and topic, in stages.

1. ``sparql``: the compiled path over asserted facts only (``?topic`` bound as a term);
2. ``inferred``: when that finds nothing, the same SPARQL over asserted *and*
   inferred facts (``urn:kgqa:graph:inferred``: what the training answers state and
   the rule links above the materialising confidence, see
   :meth:`~kgqa.bench.metaqa.workspace.Workspace.write_inferred`);
3. ``rules``: when stage 1 finds nothing, a beam search hop by hop in memory
   (it supersedes stage 2, which it contains: the same links, weighted):
   from each entity of the beam, known neighbours (weight 1), the targets the mined
   rules predict (weight = rule confidence) and the neighbours' vote when the entity
   has no known target (:mod:`~kgqa.bench.metaqa.rules`). Path weights multiply,
   the weights of the paths reaching an entity add up; at the end the path's answer
   prior (:class:`~kgqa.bench.metaqa.memory.AnswerPriors`, weight
   :data:`PRIOR_WEIGHT` x share) is added, which answers alone when the beam dies out;
4. ``model``: the same beam where the completion model (PyKEEN) also proposes the
   best predicted neighbours of entities that have neither a known target nor a
   rule's prediction (weight = calibrated confidence; asking it for every entity
   without a known target cost 10-100 ms a question and moved Hits@1 by at most
   0.2 points on 1,800 held-out questions).

Answers of stages 2-4 rest on predicted links and are flagged ``inferred``.
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
from kgqa.translate import QueryStructure

if TYPE_CHECKING:
    from kgqa.bench.metaqa.memory import AnswerPriors
    from kgqa.bench.metaqa.rules import RuleModel
    from kgqa.complete import Scorer
    from kgqa.engine import Engine

STAGES = ("sparql", "inferred", "rules", "model")
#: Entities kept per hop in the beam; every entity gets the rules' PREDICTIONS best
#: targets, the best EXPAND of those with no known or rule-predicted target also the
#: completion model's PREDICTIONS best neighbours.
BEAM = 16
EXPAND = 4
PREDICTIONS = 5
#: Weight of the path's answer prior (share of training questions an entity answers):
#: it decides between weak predictions and answers when the path dies out. Fitted on
#: training 2- and 3-hop questions (0.1-0.3 best, 0 loses 1-2 points).
PRIOR_WEIGHT = 0.1
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
        return self.stage in STAGES[1:]

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
    """Answers (structure, topic) pairs over one store; ``rules`` (with ``priors``) and ``scorer``
    enable stages 3 and 4.

    ``use_inferred=False`` skips stage 2 (the inferred graph is then not read).
    ``ablate=True`` also runs stage 3 when stage 4 is available, for the ablation.
    """

    def __init__(
        self,
        engine: Engine,
        names: EntityNames,
        *,
        rules: RuleModel | None = None,
        priors: AnswerPriors | None = None,
        scorer: Scorer | None = None,
        use_inferred: bool = True,
        ablate: bool = False,
    ) -> None:
        self.engine = engine
        self.names = names
        self.rules = rules
        self.priors = priors
        self.scorer = scorer
        self.ablate = ablate
        self.has_inferred = use_inferred and engine.store.has_graph(INFERRED_GRAPH)
        self._queries: dict[tuple[str, bool], str] = {}

    def _select(self, structure: QueryStructure, topic: URIRef, asserted_only: bool) -> list[str]:
        key = (structure.signature(), asserted_only)
        if key not in self._queries:
            self._queries[key] = ranked_sparql(structure, asserted_only=asserted_only)
        result = self.engine.sparql(self._queries[key], bindings={"topic": topic}, limit=None)
        return [n for n in (self.names.name(row[0]) for row in result.rows) if n is not None]

    def answer(self, structure: QueryStructure, topic: str) -> Answer:
        """Answer with the stages this answerer has (see the module doc).

        Without rules, stage 2 answers when stage 1 finds nothing. With rules, the beam
        does instead: it follows the same predicted links weighted by their confidence
        rather than counting paths (measured better on the training questions' paths);
        stage 2 then only runs for the ablation (``ablate=True``).
        """
        iri = self.names.iri(topic)
        names = self._select(structure, iri, asserted_only=self.has_inferred)
        stage = "sparql"
        tops: dict[str, str | None] = {"sparql": names[0] if names else None}
        if self.has_inferred and (self.rules is None or self.ablate):
            inferred = names or self._select(structure, iri, asserted_only=False)
            tops["inferred"] = inferred[0] if inferred else None
            if self.rules is None and not names:
                names, stage = inferred, "inferred"
        if self.rules is not None:
            path = [(PROPERTY_RELATION[h.property], h.inverse) for h in structure.hops]
            beams = [("rules", False)] if self.scorer is None or self.ablate else []
            if self.scorer is not None:
                beams.append(("model", True))
            found = names
            for name, with_model in beams:
                ranked = names or self.beam(path, topic, with_model=with_model)
                tops[name] = ranked[0] if ranked else None
                if ranked and not names:
                    found, stage = ranked, name
            names = found
        return Answer(names, stage if names else "none", tops)

    # -- stages 3 and 4 --------------------------------------------------------------------
    def beam(self, path: list[tuple[str, bool]], topic: str, *, with_model: bool = True) -> list[str]:
        """Entities at the end of the path, ranked by summed path weights (see the module doc)."""
        assert self.rules is not None
        graph = self.rules.graph
        frontier: dict[str, float] = {topic: 1.0}
        for step in path:
            scores: dict[str, float] = defaultdict(float)
            unknown = []
            for src, weight in frontier.items():
                known = graph.adj.get(src, {}).get(step, ())
                for dst in known:
                    scores[dst] += weight
                predicted = self.rules.predict(src, step, PREDICTIONS, vote=not known)
                if not known and not predicted:
                    unknown.append(src)
                for dst, confidence in predicted:
                    scores[dst] += weight * confidence
            if with_model and self.scorer is not None and unknown:
                for src, ranked in zip(unknown[:EXPAND], self._model_targets(unknown[:EXPAND], step)):
                    for rank, (dst, _, confidence) in enumerate(ranked):
                        # Uncalibrated relations still rank: a small weight that decays with rank.
                        scores[str(dst)] += frontier[src] * max(confidence or 0.0, 1e-3 / (rank + 1))
            scores.pop(topic, None)
            frontier = dict(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:BEAM])
            if not frontier:
                break
        final = defaultdict(float, frontier)
        for answer, share in self.priors.get(path) if self.priors is not None else ():
            if answer != topic:
                final[answer] += PRIOR_WEIGHT * share
        return [y for y, _ in sorted(final.items(), key=lambda kv: (-kv[1], kv[0]))]

    def _model_targets(self, anchors: list[str], step: tuple[str, bool]) -> list:
        assert self.scorer is not None
        relation, inverse = step
        if inverse:
            return [self.scorer.predict_heads(relation, a, PREDICTIONS) for a in anchors]
        return self.scorer.predict_tails_many([(a, relation) for a in anchors], PREDICTIONS)
