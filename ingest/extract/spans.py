"""Mentions in a parsed sentence, their types by evidence, and what references refer to.

Used by the ``parsed`` extractor (:mod:`ingest.extract.parsed`). A :class:`Found` is a
span of a spaCy sentence that names an entity, a value (a year; a number with a
unit) or refers back to one (a pronoun, "the <class word>", a surname alone).

**Types by evidence**, strongest first: the graph's type of a known name; a class
word said of the name in the sentence (apposition "X, a peak in Y"; copula "X is a
mountain"; a noun before the name "the geologist X"; a noun phrase headed by a class
word "the 1953 Nanga Parbat expedition"); an agent noun there ("X, a British
engraver": -er, -or, -ist, -ian nouns name people) when the ontology has a class
for people; and, as a weak prior only, the named-entity label mapped to the
ontology's classes by MiniLM similarity between the label's words and each class's
words (label, alternative labels, comment, superclasses). The name alone never
types a mention.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> from ingest.extract.lexicon import Lexicon
    >>> from ingest.extract.nlp import parse
    >>> lex = Lexicon(Ontology.from_files([bundled_ontology("scifi.ttl")]))
    >>> sent = next(parse("Solaris is a novel by Stanisław Lem.").sents)
    >>> [(f.label, [lex.ontology.label(t) for t in f.types], f.strong) for f in SpanFinder(lex, []).find(sent, [])]
    [('Solaris', ['book'], True), ('Stanisław Lem', ['person'], False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from rdflib import URIRef

from kgqa.linking import fold

from ingest.extract.demonyms import COUNTRIES
from ingest.extract.matcher import PairText, pair_text
from ingest.extract.nlp import path_words
from ingest.model import EntityRef

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from kgqa.ontology import Ontology

    from ingest.extract.lexicon import Lexicon

_NAME_ENTS = {"PERSON", "GPE", "LOC", "ORG", "FAC", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE"}
#: What each named-entity label means, in words to compare with an ontology's classes.
NER_WORDS = {
    "PERSON": "person, human being, people",
    "GPE": "country, city, town, state",
    "LOC": "location, region, mountain, river, lake",
    "ORG": "organization, company, institution, team",
    "FAC": "building, airport, bridge, facility",
    "WORK_OF_ART": "book, film, song, painting, creative work",
    "EVENT": "event, war, festival, expedition",
    "PRODUCT": "product, vehicle, device",
    "LANGUAGE": "language",
    "LAW": "law, treaty",
}
NER_CLASS_MIN = 0.3
_UNITS = {"m", "metre", "metres", "meter", "meters", "km", "kilometre", "kilometres", "kilometer", "kilometers",
          "ft", "foot", "feet", "mile", "miles", "kg", "tonnes", "tons"}
_AGENT = re.compile(r"[a-z]{3,}(er|or|ist|ian|ant|eer)$")
_CONNECTORS = {"of", "de", "la", "le", "von", "van", "der", "del", "du", "da", "di", "&"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"}
_PERSONAL = {"he", "she", "him", "his", "her", "hers", "himself", "herself"}
_THING = {"it", "its"}
_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]")
_YEAR = re.compile(r"^(1[0-9]{3}|20[0-9]{2})$")
_SPAN_YEARS = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\s*[–—-]\s*(1[0-9]{3}|20[0-9]{2})\b")


@dataclass(eq=False)
class Found:
    """A mention: its span, the entity or value it stands for, and how sure its types are."""

    span: Span
    label: str
    types: frozenset[URIRef] = frozenset()
    strong: bool = False  # types from the graph or a class word, not the NER label
    value_kind: str | None = None  # "year" / "number" for values
    value: int | None = None
    role: str | None = None  # "born" / "died" for a life span's years, "demonym", "pronoun", "reference"
    wants: URIRef | None = None  # the class "the <class word>" asks for
    ner: str | None = None

    @property
    def key(self) -> str:
        return f"value:{self.span.start}" if self.value_kind else "entity:" + fold(self.label)

    @property
    def start(self) -> int:
        return self.span.start_char

    @property
    def end(self) -> int:
        return self.span.end_char

    def ref(self, expected: URIRef | None, ontology: Ontology) -> EntityRef:
        """The entity for a statement; ``expected`` (the property's domain or range) types it when the evidence is weak."""
        types = set(self.types)
        if expected is not None:
            fitting = {t for t in types if ontology.is_a(t, expected)}
            if fitting:
                types = fitting
            elif not self.strong:
                types = {expected}
        return EntityRef(self.label, tuple(sorted(types)))


class SpanFinder:
    """Finds :class:`Found` mentions in spaCy sentences for one ontology and the known names."""

    def __init__(self, lexicon: Lexicon, indexes: list) -> None:  # noqa: ANN001 - kgqa.linking.LabelIndex
        self.lexicon = lexicon
        self.indexes = indexes
        self.country = self._class_named("country")

    def _class_named(self, word: str) -> URIRef | None:
        cls, _ = self.lexicon.class_of_noun(word)
        return cls

    @cached_property
    def ner_classes(self) -> dict[str, frozenset[URIRef]]:
        """Each ontology class under the named-entity label whose words are closest to the class's words."""
        onto = self.lexicon.ontology
        classes = [c for c in onto.classes.values() if not str(c.iri).startswith("https://w3id.org/kgqa/vocab#")]
        if not classes:
            return {}
        texts = []
        for c in classes:
            parents = [onto.classes[p].label for p in onto.ancestors(c.iri) if p in onto.classes and p != c.iri]
            texts.append(", ".join([*c.names, *parents]))
        labels = sorted(NER_WORDS)
        enc = self.lexicon.encoder
        sims = enc.encode(texts) @ enc.encode([NER_WORDS[k] for k in labels]).T
        out: dict[str, set[URIRef]] = {}
        for c, row in zip(classes, sims):
            best = int(np.argmax(row))
            if row[best] >= NER_CLASS_MIN:
                out.setdefault(labels[best], set()).add(c.iri)
        return {k: frozenset(v) for k, v in out.items()}

    @cached_property
    def person(self) -> URIRef | None:
        """The class of people, if the ontology has one (the one PERSON maps to, most general first)."""
        people = sorted(self.ner_classes.get("PERSON", ()), key=lambda c: len(self.lexicon.ontology.ancestors(c)))
        return people[0] if people else None

    # -- the sentence ---------------------------------------------------------------------------
    def find(self, sent: Span, emphasis: list[tuple[int, int]]) -> list[Found]:
        """Values, names and references of ``sent`` (``emphasis``: spans the source set apart, block offsets)."""
        doc = sent.doc
        taken: set[int] = set()
        out: list[Found] = []

        def claim(span: Span | None) -> Span | None:
            if span is None or len(span) == 0 or any(t.i in taken for t in span):
                return None
            taken.update(t.i for t in span)
            return span

        for a, b in sorted(set(emphasis) | {m.span(1) for m in _QUOTED.finditer(doc.text)}):
            if sent.start_char <= a and b <= sent.end_char and (span := claim(doc.char_span(a, b, alignment_mode="expand"))):
                out.append(self._typed(Found(span, span.text.strip(" \"“”")), title=True))
        out += self._class_phrases(sent, claim)
        out += self._known(sent, claim)
        out += self._values(sent, claim)
        out += self._demonyms(sent, claim)
        for ent in sent.ents:
            if ent.label_ in _NAME_ENTS:
                for part in _split_initial(_trim(_widen(ent))):
                    if span := claim(part):  # NER's label belongs to the part holding its head word
                        out.append(self._typed(Found(span, _label(span), ner=ent.label_ if span.start <= ent.root.i < span.end else "")))
        out += self._proper_runs(sent, claim)
        out += self._references(sent, claim)
        return sorted(out, key=lambda f: f.span.start)

    def _values(self, sent: Span, claim) -> list[Found]:  # noqa: ANN001 - callable
        out = []
        doc = sent.doc
        for m in _SPAN_YEARS.finditer(sent.text):  # a life span "(1919–2008)"
            for group, role in ((1, "born"), (2, "died")):
                a, b = sent.start_char + m.start(group), sent.start_char + m.end(group)
                if span := claim(doc.char_span(a, b, alignment_mode="expand")):
                    out.append(Found(span, m.group(group), value_kind="year", value=int(m.group(group)), role=role))
        for t in sent:
            if t.i in {x for f in out for x in range(f.span.start, f.span.end)} or not t.text.replace(",", "").isdigit():
                continue
            n = int(t.text.replace(",", ""))
            unit = _unit_after(t)
            if unit is not None:
                if span := claim(doc[t.i : unit.i + 1]):
                    out.append(Found(span, t.text, value_kind="number", value=n))
            elif _YEAR.match(t.text):
                if t.dep_ in ("nummod", "compound", "amod") and t.head.pos_ == "NOUN" and not self._class_word(t.head):
                    continue  # "the 1996 disaster": a year of something the ontology has no class for
                ent = next((e for e in sent.ents if e.start <= t.i < e.end and e.label_ == "DATE"), None)
                if span := claim(ent if ent is not None and ent.text.count(t.text) == 1 and not _SPAN_YEARS.search(ent.text) else doc[t.i : t.i + 1]):
                    out.append(Found(span, t.text, value_kind="year", value=n))
        return out

    def _class_word(self, t: Token) -> bool:
        return fold(t.lemma_) in self.lexicon.class_cues or fold(t.text) in self.lexicon.class_cues

    def _known(self, sent: Span, claim) -> list[Found]:  # noqa: ANN001
        out = []
        for index in self.indexes:
            for m in index.find_mentions(sent.text):
                if not any(c.isupper() or c.isdigit() for c in m.surface):
                    continue  # a label that is a common word ("summit") is not a name here
                span = claim(sent.doc.char_span(sent.start_char + m.start, sent.start_char + m.end, alignment_mode="expand"))
                if span is None:
                    continue
                types = frozenset(t for c in m.candidates for t in index.types(c.iri))
                label = m.candidates[0].label if len(m.candidates) == 1 else m.surface
                found = Found(span, label, types, strong=bool(types))
                out.append(self._typed(found) if not types else found)
        return out

    def _demonyms(self, sent: Span, claim) -> list[Found]:  # noqa: ANN001
        """"a British engraver", "an American journalist", "a New Zealander": the country they name."""
        if self.country is None:
            return []
        out = []
        for ent in sent.ents:
            text = ent.text[:-2] if ent.text.endswith("er") and ent.text[:-2] in COUNTRIES else ent.text
            if ent.label_ in ("NORP", "GPE") and text in COUNTRIES and ent.root.dep_ in ("amod", "compound", "attr", "appos"):
                if span := claim(ent):
                    out.append(Found(span, COUNTRIES[text], frozenset([self.country]), strong=True, role="demonym"))
        return out

    def _class_phrases(self, sent: Span, claim) -> list[Found]:  # noqa: ANN001
        """Noun phrases headed by a class word with a proper name inside: "the 1953 Nanga Parbat expedition"."""
        out = []
        for chunk in sent.noun_chunks:
            cls = self.lexicon.class_cues.get(fold(chunk.root.lemma_)) or self.lexicon.class_cues.get(fold(chunk.root.text))
            inner = [t for t in chunk[1:] if t.i < chunk.root.i and t.text[:1].isupper() and t.ent_type_ not in ("GPE", "NORP")]
            definite = chunk[0].lower_ == "the" or chunk[0].pos_ in ("PROPN", "NUM")
            if cls is None or not inner or chunk.root.tag_ != "NN" or not definite:
                continue  # "a Sherpa mountaineer", "six Everest expeditions" describe; they do not name
            start = next((t.i for t in chunk if t.dep_ not in ("det", "poss") and not t.is_punct), chunk.start)
            if span := claim(sent.doc[start : chunk.end]):
                out.append(Found(span, span.text, frozenset([cls]), strong=True))
        return out

    def _proper_runs(self, sent: Span, claim) -> list[Found]:  # noqa: ANN001
        out = []
        run: list[Token] = []
        for t in [*sent, None]:
            if t is not None and (_proper(t) or (run and t.lower_ in _CONNECTORS
                                  and t.i + 1 < sent.end and t.nbor().tag_ in ("NNP", "NNPS") and t.nbor().ent_type_ not in ("GPE", "LOC"))):
                run.append(t)
                continue
            for part in _split_initial(_trim(sent.doc[run[0].i : run[-1].i + 1])) if run else ():
                if span := claim(part):
                    out.append(self._typed(Found(span, _label(span))))
            run = []
        return out

    def _references(self, sent: Span, claim) -> list[Found]:  # noqa: ANN001
        out = []
        for t in sent:
            if t.lower_ in _PERSONAL | _THING and t.pos_ == "PRON" and (span := claim(sent.doc[t.i : t.i + 1])):
                out.append(Found(span, t.text, role="pronoun"))
        for t in sent:  # "the peak", "the expedition's members"
            cls = self.lexicon.class_cues.get(fold(t.lemma_)) if t.pos_ == "NOUN" and t.tag_ == "NN" else None
            det = next((c for c in t.children if c.dep_ == "det" and c.lower_ in ("the", "this", "that")), None)
            if cls is not None and det is not None and (span := claim(sent.doc[det.i : t.i + 1])):
                out.append(Found(span, span.text, role="reference", wants=cls))
        return out

    # -- types ----------------------------------------------------------------------------------
    def _typed(self, f: Found, title: bool = False) -> Found:
        """``f`` with the types the sentence gives it (see the module docs)."""
        for noun in _class_words(f.span):
            cls, _ = self.lexicon.class_of_noun(noun.lemma_)
            if cls is None:
                cls, _ = self.lexicon.class_of_noun(noun.text)
            if cls is None and self.person is not None and _AGENT.match(noun.lower_) and not title:
                cls = self.person
            if cls is not None:
                return replace(f, types=frozenset([cls]), strong=True)
        ner = "WORK_OF_ART" if title else f.ner if f.ner is not None else next(
            (e.label_ for e in f.span.doc.ents if e.start <= f.span.root.i < e.end and e.start >= f.span.start), None)
        return replace(f, types=self.ner_classes.get(ner or "", frozenset()), ner=ner)

    def pair_text(self, s: Found, o: Found) -> PairText:
        """What the matcher reads of a pair: the dependency path, the words between, the roles.

        A life span's years read as "born" / "died"; a demonym ("a British engraver") as
        what it means, "is from" the country.
        """
        path = path_words(s.span, o.span)
        if o.role in ("born", "died"):
            path = f"{path} {o.role}".strip()
        elif o.role == "demonym":
            path = "is from"
        return pair_text(s.span, o.span, o.value_kind, path)


@dataclass
class DocumentState:
    """What a document said so far: its topic, the entities named, short names for people."""

    lexicon: Lexicon
    title: str | None
    person: URIRef | None = None
    topic: Found | None = None
    history: list[Found] = field(default_factory=list)
    aliases: dict[str, Found] = field(default_factory=dict)
    previous_thing: Found | None = None

    def _is(self, f: Found | None, cls: URIRef | None) -> bool:
        return f is not None and cls is not None and any(self.lexicon.ontology.is_a(t, cls) for t in f.types)

    def _personal(self, f: Found) -> bool:
        """A person: typed as one, or (with no class word saying otherwise) named as one by NER."""
        if f.types and self.person is not None:
            return any(self.lexicon.ontology.is_a(t, self.person) for t in f.types)
        return f.ner == "PERSON"

    def resolve(self, found: list[Found]) -> list[Found]:
        """References replaced by what they refer to (unresolvable ones dropped); the state learns the sentence."""
        out: list[Found] = []
        for f in found:
            if f.value_kind is None:
                f = self._resolve(f, out)
                if f is None:
                    continue
            out.append(f)
        self._learn(out)
        return out

    def _as(self, f: Found, antecedent: Found) -> Found:
        return replace(f, label=antecedent.label, types=antecedent.types, strong=antecedent.strong, ner=antecedent.ner,
                       role=f.role if f.role == "demonym" else None)

    def _resolve(self, f: Found, earlier: list[Found]) -> Found | None:
        recent = [m for m in reversed(earlier) if m.value_kind is None] + list(reversed(self.history))
        if f.role == "pronoun":
            word = f.span.text.lower()
            if word in _PERSONAL:
                if self.topic is not None and self._personal(self.topic):
                    return self._as(f, self.topic)
                hit = next((m for m in recent if self._personal(m)), None)
            else:  # "it"/"its": a thing named earlier in the sentence, else what the last sentence was about
                here = [m for m in reversed(earlier) if m.value_kind is None and m.role != "demonym" and not self._personal(m)]
                hit = here[0] if here else self.previous_thing if self.previous_thing is not None else (
                    self.topic if self.topic is not None and not self._personal(self.topic) else None)
            return self._as(f, hit) if hit is not None else None
        if f.role == "reference":
            hit = next((m for m in recent if self._is(m, f.wants)), None)
            if hit is None and self.topic is not None and (self._is(self.topic, f.wants) or not self.topic.types):
                hit = self.topic
            return self._as(f, hit) if hit is not None else None
        words = f.label.split()
        if len(words) == 1 and fold(f.label) in self.aliases and f.role != "demonym" and not (f.strong and not self._personal(f)):
            full = self.aliases[fold(f.label)]
            if full.label != f.label:
                return self._as(f, full)
        return f

    def _learn(self, found: list[Found]) -> None:
        entities = [f for f in found if f.value_kind is None and f.role != "demonym"]
        if self.topic is None and self.title:
            for f in entities:
                if fold(f.label) == fold(self.title) or fold(self.title) in fold(f.label):
                    self.topic = f
                    break
        things = [f for f in entities if not self._personal(f)]
        if things:
            self.previous_thing = things[0]
        for f in entities:
            self.history.append(f)
            words = f.label.split()
            if len(words) >= 2 and self._personal(f) and all(w[:1].isupper() for w in words):
                for w in {words[0], words[-1]} - {w for w in words if len(w.rstrip(".")) < 2}:
                    self.aliases.setdefault(fold(w), f)


def _proper(t: Token) -> bool:
    """A proper noun, or a capitalised word with digits ("K2", "B-52")."""
    if t.lower_ in _MONTHS:
        return False
    return t.tag_ in ("NNP", "NNPS") or (t.text[:1].isupper() and any(c.isdigit() for c in t.text))


def _unit_after(t: Token) -> Token | None:
    doc = t.doc
    k = t.i + 1
    if k < len(doc) and doc[k].text in ("-", "‑"):
        k += 1
    return doc[k] if k < len(doc) and doc[k].lower_ in _UNITS else None


def _widen(span: Span) -> Span:
    """A named entity widened to the proper nouns right beside it ("Nanga" -> "Nanga Parbat")."""
    doc = span.doc
    a, b = span.start, span.end
    while a > span.sent.start and doc[a - 1].tag_ in ("NNP", "NNPS") and doc[a - 1].lower_ not in _MONTHS:
        a -= 1
    while b < span.sent.end and doc[b].tag_ in ("NNP", "NNPS") and doc[b].lower_ not in _MONTHS:
        b += 1
    return doc[a:b]


def _split_initial(span: Span) -> list[Span]:
    """A name run on across a sentence end at an initial: "Annapurna I. Maurice Herzog" is two names.

    An initial that follows a full word and precedes a first name and a surname ends a
    name ("... is Annapurna I. Maurice Herzog and ..."); "John F. Kennedy" (one word
    after) and "H. W. Tilman" (initials first) stay whole.
    """
    doc = span.doc
    for k in range(span.start + 1, span.end - 2):
        t = doc[k]
        if len(t.text) == 2 and t.text[0].isupper() and t.text[1] == "." and len(doc[k - 1].text) > 2 and not doc[k - 1].text.endswith("."):
            after = [x for x in doc[k + 1 : span.end] if x.text[:1].isupper()]
            if len(after) >= 2:
                return [doc[span.start : k + 1], doc[k + 1 : span.end]]
    return [span]


_HONORIFICS = {"sir", "dame", "lord", "lady", "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "professor", "prof."}


def _trim(span: Span) -> Span:
    """Leading "the", a title ("Sir") and a trailing possessive off a name."""
    a, b = span.start, span.end
    while a < b - 1 and span.doc[a].lower_ in _HONORIFICS:
        a += 1
    while a < b and span.doc[a].lower_ in ("the", "a", "an"):
        a += 1
    while b > a and span.doc[b - 1].tag_ == "POS" or b > a and span.doc[b - 1].is_punct:
        b -= 1
    return span.doc[a:b]


def _label(span: Span) -> str:
    return span.text.strip()


def _class_words(span: Span) -> list[Token]:
    """Nouns the sentence says of the mention: apposition, copula complement, a noun just before it."""
    root = span.root
    out: list[Token] = []
    out += [c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        out.append(root.head)
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_ == "be":
        out += [c for c in root.head.children if c.dep_ == "attr" and c.pos_ == "NOUN"]
    k = span.start - 1
    while k >= span.sent.start and span.doc[k].pos_ in ("NOUN", "PROPN", "ADJ", "NUM") and span.doc[k].dep_ in ("compound", "amod", "nmod", "nummod"):
        if span.doc[k].pos_ == "NOUN":
            out.append(span.doc[k])
            break
        k -= 1
    if span.start - 1 >= span.sent.start and span.doc[span.start - 1].pos_ == "NOUN" and span.doc[span.start - 1] not in out:
        out.append(span.doc[span.start - 1])
    return out


__all__ = ["DocumentState", "Found", "NER_WORDS", "SpanFinder"]
