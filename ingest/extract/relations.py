"""Relations between the mentions of one sentence, chosen among the ontology's properties.

For every ordered pair of mentions (entity, entity or entity, value) the
properties whose domain and range fit the mentions' types are candidates. Each is
scored by the MiniLM similarity between the words that link the two mentions (all
of them, the last three, the first three) and the property's phrases
(:class:`~ingest.extract.lexicon.Lexicon`), less penalties for long gaps, for
other names in between and for mentions whose type is unknown. The best property
of a pair wins; its confidence grows with the score and with its margin over the
runner-up. Then, best first, each value fills one slot, each pair takes one
property, and coordinated names (``A, B and C``) share the relation found for the
nearest of them.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> from kgqa.linking import LabelIndex
    >>> from ingest.extract.lexicon import Lexicon
    >>> from ingest.extract.mentions import MentionFinder
    >>> lex = Lexicon(Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")]))
    >>> sentence = "The novel Roadside Picnic was written by Arkady Strugatsky and first published in 1972."
    >>> found = RelationScorer(lex).relations(sentence, MentionFinder(lex, [LabelIndex()]).find(sentence))
    >>> [(r.subject.label, r.prop.local_name, r.object.label or r.object.surface) for r in found]
    [('Roadside Picnic', 'author', 'Arkady Strugatsky'), ('Roadside Picnic', 'publicationYear', '1972')]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rdflib import URIRef

from kgqa.ontology import Property

from ingest.extract.lexicon import Lexicon
from ingest.extract.mentions import Mention

_WORD = re.compile(r"[\w'’-]+")
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*(?:and|or|&))\s*$")
_PAREN_YEAR_GAP = re.compile(r"^\s*\(\s*$")

#: Tuned on the sample gold file; see docs/ingestion.md for what they give.
LONG_GAP_WORDS = 6
LONG_GAP_PENALTY = 0.02
INTERVENING_PENALTY = 0.12
UNTYPED_PENALTY = 0.08
CALIBRATION_CENTRE = 0.5
CALIBRATION_SLOPE = 9.0
MARGIN_WEIGHT = 1.5
MIN_CONFIDENCE = 0.15
#: A "(1972)" right after a name: the name's one year-valued property, when only one fits.
PAREN_YEAR_CONFIDENCE = 0.8


@dataclass(frozen=True)
class _Option:
    """A property that fits a mention pair, in the direction it fits."""

    prop: Property
    subject: Mention
    object: Mention
    s_types: frozenset[URIRef]
    o_types: frozenset[URIRef]
    untyped: float


@dataclass
class Relation:
    """A scored triple between two mentions of a sentence."""

    subject: Mention
    prop: Property
    object: Mention
    confidence: float
    subject_types: frozenset[URIRef]
    object_types: frozenset[URIRef]


class RelationScorer:
    """Scores mention pairs against the ontology's properties (see the module docstring)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    # -- types ---------------------------------------------------------------------------------
    def _role_types(self, mention: Mention, expected: URIRef | None) -> frozenset[URIRef] | None:
        """The mention's types narrowed to ``expected``; ``None`` when they do not fit."""
        fit = self.lexicon.fits(mention.types, expected)
        if fit is False:
            return None
        if expected is None or expected not in self.lexicon.ontology.classes:
            return mention.types
        if fit is None:
            return frozenset([expected])
        narrowed = frozenset(t for t in mention.types if self.lexicon.ontology.is_a(t, expected))
        return narrowed or frozenset([expected])

    def _fits_literal(self, prop: Property, value: Mention) -> bool:
        kind = self.lexicon.literal_kind(prop)
        if kind is None:
            return False
        if value.kind in ("year", "date"):
            return kind == "year"
        return kind == "number"

    # -- the sentence ----------------------------------------------------------------------------
    def relations(self, sentence: str, mentions: list[Mention]) -> list[Relation]:
        """The relations the sentence states between its ``mentions``, best first."""
        entities = [m for m in mentions if not m.is_literal and m.label]
        paren_years = self._paren_years(sentence, mentions)
        groups = self._groups(sentence, [m for m in mentions if id(m) not in paren_years])
        scored: list[tuple[float, Mention, Property, Mention, frozenset, frozenset]] = []
        contexts: list[str] = []
        pending: list[tuple[int, int, list[_Option], float]] = []
        for a in entities:
            for b in mentions:
                if b is a or (not b.is_literal and (not b.label or b.label == a.label)):
                    continue
                if id(a) in groups and groups.get(id(a)) == groups.get(id(b)):
                    continue
                if b.is_literal and id(b) in paren_years:
                    if paren_years[id(b)] is a:
                        scored.extend(self._paren_year(a, b))
                    continue
                if not b.is_literal and mentions.index(b) < mentions.index(a):
                    continue  # each entity pair once; _options tries both directions
                options = self._options(a, b)
                if not options:
                    continue
                first, second = (a, b) if a.start < b.start else (b, a)
                variants = _variants(b.cue or a.cue or sentence[first.end : second.start])
                pending.append((len(contexts), len(variants), options, self._penalty(first, second, sentence, mentions, groups)))
                contexts.extend(variants)
        if contexts:
            sims = self.lexicon.similarities(contexts)
            column = {p.iri: k for k, p in enumerate(self.lexicon.properties)}
            for offset, n, options, penalty in pending:
                rows = sims[offset : offset + n]
                ranked = sorted(
                    ((float(rows[:, column[o.prop.iri]].max()) - penalty - o.untyped, o) for o in options),
                    key=lambda r: -r[0],
                )
                best, option = ranked[0]
                runner_up = ranked[1][0] if len(ranked) > 1 else best - 0.3
                scored.append((_calibrate(best, best - runner_up), option.subject, option.prop, option.object, option.s_types, option.o_types))
        return self._select(scored, groups, mentions)

    def _options(self, a: Mention, b: Mention) -> list[_Option]:
        """Each property that fits the pair, with the pair in the fitting direction (the text's order first)."""
        out: dict[URIRef, _Option] = {}
        for prop in self.lexicon.properties:
            if b.is_literal:
                s_types = self._role_types(a, prop.domain)
                if s_types is not None and self._fits_literal(prop, b):
                    out[prop.iri] = _Option(prop, a, b, s_types, frozenset(), UNTYPED_PENALTY * (not a.types))
                continue
            if prop.literal_range:
                continue
            for s, o in ((a, b), (b, a)):
                s_types = self._role_types(s, prop.domain)
                o_types = self._role_types(o, prop.range)
                if s_types is not None and o_types is not None and prop.iri not in out:
                    out[prop.iri] = _Option(prop, s, o, s_types, o_types, UNTYPED_PENALTY * ((not s.types) + (not o.types)))
        return list(out.values())

    def _penalty(self, first: Mention, second: Mention, sentence: str, mentions: list[Mention], groups: dict[int, int]) -> float:
        words = len(_WORD.findall(sentence[first.end : second.start]))
        between = [
            m for m in mentions
            if first.end <= m.start and m.end <= second.start and not m.is_literal
            and groups.get(id(m)) not in (groups.get(id(first)), groups.get(id(second)))
        ]
        return LONG_GAP_PENALTY * max(0, words - LONG_GAP_WORDS) + INTERVENING_PENALTY * len(between)

    def _paren_years(self, sentence: str, mentions: list[Mention]) -> dict[int, Mention]:
        """Years written "(1972)" right after a name, keyed by the year mention."""
        out = {}
        for prev, m in zip(mentions, mentions[1:]):
            if m.kind == "year" and not prev.is_literal and _PAREN_YEAR_GAP.match(sentence[prev.end : m.start]):
                out[id(m)] = prev
        return out

    def _paren_year(self, entity: Mention, year: Mention) -> list[tuple]:
        fitting = [(p, self._role_types(entity, p.domain)) for p in self.lexicon.properties if self._fits_literal(p, year)]
        fitting = [(p, t) for p, t in fitting if t is not None and self.lexicon.fits(entity.types, p.domain)]
        if len(fitting) != 1:
            return []
        prop, types = fitting[0]
        return [(PAREN_YEAR_CONFIDENCE, entity, prop, year, types, frozenset())]

    def _groups(self, sentence: str, mentions: list[Mention]) -> dict[int, int]:
        """Coordinated names ("A, B and C", "A and B") of agreeing types share a group id.

        Commas alone do not make a list: "Davis, California" is a place and its state.
        """
        entities = [m for m in mentions if not m.is_literal]
        chains: list[list[Mention]] = []
        joined: list[bool] = []
        for prev, m in zip(entities, entities[1:]):
            gap = re.sub(r"\(\s*\d{4}\s*\)", "", sentence[prev.end : m.start])
            agree = not (prev.types and m.types) or self.lexicon.fits(prev.types, next(iter(m.types))) or self.lexicon.fits(m.types, next(iter(prev.types)))
            if _LIST_GAP.match(gap) and agree:
                if chains and chains[-1][-1] is prev:
                    chains[-1].append(m)
                    joined[-1] = joined[-1] or "," not in gap or bool(re.search(r"\b(and|or)\b|&", gap))
                else:
                    chains.append([prev, m])
                    joined.append(bool(re.search(r"\b(and|or)\b|&", gap)))
        groups: dict[int, int] = {}
        for chain, has_conjunction in zip(chains, joined):
            if has_conjunction:
                for m in chain:
                    groups[id(m)] = id(chain[0])
        return groups

    # -- choosing --------------------------------------------------------------------------------
    def _select(self, scored: list[tuple], groups: dict[int, int], mentions: list[Mention]) -> list[Relation]:
        """Best first: one property per pair, one slot per value, types kept consistent."""
        # Relations between entities first: they type untyped names ("by X" makes X a person),
        # which then rules out values that would need another type.
        scored.sort(key=lambda r: (r[3].is_literal, -r[0]))
        used_values: set[int] = set()
        filled: set[tuple[int, URIRef]] = set()
        paired: set[tuple[int, int]] = set()
        assigned: dict[int, frozenset[URIRef]] = {}  # types the accepted relations gave each mention
        said: set[tuple] = set()
        out: list[Relation] = []
        members: dict[int, list[Mention]] = {}
        for m in mentions:
            if id(m) in groups:
                members.setdefault(groups[id(m)], []).append(m)

        def consistent(m: Mention, types: frozenset[URIRef]) -> bool:
            have = assigned.get(id(m))
            return have is None or not types or any(
                self.lexicon.ontology.is_a(t, h) or self.lexicon.ontology.is_a(h, t) for t in types for h in have
            )

        for confidence, s, prop, o, s_types, o_types in scored:
            if confidence < MIN_CONFIDENCE:
                continue
            pair = (min(id(s), id(o)), max(id(s), id(o)))
            if pair in paired or not consistent(s, s_types) or not consistent(o, o_types):
                continue
            if o.is_literal:
                if id(o) in used_values or (id(s), prop.iri) in filled:
                    continue
                used_values.add(id(o))
                filled.add((id(s), prop.iri))
            paired.add(pair)
            subjects = members.get(groups[id(s)], [s]) if id(s) in groups else [s]
            objects = members.get(groups[id(o)], [o]) if id(o) in groups and not o.is_literal else [o]
            for subject in subjects:
                for obj in objects:
                    key = (subject.label, prop.iri, obj.label if not obj.is_literal else str(obj.value))
                    if subject.label == obj.label or key in said:
                        continue
                    said.add(key)
                    st = s_types if subject is s else self._role_types(subject, prop.domain) or s_types
                    ot = o_types if obj is o else self._role_types(obj, prop.range) or o_types
                    assigned[id(subject)] = st
                    if not obj.is_literal:
                        assigned[id(obj)] = ot
                    shared = 1.0 if (subject is s and obj is o) else 0.95
                    out.append(Relation(subject, prop, obj, confidence * shared, st, ot))
        return out


def _variants(text: str) -> list[str]:
    """The linking words whole (at most 12), and their last and first three."""
    words = _WORD.findall(text)
    if not words:
        return [text.strip() or "and"]
    variants = [" ".join(words[:12]), " ".join(words[-3:]), " ".join(words[:3])]
    return list(dict.fromkeys(variants))


def _calibrate(score: float, margin: float) -> float:
    """A confidence in [0, 1] from a similarity score and its margin over the runner-up."""
    base = 1 / (1 + math.exp(-CALIBRATION_SLOPE * (score - CALIBRATION_CENTRE)))
    return base * min(1.0, 0.5 + MARGIN_WEIGHT * max(0.0, margin))
