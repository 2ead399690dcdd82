"""The `kgqa` command line through its entry point, :func:`kgqa.cli.main`.

Most tests call ``main()`` in this process (a subprocess per command would cost a
second each); :func:`test_the_installed_command` runs the real executable.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BIN, EX, FIXTURES, free_port
from rdflib import Literal, URIRef

from kgqa.cli import main
from kgqa.engine import Engine
from kgqa.namespaces import DEFAULT_FACTS_GRAPH, ONTOLOGY_GRAPH
from kgqa.ontology import bundled_ontology


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def kgqa(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """``kgqa ARGS`` as the console script runs it, with ``cwd`` and extra ``env``, output captured."""
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    out, err = io.StringIO(), io.StringIO()
    os.environ.pop("KGQA_PROJECT", None)
    os.environ.update(env or {})
    sys.argv = ["kgqa", *args]
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv = saved_argv
    return Run(code, out.getvalue(), err.getvalue())


def counts(project: Path) -> dict[str, int]:
    with Engine.open(project, read_only=True) as engine:
        return {str(g): engine.store.count(g) for g in engine.store.graphs()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with the books fixture loaded into the default facts graph."""
    with Engine.init(tmp_path / "proj") as engine:
        engine.load([FIXTURES / "books.ttl"])
    return tmp_path / "proj"


def assert_user_error(result: Run | subprocess.CompletedProcess, *parts: str) -> None:
    """Exit 1 and one line ``error: ...`` that contains every one of ``parts``."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for part in parts:
        assert part in lines[0]


def test_init_load_and_inspect(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    created = kgqa("--project", str(target), "init")
    assert created.returncode == 0, created.stderr
    # Only kgqa's own vocabulary so far: the user's ontology counts start at zero.
    assert "0 classes, 0 properties" in " ".join(created.stdout.split())
    assert (target / "kgqa.toml").is_file() and (target / "store").is_dir() and (target / "models").is_dir()

    loaded = kgqa("-p", str(target), "load", str(FIXTURES / "books.ttl"))
    assert loaded.returncode == 0, loaded.stderr
    assert f"12 triples -> {DEFAULT_FACTS_GRAPH}" in loaded.stdout
    assert counts(target)[str(DEFAULT_FACTS_GRAPH)] == 12

    graphs = kgqa("-p", str(target), "graphs")
    assert str(DEFAULT_FACTS_GRAPH) in graphs.stdout and str(ONTOLOGY_GRAPH) in graphs.stdout

    query = "SELECT ?b { ?b <http://example.org/author> <http://example.org/lem> } ORDER BY ?b"
    as_csv = kgqa("-p", str(target), "sparql", "--format", "csv", query)
    assert as_csv.stdout.split() == ["b", EX + "cyberiad", EX + "solaris"]
    as_json = json.loads(kgqa("-p", str(target), "sparql", "--format", "json", query).stdout)
    assert [b["b"]["value"] for b in as_json["results"]["bindings"]] == [EX + "cyberiad", EX + "solaris"]

    (tmp_path / "count.rq").write_text("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", encoding="utf-8")
    only_facts = kgqa("-p", str(target), "sparql", "-f", str(tmp_path / "count.rq"), "-g", str(DEFAULT_FACTS_GRAPH), "--format", "tsv")
    assert only_facts.stdout.split()[1] == '"12"^^<http://www.w3.org/2001/XMLSchema#integer>'

    capped = kgqa("-p", str(target), "sparql", "--limit", "2", "SELECT * { ?s ?p ?o }")
    assert "2 rows (truncated by the result limit)" in capped.stdout
    assert kgqa("-p", str(target), "sparql", "ASK { ?b a <http://example.org/Book> }").stdout.strip() == "true"


@pytest.mark.parametrize(
    ("files", "parts"),
    [
        (["bad_syntax.ttl"], ["bad_syntax.ttl:3:"]),
        (["not_utf8.ttl"], ["not_utf8.ttl:3:", "not valid UTF-8"]),
        (["books.ttl", "bad_syntax.ttl"], ["bad_syntax.ttl:3:"]),  # all files are checked before any loads
    ],
    ids=["malformed", "not-utf8", "good-then-bad"],
)
def test_bad_rdf_files_name_the_line_and_change_nothing(project: Path, files: list[str], parts: list[str]) -> None:
    before = counts(project)
    assert_user_error(kgqa("-p", str(project), "load", *(str(FIXTURES / f) for f in files)), *parts)
    assert counts(project) == before


def test_bad_queries(project: Path) -> None:
    assert_user_error(kgqa("-p", str(project), "sparql", "--graph", "urn:nope", "ASK {}"), "graph <urn:nope> does not exist")
    assert_user_error(kgqa("-p", str(project), "sparql", "SELECT ?x WHERE { ?x ?p }"), "SPARQL syntax error", "1:")
    assert_user_error(kgqa("-p", str(project), "sparql", "--format", "yaml", "ASK {}"), "unknown result format 'yaml'")
    assert_user_error(kgqa("-p", str(project), "sparql"), "no query given")


def test_a_runaway_query_stops_at_the_timeout(tmp_path: Path) -> None:
    with Engine.init(tmp_path / "proj") as engine:
        engine.store.add((URIRef(f"{EX}e{i}"), URIRef(EX + "p"), Literal(i), None) for i in range(3000))
    start = time.perf_counter()
    # The installed command: its exit must not hang on, or complain about, the stopped worker.
    result = subprocess.run(
        [str(BIN / "kgqa"), "-p", str(tmp_path / "proj"), "sparql", "--timeout", "1", "SELECT * { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"],
        capture_output=True, text=True, timeout=60,
    )
    assert time.perf_counter() - start < 10
    assert_user_error(result, "query stopped after the 1 s timeout")


def test_a_bad_ontology_names_file_and_line(project: Path) -> None:
    before = counts(project)
    bad = FIXTURES / "undeclared_domain.ttl"
    assert_user_error(kgqa("-p", str(project), "ontology", "add", str(bad)), f"{bad}:11:", "http://example.org/onto#Novel")
    assert counts(project) == before
    added = kgqa("-p", str(project), "ontology", "add", str(bundled_ontology("scifi.ttl")))
    assert added.returncode == 0 and "classes" in added.stdout
    shown = kgqa("-p", str(project), "ontology", "show")
    assert shown.returncode == 0 and "author" in shown.stdout and "publication year" in shown.stdout


def test_an_unreachable_endpoint_names_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "kgqa.toml").write_text(
        f'[store]\nbackend = "endpoint"\nquery_url = "{url}/query"\nupdate_url = "{url}/update"\n', encoding="utf-8"
    )
    for args in (["sparql", "ASK {}"], ["graphs"]):
        assert_user_error(kgqa("-p", str(tmp_path / "proj"), *args), f"{url}/query: cannot reach the SPARQL endpoint")
    assert_user_error(kgqa("-p", str(tmp_path / "proj"), "load", str(FIXTURES / "books.ttl")), f"{url}/update: cannot reach")


def test_config_shows_defaults_and_overrides(project: Path) -> None:
    (project / "kgqa.toml").write_text("[query]\ntimeout = 5\n", encoding="utf-8")
    shown = kgqa("-p", str(project), "config")
    assert shown.returncode == 0
    assert "timeout = 5.0   # set in kgqa.toml" in shown.stdout and "limit = 100000\n" in shown.stdout
    assert "backend = 'oxigraph'" in shown.stdout
    (project / "kgqa.toml").write_text("[query]\ntimout = 5\n", encoding="utf-8")
    assert_user_error(kgqa("-p", str(project), "config"), "kgqa.toml: unknown setting query.timout")


def test_the_project_is_found_from_cwd_or_kgqa_project(tmp_path: Path) -> None:
    home = tmp_path / "work"
    (home / "sub").mkdir(parents=True)
    assert kgqa("init", cwd=home).returncode == 0
    assert (home / ".kgqa" / "kgqa.toml").is_file()
    assert kgqa("load", str(FIXTURES / "books.ttl"), cwd=home / "sub").returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    by_env = kgqa("sparql", "--format", "csv", "SELECT (COUNT(*) AS ?n) { ?s a <http://example.org/Book> }",
                  cwd=elsewhere, env={"KGQA_PROJECT": str(home / ".kgqa")})
    assert by_env.stdout.split() == ["n", "3"]
    assert_user_error(kgqa("graphs", cwd=elsewhere), "no kgqa project in", "kgqa init")


def test_serve_refuses_updates_without_a_token(project: Path) -> None:
    result = kgqa("-p", str(project), "serve", "--allow-updates", "--port", str(free_port()), env={"KGQA_UPDATE_TOKEN": ""})
    assert_user_error(result, "KGQA_UPDATE_TOKEN")


def test_the_installed_command(project: Path) -> None:
    bad = subprocess.run([str(BIN / "kgqa"), "-p", str(project), "load", str(FIXTURES / "bad_syntax.ttl")],
                         capture_output=True, text=True, timeout=60)
    assert_user_error(bad, "bad_syntax.ttl:3:")


def test_bench_store_runs_both_backends(tmp_path: Path) -> None:
    result = kgqa("bench", "store", "--triples", "2000", "--runs", "3", "--json", str(tmp_path / "store.json"))
    assert result.returncode == 0, result.stderr
    figures = json.loads((tmp_path / "store.json").read_text(encoding="utf-8"))
    rows = {row["backend"]: row for row in figures["rows"]}
    assert set(rows) == {"oxigraph", "rdflib"}
    assert rows["oxigraph"]["triples"] == rows["rdflib"]["triples"] > 1900
    assert figures["same_answers"] is True
    assert set(figures["oxigraph_vs_rdflib"]) == {"load_speedup", "one_hop_speedup", "two_hop_speedup", "memory_ratio_rdflib_over_oxigraph"}
    assert "oxigraph_vs_rdflib" in result.stdout and figures["machine"]["cores"] >= 1
