"""Saying a set of string triples with a learned :class:`~kgqa.verbalize.induce.Lexicon`.

The triple set is cut into parts, each said by one learned template: the fewest
parts win (a template learned for three triples together reads better than three
one-triple sentences), and a triple whose predicate was never seen gets a frame
built from the predicate's words (:meth:`Lexicon.fallback`: "{0} was built by {1}.",
"{0} has a runway length of {1}."), subject first when the subject has more to say.
One subject's several objects of one predicate are listed in one part. Parts about
the main subject come first, the others follow the chain of objects; one-sentence
parts about the subject a sentence opened with are joined to it ("X is in Y, was
built by Z and has a length of W."); the names are filled in as the texts usually
write them.

Example:
    >>> from kgqa.datasets.webnlg import Triple
    >>> from kgqa.verbalize.induce import Lexicon
    >>> lex = Lexicon.learn([((Triple("Aenir", "author", "Garth_Nix"),), ["Aenir was written by Garth Nix."])])
    >>> TripleSetVerbalizer(lex).render([Triple("Castle_(novel)", "author", "Garth_Nix"),
    ...                                  Triple("Castle_(novel)", "pageCount", "400")])
    'Castle was written by Garth Nix and has a page count of 400.'

"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kgqa.verbalize.induce import Lexicon, TripleLike, shape
from kgqa.verbalize.text import capitalise, end_sentence, join_list

_LEADING_SLOT = re.compile(r"^\{(\d+)(?::(\w+))?\} ")
#: At most this many one-sentence parts are joined onto the one before ("..., and ...").
MAX_JOINED = 2
_SLOT = re.compile(r"\{(\d+)(?::(\w+))?\}|\{\{|\}\}")
#: Parts said by a fallback template cost this much more than learned ones.
_FALLBACK_COST = 2.0


@dataclass(frozen=True)
class Part:
    """Some triples said together by one template over ``names``."""

    triples: tuple[TripleLike, ...]
    template: str
    names: tuple[str, ...]
    learned: bool


class TripleSetVerbalizer:
    """Renders triple sets as text with a :class:`Lexicon`."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def plan(self, triples: Sequence[TripleLike]) -> list[Part]:
        """The parts, in the order they will be said."""
        triples = list(dict.fromkeys(triples))
        n = len(triples)
        full = (1 << n) - 1
        options: dict[int, Part] = {}
        for mask in range(1, full + 1):
            subset = tuple(t for i, t in enumerate(triples) if mask >> i & 1)
            key, names = shape(subset)
            template = self.lexicon.template(key)
            if template is not None:
                options[mask] = Part(subset, template, tuple(names), True)
            elif len(subset) == 1:
                template = self.lexicon.fallback(subset[0].predicate, subset[0].object, sum(t.subject == subset[0].subject for t in triples) > 1)
                if len(names) == 1:  # a triple whose subject is its object
                    template = template.replace("{1}", "{0}")
                options[mask] = Part(subset, template, tuple(names), False)
            elif len({(t.subject, t.predicate) for t in subset}) == 1 and len(names) == len(subset) + 1:
                part = self._listed(subset, names, triples)
                if part is not None:
                    options[mask] = part
        # Fewest parts (fallbacks cost more); among equals, better supported templates.
        cost = [math.inf] * (full + 1)
        choice = [0] * (full + 1)
        cost[0] = 0.0
        for mask in range(1, full + 1):
            low = mask & -mask
            sub = mask
            while sub:
                if sub & low and sub in options:
                    part = options[sub]
                    c = cost[mask ^ sub] + (1.0 if part.learned else _FALLBACK_COST)
                    c -= 1e-3 * math.log1p(self.lexicon.support(shape(part.triples)[0]))
                    if c < cost[mask]:
                        cost[mask], choice[mask] = c, sub
                sub = (sub - 1) & mask
        parts, mask = [], full
        while mask:
            parts.append(options[choice[mask]])
            mask ^= choice[mask]
        return order_parts(parts, triples)

    def _listed(self, subset: tuple[TripleLike, ...], names: list[str], triples: Sequence[TripleLike]) -> Part | None:
        """One subject's several objects of one predicate in one sentence ("X is in the genre of A
        and B."), from the one-triple template when it ends with its object, else from the plural frame."""
        first = subset[0]
        single, _ = shape((first,))
        template = self.lexicon.template(single)
        listed = join_list([f"{{{i}}}" for i in range(1, len(names))])
        if template is not None:
            if not (template.startswith("{0} ") and template.endswith(" {1}.") and _one_sentence(template)):
                return None
            return Part(subset, template[:-4] + listed + ".", tuple(names), True)
        template = self.lexicon.fallback(first.predicate, first.object, True, plural=True)
        return Part(subset, template.replace("{1}", listed), tuple(names), False)

    def render(self, triples: Sequence[TripleLike]) -> str:
        """The text saying ``triples``; one-sentence parts about the subject a sentence opened with are
        joined to it ("X is in Y, was built by Z and has a length of W.")."""
        sentences: list[list[str]] = []  # each: its first clause, then the parts joined to it
        opened_with: str | None = None  # the name the last sentence starts with, if it may go on
        for part in self.plan(triples):
            text = self.fill(part)[:-1]
            m = _LEADING_SLOT.match(part.template)
            name = part.names[int(m.group(1))] if m and _one_sentence(part.template) else None
            if m is not None and name is not None and name == opened_with and len(sentences[-1]) <= MAX_JOINED:
                sentences[-1].append(text[len(self.fill_slot(part, m)):].lstrip())
            else:
                sentences.append([text])
                opened_with = name
        return " ".join(end_sentence(join_list(clauses)) for clauses in sentences)

    def fill(self, part: Part) -> str:
        """``part``'s template with its names written out."""

        def put(m: re.Match[str]) -> str:
            return m.group(0)[0] if m.group(1) is None else self.fill_slot(part, m)

        return end_sentence(capitalise(_SLOT.sub(put, part.template)))

    def fill_slot(self, part: Part, m: re.Match[str]) -> str:
        text = self.lexicon.names.surface(part.names[int(m.group(1))], m.group(2) or "")
        before = part.template[: m.start()].rstrip()
        text = _without_overlap(text, before, part.template[m.end() :])
        return capitalise(text) if not before or before[-1] in ".!?" else text


def order_parts(parts: list[Part], triples: Sequence[TripleLike]) -> list[Part]:
    """Parts about the main subject first, then along the chain of objects."""
    subjects = Counter(t.subject for t in triples)
    main = max(subjects, key=lambda s: (subjects[s], -next(i for i, t in enumerate(triples) if t.subject == s)))
    first_index = {id(p): min(triples.index(t) for t in p.triples) for p in parts}
    remaining = sorted(parts, key=lambda p: first_index[id(p)])
    ordered: list[Part] = []
    mentioned = {main}
    while remaining:
        def rank(p: Part) -> tuple[int, int]:
            about_main = any(t.subject == main for t in p.triples)
            linked = any(t.subject in mentioned for t in p.triples)
            return (0 if about_main else 1 if linked else 2, first_index[id(p)])

        nxt = min(remaining, key=rank)
        remaining.remove(nxt)
        ordered.append(nxt)
        mentioned |= {t.object for t in nxt.triples} | {t.subject for t in nxt.triples}
    return ordered


def _one_sentence(template: str) -> bool:
    return not re.search(r"[.!?]\s", template.strip())


def _without_overlap(name: str, before: str, after: str) -> str:
    """``name`` less the words the template already says next to it.

    A template learned from "is in the energy industry" with the name "Energy"
    says "industry" itself; filled with "the energy industry" it must not say it twice.
    """
    words = name.split()
    following = after.split()[:2]
    for k in (2, 1):
        if len(words) > k and [w.lower() for w in words[-k:]] == [w.lower().strip(".,;:") for w in following[:k]]:
            words = words[:-k]
            break
    preceding = before.split()[-2:]
    for k in (2, 1):
        if len(words) > k and [w.lower() for w in words[:k]] == [w.lower() for w in preceding[-k:]]:
            words = words[k:]
            break
    return " ".join(words)
