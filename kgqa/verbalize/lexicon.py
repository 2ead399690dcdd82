"""Sentence templates for predicates: from the ontology, or built from a label.

A template is a sentence with ``{s}`` and ``{o}`` for the subject and the object. A
property's ``kgqa:template`` is used as written; otherwise one is built from the
first of its label and alternative labels that reads as a verb phrase ("written
by" -> "{s} was written by {o}", "located in" -> "{s} is located in {o}"), else from
the label as a noun ("publication year" -> "{s} has publication year {o}"). A bare
predicate name is split from camelCase first.

Example:
    >>> predicate_words("elevationAboveTheSeaLevel"), predicate_words("https://x.org/ns#ISBN_number")
    ('elevation above the sea level', 'ISBN number')
    >>> label_template("written by"), label_template("located in"), label_template("author")
    ('{s} was written by {o}', '{s} is located in {o}', '{s} has author {o}')
    >>> plural_subject("{s} was written by {o}"), plural_subject("{s} contains {o}")
    ('{s} were written by {o}', '{s} contain {o}')
"""

from __future__ import annotations

import re

from kgqa.namespaces import local_name

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PREPOSITIONS = frozenset("by in on of from to at with for as into about than after before under near".split())
_AUXILIARIES = {"is": "are", "was": "were", "has": "have", "does": "do"}
_IRREGULAR_PARTICIPLES = frozenset(
    "born written made known given taken drawn shown sung grown held built set put run begun found won led "
    "sold told bought brought thought kept spent sent lost paid".split()
)
# Participles that describe a lasting state read better in the present tense.
_STATIVE = frozenset("located based headquartered situated known called named set contained included".split())


def predicate_words(name: str) -> str:
    """A predicate name as words: camelCase and underscores split, acronyms kept."""
    words = _CAMEL.findall(local_name(name).replace("_", " "))
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words) or local_name(name)


def _is_participle(word: str) -> bool:
    return word in _IRREGULAR_PARTICIPLES or (len(word) > 4 and word.endswith("ed"))


def label_template(label: str) -> str:
    """A template from one label: verb phrases as verbs, anything else as a noun."""
    words = label.split()
    first = words[0].lower() if words else ""
    if first in _AUXILIARIES or first in _AUXILIARIES.values():
        return f"{{s}} {label} {{o}}"
    if len(words) > 1 and words[-1].lower() in _PREPOSITIONS:
        if _is_participle(first):
            return f"{{s}} {'is' if first in _STATIVE else 'was'} {label} {{o}}"
        return f"{{s}} is {label} {{o}}"
    return f"{{s}} has {label} {{o}}"


def reads_as_verb(label: str) -> bool:
    """True when ``label`` is a verb phrase ("written by", "is part of"), not a noun."""
    return not label_template(label).startswith("{s} has ") or label.split()[0].lower() == "has"


def plural_subject(template: str, slot: str = "{s}") -> str:
    """The template with its verb agreeing with a plural ``slot`` (when the template starts with it)."""
    if not template.startswith(slot + " "):
        return template
    verb, _, rest = template[len(slot) + 1 :].partition(" ")
    if verb in _AUXILIARIES:
        verb = _AUXILIARIES[verb]
    elif verb.endswith("ies"):
        verb = verb[:-3] + "y"
    elif verb.endswith(("sses", "shes", "ches", "xes", "zes")):
        verb = verb[:-2]
    elif verb.endswith("s") and not verb.endswith(("ss", "us", "is")):
        verb = verb[:-1]
    return f"{slot} {verb} {rest}".rstrip()
