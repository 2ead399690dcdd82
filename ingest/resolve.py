"""Entity resolution: one IRI per thing, however many documents or spellings name it.

Given an :class:`~ingest.model.EntityRef` (label, types, hint), :class:`Resolver`
looks for an entity the graph already has, in this order:

1. the same label after normalisation (case, accents, punctuation: ``Stanislaw Lem``
   = ``Stanisław Lem``), or its ``label (hint)`` alt label (``Solaris (1972)``);
2. a close spelling (character-trigram blocking, then edit similarity; word order
   too, for ``Cixin Liu`` = ``Liu Cixin``), at or above ``resolve_threshold``, or the
   same name but for a legal form (``Compiler Systems Inc`` = ``Compiler Systems``);
3. a borderline spelling confirmed by MiniLM similarity of the names;

and in every case only among entities whose types agree (a film never merges into
the book it adapts). Otherwise the entity is new and gets
:func:`kgqa.namespaces.entity_iri` of its label, with the hint or its class
appended when that IRI already names something of another type
(``res:Solaris_1972``). The same input therefore always yields the same IRIs.

Merges of a different spelling are returned as :class:`Merge` records (the
pipeline stores them in SQLite); an undone merge is never made again.

Example:
    >>> from rdflib import URIRef
    >>> from kgqa.linking import LabelIndex
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> from ingest.model import EntityRef
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> SF = "https://w3id.org/kgqa/scifi#"
    >>> index = LabelIndex()
    >>> index.add(URIRef("https://w3id.org/kgqa/resource/Solaris"), "Solaris", URIRef(SF + "Book"))
    >>> session = Resolver(index, onto).session()
    >>> session.resolve(EntityRef("solaris", (URIRef(SF + "Book"),))).iri.n3()
    '<https://w3id.org/kgqa/resource/Solaris>'
    >>> session.resolve(EntityRef("Solaris", (URIRef(SF + "Film"),), hint="1972")).iri.n3()
    '<https://w3id.org/kgqa/resource/Solaris_1972>'
    >>> index.add(URIRef("https://w3id.org/kgqa/resource/Tor_Books"), "Tor Books", URIRef(SF + "Publisher"))
    >>> session.resolve(EntityRef("Tor Books Inc.", (URIRef(SF + "Publisher"),))).iri.n3()
    '<https://w3id.org/kgqa/resource/Tor_Books>'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rdflib import URIRef

from kgqa.linking import Candidate, LabelIndex, fold
from kgqa.namespaces import entity_iri
from kgqa.ontology import Ontology

from ingest.model import EntityRef

# Below this edit similarity a spelling is not even considered (trigram blocking floor).
_FUZZY_FLOOR = 0.8
_EMBEDDING_MIN = 0.85
_DIGITS = re.compile(r"\d+")
_HINTED = re.compile(r"\(([^()]+)\)\s*$")
#: Legal forms that trail a company's name in some mentions and not in others (folded text).
_LEGAL_FORM = re.compile(r"(?<=\w) (?:inc|incorporated|ltd|limited|llc|plc|gmbh|corp|corporation|ag|sa)$")


def _bare(folded: str) -> str:
    """A folded name without a trailing legal form: "compiler systems inc" -> "compiler systems"."""
    return _LEGAL_FORM.sub("", folded)


@dataclass
class Resolution:
    """Where an :class:`EntityRef` landed."""

    iri: URIRef
    label: str
    types: frozenset[URIRef]
    new: bool
    method: str
    score: float = 1.0
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Merge:
    """A name merged into an existing entity with a different spelling."""

    alias: str
    iri: URIRef
    score: float
    method: str


@dataclass
class _Local:
    """Entities minted by the document being ingested (committed with it, or dropped)."""

    index: LabelIndex = field(default_factory=LabelIndex)
    labels: dict[URIRef, str] = field(default_factory=dict)


class Resolver:
    """Resolves entity names against a :class:`~kgqa.linking.LabelIndex` of the graph."""

    def __init__(
        self,
        index: LabelIndex,
        ontology: Ontology,
        *,
        threshold: float = 0.9,
        blocked: Iterable[tuple[str, str]] = (),
        similarity: Callable[[str, str], float] | None = None,
    ) -> None:
        self.index = index
        self.ontology = ontology
        self.threshold = threshold
        self.blocked = set(blocked)
        #: Name similarity in [0, 1] for borderline spellings (MiniLM cosine by default).
        self.similarity = similarity or _minilm_similarity

    def session(self) -> ResolverSession:
        """A per-document view: its new entities are visible to it alone (the pipeline indexes what it
        writes, once committed, for the next documents)."""
        return ResolverSession(self)

    # -- type agreement ------------------------------------------------------------------
    def compatible(self, a: Iterable[URIRef], b: Iterable[URIRef]) -> bool:
        """True unless both sides are typed with classes of the ontology that are unrelated."""
        a = [t for t in a if t in self.ontology.classes]
        b = [t for t in b if t in self.ontology.classes]
        if not a or not b:
            return True
        return any(self.ontology.is_a(x, y) or self.ontology.is_a(y, x) for x in a for y in b)


class ResolverSession:
    """Resolution for one document: the graph's index, and the entities this document minted."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.local = _Local()
        self.merges: list[Merge] = []
        self._cache: dict[tuple[str, tuple[URIRef, ...], str | None], Resolution] = {}

    # -- look-ups over the graph's index and this document's own entities -----------------
    def _lookup(self, text: str) -> list[Candidate]:
        seen: dict[URIRef, Candidate] = {}
        for cand in [*self.resolver.index.lookup(text), *self.local.index.lookup(text)]:
            if cand.iri in seen:
                seen[cand.iri] = Candidate(cand.iri, seen[cand.iri].label, 1.0, seen[cand.iri].types | cand.types)
            else:
                seen[cand.iri] = cand
        return list(seen.values())

    def _fuzzy(self, text: str) -> list[Candidate]:
        cutoff = _FUZZY_FLOOR * 100 / 2  # token-order variants score low on plain ratio; rescored below
        out = {c.iri: c for c in self.resolver.index.fuzzy(text, cutoff=cutoff)}
        for c in self.local.index.fuzzy(text, cutoff=cutoff):
            out.setdefault(c.iri, c)
        return list(out.values())

    def _labels(self, iri: URIRef) -> list[str]:
        return [*self.resolver.index.labels(iri), *self.local.index.labels(iri)]

    def _types(self, iri: URIRef) -> frozenset[URIRef]:
        return self.resolver.index.types(iri) | self.local.index.types(iri)

    def _taken(self, iri: URIRef) -> bool:
        return bool(self._labels(iri))

    # -- resolution --------------------------------------------------------------------------
    def resolve(self, ref: EntityRef) -> Resolution:
        """The IRI for ``ref``: an existing entity when names and types agree, else a new stable one."""
        # Table keys (exact) are rarely repeated: caching them would only cost memory.
        cacheable = ref.iri is None and not ref.exact
        key = (fold(ref.label), tuple(sorted(ref.types)), ref.hint)
        if cacheable and key in self._cache:
            hit = self._cache[key]
            self._remember(hit.iri, ref)
            return hit
        result = self._resolve(ref)
        self._remember(result.iri, ref, result.types)
        if cacheable:
            self._cache[key] = result
        return result

    def _resolve(self, ref: EntityRef) -> Resolution:
        r = self.resolver
        types = frozenset(ref.types)
        if ref.iri is not None:
            return Resolution(ref.iri, ref.label, types | self._types(ref.iri), not self._taken(ref.iri), "given")
        alias_key = fold(ref.label)
        own = str(entity_iri(ref.label))

        def allowed(c: Candidate) -> bool:
            return (
                (alias_key, str(c.iri)) not in r.blocked
                # An undo holds both ways: "Cixin Liu" kept off Liu_Cixin keeps "Liu Cixin" off Cixin_Liu.
                and not (r.blocked and any((fold(label), own) in r.blocked for label in self._labels(c.iri)))
                and r.compatible(self._types(c.iri), types)
                and self._hint_agrees(c.iri, ref.hint)
            )

        # 1. exact names: "label (hint)" first, then the label itself
        exact: list[Candidate] = []
        if ref.hint:
            exact = [c for c in self._lookup(f"{ref.label} ({ref.hint})") if allowed(c)]
        if not exact:
            exact = [c for c in self._lookup(ref.label) if allowed(c)]
        if exact:
            best = self._prefer(exact, ref)
            spelled = ref.label in self._labels(best.iri)
            method = "exact" if spelled else "normalised"
            if not spelled:
                self.merges.append(Merge(ref.label, best.iri, 1.0, method))
            return Resolution(best.iri, self._main_label(best.iri, ref), types | self._types(best.iri), False, method)
        if ref.exact:
            return self._mint(ref, types)
        # 2./3. close spellings, same type
        scored = []
        for c in self._fuzzy(ref.label):
            other = fold(c.label)
            if not allowed(c) or _DIGITS.findall(other) != _DIGITS.findall(alias_key):
                continue  # "Apollo 11" is not a misspelling of "Apollo 13"
            score = max(fuzz.ratio(alias_key, other), fuzz.token_sort_ratio(alias_key, other)) / 100
            if _bare(alias_key) == _bare(other):
                score = 1.0
            scored.append((score, c))
        scored.sort(key=lambda sc: (-sc[0], str(sc[1].iri)))
        for score, c in scored:
            if score >= r.threshold:
                method = "fuzzy"
            elif score >= _FUZZY_FLOOR and types and self._types(c.iri) and r.similarity(ref.label, c.label) >= _EMBEDDING_MIN:
                method = "embedding"
            else:
                continue
            self.merges.append(Merge(ref.label, c.iri, score, method))
            return Resolution(c.iri, self._main_label(c.iri, ref), types | self._types(c.iri), False, method, score)
        return self._mint(ref, types)

    def _hint_agrees(self, iri: URIRef, hint: str | None) -> bool:
        """False when both sides carry a disambiguating hint ("(1953)" vs "(2005)") and they differ."""
        if not hint:
            return True
        theirs = {m.group(1) for label in self._labels(iri) if (m := _HINTED.search(label))}
        return not theirs or hint in theirs

    def _prefer(self, candidates: list[Candidate], ref: EntityRef) -> Candidate:
        """Among same-named entities: strict type match, then the hinted IRI, then the plain IRI."""
        wanted = set(ref.types)
        plain = entity_iri(ref.label)
        hinted = entity_iri(ref.label, ref.hint) if ref.hint else None

        def rank(c: Candidate) -> tuple:
            ctypes = self._types(c.iri)
            strict = bool(wanted and ctypes and any(self.resolver.ontology.is_a(t, w) for t in ctypes for w in wanted))
            return (not strict, c.iri != hinted, c.iri != plain, str(c.iri))

        return min(candidates, key=rank)

    def _mint(self, ref: EntityRef, types: frozenset[URIRef]) -> Resolution:
        iri = entity_iri(ref.label)
        if self._taken(iri) and not self._same_thing(iri, ref, types):
            disambiguator = ref.hint or (self.resolver.ontology.label(sorted(types)[0]) if types else "entity")
            iri = entity_iri(ref.label, disambiguator)
            n = 2
            while self._taken(iri) and not self._same_thing(iri, ref, types):
                iri = entity_iri(ref.label, f"{disambiguator} {n}")
                n += 1
        return Resolution(iri, ref.label, types | self._types(iri), not self._taken(iri), "new")

    def _same_thing(self, iri: URIRef, ref: EntityRef, types: frozenset[URIRef]) -> bool:
        # Two labels can share a slug ("Dune: Part Two" / "Dune Part Two"); same slug, same type: same thing.
        return (fold(ref.label).replace(" ", "") in {fold(l).replace(" ", "") for l in self._labels(iri)}) and (
            self.resolver.compatible(self._types(iri), types)
        )

    def _main_label(self, iri: URIRef, ref: EntityRef) -> str:
        labels = self._labels(iri)
        return labels[0] if labels else ref.label

    def _remember(self, iri: URIRef, ref: EntityRef, types: Iterable[URIRef] = ()) -> None:
        local = self.local
        if iri not in local.labels:
            local.labels[iri] = self._main_label(iri, ref)
        for label in (ref.label, *ref.alt_labels, *([f"{ref.label} ({ref.hint})"] if ref.hint else [])):
            local.index.add(iri, label)
        for t in set(types) | set(ref.types):
            local.index.add(iri, local.labels[iri], t)


def _minilm_similarity(a: str, b: str) -> float:
    from kgqa.models.encoder import get_encoder

    vectors = get_encoder().encode([a, b])
    return float(vectors[0] @ vectors[1])
