"""Follow-up questions: "and when was it published?" refers to what the conversation was about.

A question that names no entity but uses a pronoun ("it", "he", "their") or
starts like a continuation ("and ...", "what about ...") is a follow-up. Its
candidates are the previous answer's entities (first for "he", "she", "they")
and the previous topic (first for "it"), then entities of earlier turns; the
pipeline reads the question with the
pronoun replaced by the likeliest referent's name, and the dialogue state then
keeps whichever candidates the reading fits (a person has no publication year).

Example:
    >>> is_follow_up("And when was it published?"), is_follow_up("Who wrote Dune?")
    (True, False)
    >>> context = remember({}, "urn:solaris", ["urn:lem"])
    >>> referents(context, "Where was he born?")
    [('urn:lem', 1.0), ('urn:solaris', 0.9)]
    >>> referents(remember(context, "urn:solaris", []), "Where was he born?")
    [('urn:solaris', 1.0), ('urn:lem', 0.9)]
    >>> with_referent("and when was it published?", "Solaris")
    'when was Solaris published?'
    >>> with_referent("What about his birthplace?", "Stanisław Lem")
    "What about Stanisław Lem's birthplace?"
    >>> with_referent("And who works there?", "Tor Books"), is_follow_up("How many books are there?")
    ('who works at Tor Books?', False)
"""

from __future__ import annotations

import re
from typing import Any

_PRONOUN = r"it|he|him|she|her|they|them|this|that"
_POSSESSIVE = r"its|his|her|their"
#: "there" of a place ("who works there?"), not the existential one ("are there", "there is").
_THERE = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?!\s+(?:is|are|was|were|be)\b)", re.I)
_FOLLOW_UP = re.compile(
    rf"\b(?:{_PRONOUN}|{_POSSESSIVE}|hers|theirs)\b|^\s*(?:and|what about|how about)\b|{_THERE.pattern}", re.I
)
#: A continuation word that opens a follow-up: the translator learnt from questions without one
#: ("and what was founded by X?" lost the backwards reading that "what was founded by X?" has).
_OPENER = re.compile(r"^\s*(?:and|so|also|then|but)\b[\s,]*", re.I)
_PERSONAL = re.compile(r"\b(?:he|him|his|she|her|hers|they|them|their|theirs)\b", re.I)
#: Previous answers a pronoun may point to (a long list is not one "it").
MAX_REFERENTS = 3


def is_follow_up(question: str) -> bool:
    """Whether ``question`` reads as a continuation of the conversation."""
    return bool(_FOLLOW_UP.search(question))


def referents(context: dict[str, Any], question: str) -> list[tuple[str, float]]:
    """The entities ``question``'s pronoun may mean, with a preference score, best first.

    ``context`` holds the last answer's entities (``answers``), its ``topic`` and the
    entities of earlier turns (``recent``, newest first).
    """
    answers = context.get("answers", [])[:MAX_REFERENTS]
    topic = [context["topic"]] if context.get("topic") else []
    first = [*answers, *topic] if _PERSONAL.search(question) else [*topic, *answers]
    ranked = list(dict.fromkeys([*first, *context.get("recent", [])]))[:MAX_REFERENTS + 3]
    # Preferences a step apart, so that the likeliest referent that fits the reading wins alone.
    return [(iri, round(1.0 - 0.1 * k, 2)) for k, iri in enumerate(ranked)]


def remember(context: dict[str, Any], topic: str | None, answers: list[str]) -> dict[str, Any]:
    """The context after an answer about ``topic`` with entity ``answers``."""
    recent = list(dict.fromkeys([*answers, *([topic] if topic else []), *context.get("recent", [])]))
    return {"topic": topic, "answers": answers[:MAX_REFERENTS], "recent": recent[:2 * MAX_REFERENTS]}


def with_referent(question: str, name: str) -> str:
    """``question`` with its first pronoun replaced by ``name`` (possessives get "'s") and
    without an opening "and", "so", ..."""
    question = _OPENER.sub("", question) or question
    possessive = re.compile(rf"\b(?:{_POSSESSIVE})\b(?=\s+\w)", re.I)
    pronoun = re.compile(rf"\b(?:{_PRONOUN})\b", re.I)
    m_pos, m_pro = possessive.search(question), pronoun.search(question)
    if m_pos and (not m_pro or m_pos.start() <= m_pro.start()):
        return question[: m_pos.start()] + f"{name}'s" + question[m_pos.end() :]
    if m_pro:
        return question[: m_pro.start()] + name + question[m_pro.end() :]
    if m_there := _THERE.search(question):
        return question[: m_there.start()] + f"at {name}" + question[m_there.end() :]
    return f"{question.rstrip(' ?')} {name}?"
