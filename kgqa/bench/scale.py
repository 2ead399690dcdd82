"""``kgqa bench scale``: how kgqa behaves as the graph grows (1M, 10M triples...).

For each size, a synthetic graph and its plain OWL ontology are generated (fixed
seed; see :func:`generate`), then one process per size (so peak memory is its own)
measures, in order:

1. **load**: ``Engine.init`` with the ontology, then ``engine.load`` of the
   N-Triples (validation + bulk load): seconds, triples/s, store size on disk;
2. **label index**: ``LabelIndex.from_store`` over every entity label: seconds and
   resident memory it added;
3. **translator synthesis**: ``Synthesizer.examples`` over all properties with the
   project's ``translator.per_structure``: seconds and questions;
4. **translator training**: ``Translator.train`` with the project's settings on a
   random sample of ``--train-questions`` synthesized questions (a documented
   sample: encoding every synthesized question of a few hundred properties is what
   ``kgqa train translator`` pays once, and its time grows with their count), saved
   as the project's translator; seconds, questions, held-out accuracy;
5. **Engine.ask**: the first question (which builds the linker's index and loads the
   models), then ``--questions`` questions of each length, 1 to 3 hops, built from
   random paths of the graph with general English ("What is the P of X?", "What
   is the P2 of the P1 of X?"...): p50/p95 per length and overall;
6. **completion**: PyKEEN epoch time of TransE (kgqa's default model and size) on a
   uniform sample of ``--completion-sample`` entity-to-entity triples;
7. **peak RSS** of the process;
8. with ``--endpoint``: the same questions with the project's store served by
   ``oxigraph serve-read-only --union-default-graph`` and asked through the
   ``endpoint`` backend: p50/p95 and HTTP round trips per question.

The graph: ``triples / 10`` entities in 40 classes of Zipf-distributed sizes; each
has a type, a label of one to three words drawn Zipf-wise from a made-up vocabulary
(so common names repeat, as in real data), and a Pareto-distributed number of
edges (mean 8, heavy tail) over 300 properties, each with a domain and a range
(15 % are integer-valued); objects are drawn Zipf-wise within the range class, so
in-degrees are heavy-tailed too.

Example:
    kgqa bench scale --triples 1M --json scale.json
    kgqa bench scale --triples 100k,1M,10M --json scale.json --plot docs/scale_curve.png
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import typer
from rdflib import URIRef
from rich.console import Console

from kgqa.bench.report import Report, peak_rss_mb, percentile
from kgqa.engine import Engine

NS = "http://scale.kgqa.example/"
CLASSES = 40
PROPERTIES = 300
INTEGER_SHARE = 0.15
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def parse_size(text: str) -> int:
    """``"1M"`` -> 1,000,000; ``"250k"`` -> 250,000; plain numbers as they are."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def _words(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct made-up words of two or three syllables."""
    onsets, vowels, codas = "bdfgklmnprstvz", "aeiou", ["", "n", "r", "l", "s"]
    seen: dict[str, None] = {}
    while len(seen) < n:
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.choice((2, 2, 3)))) + rng.choice(codas)
        seen.setdefault(word, None)
    return list(seen)


def _zipf(n: int, exponent: float):  # noqa: ANN202 - numpy array
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def generate(directory: Path, triples: int, seed: int) -> dict[str, Any]:
    """Write ``ontology.ttl`` and ``graph.nt`` (about ``triples`` lines) into ``directory``."""
    rng = random.Random(seed)
    npr = np.random.default_rng(seed)
    vocab = _words(rng, 6_000)
    class_words, property_words, name_words = vocab[:CLASSES], vocab[CLASSES : CLASSES + 2 * PROPERTIES], vocab[1000:]
    class_size = _zipf(CLASSES, 0.8)
    domains = npr.choice(CLASSES, PROPERTIES, p=class_size)
    ranges = npr.choice(CLASSES, PROPERTIES, p=class_size)
    integer = npr.random(PROPERTIES) < INTEGER_SHARE
    labels = [
        property_words[2 * p] if p % 3 else f"{property_words[2 * p]} {property_words[2 * p + 1]}" for p in range(PROPERTIES)
    ]
    onto = ["@prefix owl: <http://www.w3.org/2002/07/owl#> .", "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
            f"@prefix s: <{NS}> .", "s: a owl:Ontology ; rdfs:label \"synthetic scale ontology\"@en ."]
    for c in range(CLASSES):
        onto.append(f's:C{c} a owl:Class ; rdfs:label "{class_words[c]}"@en .')
    for p in range(PROPERTIES):
        kind, rng_term = ("owl:DatatypeProperty", f"<{XSD_INTEGER}>") if integer[p] else ("owl:ObjectProperty", f"s:C{ranges[p]}")
        onto.append(f's:p{p} a {kind} ; rdfs:label "{labels[p]}"@en ; rdfs:domain s:C{domains[p]} ; rdfs:range {rng_term} .')
    (directory / "ontology.ttl").write_text("\n".join(onto) + "\n", encoding="utf-8")

    n = max(triples // 10, 100)
    cls = npr.choice(CLASSES, n, p=class_size)
    members = [np.flatnonzero(cls == c) for c in range(CLASSES)]
    for m in members:
        npr.shuffle(m)  # popularity rank within the class, independent of the id
    props_of = [np.flatnonzero(domains == c) for c in range(CLASSES)]
    # Pareto (Lomax, a=1.5) edges per entity: mean 8, heavy tail, capped.
    degree = np.minimum(1 + np.floor(npr.pareto(1.5, n) * 3.5), 2_000).astype(np.int64)
    degree[[len(props_of[c]) == 0 for c in cls]] = 0
    name_p = _zipf(len(name_words), 1.0)
    written = 0
    with open(directory / "graph.nt", "w", encoding="utf-8") as out:
        for start in range(0, n, 50_000):
            ids = np.arange(start, min(n, start + 50_000))
            first = npr.choice(len(name_words), len(ids), p=name_p)
            second = npr.choice(len(name_words), len(ids), p=name_p)
            third = npr.choice(len(name_words), len(ids), p=name_p)
            lines = []
            for k, i in enumerate(ids):
                words = [name_words[first[k]].title(), name_words[second[k]].title()]
                if i % 4 == 0:
                    words.append(name_words[third[k]].title())
                lines.append(f'<{NS}e{i}> <{RDF_TYPE}> <{NS}C{cls[i]}> .\n<{NS}e{i}> <{RDFS_LABEL}> "{" ".join(words[: 1 + (i % 7 != 0) + (i % 4 == 0)])}"@en .\n')
                c = cls[i]
                d = int(degree[i])
                if not d:
                    continue
                choices = props_of[c][npr.choice(len(props_of[c]), d, p=_zipf(len(props_of[c]), 1.0))]
                for p in choices:
                    if integer[p]:
                        lines.append(f'<{NS}e{i}> <{NS}p{p}> "{int(npr.integers(1800, 2025))}"^^<{XSD_INTEGER}> .\n')
                    else:
                        pool = members[ranges[p]]
                        rank = min(int(npr.zipf(1.3)) - 1, len(pool) - 1)
                        lines.append(f"<{NS}e{i}> <{NS}p{p}> <{NS}e{pool[rank]}> .\n")
            written += sum(line.count("\n") for line in lines)
            out.write("".join(lines))
    return {"entities": n, "triples": written, "classes": CLASSES, "properties": PROPERTIES}


# -- one size, in its own process ----------------------------------------------------
def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def _questions(engine: Any, entities: int, per_length: int, seed: int) -> dict[int, list[str]]:
    """Questions along random paths of the graph, ``per_length`` each of 1, 2 and 3 hops."""
    labels = {str(p): str(lbl) for p, lbl in engine.store.query(
        f"SELECT ?p ?l {{ ?p <{RDFS_LABEL}> ?l FILTER(STRSTARTS(STR(?p), '{NS}p')) }}").rows}
    rng = random.Random(seed)
    out: dict[int, list[str]] = {1: [], 2: [], 3: []}
    hops = {
        1: "SELECT ?l ?p1 { ?x <%s> ?l ; ?p1 ?y . FILTER(isIRI(?y) || isLiteral(?y)) FILTER(?p1 != <%s> && ?p1 != <%s>) } LIMIT 1",
        2: "SELECT ?l ?p1 ?p2 { ?x <%s> ?l ; ?p1 ?y . ?y ?p2 ?z . FILTER(?p1 != <%s> && ?p2 != <%s>) FILTER(?p2 != <%s>) } LIMIT 1",
        3: "SELECT ?l ?p1 ?p2 ?p3 { ?x <%s> ?l ; ?p1 ?y . ?y ?p2 ?z . ?z ?p3 ?w . FILTER(?p1 != <%s> && ?p2 != <%s> && ?p3 != <%s>) FILTER(?p3 != <%s>) } LIMIT 1",
    }
    attempts = 0
    while any(len(v) < per_length for v in out.values()) and attempts < 200 * per_length:
        attempts += 1
        length = next(k for k in (1, 2, 3) if len(out[k]) < per_length)
        excluded = [RDFS_LABEL, RDF_TYPE, RDFS_LABEL, RDF_TYPE][: length + 1]
        query = hops[length] % (RDFS_LABEL, *excluded)
        rows = engine.store.query(query, bindings={"x": URIRef(f"{NS}e{rng.randrange(entities)}")}).rows
        if not rows or any(str(p) not in labels for p in rows[0][1:]):
            continue
        name, *path = rows[0]
        phrase = " of the ".join(labels[str(p)] for p in reversed(path))
        out[length].append(f"What is the {phrase} of {name}?")
    return out


def _note(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def measure(
    triples: int, seed: int, questions: int, train_questions: int, completion_sample: int, endpoint: bool = False
) -> dict[str, Any]:
    """Every figure of one size (see the module docs)."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from kgqa.answer.context import translator_dir
    from kgqa.linking.labels import LabelIndex
    from kgqa.translate.model import Translator
    from kgqa.translate.synthesize import Synthesizer

    figures: dict[str, Any] = {"requested_triples": triples}
    with tempfile.TemporaryDirectory(prefix="kgqa-bench-scale-") as scratch:
        root = Path(scratch)
        began = time.perf_counter()
        figures.update(generate(root, triples, seed))
        figures["generate_s"] = round(time.perf_counter() - began, 1)
        _note(f"generate_s: {figures['generate_s']}")
        engine = Engine.init(root / "proj", ontologies=[root / "ontology.ttl"])
        began = time.perf_counter()
        engine.load([root / "graph.nt"])
        figures["load_s"] = round(time.perf_counter() - began, 2)
        _note(f"load_s: {figures['load_s']}")
        figures["load_triples_per_s"] = round(figures["triples"] / figures["load_s"])
        figures["store_mb"] = round(sum(f.stat().st_size for f in (root / "proj" / "store").rglob("*") if f.is_file()) / 2**20, 1)
        figures["quads"] = engine.store.count()

        gc.collect()
        before = _rss_mb()
        began = time.perf_counter()
        index = LabelIndex.from_store(engine.store)
        figures["label_index_s"] = round(time.perf_counter() - began, 2)
        _note(f"label_index_s: {figures['label_index_s']}")
        figures["label_index_mb"] = round(_rss_mb() - before, 1)
        figures["label_index_entities"] = len(index)
        del index
        gc.collect()

        cfg = engine.settings.translator
        began = time.perf_counter()
        synthesizer = Synthesizer(engine.ontology, engine.store, seed=cfg.seed,
                                  max_three_hop=cfg.max_three_hop)
        synthesized = synthesizer.examples(cfg.per_structure)
        pairs = [(e.text, e.structure) for e in synthesized]
        figures["synthesis_s"] = round(time.perf_counter() - began, 1)
        _note(f"synthesis_s: {figures['synthesis_s']}")
        figures["synthesized_questions"] = len(synthesized)
        figures["synthesized_structures"] = len({e.structure.signature() for e in synthesized})
        del synthesized, synthesizer

        began = time.perf_counter()
        sample = random.Random(seed).sample(pairs, min(train_questions, len(pairs)))
        translator = Translator.train(
            sample, epochs=cfg.epochs, seed=cfg.seed,
            validation=cfg.validation, hidden=cfg.hidden,
            batch_size=cfg.batch_size, learning_rate=cfg.learning_rate,
            encoder=engine.settings.models.encoder, progress=False, threads=cfg.threads,
        )
        translator.save(translator_dir(engine))
        figures["train_s"] = round(time.perf_counter() - began, 1)
        _note(f"train_s: {figures['train_s']}")
        figures["train_questions"] = len(sample)
        figures["train_validation_accuracy"] = translator.report.validation_accuracy
        del pairs, sample

        asked = _questions(engine, figures["entities"], questions, seed)
        began = time.perf_counter()
        engine.ask(asked[1][0])
        figures["first_ask_s"] = round(time.perf_counter() - began, 2)
        _note(f"first_ask_s: {figures['first_ask_s']}")
        figures.update(_time_asks(engine, asked, "ask"))
        _note(f"ask_p50_ms: {figures['ask_p50_ms']}")
        figures["example_questions"] = {k: v[:2] for k, v in asked.items()}
        figures.update(completion_epoch(root / "graph.nt", completion_sample, seed))
        engine.close()
        if endpoint:
            figures.update(_over_endpoint(root / "proj", asked))
    figures["peak_rss_mb"] = round(peak_rss_mb())
    return figures


def _time_asks(engine: Any, asked: dict[int, list[str]], prefix: str) -> dict[str, Any]:
    """Engine.ask latency per question length and overall (p50/p95, ms)."""
    out: dict[str, Any] = {}
    everything: list[float] = []
    for length, texts in asked.items():
        times = []
        for text in texts:
            began = time.perf_counter()
            engine.ask(text)
            times.append((time.perf_counter() - began) * 1000)
        everything += times
        out[f"{prefix}_{length}hop_p50_ms"] = round(statistics.median(times), 1) if times else None
        out[f"{prefix}_{length}hop_p95_ms"] = round(percentile(times, 95), 1) if times else None
    out[f"{prefix}_p50_ms"] = round(statistics.median(everything), 1)
    out[f"{prefix}_p95_ms"] = round(percentile(everything, 95), 1)
    out[f"{prefix}_questions"] = len(everything)
    return out


def _over_endpoint(project: Path, asked: dict[int, list[str]]) -> dict[str, Any]:
    """The same questions with the project's store behind ``oxigraph serve-read-only`` (the endpoint backend)."""
    import shutil
    import socket

    import httpx

    from kgqa.config import CONFIG_FILE, Config
    from kgqa.store.endpoint import EndpointStore

    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        return {"endpoint": "the oxigraph server binary is not installed"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([binary, "serve-read-only", "--location", str(project / "store"),
                               "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(600):
            try:
                httpx.post(url, data={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        store = EndpointStore(url, read_only=True, union_default_graph=True)
        requests: list[Any] = []
        store._client.event_hooks["request"].append(requests.append)  # counts round trips, changes nothing
        engine = Engine(store, Config.load(project / CONFIG_FILE), project)  # the project's models, the remote store
        began = time.perf_counter()
        engine.ask(asked[1][0])
        out: dict[str, Any] = {"endpoint_first_ask_s": round(time.perf_counter() - began, 2),
                               "endpoint_first_ask_requests": len(requests)}
        before = len(requests)
        out.update(_time_asks(engine, asked, "endpoint_ask"))
        out["endpoint_requests_per_question"] = round((len(requests) - before) / out["endpoint_ask_questions"], 2)
        engine.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def completion_epoch(data: Path, sample: int, seed: int) -> dict[str, Any]:
    """Seconds per PyKEEN epoch of TransE (64 dimensions, sLCWA, batch 512) on ``sample`` entity-to-entity triples."""
    # Deferred: torch and PyKEEN load only when this benchmark runs.
    import torch
    from pykeen.models import TransE
    from pykeen.training import SLCWATrainingLoop
    from pykeen.triples import TriplesFactory

    rng = random.Random(seed)
    edges: list[tuple[str, str, str]] = []
    seen = 0
    with open(data, encoding="utf-8") as fh:  # reservoir sample of the IRI-to-IRI edges
        for line in fh:
            s, p, o = line.split(" ", 2)
            if not o.startswith("<") or p in (f"<{RDF_TYPE}>", f"<{RDFS_LABEL}>"):
                continue
            seen += 1
            if len(edges) < sample:
                edges.append((s, p, o[: o.rindex(" ")]))
            elif (j := rng.randrange(seen)) < sample:
                edges[j] = (s, p, o[: o.rindex(" ")])
    torch.manual_seed(seed)
    factory = TriplesFactory.from_labeled_triples(np.array(edges, dtype=str))
    model = TransE(triples_factory=factory, embedding_dim=64, random_seed=seed)
    loop = SLCWATrainingLoop(model=model, triples_factory=factory, optimizer=torch.optim.Adam(model.parameters(), lr=0.002))
    epochs = 2
    began = time.perf_counter()
    loop.train(triples_factory=factory, num_epochs=epochs, batch_size=512, use_tqdm=False)
    return {
        "completion_sample_triples": len(edges),
        "completion_entities": factory.num_entities,
        "completion_epoch_s": round((time.perf_counter() - began) / epochs, 2),
    }


def _worker_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m kgqa.bench.scale")
    for name in ("triples", "seed", "questions", "train-questions", "completion-sample"):
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--endpoint", action="store_true")
    a = parser.parse_args(argv)
    figures = measure(a.triples, a.seed, a.questions, a.train_questions, a.completion_sample, a.endpoint)
    print(json.dumps(figures))


# -- the command ---------------------------------------------------------------------
COLUMNS = {
    "triples": "triples", "load s": "load_s", "triples/s": "load_triples_per_s", "store MiB": "store_mb",
    "labels s": "label_index_s", "labels MiB": "label_index_mb", "synth s": "synthesis_s",
    "questions": "synthesized_questions", "train s": "train_s", "ask p50 ms": "ask_p50_ms",
    "ask p95 ms": "ask_p95_ms", "endpoint p50 ms": "endpoint_ask_p50_ms", "epoch s": "completion_epoch_s", "peak RSS MiB": "peak_rss_mb",
}


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Load time, ask latency, label index memory and peak RSS against the graph size."""
    # matplotlib only when a figure is drawn.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["triples"] for r in results]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(x, [r["load_s"] for r in results], "o-", label="load")
    axes[0].plot(x, [r["label_index_s"] for r in results], "s-", label="label index")
    axes[0].set_ylabel("seconds")
    axes[1].plot(x, [r["ask_p50_ms"] for r in results], "o-", label="ask p50")
    axes[1].plot(x, [r["ask_p95_ms"] for r in results], "s-", label="ask p95")
    axes[1].set_ylabel("ms")
    axes[2].plot(x, [r["peak_rss_mb"] for r in results], "o-", label="peak RSS")
    axes[2].plot(x, [r["label_index_mb"] for r in results], "s-", label="label index")
    axes[2].set_ylabel("MiB")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("triples")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle("kgqa bench scale")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(
    sizes: list[int], seed: int, questions: int, train_questions: int, completion_sample: int, endpoint: bool = False
) -> Report:
    console = Console()
    report = Report("scale", list(COLUMNS))
    results = []
    for triples in sizes:
        console.print(f"measuring {triples:,} triples (generate, load, label index, translator, ask, completion)...")
        command = [sys.executable, "-m", "kgqa.bench.scale", "--triples", str(triples), "--seed", str(seed),
                   "--questions", str(questions), "--train-questions", str(train_questions),
                   "--completion-sample", str(completion_sample), *(["--endpoint"] if endpoint else [])]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the {triples:,}-triple run failed: {done.stderr.strip()[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(figures)
        report.add_row(*(figures.get(key) for key in COLUMNS.values()))
    report.set("sizes", results)
    report.set("seed", seed)
    return report


def register(app: typer.Typer) -> None:
    @app.command("scale")
    def scale_command(
        triples: str = typer.Option("1M", help="Graph sizes, comma-separated (e.g. 100k,1M,10M)."),
        seed: int = typer.Option(7, help="Seed of the graph, the questions and the samples."),
        questions: int = typer.Option(20, help="Questions of each length (1, 2, 3 hops) for Engine.ask."),
        train_questions: int = typer.Option(3000, help="Synthesized questions (a random sample) the timed translator trains on."),
        completion_sample: int = typer.Option(100_000, help="Triples of the PyKEEN epoch-time sample."),
        endpoint: bool = typer.Option(False, "--endpoint", help="Also ask the questions over oxigraph serve (the endpoint backend)."),
        json_path: Path = typer.Option(None, "--json", help="Also write the figures to this JSON file."),
        plot_path: Path = typer.Option(None, "--plot", help="Also draw the curves into this PNG."),
    ) -> None:
        """Load, label index, translator, ask latency, completion epoch and memory as the graph grows."""
        sizes = [parse_size(t) for t in triples.split(",") if t.strip()]
        report = run(sizes, seed, questions, train_questions, completion_sample, endpoint)
        report.print(Console(width=max(Console().width, 160)))
        report.write_json(json_path)
        if plot_path:
            plot(report.figures["sizes"], plot_path)


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
