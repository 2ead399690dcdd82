"""Finding the topic entity when the brackets are removed (``--entity linked``).

Every span of words that carries a known label is a candidate mention
(:meth:`~kgqa.linking.LabelIndex.lookup` over all word n-grams: the greedy
longest-first :meth:`~kgqa.linking.LabelIndex.find_mentions` lets "the movie
Crazy" swallow "Crazy Heart"). Masking a candidate gives a
question the translator can read. When masking some mention gives a question
seen in training, that mention is the topic (a dictionary look-up, no encoding);
otherwise the mention whose masked question the translator reads most
confidently is (the longer mention on a tie).
Among the entities carrying that label, one whose label matches the text exactly
(case included) is preferred, then one that has a fact of the structure's first
property, then the first by name.

Example:
    >>> from rdflib import URIRef
    >>> masked_variants("who directed Big Fish", [(13, 21)])
    ['who directed NE']
    >>> idx = LabelIndex()
    >>> idx.add(URIRef("http://ex.org/gotcha"), "Gotcha!")
    >>> idx.add(URIRef("http://ex.org/director"), "director")
    >>> [m.surface for m in candidate_mentions(idx, "who is the director of Gotcha!")]
    ['director', 'Gotcha!']
"""

from __future__ import annotations

import re

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from kgqa.datasets.metaqa import MASK
from kgqa.linking import LabelIndex, Mention
from kgqa.sparql.build import render_term
from kgqa.translate import QueryStructure

Reading = tuple[QueryStructure, float]
_WORD = re.compile(r"\w+(?:['’]\w+)*")
#: Longest mention tried, in words.
MAX_WORDS = 12


def candidate_mentions(index: LabelIndex, text: str) -> list[Mention]:
    """Every word span whose text is a known label (normalised), overlapping ones included.

    A span grows over trailing punctuation when a candidate's label matches the text
    exactly that way ("Gotcha!").
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    out = []
    for i, (start, _) in enumerate(words):
        for j in range(i, min(i + MAX_WORDS, len(words))):
            end = words[j][1]
            candidates = index.lookup(text[start:end])
            if not candidates:
                continue
            exact = [c.label for c in candidates if text.startswith(c.label, start)]
            if exact:
                end = start + max(map(len, exact))
            out.append(Mention(start, end, text[start:end], candidates))
    return out


def masked_variants(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """``text`` with each span in turn replaced by the mask."""
    return [text[:start] + MASK + text[end:] for start, end in spans]


@dataclass
class Linked:
    """The chosen topic entity, the masked question and the translator's readings of it."""

    topic: URIRef | None
    masked: str
    readings: list[Reading]


class TopicLinker:
    """Links the topic of many questions at once (one translator call for all variants)."""

    def __init__(
        self,
        index: LabelIndex,
        read: Callable[[list[str]], list[list[Reading]]],
        has_fact: Callable[[URIRef, QueryStructure], bool],
        known: Callable[[str], list[Reading] | None] = lambda masked: None,
    ) -> None:
        self.index = index
        self.read = read
        self.has_fact = has_fact
        #: The readings of a masked question seen in training, ``None`` for a new one.
        self.known = known

    def link(self, questions: Sequence[str]) -> list[Linked]:
        mentions = [candidate_mentions(self.index, q) for q in questions]
        variants = [masked_variants(q, [(m.start, m.end) for m in ms]) for q, ms in zip(questions, mentions)]
        seen = [[self.known(v) for v in vs] for vs in variants]
        # Only questions with no familiar reading need the translator.
        flat = [v for vs, ks in zip(variants, seen) if not any(ks) for v in vs]
        readings = iter(self.read(flat) if flat else [])
        out = []
        for question, ms, vs, ks in zip(questions, mentions, variants, seen):
            if any(ks):
                scored = [(k, m, v) for k, m, v in zip(ks, ms, vs) if k]
            else:
                scored = [(next(readings), m, v) for m, v in zip(ms, vs)]
            if not scored:
                out.append(Linked(None, question, []))
                continue
            reads, mention, masked = max(scored, key=lambda x: (x[0][0][1] if x[0] else 0.0, x[1].end - x[1].start))
            out.append(Linked(self._entity(mention, reads[0][0] if reads else None), masked, reads))
        return out

    def _entity(self, mention, structure: QueryStructure | None) -> URIRef:  # noqa: ANN001 - a Mention
        candidates = sorted(mention.candidates, key=lambda c: (c.label != mention.surface, c.label, str(c.iri)))
        exact = [c for c in candidates if c.label == mention.surface] or candidates
        if len(exact) > 1 and structure is not None:
            fitting = [c for c in exact if self.has_fact(c.iri, structure)]
            exact = fitting or exact
        return exact[0].iri


def first_hop_ask(engine) -> Callable[[URIRef, QueryStructure], bool]:  # noqa: ANN001 - an Engine
    """A ``has_fact`` test: does the entity have a fact of the structure's first property?"""

    def has_fact(iri: URIRef, structure: QueryStructure) -> bool:
        hop = structure.hops[0]
        pattern = f"?o {render_term(hop.property)} ?topic" if hop.inverse else f"?topic {render_term(hop.property)} ?o"
        return bool(engine.sparql(f"ASK {{ {pattern} }}", bindings={"topic": iri}))

    return has_fact
