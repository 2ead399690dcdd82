"""Facts the training questions' answers state, for the incomplete KB.

The answers of the training questions were drawn from the full KB, so a 1-hop
training question states every target of its (topic, step), also those the half
KB lost: "who directed [Big]" -> ``directed_by(Big, Penny Marshall)``. These facts
are learned from the training split only (held-out questions and ``kb.txt`` are
never read); they go into the inferred graph, flagged like every predicted link.

(Walking multi-hop training answers back to the intermediate entities of their
paths was tried too: it added 0.5 / 1.4 points on 2 / 3 hops for a minute of
work per run, and is left out.)

Example:
    >>> training_facts([("Big", (("directed_by", False),), ("Penny Marshall",)),
    ...                 ("Tom Hanks", (("starred_actors", True),), ("Big", "Splash"))])
    [('Big', 'directed_by', 'Penny Marshall'), ('Big', 'starred_actors', 'Tom Hanks'), ('Splash', 'starred_actors', 'Tom Hanks')]
"""

from __future__ import annotations

from collections.abc import Iterable

from kgqa.bench.metaqa.supervision import Step

#: A training question reduced to what is needed here: topic, relation path, answers.
Example = tuple[str, tuple[Step, ...], tuple[str, ...]]


def training_facts(examples: Iterable[Example]) -> list[tuple[str, str, str]]:
    """The (head, relation, tail) facts 1-hop training questions state, de-duplicated, in order."""
    facts: dict[tuple[str, str, str], None] = {}
    for topic, path, answers in examples:
        if len(path) == 1:
            relation, inverse = path[0]
            for a in answers:
                facts[(a, relation, topic) if inverse else (topic, relation, a)] = None
    return list(facts)
