"""Lexicalisations learned from texts aligned with triple sets (e.g. WebNLG train).

A text that says a set of triples becomes a *template* once the names in it are
replaced by numbered slots ("{0} is located in {1}."). Templates are filed under the
*shape* of their triple set: the predicates and which slots they connect, up to
reordering, so a template learned for (Aarhus_Airport, location, Tirstrup) serves
(Ardmore_Airport, location, Auckland). Per shape the most typical template is kept
(minimum Bayes risk over the texts seen: the one closest to all the others).

The same pass learns how names are written: for every name, the forms the texts use
("the United States", "rhythm and blues"), and over all names which rewriting of a
value people prefer (a date as "15 March 1932" or "March 15, 1932").

Example:
    >>> from kgqa.datasets.webnlg import Triple
    >>> t = (Triple("Aarhus_Airport", "location", "Tirstrup"),)
    >>> lex = Lexicon.learn([(t, ["Aarhus Airport is located in Tirstrup."])])
    >>> lex.template(shape((Triple("Ardmore_Airport", "location", "Auckland"),))[0])
    '{0} is located in {1}.'
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from kgqa.verbalize.frames import FrameChoice, frames, value_kind
from kgqa.verbalize.lexicon import predicate_words
from kgqa.verbalize.names import Variant, find, variants
from kgqa.verbalize.similarity import bigrams, f1
from kgqa.verbalize.text import capitalise

#: A shape: ``((predicate, subject slot, object slot), ...)`` in canonical order.
Shape = tuple[tuple[str, int, int], ...]

_MAX_ORDERINGS = 5040
_ARTICLE = re.compile(r"(?:^|(?<=\s))(the|The)\s$")
_ALPHA = re.compile(r"[^\W\d_]+")
_GENDERED = re.compile(r"\b(?:he|she|his|her|hers|him|himself|herself)\b", re.IGNORECASE)
#: A full stop that ends a title or an initial, not a sentence ("Mr. Akhigbe", "A. T. Johnson").
_ABBREVIATION = re.compile(r"(?:^|\W)(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Col|Capt|Lt|Sgt|[A-Z])\.$")


class TripleLike(Protocol):
    subject: str
    predicate: str
    object: str


def shape(triples: Sequence[TripleLike]) -> tuple[Shape, list[str]]:
    """The canonical shape of ``triples`` and the names in slot order.

    Slots are numbered by first appearance after sorting by predicate; among triples
    that share a predicate the ordering giving the smallest shape wins, so isomorphic
    triple sets get the same shape.
    """
    ordered = sorted(triples, key=lambda t: t.predicate)
    groups = [list(g) for _, g in itertools.groupby(ordered, key=lambda t: t.predicate)]
    if math.prod(math.factorial(len(g)) for g in groups) > _MAX_ORDERINGS:
        groups = [sorted(g, key=lambda t: (t.subject, t.object)) for g in groups]
        orderings: Iterable[tuple[tuple[TripleLike, ...], ...]] = [tuple(map(tuple, groups))]
    else:
        orderings = itertools.product(*(itertools.permutations(g) for g in groups))
    best: tuple[Shape, list[str]] | None = None
    for ordering in orderings:
        slots: dict[str, int] = {}
        key = tuple(
            (t.predicate, slots.setdefault(t.subject, len(slots)), slots.setdefault(t.object, len(slots)))
            for group in ordering
            for t in group
        )
        if best is None or key < best[0]:
            best = (key, list(slots))
    assert best is not None
    return best


def slot_spec(raw: str, variant: Variant) -> str:
    """``"bare"`` when a measure was written without the unit its value carries, else ``""``."""
    if variant.kind.endswith("-unit") or not any(v.kind.endswith("-unit") for v in variants(raw)):
        return ""
    return "bare"


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or (before[-1] in ".!?" and not _ABBREVIATION.search(before))


@dataclass
class NameBook:
    """How names are written: forms seen per name, and preferred kinds of rewriting."""

    forms: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    kinds: Counter[str] = field(default_factory=Counter)
    #: Mid-sentence word counts: ``lowered`` as written in lower case, ``capital`` otherwise.
    lowered: Counter[str] = field(default_factory=Counter)
    capital: Counter[str] = field(default_factory=Counter)

    def observe_casing(self, text: str) -> None:
        """Count how each word is cased away from sentence starts."""
        for m in _ALPHA.finditer(text):
            if not _sentence_initial(text, m.start()):
                word = m.group(0)
                (self.lowered if word.islower() else self.capital)[word.lower()] += 1

    def common_noun(self, text: str) -> bool:
        """True when every word of ``text`` is usually written in lower case ("Red granite")."""
        words = _ALPHA.findall(text)
        return bool(words) and all(self.lowered[w.lower()] > self.capital[w.lower()] for w in words)

    def observe(self, raw: str, text: str, start: int, end: int, variant: Variant, article: bool) -> None:
        form = text[start:end]
        if _sentence_initial(text, start - (4 if article else 0)) and not article:
            form = variant.text[:1] + form[1:]  # sentence case hides the name's own case
        self.forms[raw, slot_spec(raw, variant)][("the " if article else "") + form] += 1
        self.kinds[variant.kind] += 1

    def surface(self, raw: str, spec: str = "") -> str:
        """The usual way of writing ``raw``: as seen in texts, else by the preferred rewriting.

        ``spec`` ``"bare"`` asks for a measure without its unit (the template says the unit).
        """
        seen = self.forms.get((raw, spec))
        if seen:
            return seen.most_common(1)[0][0]
        options = list(variants(raw))
        with_unit = [v for v in options if v.kind.endswith("-unit")]
        if spec == "bare":
            options = [v for v in options if not v.kind.endswith("-unit")]
        elif with_unit:  # the template does not say the unit: the value must
            options = with_unit
        # A measure's forms with its unit are ranked as the same forms without it ("number-int").
        text = max(options, key=lambda v: self.kinds[v.kind] + self.kinds[v.kind.removesuffix("-unit")]).text
        # DBpedia capitalises every name; texts write common nouns ("vegetable") in lower case.
        return text.lower() if self.common_noun(text) else text


@dataclass(frozen=True)
class Alignment:
    """A text with its names replaced by slots, and where each name was found."""

    template: str
    found: list[tuple[int, int, int, Variant, bool]]  # start, end, slot, variant, article


def delexicalise(text: str, names: Sequence[str], predicates: Sequence[str] = ()) -> Alignment | None:
    """Replace every mention of ``names[i]`` in ``text`` by ``{i}``; ``None`` unless all are found.

    Longer names claim their spans first (so "Aarhus Airport" is not read as
    "Aarhus"), and a preceding "the" goes with the name. A text that still names one
    in part elsewhere ("Mr. Akhigbe") gives no template, unless the word is one of
    the ``predicates``' words ("Technical Campus status").
    """
    claimed: list[tuple[int, int, int, Variant, bool]] = []
    order = sorted(range(len(names)), key=lambda i: -max(len(v.text) for v in variants(names[i])))
    for slot in order:
        spans = sorted(
            ((a, b, v) for v in variants(names[slot]) for a, b in find(v.text, text)),
            key=lambda s: (s[0], s[0] - s[1]),
        )
        took = False
        for a, b, variant in spans:
            if any(a < cb and ca < b for ca, cb, *_ in claimed):
                continue
            article = bool(_ARTICLE.search(text[:a]))
            claimed.append((a, b, slot, variant, article))
            took = True
        if not took:
            return None
    claimed.sort()
    if _partial_mention(text, claimed, names, predicates):
        return None
    pieces, pos = [], 0
    for a, b, slot, variant, article in claimed:
        a_art = a - 4 if article else a
        pieces.append(text[pos:a_art].replace("{", "{{").replace("}", "}}"))
        spec = slot_spec(names[slot], variant)
        pieces.append(f"{{{slot}:{spec}}}" if spec else f"{{{slot}}}")
        pos = b
    pieces.append(text[pos:].replace("{", "{{").replace("}", "}}"))
    return Alignment("".join(pieces), claimed)


def _partial_mention(
    text: str, claimed: list[tuple[int, int, int, Variant, bool]], names: Sequence[str], predicates: Sequence[str]
) -> bool:
    """True when the text outside the found names still names one in part ("Mr. Akhigbe").

    Such a template would say the old name's part next to a new name.
    """
    said_by_predicates = {w.lower() for p in predicates for w in predicate_words(p).split()}
    name_words = {
        w for raw in names for v in variants(raw) for w in _ALPHA.findall(v.text)
        if w[:1].isupper() and len(w) > 2 and w.lower() not in said_by_predicates
    }
    if not name_words:
        return False
    rest, pos = [], 0
    for a, b, *_ in claimed:
        rest.append(text[pos:a])
        pos = b
    rest.append(text[pos:])
    outside = " | ".join(rest)
    return any(m.group(0) in name_words and not _sentence_initial(outside, m.start()) for m in _ALPHA.finditer(outside))


def most_typical(candidates: Counter[str], limit: int = 40) -> str:
    """The candidate with the highest mean bigram F1 to the others, weighted by counts."""
    pool = candidates.most_common(limit)
    if len(pool) == 1:
        return pool[0][0]
    grams = [bigrams(t) for t, _ in pool]

    def risk(i: int) -> float:
        return sum(n * f1(grams[i], grams[j]) for j, (_, n) in enumerate(pool) if j != i) + (pool[i][1] - 1)

    return pool[max(range(len(pool)), key=risk)][0]


@dataclass
class Lexicon:
    """Templates by shape plus the :class:`NameBook`, learned from aligned texts."""

    candidates: dict[Shape, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    names: NameBook = field(default_factory=NameBook)
    texts_seen: int = 0
    texts_aligned: int = 0
    #: The kinds of object each predicate was seen with (entity, date, year, number, text).
    value_kinds: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    _best: dict[Shape, str] = field(default_factory=dict, repr=False)

    @classmethod
    def learn(cls, pairs: Iterable[tuple[Sequence[TripleLike], Sequence[str]]]) -> Lexicon:
        """Learn from ``(triples, texts)`` pairs."""
        lex = cls()
        for triples, texts in pairs:
            key, names = shape(triples)
            for t in triples:
                lex.value_kinds[t.predicate][value_kind(t.object)] += 1
            for text in texts:
                lex.texts_seen += 1
                lex.names.observe_casing(text)
                aligned = delexicalise(text, names, [t.predicate for t in triples])
                if aligned is None:
                    continue
                lex.texts_aligned += 1
                lex.candidates[key][aligned.template] += 1
                for a, b, slot, variant, article in aligned.found:
                    lex.names.observe(names[slot], text, a, b, variant, article)
        lex.candidates = dict(lex.candidates)  # look-ups must not add empty entries
        return lex

    def template(self, key: Shape) -> str | None:
        """The most typical template learned for ``key`` (``None`` if never seen)."""
        if key not in self.candidates:
            return None
        if key not in self._best:
            # A gendered pronoun was said of the old entity; the new one's gender is not known.
            neutral = Counter({t: n for t, n in self.candidates[key].items() if not _GENDERED.search(t)})
            self._best[key] = most_typical(neutral or self.candidates[key])
        return self._best[key]

    def support(self, key: Shape) -> int:
        """How many aligned texts back ``key``."""
        return sum(self.candidates[key].values()) if key in self.candidates else 0

    def predicates(self) -> set[str]:
        return {p for key in self.candidates for p, _, _ in key}

    def fallback(self, predicate: str, obj: str = "", subject_first: bool = False, plural: bool = False) -> str:
        """A template for a predicate never seen, from its words (:mod:`kgqa.verbalize.frames`).

        Of the frames the words allow ("{0} was built by {1}.", "{0}'s builder is {1}.",
        ...), the one :attr:`frame_choice` learned to read best for words and a value
        (``obj``) of this kind.
        """
        words = predicate_words(predicate).replace("{", "{{").replace("}", "}}")
        kind = value_kind(obj)
        candidates = frames(words, kind)
        if subject_first:
            candidates = tuple(f for f in candidates if f.template.startswith("{s} ")) or candidates
        frame = self.frame_choice.choose(candidates, kind)
        template = frame.plural if plural and frame.plural else frame.template
        return capitalise(template.replace("{s}", "{0}").replace("{o}", "{1}")) + "."

    @cached_property
    def frame_choice(self) -> FrameChoice:
        """Which frame reads best, learned from the one-triple texts of every predicate seen."""
        examples = []
        for key, templates in self.candidates.items():
            if len(key) == 1 and key[0][1:] == (0, 1):
                predicate = key[0][0]
                kind = self.value_kinds[predicate].most_common(1)[0][0]
                examples.append((predicate_words(predicate), kind, templates))
        return FrameChoice.learn(examples)
