"""Understanding the user's reply to a clarification.

A reply may choose by index ("2", "the second one", "the latter"), by label
("Solaris (1972)", "Dune: Part One"), or by a distinguishing trait ("the 1972 one",
"Tarkovsky's", "the novel", "the older one", "the one from the 70s"). It may also
be vague ("the film" when two options are films: both stay in play), reject every
option ("neither"), or say nothing usable ("not sure").

Words are matched token by token (with a little fuzziness for misspelt names);
a word that every option shares says nothing and is ignored.

Example:
    >>> from kgqa.dialogue.clarify import Clarification, Option
    >>> c = Clarification("entity", "Which Solaris?", "Who directed Solaris?", [
    ...     Option(1, "s72", "Solaris", "the 1972 film directed by Andrei Tarkovsky", 0,
    ...            ("Solaris", "film", "movie", "1972", "Andrei Tarkovsky")),
    ...     Option(2, "s02", "Solaris", "the 2002 film directed by Steven Soderbergh", 1,
    ...            ("Solaris", "film", "movie", "2002", "Steven Soderbergh"))])
    >>> resolve_reply("the 1972 one", c).chosen, resolve_reply("Soderbergh's", c).chosen
    ((1,), (2,))
    >>> resolve_reply("the second", c), resolve_reply("the movie", c).chosen
    (Resolution(chosen=(2,), how='index'), (1, 2))
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from kgqa.dialogue.clarify import Clarification, Option
from kgqa.errors import KgqaError
from kgqa.linking.labels import fold


class ReplyError(KgqaError):
    """A reply that cannot apply to the pending clarification (e.g. option 5 of 3)."""


@dataclass(frozen=True)
class Resolution:
    """The options a reply leaves in play (1-based numbers) and how they were found.

    ``how`` is ``index``, ``label`` (names and traits), ``year`` (older / newer /
    decade), ``rejected`` (none of them) or ``unclear`` (every option stays).
    """

    chosen: tuple[int, ...]
    how: str

    @property
    def resolved(self) -> bool:
        return len(self.chosen) == 1


_ORDINALS = {"first": 1, "1st": 1, "former": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_INDEX = re.compile(
    r"^(?:(?:i mean|i meant|the|option|number|no|choice|#)\s*)*"
    r"(?P<n>\d|first|1st|second|2nd|third|3rd|fourth|4th|last|former|latter)(?:\s+(?:one|option|choice))?(?:\s+please)?$"
)
_REJECT = re.compile(r"^(?:neither|none|no|nope|something else|none of (?:them|these|those|the above)|other)(?: one)?$")
_OLDER = {"older", "oldest", "earlier", "earliest", "original", "old"}
_NEWER = {"newer", "newest", "recent", "latest", "later", "new", "remake", "modern"}
_DECADE = re.compile(r"^(?:(\d\d)|')?(\d)0'?s$")
_STOP = {
    "the", "a", "an", "one", "ones", "i", "mean", "meant", "by", "from", "in", "of", "that", "this", "with",
    "which", "please", "it", "is", "was", "its", "about", "and", "or", "on", "to", "me", "my", "you", "want",
    "know", "like", "would", "what", "who", "whose", "where", "when", "how", "did", "do", "does", "for", "s",
    "thing", "want", "talking", "asking", "actually", "sorry", "yes", "oh", "well", "just",
}


def _tokens(text: str) -> list[str]:
    return [t[:-2] if t.endswith("'s") else t for t in fold(text).replace("’", "'").split()]


def _content(text: str) -> list[str]:
    return [t for t in _tokens(text) if t not in _STOP]


def _matches(token: str, vocabulary: set[str]) -> bool:
    if token in vocabulary:
        return True
    return len(token) >= 5 and any(len(v) >= 5 and fuzz.ratio(token, v) >= 85 for v in vocabulary)


def _contains(text: str, phrase: list[str]) -> bool:
    return bool(phrase) and f" {' '.join(phrase)} " in f" {text} "


def _index(n: str, count: int) -> int:
    if n.isdigit():
        return int(n)
    return count if n in ("last", "latter") else _ORDINALS[n]


def _years(option: Option) -> list[int]:
    return [int(w) for w in option.words if re.fullmatch(r"\d{4}", w)]


def _by_year(tokens: list[str], options: list[Option]) -> list[Option]:
    dated = [(min(_years(o)), o) for o in options if _years(o)]
    if len(dated) < 2:
        return []
    for t in tokens:
        decade = _DECADE.match(t)
        if decade:
            century = int(decade.group(1)) if decade.group(1) else None
            hits = [o for y, o in dated if (y // 10) % 10 == int(decade.group(2)) and (century is None or y // 100 == century)]
            if hits:
                return hits
        if t in _OLDER or t in _NEWER:
            pick = min(y for y, _ in dated) if t in _OLDER else max(y for y, _ in dated)
            return [o for y, o in dated if y == pick]
    return []


def resolve_reply(reply: str | int, clarification: Clarification) -> Resolution:
    """Which of ``clarification``'s options ``reply`` picks (see the module docstring)."""
    options = clarification.options
    count = len(options)
    if isinstance(reply, int) or (isinstance(reply, str) and reply.strip().isdigit() and len(reply.strip()) <= 2):
        number = int(reply)
        if not 1 <= number <= count:
            raise ReplyError(f"there is no option {number}; choose 1 to {count}")
        return Resolution((number,), "index")
    text = " ".join(_tokens(reply))
    index = _INDEX.match(text)
    if index:
        number = _index(index.group("n"), count)
        if not 1 <= number <= count:
            raise ReplyError(f"there is no option {number}; choose 1 to {count}")
        return Resolution((number,), "index")
    if _REJECT.match(text):
        return Resolution((), "rejected")
    # A whole multi-word name ("Dune: Part One") outranks the words it shares with others.
    longest = [max((len(p) for p in map(_tokens, (o.label, *o.words)) if _contains(text, p)), default=0) for o in options]
    named = [o for o, n in zip(options, longest) if n >= 2 and n == max(longest)]
    if named and len(named) < count:
        return Resolution(tuple(o.number for o in named), "label")
    tokens = _content(reply)
    vocabularies = [{t for phrase in (o.label, o.description, *o.words) for t in _content(phrase)} for o in options]
    hits = [[t for t in tokens if _matches(t, vocab)] for vocab in vocabularies]
    # A word every option shares tells them apart no better than silence.
    df = Counter(t for h in hits for t in set(h))
    scores = [sum(math.log((count + 1) / df[t]) for t in sorted(set(h)) if df[t] < count) for h in hits]
    best = max(scores) if scores else 0.0
    chosen = [o for o, s in zip(options, scores) if best > 0 and s == best]
    dated = _by_year(tokens, chosen or options)
    if dated and (not chosen or len(dated) < len(chosen)):
        return Resolution(tuple(o.number for o in dated), "year")
    ordinal = next((t for t in _tokens(reply) if t in _ORDINALS or t in ("last", "latter")), None)
    if len(chosen) > 1 and ordinal:
        number = _index(ordinal, len(chosen))
        if 1 <= number <= len(chosen):
            return Resolution((chosen[number - 1].number,), "index")
    if chosen:
        return Resolution(tuple(o.number for o in chosen), "label")
    if ordinal:
        number = _index(ordinal, count)
        if 1 <= number <= count:
            return Resolution((number,), "index")
    return Resolution(tuple(o.number for o in options), "unclear")
