"""Masking: the translator reads questions with their names and numbers replaced.

The query structure does not depend on *which* entity a question names, only on
how it asks, so the translator sees ``X`` for the first entity mention (the
topic), ``Y`` for the second (ASK questions compare the two), ``Z`` for any
further one and ``N`` for a number to compare with. Years that only tell
same-named entities apart ("the 1972 film Solaris") are dropped. Synthesized
training questions are written in this form; real questions are masked from
their linked spans (:func:`mask_spans`) or, for datasets that bracket their
entities like MetaQA, from the brackets (:func:`mask_brackets`).

Example:
    >>> mask_brackets("what movies did [Tom Hanks] star in")
    'what movies did X star in'
    >>> mask_spans("Who directed the 1972 film Solaris?", [(17, 21, "drop"), (27, 34, "entity")])
    'Who directed the film X?'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TOPIC_MASK = "X"
OTHER_MASK = "Y"
ENTITY_MASKS = (TOPIC_MASK, OTHER_MASK, "Z")
NUMBER_MASK = "N"

_BRACKETS = re.compile(r"\[([^\[\]]+)\]")
_BARE_NUMBER = re.compile(r"(?<![\w\[])\d+(?:\.\d+)?(?![\w\]])")


def entity_mask(i: int) -> str:
    """The mask of the ``i``-th entity mention (0-based)."""
    return ENTITY_MASKS[min(i, len(ENTITY_MASKS) - 1)]


def mask_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """Replace ``(start, end, kind)`` spans: ``entity`` -> X/Y/Z in order, ``value`` -> N, ``drop`` -> nothing."""
    out = []
    last = 0
    entities = 0
    for start, end, kind in sorted(spans):
        out.append(text[last:start])
        if kind == "entity":
            out.append(entity_mask(entities))
            entities += 1
        elif kind == "value":
            out.append(NUMBER_MASK)
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split()).replace(" ?", "?").replace(" ,", ",")


def mask_brackets(question: str) -> str:
    """MetaQA-style ``[entity]`` brackets become X, Y, Z; other numbers become N."""
    spans = [(m.start(), m.end(), "entity") for m in _BRACKETS.finditer(question)]
    inside = [(s, e) for s, e, _ in spans]
    for m in _BARE_NUMBER.finditer(question):
        if not any(s <= m.start() < e for s, e in inside):
            spans.append((m.start(), m.end(), "value"))
    return mask_spans(question, spans)
