"""Small pieces of English: lists, capitals, plurals, numbers, dates and literals.

Example:
    >>> join_list(["Foundation", "I, Robot", "The Gods Themselves"])
    'Foundation, I, Robot and The Gods Themselves'
    >>> capitalise("the Three-Body Problem was written by Liu Cixin")
    'The Three-Body Problem was written by Liu Cixin'
    >>> plural("book"), plural("city"), plural("series"), plural("person")
    ('books', 'cities', 'series', 'people')
    >>> from rdflib import Literal, XSD
    >>> format_literal(Literal("1961", datatype=XSD.integer)), format_literal(Literal(1234567))
    ('1961', '1,234,567')
    >>> format_literal(Literal("1932-03-15", datatype=XSD.date)), format_literal(Literal("Solaris", lang="pl"))
    ('15 March 1932', 'Solaris')
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from rdflib import XSD, Literal

from kgqa.english import IRREGULAR_PLURALS

_MONTHS = "January February March April May June July August September October November December".split()
_UNCHANGED_PLURALS = ("series", "species", "people", "media", "data")


def join_list(items: Sequence[str], conjunction: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def capitalise(text: str) -> str:
    """Upper-case the first letter only (names keep their own case)."""
    return text[:1].upper() + text[1:]


def end_sentence(text: str) -> str:
    """``text`` with a closing full stop unless it already ends a sentence."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def plural(noun: str) -> str:
    """English plural of a noun phrase's last word ("science fiction novel" -> "... novels")."""
    head, _, last = noun.rpartition(" ")
    lower = last.lower()
    if not last or lower.endswith(_UNCHANGED_PLURALS):
        word = last
    elif lower in IRREGULAR_PLURALS:
        word = last[0] + IRREGULAR_PLURALS[lower][1:]
    elif lower.endswith("y") and lower[-2:-1] not in tuple("aeiou"):
        word = last[:-1] + "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def counted(n: int, noun: str) -> str:
    """``1 book``, ``5 books``, ``1,200 pages``."""
    return f"{n:,} {noun if n == 1 else plural(noun)}"


def format_number(value: int | float | Decimal, *, measure: bool = False) -> str:
    """Thousands separators from 10,000 up (so years stay "1961"), from 1,000 for a ``measure``
    ("8,849 metres"); no ``.0`` tails."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value) if abs(value) < (1_000 if measure else 10_000) else f"{value:,}"
    if float(value).is_integer():
        return format_number(int(value), measure=measure)
    return f"{float(value):,.6g}" if abs(float(value)) < 1e15 else str(value)


def format_date(value: datetime.date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_literal(literal: Literal) -> str:
    """An RDF literal as it is said: numbers formatted, dates spelled, years plain, text as text."""
    value = literal.toPython()
    if literal.datatype in (XSD.gYear,):
        return str(literal).lstrip("0") or "0"
    if isinstance(value, datetime.datetime):
        return format_date(value.date())
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format_number(value)
    return str(literal)
