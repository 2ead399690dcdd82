"""From statements to sentences: lists, shared subjects and chains.

A :class:`Statement` is one template with its subject(s) and object(s) filled in;
:func:`realise` turns a list of them into sentences. Statements about the same
subject are joined ("Stanisław Lem was born in Lviv and died in 2006."), and a
statement whose object is the next one's subject continues it as a relative clause
("Solaris was written by Stanisław Lem, who was born in Lviv.").

Example:
    >>> lem = Mention("Lem", "Stanisław Lem")
    >>> realise([
    ...     Statement("{s} was written by {o}", [Mention("Solaris", "Solaris")], [lem]),
    ...     Statement("{s} was born in {o}", [lem], [Mention("Lviv", "Lviv")]),
    ... ], relative=lambda st: "who")
    'Solaris was written by Stanisław Lem, who was born in Lviv.'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from kgqa.verbalize.lexicon import plural_subject
from kgqa.verbalize.text import capitalise, end_sentence, join_list

_POSSESSIVE = "{s}'s "
#: At most this many statements share one sentence through "and".
MAX_CONJOINED = 3
#: At most this many relative clauses follow one another.
MAX_CHAIN = 2


@dataclass(frozen=True)
class Mention:
    """Something a sentence names: its identity, how it is written and a note after it."""

    key: Hashable
    text: str
    note: str = ""

    def said(self) -> str:
        return f"{self.text} {self.note}" if self.note else self.text


@dataclass
class Statement:
    """A template (``{s}``, ``{o}``) with the mentions that fill it."""

    template: str
    subjects: list[Mention]
    objects: list[Mention]
    predicate: Hashable = None

    @property
    def subject_key(self) -> Hashable | None:
        return self.subjects[0].key if len(self.subjects) == 1 else None

    @property
    def object_key(self) -> Hashable | None:
        return self.objects[0].key if len(self.objects) == 1 else None

    @property
    def subject_first(self) -> bool:
        return self.template.startswith("{s} ")

    @property
    def possessive(self) -> bool:
        """True for "{s}'s ... {o}" (said after a name as "whose ...")."""
        return self.template.startswith(_POSSESSIVE)

    def _template(self) -> str:
        return plural_subject(self.template) if len(self.subjects) > 1 else self.template

    def clause(self) -> str:
        """The whole statement: "Solaris was written by Stanisław Lem"."""
        return self._fill(self._template())

    def predicate_part(self) -> str:
        """The statement after its subject: "was written by Stanisław Lem" (``subject_first`` only)."""
        return self._fill(self._template()[4:])

    def _fill(self, template: str) -> str:
        subjects = join_list([m.said() for m in self.subjects])
        objects = join_list([m.said() for m in self.objects])
        return template.replace("{s}", subjects).replace("{o}", objects)


def realise(statements: list[Statement], relative: Callable[[Statement], str]) -> str:
    """Sentences for ``statements``, in their order; ``relative`` picks "who" or "which"."""
    sentences: list[str] = []
    used: set[int] = set()
    for i, first in enumerate(statements):
        if i in used:
            continue
        used.add(i)
        group = [first]
        if first.subject_key is not None and first.subject_first:
            for j in range(i + 1, len(statements)):
                other = statements[j]
                if len(group) < MAX_CONJOINED and j not in used and other.subject_first and other.subject_key == first.subject_key:
                    group.append(other)
                    used.add(j)
        if len(group) == 1:
            text = first.clause()
        else:
            text = f"{first.subjects[0].said()} {join_list(_shared_objects(group))}"
        last = group[-1]
        for _ in range(MAX_CHAIN):
            nxt = _continuation(statements, used, last)
            if nxt is None:
                break
            used.add(nxt)
            following = statements[nxt]
            if following.subject_first:
                text += f", {relative(last)} {following.predicate_part()}"
            else:  # "{s}'s mountain range is {o}": "..., whose mountain range is Himalayas"
                text += f", whose {following._fill(following._template()[len(_POSSESSIVE):])}"
            last = following
        sentences.append(end_sentence(capitalise(text)))
    return " ".join(sentences)


_VERB_BY = re.compile(r"^\{s\} (is|was|are|were) (\w+) (by|in|on|at|from|with) \{o\}$")


def _shared_objects(group: list[Statement]) -> list[str]:
    """The predicate parts of statements about one subject; two that end with the same objects
    after the same auxiliary and preposition share them ("was directed and produced by Y")."""
    parts: list[str] = []
    previous: tuple[str, str, tuple] | None = None
    for st in group:
        m = _VERB_BY.match(st._template())
        key = (m.group(1), m.group(3), tuple(o.key for o in st.objects)) if m else None
        if key is not None and key == previous and " and " not in parts[-1].split(f" {m.group(3)} ")[0]:
            head, _, tail = parts[-1].partition(f" {m.group(3)} ")
            parts[-1] = f"{head} and {m.group(2)} {m.group(3)} {tail}"
        else:
            parts.append(st.predicate_part())
        previous = key
    return parts


def _continuation(statements: list[Statement], used: set[int], last: Statement) -> int | None:
    """The index of an unsaid statement about ``last``'s object, if ``last`` ends with it."""
    if last.object_key is None or not last.template.endswith("{o}"):
        return None
    for k, st in enumerate(statements):
        if k not in used and (st.subject_first or st.possessive) and st.subject_key == last.object_key:
            return k
    return None
