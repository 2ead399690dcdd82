"""Relations between the mentions of one sentence, chosen among the ontology's properties.

For every pair of mentions (entity and entity, or entity and value) the properties
whose domain and range fit the mentions' types are candidates, in whichever
direction fits. Each is scored by the MiniLM similarity between the words that link
the two mentions and the property's phrases (:class:`~ingest.extract.lexicon.Lexicon`):
all of the words, their last three and (when no other name stands between) their
first three. Penalties apply for long gaps, for other names in between (then only the
words after the last of them count), and for names whose type is unknown or was only
guessed. The best property of a pair wins; its confidence grows with the score and
with its margin over the runner-up.

Then, best first and relations between entities before values: each value fills one
slot, each pair takes one property, a subject takes one object per property unless
the objects are coordinated (``A, B and C``, which then all get it), and the types
each accepted relation gives a mention must agree with the next ones.

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
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*(?:and|or|&))\s*(?:(?:the|a|an)\s+)?$")
_CONJUNCTION = re.compile(r"\b(?:and|or)\b|&")
# "Solaris (1972)", "Foundation in 1951": a year right after a name is that name's year
_PAREN_YEAR_GAP = re.compile(r"^\s*(?:\(|in)\s*$")
_LIST_ITEM = re.compile(r"(?:^|[:,]|\band)\s*$")
_PAREN_YEAR = re.compile(r"\(\s*\d{4}\s*\)|\s+in\s+\d{4}\b")
# "X was a Polish writer", "X, an American novelist", "X (1920–1992) was an American writer"
_POSSESSIVES = {"his", "her", "its", "their"}
_EMPTY_WORDS = {"in", "on", "at", "of", "from", "to", "and", "or", "the", "a", "an", "for", "with", "as"}
_PREPOSITION = re.compile(r"\b(?:of|in|from|with|on|at|to|for|about|into)\s+$")
_DESCRIBES = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:,\s*)?(?:(?:is|was|became|remains)\s+)?(?:(?:a|an|the)\s+)?$")

#: Tuned on the sample gold file; docs/ingestion.md gives the figures they lead to.
LONG_GAP_WORDS = 6
LONG_GAP_PENALTY = 0.02
INTERVENING_PENALTY = 0.12
UNTYPED_PENALTY = 0.08
GUESSED_PENALTY = 0.03
CONTRADICTED_PENALTY = 0.35
ATTACHED_PENALTY = 0.25
CALIBRATION_CENTRE = 0.5
CALIBRATION_SLOPE = 9.0
MARGIN_WEIGHT = 1.5
MIN_CONFIDENCE = 0.15
#: A "(1972)" right after a name: the name's one year-valued property, when only one fits.
PAREN_YEAR_CONFIDENCE = 0.8


@dataclass
class Relation:
    """A scored triple between two mentions of a sentence."""

    subject: Mention
    prop: Property
    object: Mention
    confidence: float
    subject_types: frozenset[URIRef]
    object_types: frozenset[URIRef]


@dataclass(frozen=True)
class _Option:
    """A property that fits a mention pair, in the direction it fits."""

    prop: Property
    subject: Mention
    object: Mention
    s_types: frozenset[URIRef]
    o_types: frozenset[URIRef]
    untyped: float
    #: A "(1972)" after the name: taken only when the name's type leaves one property.
    paren: bool = False


def _key(m: Mention) -> tuple:
    """What a mention refers to: its label and hint ("Solaris" the novel is not "Solaris (1972)")."""
    return (m.label, m.hint) if not m.is_literal else (id(m),)


class RelationScorer:
    """Scores mention pairs against the ontology's properties (see the module docstring)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._column = {p.iri: k for k, p in enumerate(lexicon.properties)}

    # -- types ---------------------------------------------------------------------------------
    def _role_types(self, mention: Mention, expected: URIRef | None) -> frozenset[URIRef] | None:
        """The mention's types narrowed to ``expected``; ``None`` when they do not fit."""
        fit = self.lexicon.fits(mention.types, expected)
        if fit is False:
            return None
        if expected is None or expected not in self.lexicon.ontology.classes:
            return mention.types
        narrowed = frozenset(t for t in mention.types if self.lexicon.ontology.is_a(t, expected))
        return narrowed or frozenset([expected])

    def _doubt(self, mention: Mention, expected: URIRef | None) -> float:
        """Penalty for giving an untyped mention the ``expected`` type."""
        if mention.types or mention.is_literal or expected not in self.lexicon.ontology.classes:
            return 0.0
        if mention.guess is None:
            return UNTYPED_PENALTY
        return GUESSED_PENALTY if self.lexicon.fits(frozenset([mention.guess]), expected) else CONTRADICTED_PENALTY

    def _fits_literal(self, prop: Property, value: Mention) -> bool:
        kind = self.lexicon.literal_kind(prop)
        if kind is None:
            return False
        if value.kind in ("year", "date"):
            return kind == "year"
        return kind == "number" and (value.unit is None or value.unit.rstrip("s") in f"{prop.label} {prop.local_name}".lower())

    # -- the sentence ----------------------------------------------------------------------------
    def relations(self, sentence: str, mentions: list[Mention]) -> list[Relation]:
        """The relations the sentence states between its ``mentions``, best first."""
        entities = [m for m in mentions if not m.is_literal and m.label]
        paren_years = self._paren_years(sentence, mentions)
        groups = self._groups(sentence, [m for m in mentions if id(m) not in paren_years])
        scored: list[tuple[float, _Option]] = []
        contexts: list[str] = []
        pending: list[tuple[int, int, list[_Option], float]] = []
        for a in entities:
            for b in mentions:
                if b is a or _key(a) == _key(b) or (id(a) in groups and groups[id(a)] == groups.get(id(b))):
                    continue
                if b.is_literal and id(b) in paren_years:
                    if paren_years[id(b)] is a:
                        scored.extend(self._paren_year(a, b))
                    continue
                if not b.is_literal and mentions.index(b) < mentions.index(a):
                    continue  # each entity pair once; _options tries both directions
                if b.kind == "demonym" and not self._described(sentence, a, b):
                    continue
                if a.kind == "demonym" and not self._described(sentence, b, a):
                    continue
                if not self._possessive_ok(sentence, a, b, mentions) or not self._possessive_ok(sentence, b, a, mentions):
                    continue
                options = self._options(a, b)
                if not options:
                    continue
                first, second = (a, b) if a.start < b.start else (b, a)
                between = self._between(first, second, mentions, groups)
                if b.cue or a.cue:
                    variants = [b.cue or a.cue or ""]
                elif sentence[first.end : second.start].strip() == ":" and id(second) in groups:
                    # "published by Gnome Press: A, B and C": the list takes what was said before the colon
                    variants = _variants(" ".join(_WORD.findall(sentence[: first.start])[-4:]), head=False)
                elif not between:
                    variants = _variants(sentence[first.end : second.start])
                else:
                    # After other names only the words following the last of them link the pair,
                    # unless they say nothing ("born in Davis, California, in 1972"): then the
                    # clause's opening words still do.
                    local = sentence[between[-1].end : second.start]
                    variants = _variants(local, head=False) if _informative(local) else _opening(sentence[first.end : second.start])
                penalty = self._gap_penalty(sentence[first.end : second.start]) + INTERVENING_PENALTY * len(between)
                options = [self._attached(sentence, o) for o in options]
                pending.append((len(contexts), len(variants), options, penalty))
                contexts.extend(variants)
        if contexts:
            sims = self.lexicon.similarities(contexts)
            for offset, n, options, penalty in pending:
                rows = sims[offset : offset + n]
                ranked = sorted(
                    ((float(rows[:, self._column[o.prop.iri]].max()) - penalty - o.untyped, o) for o in options),
                    key=lambda r: -r[0],
                )
                best, option = ranked[0]
                runner_up = ranked[1][0] if len(ranked) > 1 else best - 0.3
                scored.append((_calibrate(best, best - runner_up), option))
        return self._select(scored, groups, mentions)

    def _options(self, a: Mention, b: Mention) -> list[_Option]:
        """Each property that fits the pair, in the direction that fits it best."""
        out: dict[URIRef, _Option] = {}
        for prop in self.lexicon.properties:
            if b.is_literal:
                s_types = self._role_types(a, prop.domain)
                if s_types is not None and self._fits_literal(prop, b):
                    out[prop.iri] = _Option(prop, a, b, s_types, frozenset(), self._doubt(a, prop.domain))
                continue
            if prop.literal_range:
                continue
            # Both ways round; the way the names' types (or guesses) agree with wins, else the text's order.
            for s, o in ((a, b), (b, a)):
                s_types = self._role_types(s, prop.domain)
                o_types = self._role_types(o, prop.range)
                if s_types is None or o_types is None:
                    continue
                doubt = self._doubt(s, prop.domain) + self._doubt(o, prop.range)
                if prop.iri not in out or doubt < out[prop.iri].untyped:
                    out[prop.iri] = _Option(prop, s, o, s_types, o_types, doubt)
        return list(out.values())

    def _attached(self, sentence: str, option: _Option) -> _Option:
        """A subject inside a prepositional phrase ("an adaptation of the novel directed by X") or
        modifying a noun ("the Warsaw publishing house of X") rarely governs what follows it."""
        s, o = option.subject, option.object
        if s.start < o.start and (_PREPOSITION.search(sentence[: s.start]) or self._modifier(sentence, s)):
            return _Option(option.prop, s, o, option.s_types, option.o_types, option.untyped + ATTACHED_PENALTY)
        return option

    def _modifier(self, sentence: str, m: Mention) -> bool:
        following = re.match(r"\s+([a-z]+)(?:\s+([a-z]+))?", sentence[m.end :])
        if not following:
            return False
        cues = self.lexicon.class_cues
        one, two = following.group(1), f"{following.group(1)} {following.group(2)}"
        return one in cues or (following.group(2) is not None and two in cues)

    def _described(self, sentence: str, a: Mention, demonym: Mention) -> bool:
        """Whether "Polish writer" describes ``a``: "a was a Polish writer" or "the Polish writer a"."""
        if a.end <= demonym.start:
            return bool(_DESCRIBES.match(sentence[a.end : demonym.start]))
        words = re.fullmatch(r"((?:\s+[a-z][\w-]*){1,4})\s+", sentence[demonym.end : a.start])
        return bool(words) and words.group(1).split()[-1] in self.lexicon.class_cues  # "... author a", not "... born in a"

    @staticmethod
    def _possessive_ok(sentence: str, owner: Mention, other: Mention, mentions: list[Mention]) -> bool:
        """ "His novel X", "Ridley Scott's film X": a possessive goes with the thing it owns, the
        next name within a few words, and with nothing else in the sentence."""
        if not (owner.possessive or (owner.kind == "pronoun" and owner.surface.lower() in _POSSESSIVES)):
            return True
        following = [m for m in mentions if m.start >= owner.end and not m.is_literal]
        if not following or following[0] is not other:
            return False
        return len(_WORD.findall(sentence[owner.end : other.start])) <= 4

    def _between(self, first: Mention, second: Mention, mentions: list[Mention], groups: dict[int, int]) -> list[Mention]:
        """Other names standing between two mentions (coordinated ones do not count)."""
        return [
            m for m in mentions
            if first.end <= m.start and m.end <= second.start and not m.is_literal
            and _key(m) not in (_key(first), _key(second))
            and groups.get(id(m), -1) not in (groups.get(id(first)), groups.get(id(second)))
        ]

    @staticmethod
    def _gap_penalty(gap: str) -> float:
        return LONG_GAP_PENALTY * max(0, len(_WORD.findall(gap)) - LONG_GAP_WORDS)

    def _paren_years(self, sentence: str, mentions: list[Mention]) -> dict[int, Mention]:
        """Years written "(1972)" or "in 1972" right after a name, keyed by the year mention (life spans excluded)."""
        out = {}
        for prev, m in zip(mentions, mentions[1:]):
            gap = sentence[prev.end : m.start]
            if m.kind != "year" or m.cue is not None or prev.is_literal or not _PAREN_YEAR_GAP.match(gap):
                continue
            # "in 1951" belongs to the name only in a list ("...: Foundation in 1951, Second Foundation
            # in 1953"); after "published by Ace Books in 1969" it dates the publishing, not Ace Books.
            if "(" in gap or _LIST_ITEM.search(sentence[: prev.start]):
                out[id(m)] = prev
        return out

    def _paren_year(self, entity: Mention, year: Mention) -> list[tuple[float, _Option]]:
        """Each year-valued property the name may have; :meth:`_select` keeps the one its type allows."""
        out = []
        for prop in self.lexicon.properties:
            if self._fits_literal(prop, year) and self.lexicon.fits(entity.types, prop.domain) is not False:
                types = self._role_types(entity, prop.domain) or entity.types
                out.append((PAREN_YEAR_CONFIDENCE, _Option(prop, entity, year, types, frozenset(), 0.0, paren=True)))
        return out

    def _groups(self, sentence: str, mentions: list[Mention]) -> dict[int, int]:
        """Coordinated names ("A, B and C", "A and B") of agreeing types share a group id.

        Commas alone do not make a list: "Davis, California" is a place and its state.
        """
        entities = [m for m in mentions if not m.is_literal]
        chains: list[list[Mention]] = []
        joined: list[bool] = []
        for prev, m in zip(entities, entities[1:]):
            gap = _PAREN_YEAR.sub("", sentence[prev.end : m.start])
            if not _LIST_GAP.match(gap) or not self._agree(prev, m):
                continue
            if chains and chains[-1][-1] is prev:
                chains[-1].append(m)
                joined[-1] = joined[-1] or bool(_CONJUNCTION.search(gap))
            else:
                chains.append([prev, m])
                joined.append(bool(_CONJUNCTION.search(gap)))
        groups: dict[int, int] = {}
        for chain, has_conjunction in zip(chains, joined):
            if has_conjunction:
                for m in chain:
                    groups[id(m)] = id(chain[0])
        return groups

    def _agree(self, a: Mention, b: Mention) -> bool:
        ta = a.types or (frozenset([a.guess]) if a.guess else frozenset())
        tb = b.types or (frozenset([b.guess]) if b.guess else frozenset())
        return not (ta and tb) or any(self.lexicon.fits(ta, t) for t in tb)

    # -- choosing --------------------------------------------------------------------------------
    def _select(self, scored: list[tuple[float, _Option]], groups: dict[int, int], mentions: list[Mention]) -> list[Relation]:
        """Best first: one property per pair, one slot per value, types kept consistent."""
        # Relations between entities first: they type untyped names ("by X" makes X a person),
        # which then rules out values that would need another type.
        scored.sort(key=lambda r: (r[1].object.is_literal, -r[0]))
        used_values: set[int] = set()
        filled: dict[tuple, object] = {}  # (subject, property) -> the object or group that filled it
        paired: set[tuple] = set()
        assigned: dict[tuple, frozenset[URIRef]] = {}  # types the accepted relations gave each referent
        said: set[tuple] = set()
        out: list[Relation] = []
        members: dict[int, list[Mention]] = {}
        for m in mentions:
            if id(m) in groups:
                members.setdefault(groups[id(m)], []).append(m)

        def consistent(m: Mention, types: frozenset[URIRef]) -> bool:
            have = assigned.get(_key(m))
            return have is None or not types or any(self.lexicon.fits(have, t) for t in types)

        parens: dict[int, list[_Option]] = {}
        for _, option in scored:
            if option.paren:
                parens.setdefault(id(option.object), []).append(option)

        def unique_paren(option: _Option) -> bool:
            """The year's one property left by the types relations gave the name (or its guess)."""
            s = option.subject
            types = assigned.get(_key(s)) or s.types or (frozenset([s.guess]) if s.guess else frozenset())
            left = [o for o in parens[id(option.object)] if types and self.lexicon.fits(types, o.prop.domain)]
            return len(left) == 1 and left[0] is option

        for confidence, option in scored:
            s, prop, o = option.subject, option.prop, option.object
            if confidence < MIN_CONFIDENCE or (option.paren and not unique_paren(option)):
                continue
            pair = tuple(sorted((str(_key(s)), str(_key(o)))))
            filler = groups.get(id(o), _key(o))
            slot = (_key(s), prop.iri)
            if pair in paired or not consistent(s, option.s_types) or not consistent(o, option.o_types):
                continue
            if slot in filled and filled[slot] != filler:
                continue  # one object per property and subject in a sentence, unless coordinated
            if o.is_literal and id(o) in used_values:
                continue
            used_values.add(id(o))
            filled[slot] = filler
            paired.add(pair)
            # "A (1951), B (1952)": a year written after a name is that name's alone
            subjects = members[groups[id(s)]] if id(s) in groups and not option.paren else [s]
            objects = members[groups[id(o)]] if id(o) in groups else [o]
            for subject in subjects:
                for obj in objects:
                    key = (_key(subject), prop.iri, _key(obj) if not obj.is_literal else str(obj.value))
                    if _key(subject) == _key(obj) or key in said:
                        continue
                    said.add(key)
                    st = option.s_types if subject is s else self._role_types(subject, prop.domain) or option.s_types
                    ot = option.o_types if obj is o else self._role_types(obj, prop.range) or option.o_types
                    assigned[_key(subject)] = st
                    if not obj.is_literal:
                        assigned[_key(obj)] = ot
                    shared = 1.0 if (subject is s and obj is o) else 0.95
                    out.append(Relation(subject, prop, obj, confidence * shared, st, ot))
        return out


def _variants(text: str, head: bool = True) -> list[str]:
    """The linking words whole (at most 12), their last three and (``head``) their first three.

    Numbers are left out: "(1973), published by" links like "published by".
    """
    words = [w for w in _WORD.findall(text) if not w.isdigit()]
    if not words or all(w.lower() in _EMPTY_WORDS for w in words):
        return ["and"]  # "Ann Leckie in 2014": a bare preposition says nothing about the relation
    variants = [" ".join(words[:12]), " ".join(words[-3:])]
    if head:
        variants.append(" ".join(words[:3]))
    return list(dict.fromkeys(variants))


def _informative(text: str) -> bool:
    return any(w.lower() not in _EMPTY_WORDS and not w.isdigit() for w in _WORD.findall(text))


def _opening(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text) if not w.isdigit()]
    return [" ".join(words[:3]) or "and"]


def _calibrate(score: float, margin: float) -> float:
    """A confidence in [0, 1] from a similarity score and its margin over the runner-up."""
    base = 1 / (1 + math.exp(-CALIBRATION_SLOPE * (score - CALIBRATION_CENTRE)))
    return base * min(1.0, 0.5 + MARGIN_WEIGHT * max(0.0, margin))
