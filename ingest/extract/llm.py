"""The optional LLM extractor: any chat model of :mod:`kgqa.llm`, checked against the ontology.

Set ``ingest.extractor = "llm"`` and an ``[llm]`` backend (for example an
OpenAI-compatible endpoint). Each paragraph goes to the model with the ontology's
classes and properties; the model answers with JSON facts. Every fact is then
validated like the offline extractor's: the property must exist, the subject's
class must fit its domain, the object must fit its range (a class, or a value of
the right kind); anything else is dropped. Never required: without a backend this
extractor refuses to start, and the default extractor needs no model server.

The reply format asked for, one object per fact::

    [{"subject": "Solaris", "subject_class": "book", "property": "author",
      "object": "Stanisław Lem", "object_class": "person", "confidence": 0.9}]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from rdflib import XSD, Literal, URIRef

from kgqa.errors import KgqaError
from kgqa.ontology import Property

from ingest.extract import EXTRACTORS, Extractor
from ingest.extract.lexicon import Lexicon
from ingest.extract.sentences import split_sentences
from ingest.model import Block, EntityRef, Statement, TextContent

#: Confidence of a fact whose reply gave none.
DEFAULT_CONFIDENCE = 0.7
MAX_TOKENS = 1024
_JSON_ARRAY = re.compile(r"\[.*\]", re.DOTALL)


class LLMExtractorError(KgqaError):
    """The LLM extractor is chosen but no backend is configured."""


@EXTRACTORS.register("llm")
class LLMExtractor(Extractor):
    """Facts from a chat model, validated against the ontology."""

    name = "llm"

    def __init__(self, engine) -> None:  # noqa: ANN001 - kgqa.Engine
        super().__init__(engine)
        from kgqa.llm import get_llm

        self.llm = get_llm(engine.config)
        if self.llm is None:
            raise LLMExtractorError("ingest.extractor is 'llm' but [llm] backend is empty; set llm.backend, llm.url and llm.model")
        self.lexicon = Lexicon(engine.ontology)
        self.rejected = 0

    def fingerprint(self) -> str:
        return f"llm:{self.engine.config.get('llm.backend')}:{self.engine.config.get('llm.model')}"

    def _prompt(self) -> str:
        onto = self.lexicon.ontology
        classes = ", ".join(sorted(onto.classes[c].label for c in set(self.lexicon.class_cues.values())))
        props = "\n".join(
            f"- {p.local_name} ({p.label}): {onto.label(p.domain) if p.domain else 'anything'} -> "
            f"{onto.label(p.range) if p.range else 'anything'}"
            for p in self.lexicon.properties
        )
        return (
            "Extract the facts the text states, using only these classes and properties.\n"
            f"Classes: {classes}\nProperties (subject class -> object class or value type):\n{props}\n"
            'Answer with a JSON array only: [{"subject": ..., "subject_class": ..., "property": ..., '
            '"object": ..., "object_class": ... or null for values, "confidence": 0..1}]'
        )

    def extract(self, content: TextContent, session) -> Iterator[Statement]:  # noqa: ANN001 - ResolverSession
        prompt = self._prompt()
        for block in content.blocks:
            if block.heading or not block.text.strip():
                continue
            reply = self.llm.chat(
                [{"role": "system", "content": prompt}, {"role": "user", "content": block.text}], max_tokens=MAX_TOKENS
            )
            for item in _parse(reply):
                statement = self._validate(item, block)
                if statement is None:
                    self.rejected += 1
                else:
                    yield statement

    def _validate(self, item: dict[str, Any], block: Block) -> Statement | None:
        onto = self.lexicon.ontology
        try:
            prop = onto.property_by_name(str(item.get("property", "")))
        except KgqaError:
            return None
        subject_label = str(item.get("subject") or "").strip()
        s_cls = self._class(item.get("subject_class"))
        if not subject_label or not self._fits(s_cls, prop.domain):
            return None
        raw_object = item.get("object")
        if raw_object in (None, ""):
            return None
        obj: EntityRef | Literal
        if prop.literal_range:
            obj = _value(prop, raw_object)
            if obj is None:
                return None
        else:
            o_cls = self._class(item.get("object_class"))
            if not self._fits(o_cls, prop.range):
                return None
            obj = EntityRef(str(raw_object).strip(), _types(o_cls, prop.range))
        try:
            confidence = float(item.get("confidence", DEFAULT_CONFIDENCE))
        except (TypeError, ValueError):
            confidence = DEFAULT_CONFIDENCE
        start, end, sentence = _evidence(block, subject_label, str(raw_object))
        return Statement(
            EntityRef(subject_label, _types(s_cls, prop.domain)), prop.iri, obj, max(0.0, min(1.0, confidence)),
            self.name, start, end, None, sentence,
        )

    def _class(self, name: Any) -> URIRef | None:
        if not name:
            return None
        cls, score = self.lexicon.class_of_noun(str(name))
        return cls

    def _fits(self, cls: URIRef | None, expected: URIRef | None) -> bool:
        if expected is None or expected not in self.lexicon.ontology.classes:
            return True
        return cls is not None and self.lexicon.ontology.is_a(cls, expected)


def _types(cls: URIRef | None, expected: URIRef | None) -> tuple[URIRef, ...]:
    return tuple(t for t in (cls or expected,) if t is not None)


def _value(prop: Property, raw: Any) -> Literal | None:
    """A literal of the property's range, or ``None`` when the value does not fit it."""
    lit = Literal(str(raw).strip(), datatype=prop.range if isinstance(prop.range, URIRef) else XSD.string)
    return None if getattr(lit, "ill_typed", False) else lit


def _parse(reply: str) -> list[dict[str, Any]]:
    match = _JSON_ARRAY.search(reply)
    if not match:
        return []
    try:
        data = json.loads(match.group())
    except json.JSONDecodeError:
        return []
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def _evidence(block: Block, subject: str, obj: str) -> tuple[int | None, int | None, str | None]:
    """Where in the block the fact is said: the first sentence naming the subject (and the object)."""
    sentences = [(a, b, block.text[a:b]) for a, b in split_sentences(block.text)]
    for a, b, text in sentences:
        if subject.lower() in text.lower() and obj.lower() in text.lower():
            return block.offset + a, block.offset + b, text
    for a, b, text in sentences:
        if subject.lower() in text.lower():
            return block.offset + a, block.offset + b, text
    return None, None, None
