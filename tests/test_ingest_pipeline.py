"""Safety of data: re-ingest, changes, removal, interrupted runs that resume, folder walking, the CLI.

These use RDF and tables (no language model), so they run fast; text extraction is
tested in test_ingest_extract.py.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import RDF, Literal
from typer.testing import CliRunner

from kgqa import Engine
from kgqa.cli import build_app
from kgqa.namespaces import SF, document_graph
from kgqa.ontology import bundled_ontology

from ingest.model import EntityRef, RecordsContent, Statement
from ingest.pipeline import ingest_paths, open_provenance
from ingest.readers import READERS, ReadContext, Reader, register_reader
from test_ingest_support import SAMPLE, ask, engine  # noqa: F401 (a fixture)

BOOKS_MAPPING = 'files = ["*.csv"]\n[subject]\ncolumn = "title"\nclass = "book"\n[columns]\nauthor = "author"\nyear = "publicationYear"\n'


def write_books(folder: Path, name: str, rows: list[tuple[str, str, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mappings").mkdir(exist_ok=True)
    (folder / "mappings" / "books.toml").write_text(BOOKS_MAPPING, encoding="utf-8")
    path = folder / name
    path.write_text("title,author,year\n" + "".join(f"{t},{a},{y}\n" for t, a, y in rows), encoding="utf-8")
    return path


def test_reingest_is_a_no_op_and_a_changed_file_replaces_its_facts(engine: Engine, tmp_path: Path) -> None:
    table = write_books(tmp_path / "data", "books.csv", [("Solaris", "Stanisław Lem", 1961), ("Dune", "Frank Herbert", 1965)])
    first = ingest_paths(engine, [tmp_path / "data"])
    assert first.counts() == {"ok": 1, "skipped": 0, "failed": 0}
    size = engine.store.count()
    again = ingest_paths(engine, [tmp_path / "data"])
    assert [(i.status, i.reason) for i in again.items] == [("skipped", "unchanged")]
    assert engine.store.count() == size

    write_books(tmp_path / "data", "books.csv", [("Solaris", "Stanisław Lem", 1961), ("Ubik", "Philip K. Dick", 1969)])
    changed = ingest_paths(engine, [tmp_path / "data"])
    assert changed.counts()["ok"] == 1
    assert ask(engine, "res:Ubik sf:author res:Philip_K_Dick")
    assert not ask(engine, "res:Dune ?p ?o")  # the old version's facts are gone
    assert not ask(engine, "res:Frank_Herbert ?p ?o")
    prov = open_provenance(engine)
    rows = prov.triples(str(table.resolve()))
    prov.close()
    assert len(rows) == 6 and {r["location"] for r in rows} == {"line 2", "line 3"}
    # a changed mapping counts as a change too
    (tmp_path / "data" / "mappings" / "books.toml").write_text(BOOKS_MAPPING.replace('year = "publicationYear"\n', ""))
    assert ingest_paths(engine, [tmp_path / "data"]).counts()["ok"] == 1
    assert not ask(engine, "res:Ubik sf:publicationYear ?y")


def test_remove_keeps_entities_other_documents_use(engine: Engine, tmp_path: Path) -> None:
    a = write_books(tmp_path / "data", "a.csv", [("Solaris", "Stanisław Lem", 1961)])
    write_books(tmp_path / "data", "b.csv", [("The Cyberiad", "Stanisław Lem", 1965)])
    assert ingest_paths(engine, [tmp_path / "data"]).counts()["ok"] == 2
    report = engine.remove(a)
    assert report.triples == 3
    assert not ask(engine, "res:Solaris ?p ?o")
    assert ask(engine, "res:The_Cyberiad sf:author res:Stanis_aw_Lem")
    assert ask(engine, "res:Stanis_aw_Lem a sf:Person ; rdfs:label 'Stanisław Lem'@en")
    assert document_graph(str(a.resolve())) not in engine.store.graphs()
    prov = open_provenance(engine)
    assert prov.document(str(a.resolve())) is None and prov.triples(str(a.resolve())) == []
    prov.close()
    with pytest.raises(Exception, match="not an ingested document"):
        engine.remove(a)


def test_folders_honour_kgqaignore_and_exclude(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write_books(folder, "books.csv", [("Solaris", "Stanisław Lem", 1961)])
    (folder / "notes").mkdir()
    (folder / "notes" / "a.ttl").write_text('<http://ex.org/a> <http://ex.org/p> "a" .\n')
    (folder / "drafts").mkdir()
    (folder / "drafts" / "b.ttl").write_text('<http://ex.org/b> <http://ex.org/p> "b" .\n')
    (folder / ".hidden.ttl").write_text('<http://ex.org/h> <http://ex.org/p> "h" .\n')
    (folder / ".kgqaignore").write_text("# not facts\ndrafts/\n")
    (folder / "picture.png").write_bytes(b"\x89PNG")
    summary = ingest_paths(engine, [folder], exclude=["*.csv"])
    seen = {Path(i.path).name: (i.status, i.reason) for i in summary.items}
    assert seen == {"a.ttl": ("ok", ""), "picture.png": ("skipped", "no reader for .png")}


def test_the_sample_folder_without_its_texts(engine: Engine) -> None:
    """`kgqa ingest data/sample` walks RDF and tables (mappings found); its .kgqaignore leaves out the gold files."""
    summary = ingest_paths(engine, [SAMPLE], exclude=["docs/*"])
    by_name = {Path(i.path).name: i for i in summary.items}
    assert by_name["graph.ttl"].status == "ok" and by_name["graph.ttl"].triples > 1000
    assert by_name["books.csv"].status == "ok" and by_name["films.json"].status == "ok"
    assert not {"triples.tsv", "questions.tsv", "README.md", "demo_questions.txt"} & set(by_name)
    assert summary.ok
    # tables and the reference graph agree on IRIs: the films resolve to the same entities
    assert ask(engine, "res:Solaris_1972 sf:director res:Andrei_Tarkovsky ; sf:basedOn res:Solaris")


# -- interruption ----------------------------------------------------------------------------------
class Interrupted(BaseException):
    """Stands for Ctrl-C arriving in the middle of a document."""


def test_an_interrupted_ingest_resumes(engine: Engine, tmp_path: Path) -> None:
    """A reader that stops half-way (like Ctrl-C would) leaves a pending document; the next run redoes it."""
    state = {"interrupt": True}

    @register_reader("flaky")
    class Flaky(Reader):
        extensions = (".flaky",)

        def read(self, path: Path, context: ReadContext) -> RecordsContent:
            def statements():
                for i in range(200):
                    if i == 150 and state["interrupt"]:
                        raise Interrupted()
                    yield Statement(EntityRef(f"Book {i}", (SF.Book,)), SF.publicationYear, Literal(1900 + i), 1.0, "flaky")

            return RecordsContent(statements())

    try:
        folder = tmp_path / "data"
        write_books(folder, "a.csv", [("Solaris", "Stanisław Lem", 1961)])
        (folder / "z.flaky").write_text("anything")
        with pytest.raises(Interrupted):
            ingest_paths(engine, [folder])
        prov = open_provenance(engine)
        flaky_id = str((folder / "z.flaky").resolve())
        assert prov.document(flaky_id)["status"] == "pending"
        assert prov.triples(flaky_id) == []  # the provenance transaction never committed
        prov.close()
        assert document_graph(flaky_id) not in engine.store.graphs()

        state["interrupt"] = False
        summary = ingest_paths(engine, [folder])
        assert [(Path(i.path).name, i.status, i.reason) for i in summary.items] == [
            ("a.csv", "skipped", "unchanged"), ("z.flaky", "ok", ""),
        ]
        assert summary.items[1].triples == 200
        assert engine.store.count(document_graph(flaky_id)) == 3 + 200 * 3  # header, and per book: fact, label, type
    finally:
        READERS._items.pop("flaky")


_KILLED_RUN = """
import sys
from kgqa import Engine
engine = Engine.open(sys.argv[1])
engine.ingest([sys.argv[2]])
"""


@pytest.mark.slow
def test_a_killed_ingest_resumes(tmp_path: Path) -> None:
    """SIGKILL in the middle of a big table: the next run cleans its partial graph and redoes it."""
    project = tmp_path / ".kgqa"
    Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")]).close()
    folder = tmp_path / "data"
    write_books(folder, "a_small.csv", [("Solaris", "Stanisław Lem", 1961)])
    authors = 500
    rows = [(f"Book number {i}", f"Author {i % authors}", 1900 + i % 120) for i in range(12_000)]
    big = write_books(folder, "b_big.csv", rows)
    child = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(project), str(folder)])
    db = project / "provenance.sqlite"
    deadline = time.time() + 120
    status = None
    while time.time() < deadline and child.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    found = conn.execute("SELECT status FROM documents WHERE id = ?", [str(big.resolve())]).fetchone()
                status = found[0] if found else None
            except sqlite3.OperationalError:
                status = None
            if status == "pending":
                time.sleep(0.5)  # let it get some way into the document
                break
        time.sleep(0.05)
    assert status == "pending", "the child finished before it could be interrupted"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    with Engine.open(project) as engine:
        summary = engine.ingest([folder])
        by_name = {Path(i.path).name: i for i in summary.items}
        assert by_name["a_small.csv"].reason == "unchanged"
        assert by_name["b_big.csv"].status == "ok"
        assert by_name["b_big.csv"].triples == 3 * len(rows)  # type, author, year per row
        prov = open_provenance(engine)
        assert len(prov.triples(str(big.resolve()))) == 3 * len(rows)  # no rows left over from the killed run
        assert prov.documents(status="pending") == []
        prov.close()
        # nothing twice, nothing missing: the document node, per book its three facts and
        # its label, per author a label and a type
        assert engine.store.count(document_graph(str(big.resolve()))) == 3 + 4 * len(rows) + 2 * authors


# -- the command line -------------------------------------------------------------------------------
def run(project: Path, *args: str):
    return CliRunner().invoke(build_app(), ["--project", str(project), *args], catch_exceptions=False)


def test_cli_ingest_documents_and_remove(tmp_path: Path) -> None:
    project = tmp_path / ".kgqa"
    Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")]).close()
    table = write_books(tmp_path / "data", "books.csv", [("Solaris", "Stanisław Lem", 1961)])
    out = run(project, "ingest", str(tmp_path / "data"), "--json", str(tmp_path / "summary.json"))
    assert out.exit_code == 0, out.output
    assert "1 ok, 0 skipped (0 unchanged), 0 failed; 3 triples asserted" in out.output
    assert json.loads((tmp_path / "summary.json").read_text())["counts"]["ok"] == 1

    listed = run(project, "documents", "list", "--json", "-")
    rows = json.loads(listed.output)
    assert [(r["path"], r["status"], r["triples"]) for r in rows] == [(str(table.resolve()), "ok", 3)]
    shown = run(project, "documents", "show", str(table), "--json", "-")
    triples = json.loads(shown.output)["triples"]
    assert {t["predicate"] for t in triples} == {f"<{RDF.type}>", f"<{SF.author}>", f"<{SF.publicationYear}>"}
    assert all(t["extractor"] == "mapping:books" and t["confidence"] == 1.0 for t in triples)
    table_out = run(project, "documents", "show", str(table))
    assert "line 2" in table_out.output and "Solaris" in table_out.output

    removed = run(project, "remove", str(table))
    assert removed.exit_code == 0 and "removed" in removed.output
    assert json.loads(run(project, "documents", "list", "--json", "-").output) == []
    with Engine.open(project) as engine:
        assert not ask(engine, "res:Solaris ?p ?o")
