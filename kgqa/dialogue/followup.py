"""Follow-up questions: "and when was it published?" refers to what the conversation was about.

A question that names no entity but uses a pronoun ("it", "he", "their") or
starts like a continuation ("and ...", "what about ...") is a follow-up. Its
candidates are the previous answer's entities (first for "he", "she", "they")
and the previous topic (first for "it"); the pipeline reads the question with the
pronoun replaced by the likeliest referent's name, and the dialogue state then
keeps whichever candidates the reading fits (a person has no publication year).

Example:
    >>> is_follow_up("And when was it published?"), is_follow_up("Who wrote Dune?")
    (True, False)
    >>> referents({"topic": "urn:solaris", "answers": ["urn:lem"]}, "Where was he born?")
    [('urn:lem', 1.0), ('urn:solaris', 0.9)]
    >>> with_referent("and when was it published?", "Solaris")
    'and when was Solaris published?'
    >>> with_referent("What about his birthplace?", "Stanisław Lem")
    "What about Stanisław Lem's birthplace?"
"""

from __future__ import annotations

import re
from typing import Any

_PRONOUN = r"it|he|him|she|her|they|them|this|that"
_POSSESSIVE = r"its|his|her|their"
_FOLLOW_UP = re.compile(rf"\b(?:{_PRONOUN}|{_POSSESSIVE}|hers|theirs)\b|^\s*(?:and|what about|how about)\b", re.I)
_PERSONAL = re.compile(r"\b(?:he|him|his|she|her|hers|they|them|their|theirs)\b", re.I)
#: Previous answers a pronoun may point to (a long list is not one "it").
MAX_REFERENTS = 3


def is_follow_up(question: str) -> bool:
    """Whether ``question`` reads as a continuation of the conversation."""
    return bool(_FOLLOW_UP.search(question))


def referents(context: dict[str, Any], question: str) -> list[tuple[str, float]]:
    """The entities ``question``'s pronoun may mean, with a preference score, best first."""
    personal = bool(_PERSONAL.search(question))
    ranked = [(iri, 1.0 if personal else 0.9) for iri in context.get("answers", [])[:MAX_REFERENTS]]
    if context.get("topic"):
        ranked.append((context["topic"], 0.9 if personal else 1.0))
    return sorted(ranked, key=lambda r: -r[1])


def with_referent(question: str, name: str) -> str:
    """``question`` with its first pronoun replaced by ``name`` (possessives get "'s")."""
    possessive = re.compile(rf"\b(?:{_POSSESSIVE})\b(?=\s+\w)", re.I)
    pronoun = re.compile(rf"\b(?:{_PRONOUN})\b", re.I)
    m_pos, m_pro = possessive.search(question), pronoun.search(question)
    if m_pos and (not m_pro or m_pos.start() <= m_pro.start()):
        return question[: m_pos.start()] + f"{name}'s" + question[m_pos.end() :]
    if m_pro:
        return question[: m_pro.start()] + name + question[m_pro.end() :]
    return f"{question.rstrip(' ?')} {name}?"
