"""Sentence splitting for English prose, aware of initials and abbreviations.

A full stop ends a sentence unless it closes an initial (``Philip K. Dick``,
``G. P. Putnam's Sons``) or a common abbreviation (``St. Martin's Press``,
``Dr.``, ``e.g.``).

Example:
    >>> text = "Philip K. Dick was born in 1928. St. Martin's Press published it. It won!"
    >>> [text[a:b] for a, b in split_sentences(text)]
    ['Philip K. Dick was born in 1928.', "St. Martin's Press published it.", 'It won!']
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "col", "lt", "mt", "no", "vs", "etc", "inc", "ltd",
    "co", "corp", "ca", "c", "vol", "ed", "eds", "fig", "pp", "p", "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar",
    "apr", "aug", "sept", "sep", "oct", "nov", "dec",
}


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, whitespace trimmed."""
    spans = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        mark = match.group()
        if mark.startswith(".") and not mark.startswith("..."):
            word = re.search(r"([\w.]+)$", text[start : match.start()])
            token = word.group(1).lower() if word else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()) or re.fullmatch(r"(\w\.)+\w", token):
                continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out
