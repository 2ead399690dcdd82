"""``kgqa bench serve``: ``kgqa serve`` against ``oxigraph serve`` on the same data, side by side.

One synthetic graph (``kgqa bench store``'s generator) is loaded into a kgqa project;
both servers then serve that very store directory, opened read-only
(``kgqa serve`` with its query workers, ``oxigraph serve-read-only
--union-default-graph``). For each server in turn, ``clients`` clients send 1-hop
SELECTs (``SELECT ?p ?o { <e> ?p ?o }``, a random entity each time) for ``seconds``
seconds, each waiting for its answer before sending the next; latency p50/p95/p99,
throughput and errors are reported. Every client binds its own loopback source
address (127.0.0.2, 127.0.0.3...), so ``kgqa serve``'s per-client limit treats them
as the separate users they stand for; nothing leaves 127.0.0.1/8. Clients run as
threads in a few processes (plain ``http.client`` with keep-alive, so the load
generator costs little beside the servers).

Two more figures about ``kgqa serve``:

* ``gil``: does pyoxigraph release the GIL while it evaluates? Three aggregates of
  half a million rows run in a thread while the main thread loops: with the GIL
  held, the loop would stall for a whole query; released, its longest stall is a
  few scheduler ticks;
* ``runaway``: a cross product sent by another client gets 503 at the timeout; the
  server's CPU (its process and workers, psutil) in the second second after the 503,
  and the clients' throughput after it relative to before it.

Example:
    kgqa bench serve --json serve.json
    kgqa bench serve --triples 100000 --clients 50 --seconds 10
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox
import typer
from rich.console import Console

from kgqa.bench.report import Report, percentile
from kgqa.bench.store import EDGES_PER_ENTITY, entity, generate
from kgqa.engine import Engine
from kgqa.errors import ConfigError

ONE_HOP = "SELECT ?p ?o WHERE {{ <{}> ?p ?o }}"
# Half a million rows of a cross product into one aggregate: the same work whatever the graph size.
GIL_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { { SELECT * WHERE { ?a ?p ?b . ?c ?q ?d } LIMIT 500000 } }"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"
ACCEPT = "application/sparql-results+json"


# -- the load generator --------------------------------------------------------------
def _client_process(
    host: str, port: int, path: str, addresses: list[str], entities: int, start_at: float, seconds: float, seed: int,
    out: Any,
) -> None:
    """Clients of one process: a thread per source address, requests until ``start_at + seconds``."""
    results: list[tuple[float, int]] = []  # (latency ms, status)
    lock = threading.Lock()

    def client(address: str, rng: random.Random) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60, source_address=(address, 0))
        mine: list[tuple[float, int]] = []
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        while time.time() < end:
            query = ONE_HOP.format(entity(rng.randrange(entities)))
            target = f"{path}?{urllib.parse.urlencode({'query': query})}"
            began = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Accept": ACCEPT})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60, source_address=(address, 0))
            mine.append(((time.perf_counter() - began) * 1000, status))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(a, random.Random(f"{seed}:{a}"))) for a in addresses]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.send(results)
    out.close()


def load(port: int, path: str, clients: int, processes: int, entities: int, seconds: float, seed: int) -> dict[str, Any]:
    """``clients`` clients (one loopback address each) for ``seconds`` s: latency percentiles and throughput."""
    context = multiprocessing.get_context("spawn")
    addresses = [f"127.0.0.{2 + i}" for i in range(clients)]  # clients <= 250 (checked by the command)
    start_at = time.time() + 1.0 + 0.5 * processes  # the spawned processes start first
    pipes, procs = [], []
    for k in range(processes):
        parent, child = context.Pipe(duplex=False)
        proc = context.Process(
            target=_client_process,
            args=("127.0.0.1", port, path, addresses[k::processes], entities, start_at, seconds, seed, child),
        )
        proc.start()
        child.close()
        pipes.append(parent)
        procs.append(proc)
    results: list[tuple[float, int]] = []
    for parent, proc in zip(pipes, procs):
        results.extend(parent.recv())
        proc.join()
    ok = [ms for ms, status in results if status == 200]
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(results),
        "errors": len(results) - len(ok),
        "throughput_rps": round(len(ok) / seconds, 1),
        "p50_ms": round(percentile(ok, 50), 2),
        "p95_ms": round(percentile(ok, 95), 2),
        "p99_ms": round(percentile(ok, 99), 2),
    }


# -- servers -------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], url: str, log: Any) -> subprocess.Popen:
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{args[0]} exited with {process.returncode}; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0])), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{args[0]} did not listen within 60 s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` and its children alive now: a server and its
    query workers."""
    total = 0.0
    root = psutil.Process(pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def gil_release(store_path: Path, repeat: int = 3) -> dict[str, Any]:
    """How a Python thread fares while pyoxigraph evaluates queries in another thread.

    Held during evaluation, the GIL would stop the Python thread for a whole query
    (its longest stall about the query's time, its progress near 0); released, the
    Python thread runs on its own core (stalls of a few ms, progress near 1 on an
    idle machine).
    """
    store = ox.Store.read_only(str(store_path))
    done = threading.Event()
    took: list[float] = []

    def evaluate() -> None:
        for _ in range(repeat):
            began = time.perf_counter()
            list(store.query(GIL_QUERY, use_default_graph_as_union=True))
            took.append(time.perf_counter() - began)
        done.set()

    def spin(until: float | None) -> tuple[int, float]:
        n, last, stall = 0, time.perf_counter(), 0.0
        while not done.is_set() if until is None else (time.perf_counter() < until):
            now = time.perf_counter()
            stall = max(stall, now - last)
            last = now
            n += 1
        return n, stall

    began = time.perf_counter()
    alone, _ = spin(began + 0.5)
    alone_rate = alone / (time.perf_counter() - began)
    worker = threading.Thread(target=evaluate)
    began = time.perf_counter()
    worker.start()
    during, stall = spin(None)
    during_rate = during / (time.perf_counter() - began)
    worker.join()
    query_ms = 1000 * sum(took) / len(took)
    return {
        "query": GIL_QUERY,
        "query_ms": round(query_ms, 1),
        "longest_python_stall_ms": round(stall * 1000, 1),
        "python_progress_during_queries": round(during_rate / alone_rate, 2),
        "releases_gil": stall * 1000 < query_ms / 2,
    }


def runaway(port: int, pid: int, measure: Any) -> dict[str, Any]:
    """A cross product from another client: its status and time, the server's CPU after it, throughput around it."""
    before = measure()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=("127.0.0.254", 0))
    began = time.monotonic()
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": CROSS_PRODUCT}), headers={"Accept": ACCEPT})
    response = conn.getresponse()
    response.read()
    answered = time.monotonic()
    conn.close()
    time.sleep(max(0.0, answered + 1.0 - time.monotonic()))
    cpu = cpu_seconds(pid)
    time.sleep(1.0)
    cpu = cpu_seconds(pid) - cpu
    after = measure()
    return {
        "query": CROSS_PRODUCT,
        "status": response.status,
        "answered_after_s": round(answered - began, 2),
        "server_cpu_s_in_second_second_after": round(cpu, 3),
        "throughput_before_rps": before["throughput_rps"],
        "throughput_after_rps": after["throughput_rps"],
        "after_over_before": round(after["throughput_rps"] / before["throughput_rps"], 2) if before["throughput_rps"] else None,
        "errors_before": before["errors"],
        "errors_after": after["errors"],
    }


def run(triples: int, clients: int, seconds: float, processes: int, timeout: float, seed: int) -> Report:
    """Generate and load the data, then measure both servers in turn, and kgqa serve's runaway handling."""
    console = Console()
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        raise ConfigError("the oxigraph server binary is not installed (pip install oxigraph)")
    report = Report("serve", ["server", "clients", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"])
    with tempfile.TemporaryDirectory(prefix="kgqa-bench-serve-") as scratch:
        data = Path(scratch) / "graph.nt"
        written = generate(data, triples, seed)
        entities = written // (2 + EDGES_PER_ENTITY)
        project = Path(scratch) / "proj"
        with Engine.init(project) as engine:
            engine.load([data])
            stored = engine.store.count()
        console.print(f"{stored:,} quads in the project store; {clients} clients x {seconds:g} s per server")
        report.set("gil", gil_release(project / "store"))
        log = open(Path(scratch) / "servers.log", "w")  # noqa: SIM115 - closed below
        kgqa_port, ox_port = _free_port(), _free_port()
        servers = {
            "kgqa serve": (
                [sys.executable, "-m", "kgqa", "--project", str(project), "serve", "--port", str(kgqa_port),
                 "--timeout", str(timeout)],
                kgqa_port, "/sparql",
            ),
            "oxigraph serve": (
                [binary, "serve-read-only", "--location", str(project / "store"), "--bind", f"127.0.0.1:{ox_port}",
                 "--union-default-graph", "--timeout-s", str(int(timeout))],
                ox_port, "/query",
            ),
        }
        results: dict[str, dict[str, Any]] = {}
        try:
            for name, (args, port, path) in servers.items():
                console.print(f"measuring {name}...")
                process = _start(args, f"http://127.0.0.1:{port}", log)
                try:
                    load(port, path, 4, 1, entities, 1.0, seed)  # warm-up
                    results[name] = load(port, path, clients, processes, entities, seconds, seed)
                    if name == "kgqa serve":
                        console.print("runaway query...")
                        short = max(2.0, seconds / 2)
                        report.set("runaway", runaway(
                            port, process.pid, lambda: load(port, path, clients, processes, entities, short, seed)
                        ))
                finally:
                    _stop(process)
        finally:
            log.close()
    for name, r in results.items():
        report.add_row(name, r["clients"], r["requests"], r["errors"], r["throughput_rps"], r["p50_ms"], r["p95_ms"],
                       r["p99_ms"])
    report.set("quads", stored)
    report.set("query", ONE_HOP.format("<random entity>"))
    report.set("seconds_per_server", seconds)
    report.set("client_processes", processes)
    kg, ox = results["kgqa serve"], results["oxigraph serve"]
    report.set("oxigraph_over_kgqa", {
        "throughput": round(ox["throughput_rps"] / kg["throughput_rps"], 2),
        "p95": round(kg["p95_ms"] / ox["p95_ms"], 2),
    })
    return report


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        triples: int = typer.Option(100_000, help="Triples of the generated graph (10 per entity)."),
        clients: int = typer.Option(50, help="Concurrent clients, each on its own loopback address."),
        seconds: float = typer.Option(10.0, help="Seconds of load per server."),
        processes: int = typer.Option(2, help="Processes the clients run in (threads inside)."),
        timeout: float = typer.Option(3.0, help="Query timeout of both servers, in seconds."),
        seed: int = typer.Option(7, help="Seed of the graph and of the queried entities."),
        json_path: Path = typer.Option(None, "--json", help="Also write the figures to this JSON file."),
    ) -> None:
        """kgqa serve vs oxigraph serve: 1-hop SELECT latency and throughput under N clients; runaway queries."""
        if not 1 <= clients <= 250:
            raise ConfigError(f"--clients {clients}: use 1 to 250 (each client has its own loopback address)")

        report = run(triples, clients, seconds, processes, timeout, seed)
        report.print(Console(width=max(Console().width, 120)))
        report.write_json(json_path)
