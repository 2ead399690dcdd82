"""What the training questions' answers say, for the incomplete KB.

The answers of the training questions were drawn from the full KB. Learned from
the training split only (held-out questions and ``kb.txt`` are never read):

* :func:`training_facts`: a 1-hop training question states every target of its
  (topic, step), also those the half KB lost: "who directed [Big]" ->
  ``directed_by(Big, Penny Marshall)``. They go into the inferred graph, flagged
  like every predicted link.
* :class:`AnswerPriors`: how often each entity answers the training questions of a
  relation path ("the languages of the films starring X": English in most), the
  guess when the KB says little or nothing about a topic.

* :func:`simulated_train_facts`: a what-if, not the benchmark. MetaQA made one 1-hop
  question per (entity, step) pair of the full KB, and the official train split holds
  82.8% of them (96,106 of 116,045), so it states most of the full KB in one direction
  or the other ("what did Penny Marshall direct" states ``directed_by(Big, Penny
  Marshall)``). That split is not available here; this draws, from ``kb.txt``, the
  facts such a split would state, never the scored questions' own pairs, to measure
  how much of the half-KB gap to published figures is training data.

(Walking multi-hop training answers back to the intermediate entities of their
paths was tried too: it added 0.5 / 1.4 points on 2 / 3 hops for a minute of
work per run, and is left out.)

Example:
    >>> priors = AnswerPriors.from_examples([("A", (("in_language", False),), ("English",)),
    ...                                      ("B", (("in_language", False),), ("English", "French"))])
    >>> priors.get((("in_language", False),))
    [('English', 1.0), ('French', 0.5)]
    >>> kb = [("Big", "directed_by", "Penny Marshall")]
    >>> simulated_train_facts(kb, {("Big", ("directed_by", False))}, share=1.0)  # "what did Penny Marshall direct"
    [('Big', 'directed_by', 'Penny Marshall')]
    >>> simulated_train_facts(kb, {("Big", ("directed_by", False)), ("Penny Marshall", ("directed_by", True))})
    []
    >>> training_facts([("Big", (("directed_by", False),), ("Penny Marshall",)),
    ...                 ("Tom Hanks", (("starred_actors", True),), ("Big", "Splash"))])
    [('Big', 'directed_by', 'Penny Marshall'), ('Big', 'starred_actors', 'Tom Hanks'), ('Splash', 'starred_actors', 'Tom Hanks')]
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from kgqa.bench.metaqa.supervision import Step

#: A training question reduced to what is needed here: topic, relation path, answers.
Example = tuple[str, tuple[Step, ...], tuple[str, ...]]
#: The official train split's share of MetaQA's 1-hop questions (96,106 of 116,045).
OFFICIAL_TRAIN_SHARE = 96_106 / 116_045


def training_facts(examples: Iterable[Example]) -> list[tuple[str, str, str]]:
    """The (head, relation, tail) facts 1-hop training questions state, de-duplicated, in order."""
    facts: dict[tuple[str, str, str], None] = {}
    for topic, path, answers in examples:
        if len(path) == 1:
            relation, inverse = path[0]
            for a in answers:
                facts[(a, relation, topic) if inverse else (topic, relation, a)] = None
    return list(facts)


def simulated_train_facts(
    full_kb: Sequence[tuple[str, str, str]],
    excluded: set[tuple[str, Step]],
    share: float = OFFICIAL_TRAIN_SHARE,
    seed: int = 0,
) -> list[tuple[str, str, str]]:
    """What-if: the facts stated by 1-hop questions on ``share`` of the (entity, step) pairs of
    ``full_kb``, drawn with a fixed seed among the pairs not in ``excluded`` (the scored
    questions' own pairs: MetaQA asked each pair once, so a scored question's pair is never
    in its train split). See the module doc; the benchmark's own figures never use it."""
    stated: dict[tuple[str, Step], list[tuple[str, str, str]]] = defaultdict(list)
    for h, r, t in full_kb:
        stated[(h, (r, False))].append((h, r, t))
        stated[(t, (r, True))].append((h, r, t))
    pairs = sorted(p for p in stated if p not in excluded)
    chosen = random.Random(seed).sample(pairs, min(len(pairs), round(share * len(stated))))
    return list(dict.fromkeys(f for p in sorted(chosen) for f in stated[p]))


class AnswerPriors:
    """Per relation path, the entities answering most of its training questions, with that share."""

    def __init__(self, shares: dict[tuple[Step, ...], list[tuple[str, float]]]) -> None:
        self._shares = shares

    @classmethod
    def from_examples(cls, examples: Iterable[Example], keep: int = 20) -> AnswerPriors:
        counts: dict[tuple[Step, ...], Counter[str]] = defaultdict(Counter)
        asked: Counter[tuple[Step, ...]] = Counter()
        for _, path, answers in examples:
            counts[path].update(set(answers))
            asked[path] += 1
        return cls({p: [(y, n / asked[p]) for y, n in c.most_common(keep)] for p, c in counts.items()})

    def get(self, path: Iterable[Step]) -> list[tuple[str, float]]:
        """The path's most frequent answers, most frequent first (empty for an unseen path)."""
        return list(self._shares.get(tuple(path), []))
