"""Sentence splitting for English prose, aware of initials and abbreviations.

A full stop ends a sentence unless it closes an initial (``Philip K. Dick``,
``G. P. Putnam's Sons``) or a common abbreviation (``St. Martin's Press``,
``Dr.``, ``e.g.``). Abbreviations that close a name (``Inc.``, ``Ltd.``, ``Jr.``)
often close the sentence too: before a capitalised word they end it, unless that
word is another abbreviation (``Co. Ltd.``).

Example:
    >>> text = "Philip K. Dick was born in 1928. St. Martin's Press published it. It won!"
    >>> [text[a:b] for a, b in split_sentences(text)]
    ['Philip K. Dick was born in 1928.', "St. Martin's Press published it.", 'It won!']
    >>> text = "Aiken works for Compiler Systems Inc. Aiken was born in Hoboken."
    >>> [text[a:b] for a, b in split_sentences(text)]
    ['Aiken works for Compiler Systems Inc.', 'Aiken was born in Hoboken.']
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "lt", "mt", "no", "vs", "ca", "c", "vol", "ed", "eds", "fig",
    "pp", "p", "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec",
}
# These end names, and so often sentences: "... works for Compiler Systems Inc. Aiken was born ..."
_CLOSING = {"inc", "ltd", "co", "corp", "plc", "llc", "bros", "etc", "jr", "sr"}


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
            if token in _CLOSING and _abbreviation_follows(text, match.end()):
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


def _abbreviation_follows(text: str, end: int) -> bool:
    """ "Co. Ltd.": the next word is another abbreviation, so the name goes on."""
    following = re.match(r"\s+([\w.]+?)\.", text[end:])
    return bool(following) and following.group(1).lower() in _ABBREVIATIONS | _CLOSING
