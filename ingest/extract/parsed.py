"""The ``parsed`` extractor: spaCy analysis, typing by evidence, a trained relation matcher.

For each text block, sentence by sentence (spaCy's small English pipeline):

1. **Mentions** (:mod:`~ingest.extract.spans`): names (the graph's labels, spans the
   source emphasised or quoted, named entities, runs of proper nouns, noun phrases
   headed by a class word: "the 1953 Nanga Parbat expedition"), values (years;
   numbers with a unit), demonyms ("a British engraver"), and references: pronouns,
   "the <class word>" and a surname used alone after the full name.
2. **Types by evidence**: the graph's type of a known name; a class word in
   apposition ("X, a river in Y"), after a copula ("X is a peak") or before the
   name ("the geologist X"); the named-entity label, mapped to the ontology's
   classes by the similarity of their words (learned from the ontology's own
   labels, comments and superclasses). A name with no evidence stays untyped.
3. **Relations**: every ordered pair of mentions in a sentence, with every property
   whose domain and range (or datatype) the pair fits, is scored by the trained
   :class:`~ingest.extract.matcher.Matcher` (one batch per document). The best
   property of a pair wins; a value takes one subject and property; a property's
   domain and range type an untyped mention only when the relation is confident.

Confidence is the matcher's calibrated probability, lowered when a mention's type
rests on the named-entity label alone or on nothing. The pipeline asserts
statements at or above ``ingest.confidence_threshold`` and keeps the rest as
candidates.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> from ingest.model import Block, TextContent
    >>> from ingest.resolve import Resolver
    >>> from kgqa.linking import LabelIndex
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> text = "Andy Weir is an American novelist. He was born in Davis, California, in 1972."
    >>> session = Resolver(LabelIndex(), engine.ontology).session()
    >>> found = ParsedExtractor(engine).extract(TextContent([Block(text)], "Andy Weir"), session)
    >>> sorted((s.predicate.split("#")[1], str(getattr(s.object, "label", s.object))) for s in found if s.confidence >= 0.6)
    [('birthPlace', 'California'), ('birthPlace', 'Davis'), ('birthYear', '1972'), ('nationality', 'United States')]
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import XSD, Literal, URIRef

from ingest.extract import EXTRACTORS, Extractor
from ingest.extract.lexicon import Lexicon
from ingest.extract.matcher import WEIGHTS, Matcher, PairText, PropertyText, features
from ingest.extract.spans import DocumentState, Found, SpanFinder
from ingest.model import Block, EntityRef, Statement, TextContent

#: Bump when extraction changes, so `kgqa ingest` re-extracts documents it has seen.
VERSION = "1"
#: Pairs scored below this are not even kept as candidates.
KEEP_MIN = 0.2
#: Confidence factors for type evidence: a type from the named-entity label alone, none at all, and a
#: named-entity label that contradicts the property's domain or range.
NER_ONLY = 0.95
UNTYPED = 0.85
NER_CONTRADICTED = 0.5


@dataclass
class _Pair:
    sentence: int
    subject: Found
    object: Found
    text: PairText
    candidates: list[int]


@EXTRACTORS.register("parsed")
class ParsedExtractor(Extractor):
    """spaCy mentions and parse, evidence-based types, and the WebNLG-trained relation matcher."""

    name = "parsed"

    def __init__(self, engine, weights: Path | None = None) -> None:  # noqa: ANN001 - kgqa.Engine
        super().__init__(engine)
        self.lexicon = Lexicon(engine.ontology, engine.config.get("models.encoder"))
        self.weights = Path(weights or engine.config.get("ingest.matcher") or WEIGHTS)
        self.matcher = Matcher.load(self.weights)
        props = [p for p in engine.ontology.properties.values() if "w3id.org/kgqa/vocab" not in str(p.iri)]
        kinds = {p.iri: self.lexicon.literal_kind(p) for p in props}
        self.props = [p for p in props if not p.literal_range or kinds[p.iri] is not None]
        self.texts = [PropertyText.of(p, kinds[p.iri], p.comment) for p in self.props]

    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.weights.read_bytes()).hexdigest()[:12]
        return f"parsed:{VERSION}:{digest}"

    # -- candidates -----------------------------------------------------------------------------
    def _fits(self, m: Found, expected: URIRef | None) -> bool | None:
        """True / False when ``m``'s types say, None when it has none."""
        if expected is None or not m.types:
            return None if not m.types else True
        onto = self.lexicon.ontology
        return any(onto.is_a(t, expected) or onto.is_a(expected, t) for t in m.types)

    def _candidates(self, s: Found, o: Found) -> list[int]:
        out = []
        for j, (prop, text) in enumerate(zip(self.props, self.texts)):
            if s.value_kind is not None:
                return []
            if o.value_kind is not None:
                if text.kind is None or (o.value_kind == "year") != (text.kind in ("year", "date")):
                    continue
            elif text.kind is not None:
                continue  # a value property never takes a name
            elif self._fits(o, prop.range) is False and o.strong:
                continue
            if self._fits(s, prop.domain) is False and s.strong:
                continue
            out.append(j)
        return out

    def _factor(self, m: Found, expected: URIRef | None) -> float:
        if m.value_kind is not None or expected is None:
            return 1.0
        fit = self._fits(m, expected)
        if fit is None:
            return UNTYPED
        if m.strong:
            return 1.0
        if fit:
            return NER_ONLY
        # NER often mislabels a one-word place or surname ("Dijon" as a person): no evidence either way
        return UNTYPED if len(m.label.split()) == 1 else NER_CONTRADICTED

    # -- extraction -----------------------------------------------------------------------------
    def extract(self, content: TextContent, session) -> Iterator[Statement]:  # noqa: ANN001 - ResolverSession
        from ingest.extract.nlp import pipeline

        finder = SpanFinder(self.lexicon, [session.resolver.index, session.local.index])
        state = DocumentState(self.lexicon, content.title, finder.person)
        blocks = [b for b in content.blocks if not b.heading and b.text.strip()]
        sentences: list[tuple[Block, object, list[Found]]] = []
        for block, doc in zip(blocks, pipeline().pipe([b.text for b in blocks])):
            for sent in doc.sents:
                found = state.resolve(finder.find(sent, block.emphasis))
                sentences.append((block, sent, found))
        pairs: list[_Pair] = []
        for n, (_, sent, found) in enumerate(sentences):
            for s in found:
                for o in found:
                    if s is o or s.key == o.key or s.value_kind is not None:
                        continue
                    owner = _parenthesised_after(o, found)
                    if owner is not None and owner is not s:
                        continue  # "X (1952)": the value in brackets is said of X alone
                    cands = self._candidates(s, o)
                    if cands:
                        pairs.append(_Pair(n, s, o, finder.pair_text(s, o), cands))
        if not pairs:
            return
        x, keys = features([p.text for p in pairs], self.texts, self.lexicon.encoder.encode, [p.candidates for p in pairs])
        probs = self.matcher.probability(x)
        scored: dict[int, list[tuple[float, int, int]]] = {}
        for (i, j), prob in zip(keys, probs):
            p = pairs[i]
            conf = float(prob) * self._factor(p.subject, self.props[j].domain) * self._factor(p.object, self.props[j].range)
            if conf >= KEEP_MIN:
                scored.setdefault(p.sentence, []).append((conf, i, j))
        threshold = float(self.engine.config.get("ingest.confidence_threshold"))
        for n in sorted(scored):
            block, sent, _ = sentences[n]
            for conf, i, j in self._choose(scored[n], pairs):
                yield self._statement(pairs[i], self.props[j].iri, conf, block, sent, threshold)

    def _choose(self, scored: list[tuple[float, int, int]], pairs: list[_Pair]) -> list[tuple[float, int, int]]:
        """Best first: one property per pair of mentions (either way round), one subject per value, and one
        subject per (property, object) unless the subjects are coordinated ("A and B were born in Lyon")."""
        taken_pairs: set[frozenset[str]] = set()
        taken_values: set[int] = set()
        subjects: dict[tuple[int, str], Found] = {}
        out = []
        for conf, i, j in sorted(scored, key=lambda t: -t[0]):
            p = pairs[i]
            pair_key = frozenset((p.subject.key, p.object.key))
            if pair_key in taken_pairs:
                continue
            first = subjects.setdefault((j, p.object.key), p.subject)
            if first is not p.subject and first.key != p.subject.key and not _coordinated(first, p.subject):
                continue
            if p.object.value_kind is not None:
                if id(p.object) in taken_values:
                    continue
                taken_values.add(id(p.object))
            taken_pairs.add(pair_key)
            out.append((conf, i, j))
        return out

    def _statement(self, pair: _Pair, predicate: URIRef, conf: float, block: Block, sent, threshold: float) -> Statement:  # noqa: ANN001
        prop = self.engine.ontology.properties[predicate]
        confident = conf >= threshold
        subject = pair.subject.ref(prop.domain if confident else None, self.lexicon.ontology)
        if pair.object.value_kind is not None:
            obj: EntityRef | Literal = _literal(pair.object.value or 0, prop.range)
        else:
            obj = pair.object.ref(prop.range if confident else None, self.lexicon.ontology)
        a = min(pair.subject.start, pair.object.start)
        b = max(pair.subject.end, pair.object.end)
        return Statement(subject, predicate, obj, round(conf, 4), self.name, block.offset + a, block.offset + b, None, sent.text)


def _parenthesised_after(value: Found, found: list[Found]) -> Found | None:
    """The mention a bracketed value directly follows ("Scrambles Amongst the Alps (1871)"), if any."""
    doc = value.span.doc
    k = value.span.start - 1
    if value.value_kind is None or k < 1 or doc[k].text != "(":
        return None
    return next((f for f in found if f.span.end == k and f.value_kind is None), None)


def _coordinated(a: Found, b: Found) -> bool:
    """Two mentions joined by a conjunction ("A and B", "A, B and C")."""
    ra, rb = a.span.root, b.span.root
    return any(t.dep_ == "conj" and t.head in (ra, rb) for t in (ra, rb)) or (
        ra.dep_ == "conj" and rb.dep_ == "conj" and ra.head == rb.head)


def _literal(number: int, datatype: URIRef | None) -> Literal:
    if datatype == XSD.gYear:
        return Literal(f"{number:04d}", datatype=XSD.gYear)
    return Literal(number, datatype=datatype or XSD.integer)


__all__ = ["ParsedExtractor"]
