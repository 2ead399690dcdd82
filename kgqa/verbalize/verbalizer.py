"""The Verbalizer: answers as sentences built from the ontology's lexicalisations."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from kgqa.echo import echo
from kgqa.errors import KgqaError
from kgqa.facts import Fact
from kgqa.ontology import Ontology
from kgqa.namespaces import local_name
from kgqa.verbalize.frames import NOUN_KINDS, Frame, FrameChoice, frames, property_frame, unit
from kgqa.verbalize.lexicon import plural_subject, predicate_words
from kgqa.verbalize.realise import Mention, Statement, realise
from kgqa.verbalize.text import capitalise, counted, end_sentence, format_literal, format_number, join_list

if TYPE_CHECKING:
    from kgqa.llm import LLM

FORMS = ("select", "count", "ask")
#: Lists name at most this many items ("..., J and 5 more"); a count lists its items up to this many.
MAX_LISTED = 10
_PERSON_NAMES = frozenset({"person", "people", "human"})


class VerbalizeError(KgqaError):
    """A request the verbalizer cannot phrase (an unknown answer form)."""


def inferred_note(confidence: float | None) -> str:
    """The remark after an inferred fact."""
    if confidence is None:
        return "(inferred by graph completion)"
    return f"(inferred by graph completion, confidence {confidence:.2f})"


class Verbalizer:
    """Turns facts into English with the ontology's templates and labels.

    ``llm`` (optional, see :mod:`kgqa.llm`) is only used by :meth:`rewrite`. ``language`` (a
    BCP 47 tag) picks, among language-tagged literals of one subject and property, those in
    the user's language (untagged ones always count).
    """

    def __init__(self, ontology: Ontology | None = None, *, llm: LLM | None = None, language: str = "en") -> None:
        self.ontology = ontology or Ontology({}, {})
        self.llm = llm
        self.language = language.lower()
        self._frames: dict[URIRef, Frame] = {}

    @classmethod
    def for_engine(cls, engine: Any) -> Verbalizer:
        """A verbalizer over ``engine``'s ontology, with the LLM its ``[llm]`` settings name (if any)."""
        from kgqa.llm import get_llm

        return cls(engine.ontology, llm=get_llm(engine.config))

    # -- words for terms -----------------------------------------------------------
    def frame(self, predicate: URIRef) -> Frame:
        """How ``predicate`` is said (:func:`~kgqa.verbalize.frames.property_frame`; a predicate
        outside the ontology by its name's words), worked out once per predicate."""
        if predicate not in self._frames:
            prop = self.ontology.properties.get(predicate)
            if prop is not None:
                self._frames[predicate] = property_frame(prop)
            else:
                self._frames[predicate] = FrameChoice().choose(frames(predicate_words(str(predicate))), "entity")
        return self._frames[predicate]

    def template(self, predicate: URIRef) -> str:
        """The ``{s} ... {o}`` template of ``predicate``."""
        return self.frame(predicate).template

    def _object_text(self, fact: Fact) -> str:
        if isinstance(fact.object, Literal):
            prop = self.ontology.properties.get(fact.predicate)
            value = fact.object.toPython()
            measure = unit(prop) if prop is not None and isinstance(value, (int, float, Decimal)) else ""
            return f"{format_number(value, measure=True)} {measure}" if measure else format_literal(fact.object)
        return fact.object_label or local_name(str(fact.object))

    def _subject_text(self, fact: Fact) -> str:
        return fact.subject_label or local_name(str(fact.subject))

    def _mention(self, fact: Fact, side: str, noted: bool) -> Mention:
        note = inferred_note(fact.confidence) if noted and fact.inferred else ""
        if side == "subject":
            return Mention(fact.subject, self._subject_text(fact), note)
        return Mention(fact.object, self._object_text(fact), note)

    def _is_person_class(self, cls: URIRef | None) -> bool:
        if cls is None:
            return False
        for c in self.ontology.ancestors(cls):
            names = [local_name(str(c))] + (self.ontology.classes[c].names if c in self.ontology.classes else [])
            if any(n.lower() in _PERSON_NAMES for n in names):
                return True
        return False

    def _relative(self, statement: Statement) -> str:
        prop = self.ontology.properties.get(statement.predicate)  # type: ignore[arg-type]
        return "who" if prop is not None and self._is_person_class(prop.range) else "which"

    # -- facts to statements -------------------------------------------------------
    def statements(self, facts: Sequence[Fact]) -> list[Statement]:
        """One statement per subject and predicate with its objects listed, or per predicate
        and object with its subjects listed, whichever gathers more facts."""
        facts = self._in_language(list(dict.fromkeys(facts)))
        by_sp: dict[tuple[Hashable, ...], list[Fact]] = defaultdict(list)
        by_po: dict[tuple[Hashable, ...], list[Fact]] = defaultdict(list)
        for f in facts:
            by_sp[f.subject, f.predicate].append(f)
            by_po[f.predicate, f.object].append(f)
        done: set[Fact] = set()
        out: list[Statement] = []
        for f in facts:
            if f in done:
                continue
            template = self.template(f.predicate)
            same_subject = [g for g in by_sp[f.subject, f.predicate] if g not in done]
            same_object = [g for g in by_po[f.predicate, f.object] if g not in done]
            if len(same_object) > len(same_subject) and (template.startswith("{s} ") or self.frame(f.predicate).subjects):
                group = same_object
                if not template.startswith("{s} "):  # "the mountain range of A, B and C is Himalayas"
                    template = self.frame(f.predicate).subjects
                st = Statement(template, _capped([self._mention(g, "subject", True) for g in group]),
                               [self._mention(f, "object", False)], f.predicate)
            else:
                group = same_subject
                if len(group) > 1 and self.frame(f.predicate).plural:  # "Dune's awards are ..."
                    template = self.frame(f.predicate).plural
                st = Statement(template, [self._mention(f, "subject", False)],
                               _capped([self._mention(g, "object", True) for g in group]), f.predicate)
            done.update(group)
            out.append(st)
        return out

    def _in_language(self, facts: list[Fact]) -> list[Fact]:
        """Facts less the language-tagged literals in other languages than the user's, where one
        subject and property have some in the user's language (else those of one language)."""
        tagged: dict[tuple[Node, Node], set[str]] = defaultdict(set)
        for f in facts:
            if isinstance(f.object, Literal) and f.object.language:
                tagged[f.subject, f.predicate].add(f.object.language.lower())

        def wanted(f: Fact) -> bool:
            if not (isinstance(f.object, Literal) and f.object.language):
                return True
            languages = tagged[f.subject, f.predicate]
            mine = {lang for lang in languages if lang.split("-")[0] == self.language.split("-")[0]}
            return f.object.language.lower() in (mine or {min(languages)})

        return [f for f in facts if wanted(f)]

    # -- the public phrasing API -------------------------------------------------------
    def fact(self, fact: Fact) -> str:
        """One sentence for one fact.

        Example:
            >>> from rdflib import URIRef
            >>> from kgqa.ontology import Ontology, bundled_ontology
            >>> v = Verbalizer(Ontology.from_files([bundled_ontology("scifi.ttl")]))
            >>> SF = "https://w3id.org/kgqa/scifi#"
            >>> v.fact(Fact(URIRef("urn:x:tbp"), "The Three-Body Problem", URIRef(SF + "author"),
            ...             URIRef("urn:x:liu"), "Liu Cixin"))
            'The Three-Body Problem was written by Liu Cixin.'
        """
        return self.facts([fact])

    def facts(self, facts: Sequence[Fact]) -> str:
        """Several facts as few sentences: lists aggregated, shared subjects joined, chains followed.

        Example:
            >>> from rdflib import URIRef
            >>> from kgqa.ontology import Ontology, bundled_ontology
            >>> v = Verbalizer(Ontology.from_files([bundled_ontology("scifi.ttl")]))
            >>> SF = "https://w3id.org/kgqa/scifi#"
            >>> lem = URIRef("urn:x:lem")
            >>> v.facts([Fact(URIRef("urn:x:solaris"), "Solaris", URIRef(SF + "author"), lem, "Stanisław Lem"),
            ...          Fact(lem, "Stanisław Lem", URIRef(SF + "birthPlace"), URIRef("urn:x:lviv"), "Lviv")])
            'Solaris was written by Stanisław Lem, who was born in Lviv.'
        """
        return realise(self.statements(facts), self._relative)

    def not_found(self, missing: str | None = None) -> str:
        """The honest answer when nothing matches: "I could not find who wrote Foo.".

        ``missing`` comes from the user's question: only a short, clean span of it is
        repeated (:func:`kgqa.echo.echo`), never escape sequences or 100 KB of it.
        """
        what = echo(missing or "an answer").rstrip(".?!")
        return f"I could not find {what}."

    def answer(
        self,
        form: str,
        facts: Sequence[Fact],
        *,
        count: int | None = None,
        boolean: bool | None = None,
        topic: Node | str | None = None,
        missing: str | None = None,
    ) -> str:
        """The answer to a question of ``form`` ``"select"``, ``"count"`` or ``"ask"``.

        ``facts`` are those leading to the answers; ``topic`` (the entity asked about,
        IRI or label) puts its facts first; ``missing`` says what was looked for, for
        the "I could not find ..." answer.

        Example:
            >>> Verbalizer().answer("select", [], missing="who wrote Foo")
            'I could not find who wrote Foo.'
        """
        if form not in FORMS:
            raise VerbalizeError(f"unknown answer form {form!r}; expected one of {', '.join(FORMS)}")
        facts = _topic_first(list(facts), topic)
        if facts and form != "ask" and all(f.predicate == RDF.type for f in facts):
            return self._members(facts, count)
        if form == "ask":
            return self._ask(facts, boolean, missing)
        if form == "count":
            return self._count(facts, count, topic, missing)
        return self.facts(facts) if facts else self.not_found(missing)

    def _ask(self, facts: list[Fact], boolean: bool | None, missing: str | None) -> str:
        verdict = bool(facts) if boolean is None else boolean
        if facts:
            return f"{'Yes' if verdict else 'No'}, {self.facts(facts)}"
        if verdict:
            return "Yes."
        return f"No, {self.not_found(missing)}" if missing else "No."

    def _count(self, facts: list[Fact], count: int | None, topic: Node | str | None, missing: str | None) -> str:
        if not facts:
            return self.not_found(missing) if not count else f"The answer is {count:,}."
        subjects = list(dict.fromkeys(f.subject for f in facts))
        objects = list(dict.fromkeys(f.object for f in facts))
        if topic is None and all(isinstance(f.object, Literal) for f in facts):
            return self._count_filtered(facts, subjects, count)
        # Count the side that varies; a topic on the object side settles a 1-to-1 tie.
        count_subjects = len(objects) == 1 and (len(subjects) > 1 or _is_topic(facts[0], "object", topic))
        n = count if count is not None else len(subjects if count_subjects else objects)
        predicate = facts[0].predicate
        prop = self.ontology.properties.get(predicate)
        cls = (prop.domain if count_subjects else prop.range) if prop is not None else None
        noun = self._noun(cls, "result")
        fixed = self._object_text(facts[0]) if count_subjects else self._subject_text(facts[0])
        frame = self.frame(predicate)
        if frame.kind in NOUN_KINDS:  # "Dune has 2 awards", "Isaac Asimov is the author of 3 books"
            sentence = (f"{fixed} is the {frame.noun} of {counted(n, noun)}" if count_subjects
                        else f"{fixed} has {counted(n, frame.noun)}")
        else:
            counted_slot, fixed_slot = ("{s}", "{o}") if count_subjects else ("{o}", "{s}")
            template = re.sub(rf"\b(?:the|a|an) {re.escape(counted_slot)}", counted_slot, frame.template)
            if n != 1:
                template = plural_subject(template, counted_slot)
            sentence = template.replace(counted_slot, counted(n, noun)).replace(fixed_slot, fixed)
        side = "subject" if count_subjects else "object"
        items = list(dict.fromkeys(self._mention(f, side, True).said() for f in facts))
        if 1 < n <= MAX_LISTED and len(items) == n:
            sentence += ": " + join_list(items)
        elif any(f.inferred for f in facts):
            inferred = [f for f in facts if f.inferred]
            sentence += f" ({len(inferred)} of them {inferred_note(min(f.confidence or 0 for f in inferred))[1:-1]} or more)"
        return end_sentence(capitalise(sentence))

    def _members(self, facts: list[Fact], count: int | None) -> str:
        """The members of a class ("How many books are there?", "List all films."), listed up to
        :data:`MAX_LISTED`, then "and N more"."""
        members = list(dict.fromkeys(self._mention(f, "subject", False).said() for f in facts))
        n = count if count is not None else len(members)
        listed = [*members[:MAX_LISTED], f"{n - MAX_LISTED:,} more"] if n > MAX_LISTED else members
        head = self._there_are(n, facts[0].object, "item")
        return end_sentence(f"{head}: {join_list(listed)}" if len(members) >= min(n, MAX_LISTED) else head)

    def _count_filtered(self, facts: list[Fact], subjects: list, count: int | None) -> str:
        """A class counted through its values ("how many films were released after 2010?"): the
        subjects are counted, by their class, and the facts give the values they were kept for."""
        n = count if count is not None else len(subjects)
        prop = self.ontology.properties.get(facts[0].predicate)
        head = self._there_are(n, prop.domain if prop is not None else None, "result")
        items = list(dict.fromkeys(self._mention(f, "subject", True).said() for f in facts))
        if 1 < n <= MAX_LISTED and len(items) == n:
            head += ": " + join_list(items)
        return f"{end_sentence(head)} {self.facts(facts)}"

    def _noun(self, cls: Node | None, default: str) -> str:
        """How to name a member of ``cls`` in a count: its label, else ``default``."""
        return self.ontology.label(cls) if cls is not None and cls in self.ontology.classes else default

    def _there_are(self, n: int, cls: Node | None, default: str) -> str:
        return f"There {'is' if n == 1 else 'are'} {counted(n, self._noun(cls, default))}"

    def rewrite(self, text: str, facts: Sequence[Fact], answers: Sequence[str]) -> str:
        """``text`` polished by the configured LLM, if any and if the result passes the guard
        (every answer kept, no name or number outside the facts); else ``text`` unchanged."""
        if self.llm is None:
            return text
        from kgqa.verbalize.rewrite import rewrite

        return rewrite(self.llm, text, facts, answers)


def _capped(mentions: list[Mention]) -> list[Mention]:
    """At most :data:`MAX_LISTED` mentions, then "and N more"."""
    if len(mentions) <= MAX_LISTED:
        return mentions
    return [*mentions[:MAX_LISTED], Mention(None, f"{len(mentions) - MAX_LISTED} more")]


def _is_topic(fact: Fact, side: str, topic: Node | str | None) -> bool:
    if topic is None:
        return False
    term, label = (fact.subject, fact.subject_label) if side == "subject" else (fact.object, fact.object_label)
    return topic == term or (isinstance(topic, str) and not isinstance(topic, Node) and topic == label)


def _topic_first(facts: list[Fact], topic: Node | str | None) -> list[Fact]:
    """Facts about ``topic`` first (stable otherwise)."""
    if topic is None:
        return facts
    return sorted(facts, key=lambda f: not (_is_topic(f, "subject", topic) or _is_topic(f, "object", topic)))


__all__ = ["FORMS", "VerbalizeError", "Verbalizer", "inferred_note"]
