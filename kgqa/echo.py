"""Showing user text back: without control characters, and only a short span of it.

Questions reach answers ("I could not find ...") and text reaches terminals; either can
carry terminal escape sequences (``ESC [ 2 J`` clears a screen, ``ESC ] 52`` writes a
clipboard), other control characters, or bidirectional overrides that make text read
differently from what it is. :func:`printable` removes them; :func:`echo` also collapses
whitespace and keeps a short span, so a 100 KB question cannot make a 100 KB answer.

Example:
    >>> printable("Dune\\x1b[2J\\x07 by Frank\\u202e Herbert")
    'Dune by Frank Herbert'
    >>> echo("who wrote\\n\\n " + "very " * 40 + "long titles", limit=40)
    'who wrote very very very very very…'
"""

from __future__ import annotations

import re

#: Terminal escape sequences, whole: CSI (``ESC [`` or 0x9B ... final byte), OSC / DCS / PM /
#: APC strings (up to BEL or ``ESC \\``) and two-character escapes.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P^_]|[\x90\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-~]?"
)
#: Control characters (C0 but newline and tab, DEL, C1) and the bidirectional controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
#: Characters of a question repeated in an answer, at most.
ECHO_LIMIT = 80


def printable(text: str) -> str:
    """``text`` without escape sequences, control characters (newline and tab stay) or bidi controls."""
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """A clean span of user text to repeat in a sentence: :func:`printable`, one line, at most
    ``limit`` characters (cut at a word, marked with an ellipsis)."""
    clean = _SPACE.sub(" ", printable(text)).strip()
    if len(clean) <= limit:
        return clean
    cut = clean[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"
