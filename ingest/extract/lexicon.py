"""The ontology's words, ready for extraction: class cues and property phrases with embeddings.

* **Class cues**: every class label and alternative label (``novel`` -> Book,
  ``director`` -> Person); a noun that is not a cue is typed by MiniLM similarity to
  the class names (``novelist`` -> Person).
* **Property phrases**: labels, alternative labels, question phrases without their
  question words (``who directed`` -> ``directed``) and templates without their
  slots (``{s} was written by {o}`` -> ``was written by``), embedded once.
* **Literal kinds**: which datatype properties take years, dates or other numbers.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> lex = Lexicon(Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")]))
    >>> lex.ontology.label(lex.class_cues["novel"])
    'book'
    >>> "was written by" in lex.phrases[lex.ontology.property_by_name("author").iri]
    True
    >>> lex.literal_kind(lex.ontology.property_by_name("birthYear"))
    'year'
"""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np
from rdflib import XSD, URIRef

from kgqa.linking import fold
from kgqa.ontology import Ontology, Property

_QUESTION_WORDS = {
    "who", "whom", "whose", "what", "which", "when", "where", "why", "how", "is", "was", "are", "were", "did", "does",
    "do", "the", "a", "an", "in", "of",
}
_YEAR_RANGES = {XSD.gYear}
_DATE_RANGES = {XSD.date, XSD.dateTime}
_NUMBER_RANGES = {XSD.integer, XSD.int, XSD.long, XSD.decimal, XSD.double, XSD.float, XSD.nonNegativeInteger, XSD.positiveInteger}
#: Below this similarity a noun is not taken as naming a class.
NOUN_CLASS_MIN = 0.7
#: A name's class is guessed at this similarity, or at the floor with this lead over the runner-up.
NAME_GUESS_MIN = 0.5
NAME_GUESS_FLOOR = 0.35
NAME_GUESS_MARGIN = 0.05
NAME_GUESS_SURE = 0.6
# Abstract nouns ("translation", "development") name acts, not the agents a class names.
_ABSTRACT = re.compile(r"(tion|sion|ment|ness|ity|ship|ism|ing)s?$")


def _strip_question(phrase: str) -> str:
    words = phrase.split()
    while words and words[0].lower() in _QUESTION_WORDS:
        words = words[1:]
    while words and words[-1].lower() in _QUESTION_WORDS - {"in", "of"}:
        words = words[:-1]
    return " ".join(words)


class Lexicon:
    """Class cues, property phrases and their MiniLM embeddings for one ontology."""

    def __init__(self, ontology: Ontology, encoder_name: str | None = None) -> None:
        self.ontology = ontology
        self.encoder_name = encoder_name
        #: Guess classes from names (:meth:`guess_classes`); off for ontologies whose classes are not kinds of things.
        self.guessing = True
        self.properties: list[Property] = sorted(ontology.properties.values(), key=lambda p: str(p.iri))
        self.class_cues: dict[str, URIRef] = {}
        for cls in sorted(ontology.classes.values(), key=lambda c: str(c.iri)):
            if str(cls.iri).startswith("https://w3id.org/kgqa/vocab#"):
                continue
            for name in cls.names:
                self.class_cues.setdefault(fold(name), cls.iri)
        self.phrases: dict[URIRef, list[str]] = {}
        for prop in self.properties:
            phrases = [*prop.names, *(_strip_question(q) for q in prop.question_phrases)]
            phrases += [re.sub(r"\s+", " ", t.replace("{s}", "").replace("{o}", "")).strip() for t in prop.templates]
            self.phrases[prop.iri] = [p for p in dict.fromkeys(x.strip() for x in phrases) if p]

    @property
    def encoder(self):  # noqa: ANN201 - kgqa.models.encoder.Encoder
        from kgqa.models.encoder import get_encoder

        return get_encoder(self.encoder_name) if self.encoder_name else get_encoder()

    def recording(self) -> tuple[Lexicon, list[str]]:
        """A copy that records the texts it would embed instead of embedding them.

        Extraction runs it over a stretch of text first, then embeds everything it
        recorded in one batch: one model call per stretch instead of one per sentence.
        """
        _ = self._phrase_matrix  # the real embeddings, computed once
        if self.class_cues:
            _ = self._class_matrix
        if self.guessing and self.class_cues:
            _ = self._class_prototypes
        copy = object.__new__(Lexicon)
        copy.__dict__.update(self.__dict__)
        recorder = _Recorder(self._phrase_matrix[0].shape[1])
        copy.__dict__["_recorder"] = recorder
        return copy, recorder.texts

    def _encode(self, texts: list[str]) -> np.ndarray:
        recorder = self.__dict__.get("_recorder")
        return recorder.encode(texts) if recorder is not None else self.encoder.encode(texts)

    @cached_property
    def _phrase_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        owners, texts = [], []
        for i, prop in enumerate(self.properties):
            for phrase in self.phrases[prop.iri]:
                owners.append(i)
                texts.append(phrase)
        return self.encoder.encode(texts), np.array(owners)

    @cached_property
    def _class_matrix(self) -> tuple[np.ndarray, list[URIRef]]:
        names = sorted(self.class_cues)
        return self.encoder.encode(names), [self.class_cues[n] for n in names]

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(len(texts), len(properties)) best cosine of each text with each property's phrases."""
        matrix, owners = self._phrase_matrix
        sims = self._encode(texts) @ matrix.T
        out = np.full((len(texts), len(self.properties)), -1.0, dtype=np.float32)
        for i in range(len(self.properties)):
            cols = owners == i
            if cols.any():
                out[:, i] = sims[:, cols].max(axis=1)
        return out

    def class_of_noun(self, noun: str) -> tuple[URIRef | None, float]:
        """The class a common noun names: a cue word exactly, else the most similar class name."""
        key = fold(noun)
        if key in self.class_cues:
            return self.class_cues[key], 1.0
        singular = key[:-1] if key.endswith("s") else None
        if singular and singular in self.class_cues:
            return self.class_cues[singular], 1.0
        if _ABSTRACT.search(key) or not self.class_cues:
            return None, 0.0
        matrix, classes = self._class_matrix
        sims = matrix @ self._encode([noun])[0]
        best = int(np.argmax(sims))
        return (classes[best], float(sims[best])) if sims[best] >= NOUN_CLASS_MIN else (None, float(sims[best]))

    def literal_kind(self, prop: Property) -> str | None:
        """``year``, ``date``, ``number`` or ``None`` (not a literal property extraction can fill)."""
        if not prop.literal_range:
            return None
        rng = prop.range
        words = f"{prop.local_name} {prop.label}".lower()
        if rng in _YEAR_RANGES or (rng in _NUMBER_RANGES and "year" in words):
            return "year"
        if rng in _DATE_RANGES:
            return "date"
        if rng in _NUMBER_RANGES or rng is None:
            return "number"
        return None

    def fits(self, types: frozenset[URIRef], expected: URIRef | None) -> bool | None:
        """True/False when ``types`` fit ``expected`` (a domain or range); ``None`` when unknown.

        A more general type fits a narrower expectation: a place may be the city a
        birthplace needs.
        """
        if expected is None or expected not in self.ontology.classes:
            return True
        if not types:
            return None
        return any(self.ontology.is_a(t, expected) or self.ontology.is_a(expected, t) for t in types)

    @cached_property
    def _class_prototypes(self) -> tuple[np.ndarray, list[URIRef]]:
        classes = sorted(set(self.class_cues.values()), key=str)
        rows = []
        for cls in classes:
            v = self._encode(self.ontology.classes[cls].names).mean(axis=0)
            rows.append(v / (np.linalg.norm(v) or 1.0))
        return np.stack(rows), classes

    def guess_classes(self, names: list[str]) -> list[tuple[URIRef | None, float]]:
        """A weak guess of what each name is, from MiniLM's idea of it ("Russia" -> country).

        Each name gets (class or ``None``, similarity); only confident guesses name a
        class (see :data:`NAME_GUESS_MIN`). Extraction treats a guess as a prior that
        relations may overrule, and one at :data:`NAME_GUESS_SURE` as the name's type.
        """
        if not names or not self.guessing or not self.class_cues:
            return [(None, 0.0) for _ in names]
        prototypes, classes = self._class_prototypes
        sims = self._encode(names) @ prototypes.T
        out: list[tuple[URIRef | None, float]] = []
        for row in sims:
            order = np.argsort(-row)
            top, margin = float(row[order[0]]), float(row[order[0]] - row[order[1]])
            sure = top >= NAME_GUESS_MIN or (top >= NAME_GUESS_FLOOR and margin >= NAME_GUESS_MARGIN)
            out.append((classes[order[0]], top) if sure else (None, top))
        return out


class _Recorder:
    """Stands in for the encoder: remembers texts, returns zero vectors."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return np.zeros((len(texts), self.dim), dtype=np.float32)
