"""MetaQA (vanilla): the WikiMovies knowledge base and its 1-, 2- and 3-hop questions.

The layout (see ``../shared/metaqa/README.md``) is::

    kb.txt            head|relation|tail, one triple a line (9 relations)
    kb_half.txt       half of kb.txt's lines, for the incomplete-KB setting
    entities.txt      every entity name, one a line
    N-hop/qa_<split>.txt   question with [topic entity]<TAB>answer1|answer2|...

Entities are plain names (``Tom Hanks``, ``1999``, ``bd-r``). :class:`EntityNames`
gives each name one IRI (injective: names whose slugs collide, e.g. ``Tom Hanks``
and the tag ``tom hanks``, get a short hash suffix), and :func:`kb_to_ntriples`
writes a KB as RDF: the triples over the ``mv:`` properties of
``ontologies/movies.ttl``, an ``rdfs:label`` (the exact name) for every entity
and an ``rdf:type`` taken from the relations the entity takes part in.

Public objects: :data:`RELATIONS`, :class:`Question`, :class:`EntityNames`,
:func:`read_kb`, :func:`read_questions`, :func:`read_split`, :func:`read_entities`,
:func:`heldout`, :func:`kb_to_ntriples`, :func:`default_root`, :class:`MetaQAError`.

Example:
    >>> q = parse_question_line("what movies did [Tom Hanks] act in\\tBig|Cast Away", hops=1)
    >>> q.topic, q.answers, q.masked(), q.plain()
    ('Tom Hanks', ('Big', 'Cast Away'), 'what movies did NE act in', 'what movies did Tom Hanks act in')
    >>> names = EntityNames(["Tom Hanks", "tom hanks", "Big"])
    >>> str(names.iri("Big"))
    'https://w3id.org/kgqa/resource/Big'
    >>> names.iri("Tom Hanks") != names.iri("tom hanks")
    True
    >>> names.name(names.iri("tom hanks"))
    'tom hanks'
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Literal, Namespace, URIRef

from kgqa.datasets import shared_dir
from kgqa.errors import KgqaError
from kgqa.namespaces import entity_iri, slug

MV = Namespace("https://w3id.org/kgqa/movies#")

#: MetaQA relation -> (ontology property, class of the tail). Heads are always movies.
RELATIONS: dict[str, tuple[URIRef, URIRef]] = {
    "directed_by": (MV.directedBy, MV.Person),
    "written_by": (MV.writtenBy, MV.Person),
    "starred_actors": (MV.starredActors, MV.Person),
    "release_year": (MV.releaseYear, MV.Year),
    "in_language": (MV.inLanguage, MV.Language),
    "has_genre": (MV.hasGenre, MV.Genre),
    "has_tags": (MV.hasTags, MV.Tag),
    "has_imdb_rating": (MV.hasImdbRating, MV.Rating),
    "has_imdb_votes": (MV.hasImdbVotes, MV.Votes),
}
PROPERTY_RELATION: dict[URIRef, str] = {prop: rel for rel, (prop, _) in RELATIONS.items()}
MASK = "NE"
_TOPIC = re.compile(r"\[([^\]]+)\]")

Triple = tuple[str, str, str]


class MetaQAError(KgqaError):
    """A MetaQA file that is missing or has a malformed line."""


@dataclass(frozen=True)
class Question:
    """One MetaQA question: its text with the ``[topic]`` in brackets, and the answer names."""

    text: str
    topic: str
    answers: tuple[str, ...]
    hops: int

    def masked(self, mask: str = MASK) -> str:
        """The question with the topic replaced by ``mask`` (what the translator reads)."""
        return _TOPIC.sub(mask, self.text, count=1)

    def plain(self) -> str:
        """The question as a user would type it: brackets removed."""
        return _TOPIC.sub(r"\1", self.text, count=1)

    def key(self) -> str:
        """The line as in the file, used for the stable train / held-out split."""
        return f"{self.text}\t{'|'.join(self.answers)}"


def default_root() -> Path:
    """Where MetaQA is read without ``--data`` (see :func:`kgqa.datasets.shared_dir`)."""
    return shared_dir("metaqa")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        raise MetaQAError(f"{path}: no such file")
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if line.strip():
                yield number, line


def read_kb(path: str | Path) -> list[Triple]:
    """The ``head|relation|tail`` triples of a KB file, de-duplicated, in file order."""
    path = Path(path)
    triples: dict[Triple, None] = {}
    for number, line in _lines(path):
        parts = line.split("|")
        if len(parts) != 3 or not all(parts):
            raise MetaQAError(f"{path}:{number}: expected head|relation|tail, got {line[:80]!r}")
        if parts[1] not in RELATIONS:
            raise MetaQAError(f"{path}:{number}: unknown relation {parts[1]!r}; expected one of {', '.join(RELATIONS)}")
        triples[(parts[0], parts[1], parts[2])] = None
    return list(triples)


def read_entities(path: str | Path) -> list[str]:
    """Entity names, one a line."""
    return [line for _, line in _lines(Path(path))]


def parse_question_line(line: str, hops: int, where: str = "<text>") -> Question:
    """One ``question with [topic]<TAB>a1|a2`` line."""
    text, tab, answers = line.partition("\t")
    match = _TOPIC.search(text)
    if not tab or match is None or not answers:
        raise MetaQAError(f"{where}: expected 'question with [topic]<TAB>answer|answer', got {line[:80]!r}")
    return Question(text, match.group(1), tuple(answers.split("|")), hops)


def read_questions(path: str | Path, hops: int) -> list[Question]:
    """The questions of one ``qa_<split>.txt`` file."""
    path = Path(path)
    return [parse_question_line(line, hops, f"{path}:{number}") for number, line in _lines(path)]


def read_split(root: str | Path, split: str, hops: Iterable[int] = (1, 2, 3)) -> dict[int, list[Question]]:
    """``{hops: questions}`` from ``root/N-hop/qa_<split>.txt``."""
    root = Path(root)
    return {h: read_questions(root / f"{h}-hop" / f"qa_{split}.txt", h) for h in hops}


def heldout(question: Question) -> bool:
    """True for the fixed 20% kept for evaluation (sha1 of the line, modulo 5)."""
    return int(hashlib.sha1(question.key().encode("utf-8")).hexdigest(), 16) % 5 == 0


class EntityNames:
    """An injective map between MetaQA names and entity IRIs.

    A name keeps the plain :func:`~kgqa.namespaces.entity_iri` unless another name of
    the same collection has the same slug; then every name of that group gets a
    suffix from the sha1 of its exact text, so the IRI depends only on the name and
    on which names collide in the collection (use the same collection, e.g.
    ``entities.txt``, for the full and the half KB).
    """

    def __init__(self, names: Iterable[str]) -> None:
        groups: dict[str, list[str]] = defaultdict(list)
        for name in dict.fromkeys(names):
            groups[slug(name)].append(name)
        self._iri: dict[str, URIRef] = {}
        for members in groups.values():
            for name in members:
                tag = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8] if len(members) > 1 else None
                self._iri[name] = entity_iri(name, tag)
        self._name = {iri: name for name, iri in self._iri.items()}
        if len(self._name) != len(self._iri):
            raise MetaQAError("entity names do not map to distinct IRIs")

    def __len__(self) -> int:
        return len(self._iri)

    def __contains__(self, name: object) -> bool:
        return name in self._iri

    def iri(self, name: str) -> URIRef:
        """The IRI of a name (:class:`MetaQAError` for a name outside the collection)."""
        try:
            return self._iri[name]
        except KeyError:
            raise MetaQAError(f"unknown MetaQA entity {name!r}") from None

    def name(self, iri: URIRef) -> str | None:
        """The name of an IRI, ``None`` when it is not a MetaQA entity."""
        return self._name.get(iri)

    def names(self) -> list[str]:
        return list(self._iri)


def _nt(term: URIRef | Literal) -> str:
    return term.n3()


def kb_to_ntriples(triples: Iterable[Triple], names: EntityNames, out: str | Path) -> int:
    """Write a KB as N-Triples: facts, a label for every name, a type per role; returns lines written."""
    lines: list[str] = []
    types: set[tuple[str, URIRef]] = set()
    for head, relation, tail in triples:
        prop, tail_class = RELATIONS[relation]
        lines.append(f"{_nt(names.iri(head))} {_nt(prop)} {_nt(names.iri(tail))} .")
        types.add((head, MV.Movie))
        types.add((tail, tail_class))
    for name, cls in sorted(types):
        lines.append(f"{_nt(names.iri(name))} {_nt(RDF.type)} {_nt(cls)} .")
    for name in names.names():
        lines.append(f"{_nt(names.iri(name))} {_nt(RDFS.label)} {_nt(Literal(name))} .")
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)
