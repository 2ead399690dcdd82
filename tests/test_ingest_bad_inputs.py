"""Bad inputs fail (or are skipped) with a message naming the file, and leave nothing behind.

Each case checks the store (no document graph, no candidates) and SQLite (no triple
rows) after the failure. The 50 MB table is generated here and ingested in a child
process whose peak memory is measured.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kgqa import Engine
from kgqa.namespaces import CANDIDATE_GRAPH, document_graph
from kgqa.ontology import bundled_ontology

from ingest.pipeline import ingest_paths, open_provenance
from test_ingest_support import FIXTURES, engine  # noqa: F401 (a fixture)



def assert_nothing_left(engine: Engine, path: Path) -> None:
    doc_id = str(path.resolve())
    assert document_graph(doc_id) not in engine.store.graphs()
    assert not engine.store.has_graph(CANDIDATE_GRAPH)
    prov = open_provenance(engine)
    try:
        assert prov.triples(doc_id) == []
        row = prov.document(doc_id)
        assert row is None or row["status"] == "failed"
    finally:
        prov.close()


def ingest_one(engine: Engine, path: Path, **options):
    summary = ingest_paths(engine, [path], **options)
    assert len(summary.items) == 1
    return summary.items[0]


def test_binary_file_with_text_extension(engine: Engine) -> None:
    item = ingest_one(engine, FIXTURES / "binary.txt")
    assert item.status == "failed"
    assert "binary.txt" in item.reason and "binary content" in item.reason
    assert_nothing_left(engine, FIXTURES / "binary.txt")


def test_non_utf8_text_names_the_line(engine: Engine) -> None:
    item = ingest_one(engine, FIXTURES / "latin1.md")
    assert item.status == "failed"
    assert "latin1.md:4" in item.reason and "UTF-8" in item.reason
    assert_nothing_left(engine, FIXTURES / "latin1.md")


def test_empty_file_is_skipped(engine: Engine) -> None:
    item = ingest_one(engine, FIXTURES / "empty.md")
    assert (item.status, item.reason) == ("skipped", "empty file")
    assert_nothing_left(engine, FIXTURES / "empty.md")


def test_malformed_turtle_names_the_line(engine: Engine) -> None:
    before = engine.store.count()
    item = ingest_one(engine, FIXTURES / "malformed.ttl")
    assert item.status == "failed"
    assert "malformed.ttl:5:" in item.reason
    assert engine.store.count() == before
    assert_nothing_left(engine, FIXTURES / "malformed.ttl")
    prov = open_provenance(engine)
    assert prov.document(str((FIXTURES / "malformed.ttl").resolve()))["error"] == item.reason
    prov.close()


def test_csv_missing_a_mapped_column(engine: Engine) -> None:
    table = FIXTURES / "tables" / "missing_column.csv"
    item = ingest_one(engine, table)
    assert item.status == "failed"
    assert "missing_column.csv:1" in item.reason and "'year'" in item.reason and "missing.toml" in item.reason
    assert_nothing_left(engine, table)


def test_a_failure_does_not_stop_the_run_and_exit_code_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(FIXTURES / "malformed.ttl", folder)
    (folder / "good.ttl").write_text('<http://ex.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n')
    project = tmp_path / "project"
    kgqa = [sys.executable, "-m", "kgqa", "--project", str(project)]
    subprocess.run([*kgqa, "init"], check=True, capture_output=True)
    run = subprocess.run([*kgqa, "ingest", str(folder)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "1 ok, 0 skipped (0 unchanged), 1 failed" in run.stdout
    assert "malformed.ttl:5:" in run.stderr


def _write_big_table(folder: Path, megabytes: int) -> Path:
    """A CSV of ``megabytes`` MB: distinct titles, each with a long (10 kB) description."""
    rng = random.Random(42)
    words = ["red", "star", "ocean", "machine", "silent", "empire", "glass", "river", "night", "signal", "winter", "garden"]
    path = folder / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("title,description\n")
        i = 0
        while fh.tell() < megabytes * 1_000_000:
            title = f"{' '.join(rng.choice(words).capitalize() for _ in range(3))} {i}"
            text = " ".join(rng.choice(words) for _ in range(1600))
            fh.write(f'"{title}","{text}"\n')
            i += 1
    (folder / "mappings").mkdir()
    (folder / "mappings" / "big.toml").write_text(
        'files = ["big.csv"]\n[subject]\ncolumn = "title"\nclass = "book"\n[columns]\ndescription = "rdfs:comment"\n'
    )
    return path


_MEASURE = """
import json, resource, sys
from kgqa import Engine
import ingest.pipeline, ingest.readers.tables  # imported before the baseline
engine = Engine.open(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
summary = engine.ingest([sys.argv[2]])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"growth_mb": after - before, "summary": summary.to_dict()}))
"""


@pytest.mark.slow
def test_50_mb_table_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    table = _write_big_table(data, 50)
    assert table.stat().st_size >= 50_000_000
    Engine.init(tmp_path / ".kgqa", ontologies=[bundled_ontology("scifi.ttl")]).close()
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(tmp_path / ".kgqa"), str(table)], capture_output=True, text=True, check=True
    )
    out = json.loads(run.stdout.strip().splitlines()[-1])
    item = out["summary"]["documents"][0]
    assert item["status"] == "ok", item
    rows = sum(1 for _ in open(table, encoding="utf-8")) - 1
    assert item["triples"] == 2 * rows  # a type and a description per row
    # Read whole, the file alone would take 50 MB, and its quads as Python objects
    # several times that; streamed, the process grows by less than the file's size.
    assert out["growth_mb"] < 48, out["growth_mb"]
