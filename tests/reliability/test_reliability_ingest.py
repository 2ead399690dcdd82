"""Ingestion gives one graph per set of documents: however runs are split, killed or interrupted.

Each document is extracted and resolved against the committed state before it (the
ontology, then the documents before it in ingest order, as the store holds them), so a
clean run, runs split after 1, 4 or N documents, and runs killed with SIGKILL at seeded
moments and resumed must leave the same quads and the same provenance rows (timestamps
and row ids aside). The quick test uses the sample's tables and five of its texts that
name each other's entities; ``--long`` runs the whole sample with 20 kills.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from ingest.pipeline import Pipeline, collect_files, ingest_paths
from kgqa.engine import Engine
from kgqa.ontology import bundled_ontology

SAMPLE = ROOT / "data" / "sample"
#: Texts that share entities (Nineteen Eighty-Four, Liu Cixin's novels, Hugo winners): before
#: documents were resolved against the committed state, a split run wrote other IRIs and types.
QUICK_TEXTS = ["dystopian_classics.txt", "hugo_award_winners.html", "liu_cixin.md", "the_three_body_problem.md",
               "william_gibson.md"]
_RUN = """
import sys
from kgqa import Engine
with Engine.open(sys.argv[1]) as engine:
    engine.ingest([sys.argv[2]], progress=False)
"""

Snapshot = tuple[frozenset, tuple, tuple, tuple]


def corpus(folder: Path, texts: list[str] | None) -> Path:
    """The sample's tables and mappings with ``texts`` (all of the sample when ``None``)."""
    if texts is None:
        shutil.copytree(SAMPLE, folder)
        return folder
    shutil.copytree(SAMPLE / "tables", folder / "tables")
    shutil.copytree(SAMPLE / "mappings", folder / "mappings")
    (folder / "docs").mkdir()
    for name in texts:
        shutil.copy(SAMPLE / "docs" / name, folder / "docs" / name)
    return folder


def new_project(path: Path) -> Path:
    Engine.init(path, ontologies=[bundled_ontology("scifi.ttl")]).close()
    return path


def snapshot(project: Path) -> Snapshot:
    """Every quad, and the provenance rows without their timestamps and row ids."""
    with Engine.open(project, read_only=True) as engine:
        rows = engine.store.query("SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }", limit=None).rows
        quads = frozenset(tuple(term.n3() for term in row) for row in rows)
    with sqlite3.connect(project / "provenance.sqlite") as db:
        triples = sorted(db.execute(
            "SELECT doc_id, subject, predicate, object, graph, asserted, round(confidence, 6), extractor, start, end,"
            " location, sentence FROM triples").fetchall(), key=repr)
        merges = sorted(db.execute("SELECT alias, alias_key, iri, round(score, 6), method, doc_id, undone FROM merges"
                                   ).fetchall(), key=repr)
        documents = sorted(db.execute("SELECT id, path, sha256, fingerprint, size, type, status, graph, title, triples,"
                                      " candidates, error FROM documents").fetchall(), key=repr)
    return quads, tuple(triples), tuple(merges), tuple(documents)


def planned(engine: Engine, folder: Path) -> list[Path]:
    pipeline = Pipeline(engine, progress=False)
    try:
        return [path for path, _ in pipeline.plan(collect_files([folder]))]
    finally:
        pipeline.close()


def split_run(project: Path, folder: Path, after: int) -> Snapshot:
    """The first ``after`` documents (in ingest order) in one run, the folder in a second."""
    with Engine.open(project) as engine:
        assert ingest_paths(engine, planned(engine, folder)[:after], progress=False).ok
        assert ingest_paths(engine, [folder], progress=False).ok
    return snapshot(project)


def _progress(project: Path) -> tuple[int, bool]:
    """(documents done, whether one is being written) as the provenance database says."""
    try:
        with sqlite3.connect(project / "provenance.sqlite", timeout=0.1) as db:
            rows = dict(db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())
    except sqlite3.Error:
        return 0, False
    return rows.get("ok", 0), rows.get("pending", 0) > 0


def killed_runs(project: Path, folder: Path, documents: int, kills: int, seed: int) -> int:
    """``kills`` runs of `engine.ingest` in a child process, each resuming the one before and SIGKILLed at
    a seeded moment: while a document is written, after a seeded number of documents are done (spread
    over the corpus); then a run that finishes. Returns how many kills hit a document being written."""
    rng = random.Random(seed)
    targets = sorted(rng.randrange(documents) for _ in range(kills))
    hits = 0
    for target in targets:
        child = subprocess.Popen([sys.executable, "-c", _RUN, str(project), str(folder)], env={**os.environ})
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and child.poll() is None:
            done, writing = _progress(project)
            if writing and done >= target:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))  # somewhere inside the document, or just after it
        if child.poll() is None:
            hits += _progress(project)[1]
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with Engine.open(project) as engine:
        assert ingest_paths(engine, [folder], progress=False).ok
    return hits


def _differences(a: Snapshot, b: Snapshot) -> str:
    names = ("quads", "provenance triples", "merges", "documents")
    out = []
    for name, x, y in zip(names, a, b):
        missing, extra = set(x) - set(y), set(y) - set(x)
        if missing or extra:
            out.append(f"{name}: {len(missing)} missing, {len(extra)} extra; e.g. {sorted(missing | extra, key=repr)[:2]}")
    return "; ".join(out)


def check_runs(tmp_path: Path, texts: list[str] | None, splits: list[int], kills: int, seed: int) -> str:
    folder = corpus(tmp_path / "corpus", texts)
    clean_project = new_project(tmp_path / "clean")
    with Engine.open(clean_project) as engine:
        summary = ingest_paths(engine, [folder], progress=False)
        assert summary.ok and summary.triples > 0
        documents = len(summary.items)
    clean = snapshot(clean_project)
    for after in splits:
        assert after < documents
        other = split_run(new_project(tmp_path / f"split{after}"), folder, after)
        assert other == clean, f"split after {after}: {_differences(clean, other)}"
    hits = killed_runs(new_project(tmp_path / "killed"), folder, documents, kills, seed)
    resumed = snapshot(tmp_path / "killed")
    assert resumed == clean, f"after {kills} SIGKILLs: {_differences(clean, resumed)}"
    return (f"\ningest: {documents} documents, {len(clean[0])} quads, {len(clean[1])} provenance rows; identical for "
            f"runs split after {', '.join(map(str, splits))} and after {kills} SIGKILLs ({hits} inside a document)")


@pytest.mark.slow
def test_split_and_killed_runs_give_the_graph_of_one_run(tmp_path: Path) -> None:
    print(check_runs(tmp_path, QUICK_TEXTS, splits=[1, 4], kills=1, seed=7))


@pytest.mark.long
def test_the_whole_sample_split_and_killed_twenty_times(tmp_path: Path) -> None:
    print(check_runs(tmp_path, None, splits=[1, 4, 20], kills=20, seed=11))
