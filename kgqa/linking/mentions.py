"""Finding entity mentions and literal numbers in a question, without hints from the user.

A question names its entities in plain words ("Who wrote The Three-Body
Problem?"), possibly misspelled ("Stanislav Lem"), in lower case, inside quotes,
next to words that tell same-named entities apart ("the 1972 film Solaris"), and
next to numbers that are values rather than names ("published after 1950", but
"Who wrote 1984?"). :func:`detect` finds:

* **exact mentions**: token n-grams that are a known label or alt label after
  folding (longest first, never overlapping), from :meth:`LabelIndex.matches`;
  single lower-case common words ("book", "in") are not taken as names even when
  some entity carries them as a label;
* **numbers**, each with a role: ``value`` (a year or amount the query compares
  with), ``disambiguator`` (a year in front of a shared label, "the 1972 film
  Solaris"; it only reranks that mention's candidates) or a name (``1984``);
* **fuzzy mentions** for what is left: capitalised or quoted word windows (any
  content words when nothing else matched) scored against all labels with the
  index's trigram-blocked fuzzy search.

Example:
    >>> from rdflib import URIRef
    >>> from kgqa.linking.labels import LabelIndex
    >>> idx = LabelIndex()
    >>> idx.add(URIRef("http://ex.org/lem"), "Stanisław Lem")
    >>> idx.add(URIRef("http://ex.org/solaris"), "Solaris")
    >>> found = detect(idx, "Did Stanislav Lem write Solaris after 1960?")
    >>> [(m.surface, m.exact) for m in found.mentions]
    [('Stanislav Lem', False), ('Solaris', True)]
    >>> [(n.value, n.role) for n in found.numbers]
    [(1960, 'value')]
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from rdflib import URIRef

from kgqa.linking.labels import Candidate, LabelIndex, Token, tokenize

#: Function words: never a name on their own, never the first or last word of a fuzzy window.
STOPWORDS = frozenset(
    """a an the of in on at by to for from with and or not no is are was were be been being am
    did do does done has have had who whom whose what which where when how many much why that
    this these those it its his her hers their theirs there here me my i you your we our they
    them he she name list give tell show find please all any some each every both either also
    than then as into onto about after before since until between during over under per s""".split()
)
#: Words after which a number is a value to compare with, not a name.
VALUE_CUES = frozenset(
    """in after before since until till than from between during year years around about
    circa over under least most exactly equal equals later earlier prior""".split()
)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_QUOTES = re.compile(r"[\"“”«»]([^\"“”«»]{2,120})[\"“”«»]")
#: What may separate the words of one name: spaces, initials' dots, hyphens, apostrophes.
_NAME_GAP = re.compile(r"^[\s.\-'’]*$")
_FUZZY_CUTOFF = 85.0
_FUZZY_WINDOW = 6


@dataclass
class FoundMention:
    """A span that may name an entity; ``candidates`` carry the string-match score."""

    start: int
    end: int
    surface: str
    candidates: list[Candidate]
    exact: bool = True
    #: Index range of the span's tokens, for looking at the words around it.
    first_token: int = 0
    last_token: int = 0


@dataclass
class FoundNumber:
    """A number in the question. ``role`` is ``value`` or ``disambiguator``."""

    start: int
    end: int
    value: int | float
    role: str = "value"
    #: For a disambiguator: the index (in ``Detection.mentions``) of the mention it qualifies.
    target: int | None = None


@dataclass
class Detection:
    """Everything :func:`detect` found in one question, mentions in text order."""

    text: str
    tokens: list[Token]
    mentions: list[FoundMention] = field(default_factory=list)
    numbers: list[FoundNumber] = field(default_factory=list)
    #: The classes the question asks for ("which *country*", "how many *films*"), when it names one.
    asked: frozenset[URIRef] = frozenset()


def _number(key: str) -> int | float | None:
    if not _NUMBER.match(key):
        return None
    return float(key) if "." in key else int(key)


def detect(
    index: LabelIndex,
    text: str,
    *,
    vocabulary: Collection[str] = (),
    class_words: Collection[str] = (),
) -> Detection:
    """Mentions and numbers in ``text``.

    ``vocabulary`` holds folded words of the ontology's lexicalisations ("wrote",
    "book"): typed in lower case on their own they are read as words, not names.
    ``class_words`` (folded class names) may stand between a disambiguating year and
    its mention ("the 1972 *film* Solaris").
    """
    tokens = tokenize(text)
    found = Detection(text, tokens)
    taken = [False] * len(tokens)
    spans = []
    quoted = {(m.start(1), m.end(1)) for m in _QUOTES.finditer(text)}
    for i, j, iris in index.matches(tokens):
        keys = [t.key for t in tokens[i:j]]
        # A title of common words ("Her", "Take Me Home") is a name when quoted or set as a title.
        title = (tokens[i].start, tokens[j - 1].end) in quoted or _title(text, tokens, i, j)
        if all(k in STOPWORDS for k in keys) and not title:
            continue
        if j - i == 1 and keys[0] in vocabulary and text[tokens[i].start : tokens[i].end].islower() and not title:
            continue
        spans.append((i, j, iris))
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    chosen = []
    for i, j, iris in spans:
        if not any(taken[i:j]):
            taken[i:j] = [True] * (j - i)
            chosen.append((i, j, iris))
    chosen.sort()
    mentions = [
        FoundMention(
            tokens[i].start,
            tokens[j - 1].end,
            text[tokens[i].start : tokens[j - 1].end],
            index.candidates(iris, 1.0),
            first_token=i,
            last_token=j - 1,
        )
        for i, j, iris in chosen
    ]
    _assign_numbers(found, mentions, taken, class_words)
    for m in _partial(text, tokens, mentions, vocabulary):
        # A known name inside an unknown longer one ("Butler" in "Octavia E. Butler") is
        # not that entity; the fuzzy search below may still find the whole name.
        mentions.remove(m)
        taken[m.first_token : m.last_token + 1] = [False] * (m.last_token + 1 - m.first_token)
    fuzzy = _fuzzy(index, text, tokens, taken, vocabulary, bool(mentions))
    found.mentions = sorted(mentions + fuzzy, key=lambda m: m.start)
    for number in found.numbers:
        if number.target is not None:
            number.target = next(k for k, m in enumerate(found.mentions) if m.start == number.target)
    return found


def _assign_numbers(found: Detection, mentions: list[FoundMention], taken: list[bool], class_words: Collection[str]) -> None:
    """Give every number token its role; numbers that are values stop being mentions."""
    tokens = found.tokens
    starts = {m.first_token: m for m in mentions}
    for k, token in enumerate(tokens):
        value = _number(token.key)
        if value is None:
            continue
        as_name = next((m for m in mentions if m.first_token == k and m.last_token == k), None)
        if as_name is None and taken[k]:
            continue  # part of a longer name ("Fahrenheit 451")
        # "the 1972 film Solaris": a year, maybe a class word, then the mention it qualifies.
        nxt = k + 1
        class_word = nxt < len(tokens) and tokens[nxt].key in class_words and nxt not in starts
        target = starts.get(nxt + class_word)
        if target is not None and (class_word or len(target.candidates) > 1):
            role, target_start = "disambiguator", target.start
        elif as_name is None or (k > 0 and tokens[k - 1].key in VALUE_CUES):
            role, target_start = "value", None
        else:
            continue  # a name such as "1984"
        if as_name is not None:
            mentions.remove(as_name)
        taken[k] = True
        found.numbers.append(FoundNumber(token.start, token.end, value, role, target_start))


def _title(text: str, tokens: list[Token], i: int, j: int) -> bool:
    """Tokens ``i:j`` set as a title: every word capitalised, not where a sentence starts, and
    several words or the last word of the question ("Who directed Her?", "Who sang Take Me Home?")."""
    if i == 0 or not all(_capitalised(text, t) and not t.key.isdigit() for t in tokens[i:j]):
        return False
    return j - i > 1 or not text[tokens[j - 1].end :].strip(" ?!.\"'”’")


def _capitalised(text: str, token: Token) -> bool:
    return text[token.start : token.start + 1].isupper() or token.key.isdigit()


def _name_word(text: str, tokens: list[Token], k: int, covered: Collection[int], vocabulary: Collection[str], side: int) -> bool:
    """True for a capitalised word right next to a span (``side`` -1: before it, +1: after it), not
    sentence-initial, that no mention explains and that is no common word ("Octavia E." of "Octavia E. Butler")."""
    if not 0 < k < len(tokens) or k in covered:
        return False
    neighbour = tokens[k - side] if 0 <= k - side < len(tokens) else None
    if neighbour is not None:
        gap = text[tokens[k].end : neighbour.start] if side == -1 else text[neighbour.end : tokens[k].start]
        if not _NAME_GAP.match(gap):
            return False  # punctuation in between ("Solaris } DROP"): another phrase
    key = tokens[k].key
    return _capitalised(text, tokens[k]) and key not in STOPWORDS and key not in vocabulary


def _partial(text: str, tokens: list[Token], mentions: list[FoundMention], vocabulary: Collection[str]) -> list[FoundMention]:
    """Mentions that continue into capitalised words no other mention explains."""
    covered = {k for m in mentions for k in range(m.first_token, m.last_token + 1)}
    return [
        m for m in mentions
        if _name_word(text, tokens, m.first_token - 1, covered, vocabulary, -1)
        or _name_word(text, tokens, m.last_token + 1, covered, vocabulary, 1)
    ]


def _fuzzy(
    index: LabelIndex,
    text: str,
    tokens: list[Token],
    taken: list[bool],
    vocabulary: Collection[str],
    have_exact: bool,
) -> list[FoundMention]:
    """Fuzzy mentions over the words no exact mention or number took."""
    quoted = [False] * len(tokens)
    for m in _QUOTES.finditer(text):
        for k, t in enumerate(tokens):
            if m.start(1) <= t.start and t.end <= m.end(1):
                quoted[k] = True

    def content(k: int) -> bool:
        key = tokens[k].key
        return not taken[k] and key not in STOPWORDS and key not in vocabulary and _number(key) is None

    def may_start(k: int) -> bool:
        word = text[tokens[k].start : tokens[k].end]
        return content(k) and (quoted[k] or word[:1].isupper() or not have_exact)

    taken_at = {k for k, t in enumerate(taken) if t}
    windows = []
    for i in range(len(tokens)):
        if not may_start(i):
            continue
        for j in range(i, min(i + _FUZZY_WINDOW, len(tokens))):
            if taken[j]:
                break
            if not content(j):
                continue
            surface = text[tokens[i].start : tokens[j].end]
            if len(surface) < 4 or _name_word(text, tokens, j + 1, taken_at, vocabulary, 1):
                continue
            if _name_word(text, tokens, i - 1, taken_at, vocabulary, -1):
                continue
            candidates = index.fuzzy(surface, limit=8, cutoff=_FUZZY_CUTOFF)
            if candidates:
                windows.append((candidates[0].score, j - i, i, j, surface, candidates))
    windows.sort(key=lambda w: (-w[0], -w[1], w[2]))
    out = []
    for _, _, i, j, surface, candidates in windows:
        if any(taken[i : j + 1]):
            continue
        taken[i : j + 1] = [True] * (j + 1 - i)
        out.append(FoundMention(tokens[i].start, tokens[j].end, surface, candidates, False, first_token=i, last_token=j))
    return out
