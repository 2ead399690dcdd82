"""``kgqa bench store``: the embedded Oxigraph store against rdflib's in-memory Graph.

A synthetic N-Triples file (a random typed graph: entities with a class, a label and
edges over a few predicates; fixed seed) is loaded by each backend, then each answers
a 1-hop and a 2-hop query from start entities that vary between runs:

* ``oxigraph``: :meth:`kgqa.store.oxigraph.OxigraphStore.load` into a store on disk
  (validation plus bulk load, what ``kgqa load`` does), queries through
  :meth:`~kgqa.store.oxigraph.OxigraphStore.query` with ``bindings=``;
* ``rdflib``: ``Graph().parse(format="nt")`` and ``Graph.query(initBindings=...)``.

Each backend runs in its own subprocess (``python -m kgqa.bench.store --worker NAME``,
printing JSON) so that its peak memory is its own. Both must return the same number
of rows for every query, or the comparison would be void.

Example:
    kgqa bench store                           # 1,000,000 triples
    kgqa bench store --triples 20000 --runs 5 --json store.json
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import typer
from rdflib import Graph, URIRef
from rich.console import Console
from tqdm import tqdm

from kgqa.bench.report import Report, peak_rss_mb
from kgqa.errors import ConfigError

NS = "http://bench.kgqa.example/"
CLASSES = [f"{NS}Class{i}" for i in range(10)]
PREDICATES = [f"{NS}{name}" for name in ("knows", "cites", "partOf", "locatedIn", "relatedTo")]
EDGES_PER_ENTITY = 8  # with rdf:type and rdfs:label: 10 triples per entity
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ONE_HOP = "SELECT ?p ?o WHERE { ?s ?p ?o }"
TWO_HOP = "SELECT ?p ?m ?q ?o WHERE { ?s ?p ?m . ?m ?q ?o }"
BACKENDS = ("oxigraph", "rdflib")


def entity(i: int) -> str:
    return f"{NS}e{i}"


def generate(path: Path, triples: int, seed: int) -> int:
    """Write about ``triples`` N-Triples of a random typed graph; returns how many."""
    rng = random.Random(seed)
    entities = max(triples // (2 + EDGES_PER_ENTITY), 2)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for i in tqdm(range(entities), desc="generating", unit="entity", unit_scale=True, leave=False):
            s = f"<{entity(i)}>"
            lines = [f"{s} <{RDF_TYPE}> <{rng.choice(CLASSES)}> .", f'{s} <{RDFS_LABEL}> "entity {i}"@en .']
            for _ in range(EDGES_PER_ENTITY):
                lines.append(f"{s} <{rng.choice(PREDICATES)}> <{entity(rng.randrange(entities))}> .")
            out.write("\n".join(lines) + "\n")
            written += len(lines)
    return written


def start_entities(entities: int, runs: int, seed: int) -> list[str]:
    """The bound start entity of each timed run (and of the warm-up runs before them)."""
    rng = random.Random(seed + 1)
    return [entity(rng.randrange(entities)) for _ in range(runs + 2)]


# -- workers: one backend each, in its own process -----------------------------------
def _oxigraph_worker(data: Path, starts: list[str]) -> dict[str, Any]:
    # Each worker imports only its own backend, so the peak memory it reports is that backend's.
    from kgqa.store.oxigraph import OxigraphStore

    with tempfile.TemporaryDirectory(prefix="kgqa-bench-") as scratch:
        store = OxigraphStore(Path(scratch) / "store")
        began = time.perf_counter()
        store.load(data)
        load_s = time.perf_counter() - began

        def ask(query: str, start: str) -> int:
            return len(store.query(query, bindings={"s": URIRef(start)}, timeout=None, limit=None))

        figures = _time_queries(ask, starts)
        disk = sum(f.stat().st_size for f in (Path(scratch) / "store").rglob("*") if f.is_file())
        stored = store.count()  # distinct triples, as rdflib counts them
        store.close()
    return {"triples": stored, "load_s": load_s, "disk_mb": disk / 2**20, **figures}


def _rdflib_worker(data: Path, starts: list[str]) -> dict[str, Any]:
    # Each worker imports only its own backend, so the peak memory it reports is that backend's.
    from rdflib.plugins.sparql import prepareQuery

    graph = Graph()
    began = time.perf_counter()
    graph.parse(data, format="nt")
    load_s = time.perf_counter() - began
    prepared = {q: prepareQuery(q) for q in (ONE_HOP, TWO_HOP)}

    def ask(query: str, start: str) -> int:
        return len(list(graph.query(prepared[query], initBindings={"s": URIRef(start)})))

    return {"triples": len(graph), "load_s": load_s, **_time_queries(ask, starts)}


WORKERS = {"oxigraph": _oxigraph_worker, "rdflib": _rdflib_worker}


def _time_queries(ask: Any, starts: list[str]) -> dict[str, Any]:
    """Median latency and row counts of the 1-hop and 2-hop queries (first two runs warm up)."""
    out: dict[str, Any] = {}
    for name, query in (("one_hop", ONE_HOP), ("two_hop", TWO_HOP)):
        times, rows = [], []
        for i, start in enumerate(starts):
            began = time.perf_counter()
            n = ask(query, start)
            elapsed = (time.perf_counter() - began) * 1000
            if i >= 2:
                times.append(elapsed)
                rows.append(n)
        out[f"{name}_ms"] = statistics.median(times)
        out[f"{name}_rows"] = rows
    return out


def _worker_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m kgqa.bench.store")
    parser.add_argument("--worker", choices=BACKENDS, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--start", action="append", required=True, help="a start entity IRI (repeat)")
    args = parser.parse_args(argv)
    figures = WORKERS[args.worker](args.data, args.start)
    figures["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(figures))


# -- the command ---------------------------------------------------------------------
def run(triples: int, runs: int, seed: int, backends: list[str]) -> Report:
    """Generate the data, measure every backend in its own process, and compare them."""
    console = Console()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="kgqa-bench-store-") as scratch:
        data = Path(scratch) / "graph.nt"
        written = generate(data, triples, seed)
        starts = start_entities(written // (2 + EDGES_PER_ENTITY), runs, seed)
        console.print(f"{written:,} triples in {data.stat().st_size / 2**20:,.0f} MiB of N-Triples; seed {seed}")
        for backend in backends:
            console.print(f"measuring {backend} (load, then {runs} runs of each query)...")
            command = [sys.executable, "-m", "kgqa.bench.store", "--worker", backend, "--data", str(data)]
            command += [arg for s in starts for arg in ("--start", s)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"the {backend} worker failed: {done.stderr.strip()[-2000:]}")
            results[backend] = json.loads(done.stdout.strip().splitlines()[-1])

    report = Report(
        "store",
        ["backend", "triples", "load s", "triples/s", "1-hop ms", "2-hop ms", "peak RSS MiB", "disk MiB"],
    )
    for backend, r in results.items():
        rate = r["triples"] / r["load_s"]
        report.add_row(
            backend, r["triples"], round(r["load_s"], 2), round(rate), round(r["one_hop_ms"], 3),
            round(r["two_hop_ms"], 3), round(r["peak_rss_mb"]), round(r["disk_mb"]) if "disk_mb" in r else None,
        )
    report.set("generated_triples", written)
    report.set("runs_per_query", runs)
    report.set("seed", seed)
    report.set("one_hop_query", ONE_HOP)
    report.set("two_hop_query", TWO_HOP)
    if len(results) == len(BACKENDS):
        ox, rl = results["oxigraph"], results["rdflib"]
        same = ox["one_hop_rows"] == rl["one_hop_rows"] and ox["two_hop_rows"] == rl["two_hop_rows"]
        report.set("same_answers", same)
        report.set(
            "oxigraph_vs_rdflib",
            {
                "load_speedup": round(rl["load_s"] / ox["load_s"], 2),
                "one_hop_speedup": round(rl["one_hop_ms"] / ox["one_hop_ms"], 2),
                "two_hop_speedup": round(rl["two_hop_ms"] / ox["two_hop_ms"], 2),
                "memory_ratio_rdflib_over_oxigraph": round(rl["peak_rss_mb"] / ox["peak_rss_mb"], 2),
            },
        )
        if not same:
            raise RuntimeError("the backends returned different row counts; the timings are not comparable")
    return report


def register(app: typer.Typer) -> None:
    @app.command("store")
    def store_command(
        triples: int = typer.Option(1_000_000, help="How many triples to generate (10 per entity)."),
        runs: int = typer.Option(20, help="Timed runs of each query (median reported), each from another entity."),
        seed: int = typer.Option(7, help="Seed of the generated graph and of the start entities."),
        backend: list[str] = typer.Option(list(BACKENDS), help="Backends to measure (repeat the option)."),
        json_path: Path = typer.Option(None, "--json", help="Also write the figures to this JSON file."),
    ) -> None:
        """Load time and rate, 1-hop and 2-hop query latency, and peak memory: Oxigraph vs rdflib."""
        unknown = sorted(set(backend) - set(BACKENDS))
        if unknown:
            raise ConfigError(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(BACKENDS)}")
        report = run(triples, runs, seed, backend)
        report.print(Console(width=max(Console().width, 120)))
        report.write_json(json_path)


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
