"""Ranking a mention's candidates: string match, words around it, MiniLM context, degree.

Each candidate's score is a sum of evidence, every part kept in
``Candidate.features`` so ``kgqa ask --explain`` can show why one won:

``string``
    1.0 for the main label, 0.97 for an alt label, the fuzzy ratio (times 0.95)
    for a misspelling.
``class``
    +0.3 when a class word next to the mention names one of its types ("the
    *film* Stalker", "the Sprawl *trilogy*").
``year``
    +0.4 when a disambiguating year before the mention is one of its numbers
    ("the *1972* film Solaris").
``context``
    0.1 x cosine between the (masked) question and the entity's description
    (label, types, comment or neighbours), with the shared MiniLM encoder.
``prior``
    0.02 x log-degree: among equals, the better connected entity.

The last two are small on purpose: they order candidates that the words do not
tell apart, but leave them within the tie margin that the answering stage reads
as "ambiguous" (it then answers for all of them and the dialogue may ask).
``features["prob"]`` is a softmax of the scores over the mention's candidates.

Example:
    >>> from rdflib import URIRef
    >>> from kgqa.linking.labels import Candidate
    >>> cands = [Candidate(URIRef("http://ex.org/a"), "A", 1.0), Candidate(URIRef("http://ex.org/b"), "B", 0.9)]
    >>> [round(c.features["prob"], 3) for c in softmax_probs(cands)]
    [0.881, 0.119]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
from rdflib import URIRef

from kgqa.linking.entities import EntityFacts
from kgqa.linking.labels import Candidate, LabelIndex
from kgqa.linking.mentions import STOPWORDS, Detection, FoundMention
from kgqa.ontology import Ontology

ALT_LABEL_SCORE = 0.97
FUZZY_FACTOR = 0.95
CLASS_BONUS = 0.3
YEAR_BONUS = 0.4
CONTEXT_WEIGHT = 0.1
PRIOR_WEIGHT = 0.02
#: Softmax temperature of ``features["prob"]``: a 0.1 score gap is about 7:1.
TEMPERATURE = 0.05
#: Candidates ranked per mention (a label shared by thousands of entities keeps the first ones).
MAX_CANDIDATES = 20

Encode = Callable[[list[str]], np.ndarray]


def softmax_probs(candidates: list[Candidate]) -> list[Candidate]:
    """Set ``features["prob"]`` of each candidate from the scores; returns the list."""
    if not candidates:
        return candidates
    top = max(c.score for c in candidates)
    weights = [math.exp((c.score - top) / TEMPERATURE) for c in candidates]
    total = sum(weights)
    for c, w in zip(candidates, weights):
        c.features["prob"] = w / total
    return candidates


class CandidateRanker:
    """Scores the candidates of every mention of a :class:`~kgqa.linking.mentions.Detection`."""

    def __init__(
        self,
        index: LabelIndex,
        facts: EntityFacts,
        ontology: Ontology,
        class_words: Mapping[str, frozenset[URIRef]],
        encode: Encode | None = None,
    ) -> None:
        self.index = index
        self.facts = facts
        self.ontology = ontology
        self.class_words = class_words
        self.encode = encode
        #: Embedded descriptions, per entity: embedded once, whatever the encoder caches.
        self._vectors: dict[URIRef, np.ndarray] = {}

    def _description_vectors(self, iris: list[URIRef]) -> np.ndarray:
        assert self.encode is not None
        missing = [i for i in dict.fromkeys(iris) if i not in self._vectors]
        if missing:
            vectors = self.encode([self.facts.info(i).description for i in missing])
            self._vectors.update(zip(missing, vectors))
        return np.stack([self._vectors[i] for i in iris])

    def rank(self, found: Detection, context: np.ndarray | None = None) -> None:
        """Score and sort every mention's candidates in place, best first.

        ``context`` is the question's embedding (the same vector the translator
        reads); without it, or without an encoder, the context feature is 0.
        """
        years: dict[int, set[float]] = {}
        for n in found.numbers:
            if n.role == "disambiguator" and n.target is not None:
                years.setdefault(n.target, set()).add(float(n.value))
        for k, mention in enumerate(found.mentions):
            mention.candidates = self._rank_mention(found, mention, years.get(k, set()), context)

    def _rank_mention(
        self, found: Detection, mention: FoundMention, years: set[float], context: np.ndarray | None
    ) -> list[Candidate]:
        candidates = mention.candidates[:MAX_CANDIDATES]
        classes = self._nearby_classes(found, mention)
        ambiguous = len(candidates) > 1
        vectors = None
        if ambiguous and context is not None and self.encode is not None:
            vectors = self._description_vectors([c.iri for c in candidates])
        for i, c in enumerate(candidates):
            string = c.score * FUZZY_FACTOR if not mention.exact else (
                1.0 if self.index.is_main_label(c.iri, mention.surface) else ALT_LABEL_SCORE
            )
            f = {"string": string}
            if classes and any(self.ontology.is_a(t, k) for t in c.types for k in classes):
                f["class"] = CLASS_BONUS
            if ambiguous:
                info = self.facts.info(c.iri)
                if years & info.numbers:
                    f["year"] = YEAR_BONUS
                if vectors is not None:
                    f["context"] = CONTEXT_WEIGHT * float(vectors[i] @ context)
                f["prior"] = PRIOR_WEIGHT * info.prior
            c.features = f
            c.score = sum(f.values())
        candidates.sort(key=lambda c: (-c.score, str(c.iri)))
        return softmax_probs(candidates)

    def _nearby_classes(self, found: Detection, mention: FoundMention) -> set[URIRef]:
        """Classes named right before (skipping articles and years) or right after the mention."""
        tokens = found.tokens
        out: set[URIRef] = set()
        k = mention.first_token - 1
        while k >= 0 and (tokens[k].key.isdigit() or tokens[k].key in ("the", "a", "an")):
            k -= 1
        for i, j in ((k - 1, k + 1), (k, k + 1)):
            if i >= 0:
                out |= self.class_words.get(" ".join(t.key for t in tokens[i:j]), frozenset())
        after = mention.last_token + 1
        if after < len(tokens) and tokens[after].key not in STOPWORDS:
            out |= self.class_words.get(tokens[after].key, frozenset())
        return out
