"""Large documents and Ctrl-C: a size limit with its reason, and an interrupted run that says so.

* a text document with more extracted text than ``ingest.max_text_mb`` is skipped with a
  one-line reason and leaves nothing behind, whether its file is over the limit (checked
  before extraction) or only its text is (a reader that expands a small file);
* SIGINT to a real ``kgqa ingest`` in the middle of a long document: the summary of what
  was done, one line saying which document is left pending, exit code 130; the next run
  finishes it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, ROOT

from ingest.model import Block, TextContent
from ingest.pipeline import ingest_paths, open_provenance
from ingest.readers import READERS, ReadContext, Reader, register_reader
from kgqa.engine import Engine
from kgqa.namespaces import document_graph
from kgqa.ontology import bundled_ontology

SAMPLE_DOCS = ROOT / "data" / "sample" / "docs"
LIMIT = {"ingest": {"max_text_mb": 0.002}}  # 2,000 characters


def test_text_over_the_size_limit_is_skipped_with_the_reason_and_nothing_written(tmp_path: Path) -> None:
    @register_reader("expanding")
    class Expanding(Reader):
        """A plugin whose small files stand for long texts (as a PDF's compressed pages can)."""

        extensions = (".expand",)

        def read(self, path: Path, context: ReadContext) -> TextContent:
            line = path.read_text(encoding="utf-8").strip()
            return TextContent(Block(f"{line} (part {i}).") for i in range(200))

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "big.txt").write_text("Stanisław Lem wrote Solaris in 1961. " * 200, encoding="utf-8")  # 7,400 bytes
    (folder / "small.md").write_text("# Solaris\n\nSolaris is a novel by Stanisław Lem.\n", encoding="utf-8")
    (folder / "story.expand").write_text("Ursula K. Le Guin wrote The Dispossessed", encoding="utf-8")
    try:
        with Engine.init(tmp_path / "proj", ontologies=[bundled_ontology("scifi.ttl")], config=LIMIT) as engine:
            summary = ingest_paths(engine, [folder], progress=False)
            by_name = {Path(i.path).name: i for i in summary.items}
            assert by_name["small.md"].status == "ok" and by_name["small.md"].triples > 0
            for name in ("big.txt", "story.expand"):
                item = by_name[name]
                assert item.status == "skipped", (name, item)
                assert item.reason == "more than 0.002 MB of text (ingest.max_text_mb); raise it in kgqa.toml to ingest this file"
                doc_id = str((folder / name).resolve())
                assert document_graph(doc_id) not in engine.store.graphs()
                prov = open_provenance(engine)
                assert prov.document(doc_id) is None and prov.triples(doc_id) == []
                prov.close()
    finally:
        READERS._items.pop("expanding")


def _status(db: Path, doc_id: str) -> str | None:
    try:
        with sqlite3.connect(db, timeout=0.1) as conn:
            row = conn.execute("SELECT status FROM documents WHERE id = ?", [doc_id]).fetchone()
        return row[0] if row else None
    except sqlite3.Error:
        return None


@pytest.mark.slow
def test_ctrl_c_prints_what_was_done_and_exits_130_and_the_next_run_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a_short.md").write_text((SAMPLE_DOCS / "solaris.md").read_text(encoding="utf-8"), encoding="utf-8")
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_DOCS.glob("*.md"))]
    long_doc = folder / "b_long.md"
    long_doc.write_text("\n\n".join(texts), encoding="utf-8")  # tens of seconds of extraction here
    project = tmp_path / "proj"
    Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")]).close()

    child = subprocess.Popen(
        [str(BIN / "kgqa"), "--project", str(project), "ingest", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ},
    )
    doc_id = str(long_doc.resolve())
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and child.poll() is None and _status(project / "provenance.sqlite", doc_id) != "pending":
        time.sleep(0.05)
    time.sleep(1.0)  # into the long document
    assert child.poll() is None, "the run finished before it could be interrupted"
    child.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = child.communicate(timeout=120)
    assert child.returncode == 130, (out, err)
    assert time.monotonic() - sent < 60
    assert out.strip().splitlines()[-1].startswith("1 ok, 0 skipped"), out
    assert f"interrupted: {long_doc} is left pending; run the same command again to go on" in err
    assert _status(project / "provenance.sqlite", doc_id) == "pending"

    with Engine.open(project) as engine:
        assert document_graph(doc_id) not in engine.store.graphs()
        long_doc.write_text(texts[0], encoding="utf-8")  # shorter, to keep the test quick: still redone
        summary = ingest_paths(engine, [folder], progress=False)
        assert [(Path(i.path).name, i.status) for i in summary.items] == [("a_short.md", "skipped"), ("b_long.md", "ok")]
