"""How documents stated a fact: the sentence, the span to highlight, extractor, confidence.

Ingestion records, for each statement, the sentence and the character span in the
document's extracted text from the first mention to the last (``ingest/provenance.py``)
but not where the sentence starts. :func:`sentence_span` finds it again: every
statement read from one sentence shares the sentence's offset, which must put all
their spans inside the sentence and, read right, makes each span start and end on
word boundaries. The page then shows the sentence with the mention highlighted.

The provenance database is opened read-only: a web request never writes it, and a
running ingest keeps its lock.

Example:
    >>> sentence = "Solaris is a science fiction novel by the Polish author Stanislaw Lem."
    >>> a, b = sentence_span(sentence, (9, 78), [(9, 78), (51, 78)])
    >>> sentence[a:b]
    'Solaris is a science fiction novel by the Polish author Stanislaw Lem'
    >>> a, b = sentence_span(sentence, (51, 78), [(9, 78), (51, 78)])
    >>> sentence[a:b]
    'Polish author Stanislaw Lem'
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any

from rdflib import URIRef
from rdflib.util import from_n3

if TYPE_CHECKING:
    from kgqa.engine import Engine

#: Statements read per entity.
MAX_STATEMENTS = 500


@contextmanager
def read_only_provenance(engine: Engine) -> Iterator[sqlite3.Connection | None]:
    """The project's provenance database, read-only (``None`` when nothing was ingested)."""
    from ingest.provenance import provenance_path

    path = provenance_path(engine)
    if not path.is_file():
        yield None
        return
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        yield db


def _boundary(text: str, i: int) -> bool:
    """True when ``i`` is where a word starts or ends (or the text does)."""
    return i <= 0 or i >= len(text) or text[i - 1].isalnum() != text[i].isalnum()


def sentence_span(sentence: str, span: tuple[int, int], siblings: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where ``span`` (document offsets) lies in ``sentence``, given the spans of every statement
    read from that sentence (``siblings``, ``span`` among them); ``None`` when it cannot be told."""
    first = min(s for s, _ in siblings)
    last = max(e for _, e in siblings)
    best: tuple[int, int] | None = None
    fits = 0
    for offset in range(max(last - len(sentence), 0), first + 1):
        score = sum(_boundary(sentence, s - offset) + _boundary(sentence, e - offset) for s, e in siblings)
        if score > fits:
            best, fits = (span[0] - offset, span[1] - offset), score
        elif score == fits:
            best = None  # two readings fit as well: do not guess
    return best if best is not None and fits == 2 * len(siblings) else None


def _object_key(term: str) -> str:
    """An N-Triples object as the string ``Fact.to_dict`` and the entity page use for it."""
    return str(from_n3(term)) if term.startswith('"') else term[1:-1]


def statements_about(engine: Engine, entity: URIRef) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """The statements of ingested documents whose subject or object is ``entity``, keyed by
    ``(subject, predicate, object)`` as strings, most confident first."""
    nt = entity.n3()
    return _statements(engine, "(t.subject = ? OR t.object = ?)", [nt, nt])


def statements_of(engine: Engine, subject: str, predicate: str, obj: str) -> list[dict[str, Any]]:
    """The statements of one fact (the object as its IRI or its literal's text)."""
    found = _statements(engine, "t.subject = ? AND t.predicate = ?", [URIRef(subject).n3(), URIRef(predicate).n3()])
    return found.get((subject, predicate, obj), [])


def _statements(engine: Engine, where: str, args: list[str]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    found: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    with read_only_provenance(engine) as db:
        if db is None:
            return found
        rows = db.execute(
            "SELECT t.doc_id, d.path, d.title, t.subject, t.predicate, t.object, t.graph, t.confidence, t.extractor, "
            f"t.start, t.end, t.location, t.sentence FROM triples t LEFT JOIN documents d ON d.id = t.doc_id WHERE {where} "
            f"ORDER BY t.confidence DESC LIMIT {MAX_STATEMENTS}",
            args,
        ).fetchall()
        siblings: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for doc, path, title, s, p, o, graph, confidence, extractor, start, end, location, sentence in rows:
            highlight = None
            if sentence and start is not None and end is not None:
                if (doc, sentence) not in siblings:
                    siblings[(doc, sentence)] = db.execute(
                        "SELECT start, end FROM triples WHERE doc_id = ? AND sentence = ? AND start IS NOT NULL",
                        [doc, sentence],
                    ).fetchall()
                highlight = sentence_span(sentence, (start, end), siblings[(doc, sentence)])
            found[(s[1:-1], p[1:-1], _object_key(o))].append({
                "document": path or doc, "title": title, "graph": graph, "confidence": confidence,
                "extractor": extractor, "location": location or (f"chars {start}-{end}" if start is not None else None),
                "sentence": sentence, "highlight": list(highlight) if highlight else None,
            })
    return found
