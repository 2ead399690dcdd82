"""Provenance in SQLite, beside the store: documents, where each triple came from, merges.

Three tables (``sqlite-utils``):

* ``documents``: one row per source (path, sha256, size, type, status, ingested_at,
  error, graph, counts). ``status`` is ``pending`` while a document is being written,
  then ``ok`` or ``failed``; a ``pending`` row found at start-up marks an interrupted
  run, which the pipeline cleans and redoes.
* ``triples``: for each triple a document stated, the document, its graph (the
  document's graph, or the candidates graph when below the confidence threshold),
  character span, location, sentence, extractor and confidence. Terms are stored in
  N-Triples syntax.
* ``merges``: each time entity resolution merged a differently spelled name into an
  existing entity (alias, IRI, score, method, document). ``undone`` merges are kept
  as decisions: that alias is never merged into that IRI again.

Example:
    >>> import tempfile, pathlib
    >>> prov = Provenance(pathlib.Path(tempfile.mkdtemp()) / "provenance.sqlite")
    >>> prov.begin("doc.md", path="doc.md", sha256="ab", fingerprint="ab", size=2, type="text", graph="urn:g")
    >>> prov.document("doc.md")["status"]
    'pending'
    >>> prov.finish("doc.md", triples=0, candidates=0)
    >>> [d["id"] for d in prov.documents(status="ok")]
    ['doc.md']
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal
from rdflib.term import Node

PROVENANCE_FILE = "provenance.sqlite"
_BATCH = 1_000


def provenance_path(engine: Any) -> Path:
    """``provenance.sqlite`` in the project directory (the engine's scratch directory when in memory)."""
    folder = engine.directory if engine.directory is not None else engine.models_dir
    return folder / PROVENANCE_FILE


def read_statements(
    path: Path, triples: Iterable[tuple[Node, Node, Node]], graphs: Iterable[str]
) -> dict[tuple[Node, Node, Node, str], dict[str, Any]]:
    """How documents stated each triple in one of ``graphs``, read from the provenance database at
    ``path`` (read-only): ``{(s, p, o, graph name): {"confidence", "extractor", "location"}}`` keyed
    by the given terms, the most confident statement per key (a document may state a triple in
    several sentences; "location" is a line, a JSON path or a character span)."""
    graph_list = list(dict.fromkeys(graphs))
    if not graph_list:
        return {}
    marks = ",".join("?" * len(graph_list))
    sql = (
        "SELECT graph, confidence, extractor, location, start, end FROM triples "
        f"WHERE subject = ? AND predicate = ? AND object = ? AND graph IN ({marks}) ORDER BY confidence DESC"
    )
    found: dict[tuple[Node, Node, Node, str], dict[str, Any]] = {}
    with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
        for s, p, o in triples:
            rows = db.execute(sql, [nt_term(s), nt_term(p), nt_term(o), *graph_list]).fetchall()
            for graph, confidence, extractor, location, start, end in rows:
                where = location or (f"chars {start}-{end}" if start is not None else None)
                found.setdefault((s, p, o, graph), {"confidence": confidence, "extractor": extractor, "location": where})
    return found


def nt_term(term: Node) -> str:
    """A term in N-Triples syntax, as the ``triples`` table stores it.

    Example:
        >>> nt_term(Literal("a\\nb")), nt_term(Literal(1961))
        ('"a\\\\nb"', '"1961"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if isinstance(term, Literal):
        # N-Triples wants \n etc. escaped inside the quotes; rdflib's n3() may use triple quotes.
        text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    return term.n3()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Provenance:
    """The provenance database of one project."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Imported here: sqlite_utils brings pandas (0.4 s), which answering a question never needs.
        import sqlite_utils

        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self._create()

    def _create(self) -> None:
        db = self.db
        if "documents" not in db.table_names():
            db["documents"].create(
                {
                    "id": str, "path": str, "sha256": str, "fingerprint": str, "size": int, "type": str,
                    "status": str, "graph": str, "title": str, "triples": int, "candidates": int,
                    "ingested_at": str, "error": str, "ontology_nt": str,
                },
                pk="id",
            )
        if "triples" not in db.table_names():
            db["triples"].create(
                {
                    "doc_id": str, "subject": str, "predicate": str, "object": str, "graph": str,
                    "asserted": int, "confidence": float, "extractor": str, "start": int, "end": int,
                    "location": str, "sentence": str,
                }
            )
            db["triples"].create_index(["doc_id"])
            db["triples"].create_index(["subject", "predicate", "object", "graph"])
        if "merges" not in db.table_names():
            db["merges"].create(
                {
                    "id": int, "alias": str, "alias_key": str, "iri": str, "score": float, "method": str,
                    "doc_id": str, "created_at": str, "undone": int,
                },
                pk="id",
            )
            db["merges"].create_index(["alias_key"])

    def close(self) -> None:
        self.db.close()

    # -- documents -------------------------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any] | None:
        rows = list(self.db["documents"].rows_where("id = ?", [doc_id]))
        return rows[0] if rows else None

    def documents(self, status: str | None = None) -> list[dict[str, Any]]:
        where, args = ("status = ?", [status]) if status else (None, [])
        return list(self.db["documents"].rows_where(where, args, order_by="path"))

    def begin(self, doc_id: str, **fields: Any) -> None:
        """Mark ``doc_id`` pending (committed at once, so a crash leaves a trace to resume from)."""
        with self.db.conn:
            self.db["documents"].upsert(
                {"id": doc_id, **fields, "status": "pending", "error": None, "ingested_at": _now()}, pk="id"
            )

    def finish(self, doc_id: str, *, triples: int, candidates: int, **fields: Any) -> None:
        with self.db.conn:
            self.db["documents"].update(
                doc_id, {"status": "ok", "triples": triples, "candidates": candidates, "ingested_at": _now(), **fields}
            )

    def fail(self, doc_id: str, error: str) -> None:
        with self.db.conn:
            self.db["documents"].update(doc_id, {"status": "failed", "error": error, "ingested_at": _now()})

    def forget(self, doc_id: str) -> None:
        """Delete a document and everything recorded about it (undone merges stay: they are decisions)."""
        with self.db.conn:
            self._clear(doc_id)
            self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])

    def clear_rows(self, doc_id: str) -> None:
        """Delete a document's triple and merge rows, keeping its document row."""
        with self.db.conn:
            self._clear(doc_id)

    def _clear(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM triples WHERE doc_id = ?", [doc_id])
        self.db.execute("DELETE FROM merges WHERE doc_id = ? AND undone = 0", [doc_id])

    # -- triples ---------------------------------------------------------------------
    def add_triples(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert triple rows in one transaction (streamed in batches); returns how many."""
        count = 0

        def counted() -> Iterator[dict[str, Any]]:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        with self.db.conn:
            self.db["triples"].insert_all(counted(), batch_size=_BATCH)
        return count

    def triples(self, doc_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        return list(self.db["triples"].rows_where("doc_id = ?", [doc_id], order_by="rowid", limit=limit))

    def orphan_candidates(self, doc_id: str, candidate_graph: str) -> list[tuple[str, str, str]]:
        """Candidate triples of ``doc_id`` that no other (ok) document states as a candidate."""
        sql = """
            SELECT DISTINCT t.subject, t.predicate, t.object FROM triples t
            WHERE t.doc_id = ? AND t.graph = ? AND NOT EXISTS (
                SELECT 1 FROM triples o JOIN documents d ON d.id = o.doc_id
                WHERE o.doc_id != t.doc_id AND d.status = 'ok' AND o.graph = t.graph
                  AND o.subject = t.subject AND o.predicate = t.predicate AND o.object = t.object)
        """
        return [tuple(r) for r in self.db.execute(sql, [doc_id, candidate_graph]).fetchall()]

    # -- merges ----------------------------------------------------------------------
    def record_merges(self, rows: Iterable[dict[str, Any]]) -> None:
        with self.db.conn:
            self.db["merges"].insert_all(({**r, "created_at": _now(), "undone": 0} for r in rows), pk="id")

    def merges(self, alias_key: str | None = None, include_undone: bool = False) -> list[dict[str, Any]]:
        clauses, args = [], []
        if alias_key is not None:
            clauses.append("alias_key = ?")
            args.append(alias_key)
        if not include_undone:
            clauses.append("undone = 0")
        return list(self.db["merges"].rows_where(" AND ".join(clauses) or None, args, order_by="id"))

    def blocked(self) -> set[tuple[str, str]]:
        """(alias key, IRI) pairs a user unmerged: never merge them again."""
        return {(r["alias_key"], r["iri"]) for r in self.db["merges"].rows_where("undone = 1")}

    def undo_merges(self, alias_key: str) -> list[dict[str, Any]]:
        """Mark the merges of ``alias_key`` undone; returns them (their documents need re-ingesting)."""
        rows = self.merges(alias_key)
        with self.db.conn:
            self.db.execute("UPDATE merges SET undone = 1 WHERE alias_key = ? AND undone = 0", [alias_key])
        return rows
