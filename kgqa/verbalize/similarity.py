"""How alike two sentences are, by their word pairs (bigram F1), the measure templates are chosen by.

Example:
    >>> round(f1(bigrams("{s} is located in {o}."), bigrams("{s} is in {o}.")), 2)
    0.73
    >>> round(agreement("{s} was built by {o}", {"{s} was built by {o}.": 3, "{o} built {s}.": 1}), 2)
    0.75
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

_WORD = re.compile(r"\{\w+\}|\w+|[^\w\s]")


def bigrams(text: str) -> Counter[tuple[str, str]]:
    """Word pairs of ``text`` (lower case, with start and end marks); a final full stop is ignored."""
    words = ["<s>", *_WORD.findall(text.lower().rstrip(". ")), "</s>"]
    return Counter(zip(words, words[1:]))


def f1(a: Counter, b: Counter) -> float:
    overlap = sum((a & b).values())
    return 2 * overlap / (sum(a.values()) + sum(b.values()))


def agreement(template: str, texts: Mapping[str, float]) -> float:
    """The weighted mean bigram F1 of ``template`` to ``texts`` (``{0}``/``{1}`` read as ``{s}``/``{o}``)."""
    mine = bigrams(template)
    total = sum(texts.values())
    return sum(w * f1(mine, bigrams(t.replace("{0}", "{s}").replace("{1}", "{o}"))) for t, w in texts.items()) / total
