"""The default extractor: ontology-guided, offline, on CPU.

For each sentence of a text document it finds mentions
(:mod:`~ingest.extract.mentions`), resolves pronouns, short names and ``the
novel`` against what the document said before (:class:`DocumentState`), and scores
relations between mentions (:mod:`~ingest.extract.relations`). Every relation
becomes a :class:`~ingest.model.Statement` with its confidence, character span and
sentence; the pipeline asserts those at or above the threshold and keeps the rest
as candidates.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> from ingest.model import Block, TextContent
    >>> from ingest.resolve import Resolver
    >>> from kgqa.linking import LabelIndex
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> text = "Andy Weir is an American novelist. He was born in Davis, California, in 1972."
    >>> session = Resolver(LabelIndex(), engine.ontology).session()
    >>> found = OntologyExtractor(engine).extract(TextContent([Block(text)], "Andy Weir"), session)
    >>> sorted((s.subject.label, s.predicate.split("#")[1], str(s.object.label if hasattr(s.object, "label") else s.object)) for s in found)[:3]
    [('Andy Weir', 'birthPlace', 'Davis'), ('Andy Weir', 'birthYear', '1972'), ('Andy Weir', 'nationality', 'United States')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import XSD, Literal, URIRef

from kgqa.linking import fold

from ingest.extract import EXTRACTORS, Extractor
from ingest.extract.lexicon import Lexicon
from ingest.extract.mentions import Mention, MentionFinder, tokens
from ingest.extract.relations import Relation, RelationScorer
from ingest.extract.sentences import split_sentences
from ingest.model import Block, EntityRef, Statement, TextContent

#: Bump when extraction changes, so `kgqa ingest` re-extracts documents it has seen.
VERSION = "3"
_NAME_MAX_TOKENS = 4
_WINDOW_CHARS = 20_000


class DocumentState:
    """What a document has said so far: its topic, the entities it named, short names for them."""

    _AMBIGUOUS = Mention(0, 0, "", "new")  # a short name two people share

    def __init__(self, lexicon: Lexicon, title: str | None) -> None:
        self.lexicon = lexicon
        self.title = fold(title or "")
        self.topic: Mention | None = None
        self.history: list[Mention] = []
        self.previous_subject: Mention | None = None
        self.aliases: dict[str, Mention] = {}
        self.person = lexicon.class_cues.get("person")

    def _is(self, m: Mention, cls: URIRef | None) -> bool:
        return cls is not None and any(self.lexicon.ontology.is_a(t, cls) for t in m.types)

    @staticmethod
    def _name_like(m: Mention) -> bool:
        """Looks like a person's name: two to four capitalised words, no "The", no digits."""
        words = [t[2] for t in tokens(m.label)]
        return (
            m.kind in ("new", "known") and 2 <= len(words) <= _NAME_MAX_TOKENS
            and all(w[:1].isupper() for w in words) and words[0] != "The" and not any(w.isdigit() for w in words)
        )

    # -- before relations -----------------------------------------------------------------------
    def resolve(self, mentions: list[Mention]) -> list[Mention]:
        """Pronouns and short names replaced by what they refer to; unresolvable pronouns dropped."""
        out: list[Mention] = []
        for m in mentions:
            if m.kind == "pronoun":
                antecedent = self._antecedent(m, out)
                if antecedent is None:
                    continue
                m.label, m.types, m.hint = antecedent.label, antecedent.types, antecedent.hint
                if m.wants is not None:  # "the novel" is the novel, though its name is also a film's
                    narrowed = frozenset(t for t in m.types if self.lexicon.ontology.is_a(t, m.wants))
                    m.types = narrowed or frozenset([m.wants])
            elif m.kind == "new" and " " not in m.label and self.aliases.get(fold(m.label)) not in (None, self._AMBIGUOUS):
                full = self.aliases[fold(m.label)]
                m.label, m.types = full.label, full.types or m.types
            out.append(m)
        if self.topic is None and self.title:
            entities = [m for m in out if not m.is_literal and m.kind != "pronoun"]
            for m in entities[:1]:
                if fold(m.label) in self.title or self.title in fold(m.label):
                    self.topic = m
        return out

    def _antecedent(self, pronoun: Mention, earlier: list[Mention]) -> Mention | None:
        wants = pronoun.wants
        recent = [m for m in reversed(earlier) if not m.is_literal] + list(reversed(self.history))
        if wants is not None and wants == self.person:
            if self.topic is not None and self._is(self.topic, self.person):
                return self.topic
            for m in recent:
                if self._is(m, self.person) or (not m.types and self._name_like(m)):
                    return m
            return None
        if wants is not None:
            for m in recent:
                if self._is(m, wants):
                    return m
            return self.topic if self.topic is not None and self._is(self.topic, wants) else None
        # "It" / "its": what the previous sentence was about, unless that was a person
        for candidate in (self.previous_subject, self.topic):
            if candidate is not None and candidate.label and not self._is(candidate, self.person):
                if not (not candidate.types and self._name_like(candidate)):
                    return candidate
        return None

    # -- after relations ------------------------------------------------------------------------
    def learn(self, mentions: list[Mention], relations: list[Relation]) -> None:
        for r in relations:
            if r.subject_types:
                r.subject.types = r.subject_types
            if r.object_types and not r.object.is_literal:
                r.object.types = r.object_types
        entities = [m for m in mentions if not m.is_literal]
        # What the sentence was about, for a following "It": the subject of its most confident
        # relation about a thing, else its first thing ("His novel X ..." is about X, not "his").
        things = [r for r in sorted(relations, key=lambda r: -r.confidence) if not self._is(r.subject, self.person)]
        subjects = [m for m in entities if not (m.kind == "pronoun" and m.surface.lower() in ("his", "her", "its", "their"))]
        if things:
            self.previous_subject = things[0].subject
        elif subjects:
            self.previous_subject = subjects[0]
        for m in entities:
            self.history.append(m)
            if self._name_like(m) and (not m.types or self._is(m, self.person)):
                # "Lem" for Stanisław Lem; "Arkady" for Arkady Strugatsky, unless two people share it
                words = [fold(t[2]) for t in tokens(m.label)]
                for word in {words[0], words[-1]}:
                    known = self.aliases.get(word)
                    if known is None:
                        self.aliases[word] = m
                    elif known.label != m.label and word != words[-1]:
                        self.aliases[word] = self._AMBIGUOUS
        if self.topic is not None:
            for m in entities:
                if m.label == self.topic.label and m.types:
                    self.topic.types = m.types


@EXTRACTORS.register("ontology")
class OntologyExtractor(Extractor):
    """Mentions, pronouns and MiniLM relation scoring over the ontology's lexicalisations."""

    name = "ontology"

    def __init__(self, engine) -> None:  # noqa: ANN001 - kgqa.Engine
        super().__init__(engine)
        self.lexicon = Lexicon(engine.ontology, engine.config.get("models.encoder"))
        self.scorer = RelationScorer(self.lexicon)

    def fingerprint(self) -> str:
        return f"ontology:{VERSION}"

    def extract(self, content: TextContent, session) -> Iterator[Statement]:  # noqa: ANN001 - ResolverSession
        finder = MentionFinder(self.lexicon, [session.resolver.index, session.local.index])
        state = DocumentState(self.lexicon, content.title)
        for window in _windows(content.blocks):
            self._prefetch(window, content.title, session)
            for block in window:
                for sentence, offset, emphasis in _sentences(block):
                    mentions = state.resolve(finder.find(sentence, emphasis, content.title or ""))
                    relations = self.scorer.relations(sentence, mentions)
                    state.learn(mentions, relations)
                    for r in relations:
                        yield self._statement(r, sentence, offset)

    def _prefetch(self, window: list[Block], title: str | None, session) -> None:  # noqa: ANN001
        """Dry-run a stretch of text to collect what it will embed, then embed it in one batch."""
        lexicon, texts = self.lexicon.recording()
        finder = MentionFinder(lexicon, [session.resolver.index, session.local.index])
        scorer = RelationScorer(lexicon)
        state = DocumentState(lexicon, title)
        for block in window:
            for sentence, _, emphasis in _sentences(block):
                mentions = state.resolve(finder.find(sentence, emphasis, title or ""))
                state.learn(mentions, scorer.relations(sentence, mentions))
        if texts:
            self.lexicon.encoder.encode(list(dict.fromkeys(texts)))

    def _statement(self, r: Relation, sentence: str, offset: int) -> Statement:
        subject = _ref(r.subject, r.subject_types)
        obj: EntityRef | Literal = _literal(r.object.value, r.prop.range) if r.object.is_literal else _ref(r.object, r.object_types)
        start = min(r.subject.start, r.object.start)
        end = max(r.subject.end, r.object.end)
        return Statement(subject, r.prop.iri, obj, round(r.confidence, 4), self.name, offset + start, offset + end, None, sentence)


def _windows(blocks: Iterable[Block]) -> Iterator[list[Block]]:
    """Blocks in stretches of about ``_WINDOW_CHARS`` characters (one embedding batch each)."""
    window: list[Block] = []
    size = 0
    for block in blocks:
        if block.heading:
            continue
        window.append(block)
        size += len(block.text)
        if size >= _WINDOW_CHARS:
            yield window
            window, size = [], 0
    if window:
        yield window


def _sentences(block: Block) -> Iterator[tuple[str, int, list[tuple[int, int]]]]:
    """(sentence, its offset in the document, emphasis spans relative to it)."""
    for a, b in split_sentences(block.text):
        yield block.text[a:b], block.offset + a, [(x - a, y - a) for x, y in block.emphasis if x >= a and y <= b]


def _ref(m: Mention, types: frozenset[URIRef]) -> EntityRef:
    # A known name spelled differently ("Stanislaw Lem") resolves by normalisation, which records it.
    label = m.surface if m.kind == "known" and m.surface != m.label and fold(m.surface) == fold(m.label) else m.label
    return EntityRef(label, tuple(sorted(types or m.types)), hint=m.hint)


def _literal(value: Literal | None, datatype: URIRef | None) -> Literal:
    number = int(value) if value is not None else 0
    if datatype == XSD.gYear:
        return Literal(f"{number:04d}", datatype=XSD.gYear)
    return Literal(number, datatype=datatype or XSD.integer)
