"""Surface forms of DBpedia-style names and values, and finding them in text.

A WebNLG entity is written ``Lincoln,_Nebraska``, ``Georgia_(U.S._state)``,
``"1932-03-15"`` or ``17068.8 (millimetres)``; texts say "Lincoln, Nebraska",
"Georgia", "March 15, 1932" or "17068.8 millimetres". :func:`variants` lists the
ways a value may be written, each tagged with its *kind* (so a learner can count
which kinds people use), and :func:`find` locates a form in a text tolerantly
(case, accents, punctuation and spacing ignored, word boundaries kept).

Example:
    >>> [v.text for v in variants("Georgia_(U.S._state)")]
    ['Georgia', 'Georgia (U.S. state)']
    >>> variants('"1932-03-15"')[0].text
    '15 March 1932'
    >>> find("Lincoln Nebraska", "He was born in Lincoln, Nebraska.")
    [(15, 32)]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_MONTHS = ("January February March April May June July August September October November December").split()
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_PAREN_TAIL = re.compile(r"^(.*\S)\s*\(([^()]*)\)$")
_FILE = re.compile(r"^(.+)\.(?:svg|png|jpe?g|gif)$", re.IGNORECASE)
_QUOTED_WITH_UNIT = re.compile(r'^"([^"]*)"\s*\(([^()]*)\)$')


@dataclass(frozen=True)
class Variant:
    """One way of writing a value: the text and what kind of rewriting produced it."""

    kind: str
    text: str


def base_form(raw: str) -> str:
    """Quotes stripped, underscores as spaces: ``"Aarhus, Denmark"`` -> ``Aarhus, Denmark``."""
    m = _QUOTED_WITH_UNIT.match(raw)
    text = f"{m.group(1)} ({m.group(2)})" if m else raw
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return " ".join(text.replace("_", " ").split())


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def number_forms(text: str) -> list[Variant]:
    """A decimal as written, without a ``.0`` tail, and with thousands separators."""
    out = [Variant("number", text)]
    if text.endswith(".0"):
        out.append(Variant("number-int", text[:-2]))
    whole, _, frac = text.partition(".")
    if len(whole.lstrip("-")) > 3:
        grouped = f"{int(whole):,}"
        out.append(Variant("number-grouped", grouped + (f".{frac}" if frac and frac != "0" else "")))
    return out


def date_forms(year: str, month: str, day: str) -> list[Variant]:
    """ISO ``YYYY-MM-DD`` as people write it (first: the day-month-year form)."""
    d, m = int(day), _MONTHS[int(month) - 1]
    return [
        Variant("date-dmy", f"{d} {m} {year}"),
        Variant("date-mdy", f"{m} {d}, {year}"),
        Variant("date-mdy-ord", f"{m} {_ordinal(d)}, {year}"),
        Variant("date-dmy-ord", f"{_ordinal(d)} {m} {year}"),
        Variant("date-iso", f"{year}-{month}-{day}"),
    ]


@lru_cache(maxsize=200_000)
def variants(raw: str) -> tuple[Variant, ...]:
    """Ways of writing ``raw``, most literal first; kinds name the rewriting used."""
    text = base_form(raw)
    out: list[Variant] = []
    if m := _DATE.match(text):
        out += date_forms(*m.groups())
    elif _NUMBER.match(text):
        out += number_forms(text)
    elif m := _FILE.match(text):  # an image's file name: "Legion of Merit ribbon.svg"
        out += [Variant("file-stem", m.group(1)), Variant("plain", text)]
    elif m := _PAREN_TAIL.match(text):
        head, inner = m.groups()
        if _NUMBER.match(head):  # a measure with its unit: "17068.8 (millimetres)"
            out += [Variant(v.kind + "-unit", f"{v.text} {inner}") for v in number_forms(head)]
            out += number_forms(head)
        elif not head.endswith((",", "(")) and text[0] != "(":  # a disambiguator: "Georgia (U.S. state)"
            out += [Variant("paren-dropped", head), Variant("paren", text)]
    if not out:
        out.append(Variant("plain", text))
    seen: set[str] = set()
    return tuple(v for v in out if not (v.text in seen or seen.add(v.text)))


def _fold(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=50_000)
def _normalised(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` reduced to lower-case letters and digits, with each kept char's original index."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold(ch):
            if c.isalnum():
                chars.append(c)
                index.append(i)
    return "".join(chars), tuple(index)


def find(form: str, text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of ``text`` that read as ``form``, on word boundaries."""
    needle, _ = _normalised(form)
    if not needle:
        return []
    hay, index = _normalised(text)
    spans = []
    start = hay.find(needle)
    while start >= 0:
        a, b = index[start], index[start + len(needle) - 1] + 1
        # Keep a closing punctuation mark the form itself ends with ("Clyde F.C.").
        if form[-1:] in ".)" and text[b : b + 1] == form[-1]:
            b += 1
        if text.count("(", a, b) > text.count(")", a, b) and text[b : b + 1] == ")":
            b += 1
        if _boundary_before(text, a) and _boundary_after(text, b):
            spans.append((a, b))
        start = hay.find(needle, start + 1)
    return spans


def _boundary_before(text: str, a: int) -> bool:
    # "5" in "2.5" or "x5" is not a word of its own.
    return a == 0 or not (text[a - 1].isalnum() or (text[a - 1] in ".," and text[a - 2 : a - 1].isdigit()))


def _boundary_after(text: str, b: int) -> bool:
    return b == len(text) or not (text[b].isalnum() or (text[b] in ".," and text[b + 1 : b + 2].isdigit()))
