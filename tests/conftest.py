"""Shared fixtures: real servers in subprocesses, and the small test data files.

* ``free_port()``: a TCP port nobody listens on (also a fixture of the same name);
* ``oxigraph_server``: an in-memory ``oxigraph serve`` process (SPARQL 1.1 at /query, /update);
* ``kgqa_server``: a factory that starts ``kgqa --project DIR serve`` with extra flags
  (``start_kgqa_server``/``stop`` for servers shared by a module);
* ``FIXTURES``: ``data/fixtures`` (good and bad input files, see its README), and
  ``EX``, ``BOOKS``, ``LEM``, ``BOOKS_BY``: terms of its ``books.ttl`` and a query over it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import URIRef

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "data" / "fixtures"
BIN = Path(sys.executable).parent

# Terms of data/fixtures/books.ttl, and a query over it.
EX = "http://example.org/"
BOOKS = URIRef("urn:test:books")
LEM = URIRef(EX + "lem")
BOOKS_BY = "SELECT ?b { ?b <http://example.org/author> ?a } ORDER BY ?b"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", help="also run the long reliability tests (tests/reliability)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long reliability test: run with --long (docs/reliability.md)")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    """A port that was free a moment ago (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(name="free_port")
def free_port_fixture() -> int:
    return free_port()


@dataclass
class Server:
    """A server process started by a fixture, and its URLs."""

    process: subprocess.Popen
    base: str
    query_url: str
    update_url: str


def _wait_until_up(process: subprocess.Popen, url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            process.log.seek(0)  # type: ignore[attr-defined]
            raise RuntimeError(f"server exited with {process.returncode}: {process.log.read()}")  # type: ignore[attr-defined]
        try:
            # Up means answered: a probe that timed out may still hold a worker (and the per-client
            # slot) in a server whose pool is starting, so wait for the 200, not for any reply.
            if httpx.get(url, timeout=10.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()  # type: ignore[attr-defined]


def _start(args: list[str], url: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    # Output goes to a file: a pipe nobody reads would block a chatty server.
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})
    process.log = log  # type: ignore[attr-defined]
    try:
        _wait_until_up(process, url)
    except BaseException:
        stop(process)
        raise
    return process


@pytest.fixture
def oxigraph_server() -> Iterator[Server]:
    """A fresh in-memory Oxigraph SPARQL server, killed after the test."""
    yield from _oxigraph([])


@pytest.fixture
def oxigraph_union_server() -> Iterator[Server]:
    """An Oxigraph server whose default graph is the union of all graphs."""
    yield from _oxigraph(["--union-default-graph"])


def _oxigraph(flags: list[str]) -> Iterator[Server]:
    binary = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    base = f"http://127.0.0.1:{free_port()}"
    process = _start([binary, "serve", "--bind", base.removeprefix("http://"), *flags], base + "/query")
    yield Server(process, base, base + "/query", base + "/update")
    stop(process)


def start_kgqa_server(project: Path, *flags: str, env: dict[str, str] | None = None) -> Server:
    """Run the real CLI, ``kgqa --project DIR serve --port N *flags``, until it answers (end it with ``stop``)."""
    base = f"http://127.0.0.1:{free_port()}"
    args = [str(BIN / "kgqa"), "--project", str(project), "serve", "--port", base.rsplit(":", 1)[1], *flags]
    process = _start(args, base + "/sparql?query=ASK%7B%7D", env)
    return Server(process, base, base + "/sparql", base + "/sparql")


@pytest.fixture
def kgqa_server() -> Iterator[Callable[..., Server]]:
    """``start(project, *flags, env={})``: :func:`start_kgqa_server`, stopped after the test."""
    started: list[Server] = []

    def start(project: Path, *flags: str, env: dict[str, str] | None = None) -> Server:
        started.append(start_kgqa_server(project, *flags, env=env))
        return started[-1]

    yield start
    for server in started:
        stop(server.process)
