"""The label index: every entity's labels, matched exactly, normalised, or fuzzily.

Built from the store's ``rdfs:label``, ``skos:prefLabel`` and ``skos:altLabel``
(outside the ontology graph), it answers three questions fast, also with 100k+
entities:

* :meth:`LabelIndex.lookup`: which entities carry this (normalised) label?
* :meth:`LabelIndex.find_mentions`: where in this text are known labels? (longest
  match first, dictionary look-ups over token n-grams, no regex over all labels);
* :meth:`LabelIndex.fuzzy`: which labels look like this misspelling? (character
  trigram blocking, then rapidfuzz scoring of the few candidates).

Example:
    >>> from rdflib import URIRef
    >>> idx = LabelIndex()
    >>> idx.add(URIRef("http://ex.org/lem"), "Stanisław Lem")
    >>> idx.add(URIRef("http://ex.org/solaris"), "Solaris")
    >>> [m.surface for m in idx.find_mentions("Who wrote Solaris, Stanislaw Lem?")]
    ['Solaris', 'Stanislaw Lem']
    >>> idx.fuzzy("Stanislav Lem")[0].label
    'Stanisław Lem'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rdflib import URIRef

from kgqa.namespaces import CANDIDATE_GRAPH, NON_ASSERTED_GRAPHS, ONTOLOGY_GRAPH, local_name
from kgqa.sparql.build import graph_not_in

_TOKEN = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
# Labels: neither the ontology's terms nor what only low-confidence extractions say.
_LABEL_QUERY = f"""
SELECT ?e ?label ?lp WHERE {{
  GRAPH ?g {{ ?e ?lp ?label }}
  {graph_not_in("g", (ONTOLOGY_GRAPH, CANDIDATE_GRAPH))}
  VALUES ?lp {{ <http://www.w3.org/2000/01/rdf-schema#label>
               <http://www.w3.org/2004/02/skos/core#prefLabel>
               <http://www.w3.org/2004/02/skos/core#altLabel> }}
  FILTER(isIRI(?e))
}}"""
# Each type with the number of graphs (documents) that state it.
_TYPE_QUERY = f"""
SELECT ?e ?type (COUNT(DISTINCT ?g) AS ?n) WHERE {{
  GRAPH ?g {{ ?e a ?type }}
  {graph_not_in("g", NON_ASSERTED_GRAPHS)}
  FILTER(isIRI(?e))
}} GROUP BY ?e ?type"""
_ALT_LABEL = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
# Trigrams shared by more labels than this carry no signal for blocking.
_MAX_POSTING = 5_000


def _rows(store, query: str, order: str, page: int) -> list[tuple]:  # noqa: ANN001 - any kgqa Store
    """All rows of ``query``: at once from the embedded store, in ordered pages from a remote endpoint."""
    if store.backend != "endpoint":
        return store.query(query, timeout=None, limit=None).rows
    rows: list[tuple] = []
    while True:
        chunk = store.query(f"{query} ORDER BY {order} LIMIT {page} OFFSET {len(rows)}", timeout=None, limit=None).rows
        rows += chunk
        if len(chunk) < page:
            return rows


def normalize(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: ``"Stanisław Lem!"`` -> ``"stanisław lem"``.

    Letters without a decomposition (``ł``) are kept; :func:`fold` maps them too.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(t.lower() for t in _TOKEN.findall(stripped))


_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "’": "'"})


def fold(text: str) -> str:
    """:func:`normalize`, then fold the letters NFKD leaves alone (ł -> l, ø -> o, ...)."""
    return normalize(text).translate(_FOLD)


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass
class Candidate:
    """An entity that a piece of text may refer to.

    ``features`` keeps the parts of ``score`` when a ranker computed it (string
    match, context similarity, type and year evidence...), for explanations.
    """

    iri: URIRef
    label: str
    score: float
    types: frozenset[URIRef] = frozenset()
    features: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Token:
    """One word of a text: its character span and its folded form."""

    start: int
    end: int
    key: str


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` as the index sees them (folded, with character offsets)."""
    return [Token(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]


@dataclass
class Mention:
    """A span of text that matches known labels; ``candidates`` are best first."""

    start: int
    end: int
    surface: str
    candidates: list[Candidate] = field(default_factory=list)


class LabelIndex:
    """Labels of the graph's entities, with exact, normalised and fuzzy look-up."""

    def __init__(self) -> None:
        self._by_key: dict[str, set[URIRef]] = defaultdict(set)
        self._labels: dict[URIRef, list[str]] = defaultdict(list)
        #: Types of each entity with their support (how many documents state each).
        self._types: dict[URIRef, dict[URIRef, int]] = defaultdict(dict)
        self._keys: list[str] = []  # id -> folded label, for fuzzy scoring
        self._key_ids: dict[str, int] = {}
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._max_tokens = 1

    # -- building ------------------------------------------------------------------
    @classmethod
    def from_store(cls, store, page: int = 50_000) -> LabelIndex:  # noqa: ANN001 - any kgqa Store
        """Index every labelled IRI in the store, with the types of every IRI (two SPARQL queries).

        From a remote endpoint the two queries are read in pages of ``page`` rows
        (``ORDER BY ... LIMIT ... OFFSET``): servers cap result sizes (Virtuoso's
        ``ResultSetMaxRows``, QLever's default limit) and would silently cut the index short.
        """
        index = cls()
        rows = _rows(store, _LABEL_QUERY, "?e ?label ?lp", page)
        # Main labels first, so that labels(iri)[0] is the rdfs:label / skos:prefLabel.
        for entity, label, _ in sorted(rows, key=lambda row: row[2] == _ALT_LABEL):
            index.add(entity, str(label))
        for entity, etype, n in _rows(store, _TYPE_QUERY, "?e ?type", page):
            index.add_type(entity, etype, int(n.toPython()))
        return index

    def add_graph(self, store, graph: URIRef) -> None:  # noqa: ANN001 - any kgqa Store
        """Index what one more named graph states, exactly as :meth:`from_store` would count it.

        Ingestion calls it after each document is committed, so the next document is read
        against the store's state, never against names or types the document only guessed.
        """
        result = store.query(_LABEL_QUERY, bindings={"g": graph}, timeout=None, limit=None)
        for entity, label, _ in sorted(result.rows, key=lambda row: row[2] == _ALT_LABEL):
            self.add(entity, str(label))
        for entity, etype, _ in store.query(_TYPE_QUERY, bindings={"g": graph}, timeout=None, limit=None).rows:
            self.add_type(entity, etype, self._types[entity].get(etype, 0) + 1)

    def add_type(self, iri: URIRef, etype: URIRef, support: int = 1) -> None:
        """Record that ``support`` documents say ``iri`` is an ``etype``."""
        known = self._types[iri]
        known[etype] = max(known.get(etype, 0), support)

    def add(self, iri: URIRef, label: str, etype: URIRef | None = None) -> None:
        """Index one label of ``iri`` (and optionally one of its types)."""
        if etype is not None:
            self.add_type(iri, etype)
        key = fold(label)
        if not key:
            return
        if label not in self._labels[iri]:
            self._labels[iri].append(label)
        self._by_key[key].add(iri)
        self._max_tokens = max(self._max_tokens, key.count(" ") + 1)
        if key not in self._key_ids:
            self._key_ids[key] = len(self._keys)
            self._keys.append(key)
            for gram in _trigrams(key):
                self._postings[gram].append(self._key_ids[key])

    def __len__(self) -> int:
        return len(self._labels)

    # -- reading -------------------------------------------------------------------
    def labels(self, iri: URIRef) -> list[str]:
        """All labels of an entity, the first being its main label."""
        return self._labels.get(iri, [])

    def label(self, iri: URIRef) -> str:
        """The main label (the IRI's last segment when it has none)."""
        labels = self._labels.get(iri)
        return labels[0] if labels else local_name(iri)

    def support(self, iri: URIRef) -> int:
        """How many documents (graphs) say what ``iri`` is: the support of its best-supported type."""
        return max(self._types.get(iri, {}).values(), default=0)

    def types(self, iri: URIRef) -> frozenset[URIRef]:
        """The types of ``iri`` that at least half as many documents state as its best-supported one.

        Text extraction sometimes resolves a mention to the wrong entity and gives it
        that mention's type (the film *The Martian* merged into the book); the type
        most documents agree on wins. One source per type (loaded RDF) keeps them all.
        """
        support = self._types.get(iri)
        if not support:
            return frozenset()
        best = max(support.values())
        return frozenset(t for t, n in support.items() if 2 * n >= best)

    def _candidates(self, iris: set[URIRef], score: float) -> list[Candidate]:
        return [Candidate(i, self.label(i), score, self.types(i)) for i in sorted(iris)]

    def lookup(self, text: str) -> list[Candidate]:
        """Entities whose label equals ``text`` after normalisation (score 1.0)."""
        return self._candidates(self._by_key.get(fold(text), set()), 1.0)

    def fuzzy(self, text: str, limit: int = 10, cutoff: float = 75.0) -> list[Candidate]:
        """Entities whose labels look like ``text`` (misspellings), score in [0, 1]."""
        key = fold(text)
        if not key:
            return []
        grams = _trigrams(key)
        hits: Counter[int] = Counter()
        for gram in grams:
            posting = self._postings.get(gram)
            if posting and len(posting) <= _MAX_POSTING:
                hits.update(posting)
        # Only labels sharing a good part of the trigrams are scored.
        floor = max(1, len(grams) // 3)
        best: dict[URIRef, Candidate] = {}
        for key_id, shared in hits.most_common(200):
            if shared < floor:
                break
            other = self._keys[key_id]
            score = fuzz.ratio(key, other) / 100
            if score * 100 < cutoff:
                continue
            for iri in self._by_key[other]:
                if iri not in best or best[iri].score < score:
                    best[iri] = Candidate(iri, self.label(iri), score, self.types(iri))
        return sorted(best.values(), key=lambda c: (-c.score, c.label))[:limit]

    def matches(self, tokens: list[Token]) -> list[tuple[int, int, frozenset[URIRef]]]:
        """Every token n-gram ``tokens[i:j]`` that is a known label, as ``(i, j, iris)``.

        A final possessive ("Clarke's") also matches the label without it. Unlike
        :meth:`find_mentions`, overlapping matches are all returned, so a caller can
        choose among them with its own rules.
        """
        found = []
        for i in range(len(tokens)):
            for j in range(i + 1, min(i + self._max_tokens, len(tokens)) + 1):
                words = [t.key for t in tokens[i:j]]
                iris = self._by_key.get(" ".join(words))
                if not iris and words[-1].endswith(("'s", "’s")):
                    iris = self._by_key.get(" ".join([*words[:-1], words[-1][:-2]]))
                if iris:
                    found.append((i, j, frozenset(iris)))
        return found

    def is_main_label(self, iri: URIRef, text: str) -> bool:
        """True when ``text`` is ``iri``'s main label (not an alternative one), after folding."""
        labels = self._labels.get(iri)
        return bool(labels) and fold(labels[0]) == fold(text)

    def candidates(self, iris: set[URIRef] | frozenset[URIRef], score: float) -> list[Candidate]:
        """Candidates for ``iris``, all with ``score``, in IRI order."""
        return self._candidates(set(iris), score)

    def find_mentions(self, text: str) -> list[Mention]:
        """Known labels in ``text``, longest first, not overlapping, in text order."""
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]
        mentions: list[Mention] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._max_tokens, len(tokens) - i), 0, -1):
                key = " ".join(t[2] for t in tokens[i : i + n])
                iris = self._by_key.get(key)
                if iris:
                    start, end = tokens[i][0], tokens[i + n - 1][1]
                    mentions.append(Mention(start, end, text[start:end], self._candidates(iris, 1.0)))
                    i += n
                    break
            else:
                i += 1
        return mentions
