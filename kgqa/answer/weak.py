"""Weak labels from question-answer pairs: the paths of the graph that give the answers.

A user's FAQ, a log of questions with the answers people accepted, or corrections
(:mod:`kgqa.answer.feedback`) give no query structures, only answers. For each pair
:func:`weak_labels` links the question as ``ask`` does, walks every path of up to
``max_hops`` hops from the first named entity's best candidates (both directions,
the ontology's properties, asserted graphs only) and scores each path by the F1 of
the entities or values it reaches against the given answers (entities match by
any of their labels, case and accents folded). The paths with the best F1 (at
least :data:`MIN_F1`; ties kept, up to :data:`TIES`, as a distribution the
translator spreads its probability over) become training pairs
``(masked question, structure)``, learnt together with the synthesized questions.

Yes/no and "how many" pairs are not labelled (an answer "3" or "yes" names no path).

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> _ = engine.load([bundled_ontology("scifi.ttl").parents[1] / "data/sample/graph.ttl"])
    >>> labels, missed = weak_labels(engine, [("Who penned Solaris?", ["Stanisław Lem"])])
    >>> [(l.masked, l.structure.signature().rsplit("#", 1)[-1], l.f1) for l in labels]
    [('Who penned X?', 'author', 1.0)]
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from kgqa.answer.ask import masked_question
from kgqa.answer.context import qa_context
from kgqa.errors import KgqaError
from kgqa.linking.labels import LabelIndex, fold
from kgqa.namespaces import NON_ASSERTED_GRAPHS
from kgqa.ontology import Ontology
from kgqa.sparql.build import graph_not_in, values_clause
from kgqa.translate.structure import Hop, QueryStructure

#: A path must reach the answers at least this well to teach anything.
MIN_F1 = 0.5
#: Tied best paths kept per question.
TIES = 3
#: Candidates of the named entity searched from.
CANDIDATES = 3
#: Entities expanded per hop; a path through more is not followed further.
MAX_NODES = 2000


class QAPairsError(KgqaError):
    """A question-answer file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class WeakLabel:
    """A question, as the translator reads it, and a structure whose answers match the given ones."""

    question: str
    masked: str
    structure: QueryStructure
    f1: float


def read_qa(path: str | Path) -> list[tuple[str, list[str]]]:
    """``question<TAB>answer1|answer2`` lines (``#`` comments and blank lines skipped).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "qa.tsv"
        >>> _ = f.write_text("Who wrote Dune?\\tFrank Herbert\\nno answer here\\n", encoding="utf-8")
        >>> read_qa(f)
        Traceback (most recent call last):
        ...
        kgqa.answer.weak.QAPairsError: ...qa.tsv:2: expected 'question<TAB>answer1|answer2'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise QAPairsError(f"{path}: {exc}") from None
    pairs = []
    for n, row in enumerate(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        answers = [a.strip() for a in row[1].split("|")] if len(row) >= 2 else []
        if len(row) < 2 or not row[0].strip() or not any(answers):
            raise QAPairsError(f"{path}:{n}: expected 'question<TAB>answer1|answer2'")
        pairs.append((row[0].strip(), [a for a in answers if a]))
    return pairs


def weak_labels(
    engine: Any, pairs: Iterable[tuple[str, list[str]]], *, max_hops: int = 3
) -> tuple[list[WeakLabel], list[str]]:
    """The weak labels of ``pairs`` (see the module docs), and the questions no path answers."""
    ctx = qa_context(engine)
    index = ctx.linker.index
    labels: list[WeakLabel] = []
    missed: list[str] = []
    for question, answers in pairs:
        found = ctx.linker.detect(question)
        mention = next((m for m in found.mentions if m.candidates), None)
        gold = {fold(a) for a in answers}
        if mention is None or not gold:
            missed.append(question)
            continue
        scored: dict[QueryStructure, float] = {}
        for candidate in sorted(mention.candidates, key=lambda c: -c.score)[:CANDIDATES]:
            for hops, ends in paths(engine, engine.ontology, candidate.iri, max_hops):
                f1 = _f1(ends - {candidate.iri}, gold, index)
                structure = QueryStructure(hops)
                scored[structure] = max(f1, scored.get(structure, 0.0))
        best = max(scored.values(), default=0.0)
        if best < MIN_F1:
            missed.append(question)
            continue
        masked = masked_question(found)
        # Ties of the shortest length only: a longer path that reaches the same answers goes there and
        # back ("author, works, author"); it explains nothing the short one does not.
        tied = [s for s, f in scored.items() if f >= best - 1e-9]
        shortest = min(len(s.hops) for s in tied)
        tied = [s for s in tied if len(s.hops) == shortest][:TIES]
        labels += [WeakLabel(question, masked, s, round(best, 4)) for s in tied]
    return labels, missed


def paths(engine: Any, ontology: Ontology, topic: URIRef, max_hops: int) -> Iterator[tuple[tuple[Hop, ...], set[Node]]]:
    """Every path of 1 to ``max_hops`` hops from ``topic`` over asserted facts, with the set it reaches."""
    frontier: dict[tuple[Hop, ...], set[Node]] = {(): {topic}}
    for _ in range(max_hops):
        nodes = {n for ends in frontier.values() if len(ends) <= MAX_NODES for n in ends if isinstance(n, URIRef)}
        steps = _steps(engine, ontology, nodes)
        grown: dict[tuple[Hop, ...], set[Node]] = {}
        for path, ends in frontier.items():
            if len(ends) > MAX_NODES:
                continue
            reached: dict[Hop, set[Node]] = defaultdict(set)
            for node in ends:
                for hop, end in steps.get(node, ()):
                    reached[hop].add(end)
            for hop, new_ends in reached.items():
                grown[(*path, hop)] = new_ends
        yield from grown.items()
        frontier = grown


def _steps(engine: Any, ontology: Ontology, nodes: set[Node]) -> dict[Node, list[tuple[Hop, Node]]]:
    """Each node's one-hop neighbours along the ontology's properties, both directions."""
    if not nodes:
        return {}
    outside = graph_not_in("g", NON_ASSERTED_GRAPHS)
    query = (f"SELECT ?n ?p ?m ?back WHERE {{ {values_clause('n', sorted(nodes))} "
             f"{{ GRAPH ?g {{ ?n ?p ?m }} BIND(false AS ?back) }} UNION {{ GRAPH ?g {{ ?m ?p ?n }} BIND(true AS ?back) }} "
             f"{outside} }}")
    out: dict[Node, list[tuple[Hop, Node]]] = defaultdict(list)
    for n, p, m, back in engine.sparql(query, limit=None).rows:
        if p in ontology.properties:
            out[n].append((Hop(p, bool(back.toPython())), m))
    for node in out:
        out[node] = list(dict.fromkeys(out[node]))
    return out


def _names(end: Node, index: LabelIndex) -> set[str]:
    """Every way a given answer may name ``end``: an entity's labels, a value's text (a date's year too)."""
    if isinstance(end, URIRef):
        return {fold(n) for n in index.labels(end)}
    text = str(end)
    return {fold(text), text[:4]} if len(text) > 4 and text[:4].isdigit() and text[4] == "-" else {fold(text)}


def _f1(ends: set[Node], gold: set[str], index: LabelIndex) -> float:
    """F1 of the entities or values a path reaches against the given answers (folded names)."""
    if not ends:
        return 0.0
    hits = [_names(end, index) & gold for end in ends]
    right = sum(1 for h in hits if h)
    if not right:
        return 0.0
    precision, recall = right / len(ends), len(set().union(*hits)) / len(gold)
    return 2 * precision * recall / (precision + recall)


@dataclass
class Learned:
    """What a training learns beyond the synthesized questions: weak labels and where they came from."""

    labels: list[WeakLabel]
    missed: list[str]
    pairs: int
    corrections: int

    @property
    def examples(self) -> list[tuple[str, QueryStructure]]:
        """The labels as the translator's training pairs."""
        return [(label.masked, label.structure) for label in self.labels]


def learned(engine: Any, qa: str | Path | None = None, *, corrections: bool = True) -> Learned:
    """The weak labels of a ``--qa`` file and of the project's pending corrections (latest first wins)."""
    from kgqa.answer.feedback import FeedbackStore, feedback_path

    pairs = read_qa(qa) if qa is not None else []
    fixed = FeedbackStore(feedback_path(engine)).pending() if corrections else []
    by_question = dict(pairs) | dict(fixed)  # a correction overrides the file's answer to the same question
    labels, missed = weak_labels(engine, by_question.items()) if by_question else ([], [])
    return Learned(labels, missed, len(pairs), len(fixed))


__all__ = ["Learned", "QAPairsError", "WeakLabel", "learned", "paths", "read_qa", "weak_labels"]
