"""Optional polish by an LLM, kept only when it says the same thing.

The template sentence is always correct; an LLM may make it read better, and may
also drop an answer or invent a name. :func:`check` rejects a rewrite that loses an
answer, names anything (a capitalised word) or gives any number that is not in the
facts, the answers or the template sentence, or stops saying that inferred facts
are inferred. :func:`rewrite` asks the LLM and falls back to the template sentence
when the LLM fails or the check does.

Example:
    >>> from rdflib import URIRef
    >>> from kgqa.facts import Fact
    >>> f = Fact(URIRef("urn:x:Solaris"), "Solaris", URIRef("urn:x:author"), URIRef("urn:x:Lem"), "Stanisław Lem")
    >>> text = "Solaris was written by Stanisław Lem."
    >>> check("Stanisław Lem wrote Solaris.", text, [f], ["Stanisław Lem"]) is None
    True
    >>> check("Solaris was written by Lem and Philip K. Dick.", text, [f], ["Stanisław Lem"])
    "the answer 'Stanisław Lem' is missing"
    >>> check("Stanisław Lem wrote Solaris in Kraków.", text, [f], ["Stanisław Lem"])
    "names 'Kraków', which is not in the facts"
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kgqa.facts import Fact
from kgqa.namespaces import local_name

if TYPE_CHECKING:
    from kgqa.llm import LLM, Message

log = logging.getLogger(__name__)

#: Capitalised words a sentence may start with without naming anything.
OPENERS = frozenset(
    "a an the it its this that these those they he she his her their there here yes no in on at by for of from "
    "and but however also i we you one both all some none so as according".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MAX_GROWTH = 3

SYSTEM_PROMPT = (
    "You rewrite the answer of a question-answering system into fluent, concise English. "
    "Keep every name and number exactly as written. Add no facts, names or numbers. "
    "If a fact is marked as inferred with a confidence, keep that remark. "
    "Reply with the rewritten answer only."
)


def _words(text: str) -> set[str]:
    return {re.sub(r"['’]s$", "", w.lower()) for w in _WORD.findall(text)}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def check(candidate: str, original: str, facts: Sequence[Fact], answers: Sequence[str]) -> str | None:
    """Why ``candidate`` may not replace ``original`` (``None`` when it may)."""
    if not candidate.strip():
        return "empty"
    if len(candidate) > _MAX_GROWTH * len(original) + 200:
        return "much longer than the original"
    said = _norm(candidate)
    for answer in answers:
        if _norm(answer) not in said:
            return f"the answer {answer!r} is missing"
    sources = [original, *answers, *(f.subject_label for f in facts), *(f.object_label for f in facts)]
    known = set().union(*(_words(s) for s in sources))
    for word in _WORD.findall(candidate):
        if word[0].isupper() and re.sub(r"['’]s$", "", word.lower()) not in known | OPENERS:
            return f"names {word!r}, which is not in the facts"
    numbers = {n for s in sources for n in _NUMBER.findall(s)}
    for number in _NUMBER.findall(candidate):
        if number not in numbers:
            return f"gives the number {number!r}, which is not in the facts"
    if any(f.inferred for f in facts) and "inferred" not in said:
        return "no longer says that a fact is inferred"
    return None


def prompt(text: str, facts: Sequence[Fact]) -> list[Message]:
    """The chat messages asking to rewrite ``text`` (the facts are given as context)."""
    lines = [f"- {f.subject_label} | {local_name(f.predicate)} | {f.object_label}" for f in facts]
    user = "Facts:\n" + "\n".join(lines) + f"\n\nAnswer to rewrite:\n{text}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def rewrite(llm: LLM, text: str, facts: Sequence[Fact], answers: Sequence[str]) -> str:
    """``llm``'s rewrite of ``text`` if :func:`check` accepts it, else ``text`` unchanged."""
    from kgqa.llm import LLMError

    try:
        candidate = llm.chat(prompt(text, facts)).strip()
    except LLMError as exc:
        log.warning("LLM rewrite failed, keeping the template sentence: %s", exc)
        return text
    reason = check(candidate, text, facts, answers)
    if reason is not None:
        log.info("LLM rewrite rejected (%s): %r", reason, candidate)
        return text
    return candidate
