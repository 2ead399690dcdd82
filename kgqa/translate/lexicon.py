"""How an ontology lets one talk about each property: the raw material of synthesis.

An ontology says a property in several ways: its label and alt labels ("author",
"written by", "by"), question phrases ("who wrote", "books by"), an inverse label
("works") and a sentence template ("{s} was written by {o}"). To build questions
from them, :func:`property_words` sorts these into

* **nouns** naming the object's role: "the *author* of X" (forward);
* **inverse nouns** naming the subject's role seen from the object: "the *works* of X";
* **phrases** (:class:`Phrase`) that sit between subject and object in a sentence:
  copular ones ("X *was born in* Y", "X *is based on* Y"), active verbs ("X *won
  the* Y", "X *died in* Y") and passives with an agent ("X *was written by* Y",
  which also gives the active verb *write* whose agent is the object: "What did
  Y write?"), and "have" phrases ("X *has* Y *pages*");
* **question phrases** split by direction: those that ask for the object ("who
  wrote", "author of", "which publisher") and those that ask for the subject
  ("books by", "written by", "which books did");

and describes the domain and range by their class names (singular and plural,
subclasses and parent included) and their question word (*who* for people,
*where* for places, *when* for years, else *what*).

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> w = property_words(onto, onto.property_by_name("author"))
    >>> w.nouns, w.range.wh
    (['author', 'novelist', 'writer'], 'who')
    >>> [(p.kind, p.aux, p.words, p.verb) for p in w.phrases][:2]
    [('be', 'was', 'written by', 'write'), ('be', 'is', 'by', None)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from kgqa.ontology import Ontology, Property
from kgqa.english import base_verb, is_past_form, plural

PREPOSITIONS = frozenset("of by in on at to from with for into about as through under over near".split())
BE = frozenset("is was are were".split())
HAVE = frozenset("has have had".split())
DETERMINERS = frozenset("the a an".split())
#: Class words that make the question word *who* / *where*.
PERSON_WORDS = frozenset(
    """person people human humans agent individual author writer director actor actress artist musician
    singer player politician scientist translator composer painter founder employee character""".split()
)
PLACE_WORDS = frozenset(
    """place location city town village country nation region area continent state province county
    settlement capital""".split()
)
WH_WORDS = frozenset("who whom whose what which where when how".split())
_YEARISH = re.compile(r"\b(year|date|when|born|died)\b")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + t for t in ("integer", "int", "long", "short", "decimal", "double", "float", "gYear",
                                "nonNegativeInteger", "positiveInteger")}
_RELATION_HEADS = frozenset("part member instance subclass".split())
#: Past forms that stay active before a preposition ("died in", "came out in"), unlike "born in".
INTRANSITIVE = frozenset(
    """died came went lived arrived flowed fell rose happened occurred grew worked served played studied
    began ended emerged originated stayed stood lay sat ran""".split()
)


@dataclass(frozen=True)
class ClassName:
    """One way of naming a class: singular, plural, and the class it names."""

    singular: str
    plural: str
    iri: URIRef


@dataclass
class Side:
    """The domain or range of a property, as questions name it."""

    iri: URIRef | None
    names: list[ClassName] = field(default_factory=list)
    wh: str = "what"


@dataclass(frozen=True)
class Phrase:
    """What stands between subject and object: "{s} <aux> <words> {o} <tail>".

    ``kind`` is ``be`` (copula + words: "was born in"), ``verb`` (an active verb
    phrase: "won the", ``verb`` being its base form "win") or ``have`` ("has {o}
    pages", ``tail`` = "pages"). A ``be`` phrase ending in a participle + "by" also
    carries the active ``verb`` ("written by" -> "write") whose agent is the object;
    ``agent_is_subject`` tells which side does the ``verb``.
    """

    kind: str
    words: str
    aux: str = "is"
    verb: str | None = None
    agent_is_subject: bool = True
    tail: str = ""
    #: "winner of", "adaptation of": a noun needing an article ("an adaptation of").
    noun_head: bool = False

    @property
    def final_prep(self) -> str | None:
        """The preposition closing ``words`` ("in" of "born in"), if any."""
        last = self.words.rsplit(" ", 1)[-1] if self.words else ""
        return last if last in PREPOSITIONS else None

    @property
    def bare(self) -> str:
        """``words`` without a closing preposition and determiner ("born in" -> "born")."""
        out = self.words.split()
        while out and (out[-1] in PREPOSITIONS or out[-1] in DETERMINERS):
            out.pop()
        return " ".join(out)

    @property
    def closing(self) -> str:
        """``words`` without a closing determiner ("part of the" -> "part of")."""
        out = self.words.split()
        while out and out[-1] in DETERMINERS:
            out.pop()
        return " ".join(out)

    @property
    def participle(self) -> str | None:
        """The participle of a passive-with-agent phrase ("written" of "written by")."""
        if self.kind == "be" and self.verb and not self.agent_is_subject:
            words = self.words.split()
            return words[-2] if len(words) >= 2 else None
        return None


@dataclass
class PropertyWords:
    """Everything needed to phrase questions about one property."""

    prop: Property
    nouns: list[str]
    inverse_nouns: list[str]
    phrases: list[Phrase]
    forward_questions: list[str]
    inverse_questions: list[str]
    domain: Side
    range: Side
    #: Values are numbers (datatype property with a numeric range, or numbers found in the graph).
    numeric: bool = False
    #: Values are years or dates ("when", "after 1990").
    yearly: bool = False


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[?!.]+$", "", text.strip()).split())


def is_noun_phrase(label: str) -> bool:
    """True for labels that name a role ("author", "place of birth"), not a predicate ("written by")."""
    words = label.lower().split()
    if not words or words[0] in PREPOSITIONS or words[-1] in PREPOSITIONS or words[0] in _RELATION_HEADS:
        return False
    if any(w in BE or w in HAVE for w in words):
        return False
    return not any(is_past_form(w) for w in words)


def parse_template(template: str) -> Phrase | None:
    """The :class:`Phrase` of a ``kgqa:template`` such as ``"{s} was written by {o}"``."""
    text = _clean(template)
    if text.startswith("{o}") and "{s}" in text:
        middle = text[3 : text.index("{s}")].strip().lower()
        if middle and is_past_form(middle.split()[0]):
            return Phrase("verb", middle, verb=base_verb(middle.split()[0]), agent_is_subject=False)
        return None
    if not text.startswith("{s}") or "{o}" not in text:
        return None
    middle = text[3 : text.index("{o}")].strip().lower()
    tail = text[text.index("{o}") + 3 :].strip().lower()
    return parse_predicate(middle, tail)


def parse_predicate(middle: str, tail: str = "") -> Phrase | None:
    """A :class:`Phrase` from the words between subject and object ("was born in", "won the", "by")."""
    words = middle.lower().split()
    if not words:
        return None
    if words[0] in HAVE and len(words) == 1:
        return Phrase("have", "", aux=words[0], tail=tail) if tail else None
    if words[0] in BE:
        aux, rest = words[0], words[1:]
    elif is_past_form(words[0]) and (words[0] in INTRANSITIVE or words[-1] not in PREPOSITIONS) and words[0] != "born":
        return Phrase("verb", " ".join(words), verb=base_verb(words[0]))
    elif words[0].endswith("s") and len(words) > 1 and words[1] in PREPOSITIONS | DETERMINERS:
        # "belongs to", "flows through": a present-tense verb.
        stem = words[0][:-2] if words[0].endswith(("shes", "ches", "sses", "xes")) else words[0][:-1]
        return Phrase("verb", " ".join(words), verb=stem)
    else:
        aux, rest = "is", words
    adverb = rest[0].endswith("ly") or rest[0] in ("first", "later", "once", "jointly")
    if not rest or (len(rest) > 1 and is_past_form(rest[-1]) and not is_past_form(rest[0]) and not adverb):
        return None  # "award received": a noun and a participle, not sayable between two names
    if rest[-1] == "by" and len(rest) >= 2 and is_past_form(rest[-2]) and rest[-2] != "born":
        return Phrase("be", " ".join(rest), aux=aux, verb=base_verb(rest[-2]), agent_is_subject=False)
    noun_head = rest[-1] in PREPOSITIONS and not is_past_form(rest[0]) and rest[0] not in PREPOSITIONS
    return Phrase("be", " ".join(rest), aux=aux, noun_head=noun_head and len(rest) == 2)


def class_names(ontology: Ontology, iri: URIRef | None) -> list[ClassName]:
    """Names of ``iri``, its subclasses and its parent, singular and plural."""
    if iri is None or iri not in ontology.classes:
        return []
    family = [iri]
    family += [c for c in ontology.classes if c != iri and ontology.is_a(c, iri)]
    family += [p for p in ontology.classes[iri].parents if p in ontology.classes]
    out: list[ClassName] = []
    for c in family:
        names = [n.lower() for n in ontology.classes[c].names]
        plurals = {plural(n) for n in names} - set(names[:1])
        for name in names:
            # An alt label that is the plural of another name ("novels") is not a singular.
            if name in plurals and plural(name) != name:
                continue
            out.append(ClassName(name, plural(name), c))
    return out


def _wh(ontology: Ontology, iri: URIRef | None) -> str:
    if iri is None or iri not in ontology.classes:
        return "what"
    words = set()
    for c in ontology.ancestors(iri):
        if c in ontology.classes:
            for name in ontology.classes[c].names:
                words.update(name.lower().split())
    if words & PERSON_WORDS:
        return "who"
    if words & PLACE_WORDS:
        return "where"
    return "what"


def _question_direction(phrase: str, words: PropertyWords, ontology: Ontology) -> str | None:
    """``forward`` (asks for the object), ``inverse`` (asks for the subject) or ``None`` (unclear)."""
    tokens = phrase.lower().split()
    if not tokens:
        return None
    if tokens[0] in WH_WORDS or (len(tokens) > 1 and tokens[0] in PREPOSITIONS and tokens[1] in WH_WORDS):
        wh_at = 0 if tokens[0] in WH_WORDS else 1
        named = " ".join(tokens[wh_at + 1 : wh_at + 3])
        for side, direction in ((words.domain, "inverse"), (words.range, "forward")):
            if any(named.startswith(n.singular) or named.startswith(n.plural) for n in side.names):
                return direction
        return "forward"
    if tokens[-1] == "of":
        # "author of X" names X's author; "adaptation of X", "part of X" name what relates to X.
        head = " ".join(tokens[:-1])
        return "forward" if head in words.nouns or head.rstrip("s") in words.nouns else "inverse"
    if tokens[-1] in PREPOSITIONS:
        return "inverse"
    return None


def property_words(
    ontology: Ontology, prop: Property, inverse_labels: list[str] = (), numeric_values: bool = False
) -> PropertyWords:
    """Sort the lexicalisations of ``prop`` for question synthesis (see the module docs).

    ``inverse_labels`` are its ``kgqa:inverseLabel`` values (the in-memory ontology
    does not keep them); ``numeric_values`` says the graph holds numbers for it even
    if the ontology declares no numeric range.
    """
    names = list(dict.fromkeys(_clean(n).lower() for n in prop.names if _clean(n)))
    nouns = [n for n in names if is_noun_phrase(n)]
    phrases: list[Phrase] = []
    for template in prop.templates:
        parsed = parse_template(template)
        if parsed is not None:
            phrases.append(parsed)
    for name in names:
        if name not in nouns:
            parsed = parse_predicate(name)
            if parsed is not None:
                phrases.append(parsed)
    # The same words with another auxiliary add nothing: questions use both tenses anyway.
    unique: dict[tuple[str, str, str | None, str], Phrase] = {}
    for phrase in phrases:
        unique.setdefault((phrase.kind, phrase.words, phrase.verb, phrase.tail), phrase)
    phrases = list(unique.values())
    inverse_nouns = [
        n.lower() for n in inverse_labels
        if is_noun_phrase(n) and not re.search(r"\b(here|this|these|there)\b", n.lower())
    ]
    domain = Side(prop.domain, class_names(ontology, prop.domain), _wh(ontology, prop.domain))
    range_iri = prop.range if prop.range is not None and prop.range in ontology.classes else None
    range_side = Side(range_iri, class_names(ontology, range_iri), _wh(ontology, range_iri))
    numeric = numeric_values or (prop.range is not None and str(prop.range) in _NUMERIC)
    lexical = " ".join([*names, *(q.lower() for q in prop.question_phrases)])
    yearly = numeric and (bool(_YEARISH.search(lexical)) or str(prop.range) == _XSD + "gYear")
    if prop.literal_range:
        range_side.wh = "when" if yearly else "what"
    words = PropertyWords(prop, nouns, inverse_nouns, phrases, [], [], domain, range_side, numeric, yearly)
    for q in dict.fromkeys(_clean(q).lower() for q in prop.question_phrases):
        direction = _question_direction(q, words, ontology)
        if direction == "forward":
            words.forward_questions.append(q)
        elif direction == "inverse" and not prop.literal_range:
            words.inverse_questions.append(q)
    return words
