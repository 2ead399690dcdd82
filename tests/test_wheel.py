"""kgqa as a user installs it: a wheel in a fresh virtualenv, used from a folder outside the repository.

The wheel is built from a copy of the sources (the checkout stays untouched) without
build isolation, and installed without dependencies into a new virtualenv that reuses
the test interpreter's installed packages through a ``.pth`` line: no network. Then
``kgqa init``, ``kgqa ingest`` (a table with its mapping and two documents of the
sample) and ``kgqa ask`` run there; the ontologies come from the wheel's data files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
# What a wheel is built from (README.md is the package's long description).
SOURCES = ("pyproject.toml", "README.md", "kgqa", "ingest", "ontologies")
# A translator trained in seconds: this test checks the install, not answer quality.
QUICK_TRANSLATOR = "[translator]\nepochs = 2\nper_structure = 4\nmax_three_hop = 5\n"


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_the_wheel_installs_and_answers_from_outside_the_repository(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path / "dist",
         cwd=source)
    (wheel,) = (tmp_path / "dist").glob("kgqa-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip())
    # The test interpreter's packages (rdflib, torch, spaCy...), after the venv's own.
    (site / "installed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp_path)

    work = tmp_path / "elsewhere"
    (work / "corpus" / "tables").mkdir(parents=True)
    (work / "corpus" / "mappings").mkdir()
    (work / "corpus" / "docs").mkdir()
    shutil.copy2(SAMPLE / "tables" / "books.csv", work / "corpus" / "tables")
    shutil.copy2(SAMPLE / "mappings" / "books.toml", work / "corpus" / "mappings")
    for doc in ("dune.md", "frank_herbert.md"):
        shutil.copy2(SAMPLE / "docs" / doc, work / "corpus" / "docs")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KGQA_PROJECT")}

    where = json.loads(_run(python, "-c", "import json, kgqa; from kgqa.ontology import bundled_ontology; "
                            "print(json.dumps([kgqa.__file__, str(bundled_ontology('scifi.ttl'))]))", cwd=work, env=env))
    assert all(Path(p).is_relative_to(venv) for p in where), f"kgqa or its ontologies came from outside the wheel: {where}"

    kgqa = venv / "bin" / "kgqa"
    assert "project" in _run(kgqa, "init", "--sample", cwd=work, env=env)
    with open(work / ".kgqa" / "kgqa.toml", "a", encoding="utf-8") as settings:
        settings.write(QUICK_TRANSLATOR)
    ingested = _run(kgqa, "ingest", "corpus", cwd=work, env=env)
    assert ingested.startswith("3 ok") and "0 failed" in ingested, ingested
    answer = json.loads(_run(kgqa, "ask", "Who wrote Dune?", "--json", cwd=work, env=env))
    assert answer["sparql"].strip(), "every answer carries the SPARQL behind it"
    assert answer["text"].strip()
