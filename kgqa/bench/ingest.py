"""kgqa bench ingest: ingestion speed, memory and extraction quality.

Parts (``--parts``, each run in a fresh process so its peak memory is its own):

* ``rdf``: bulk ingest of a generated N-Triples file (default 1,000,000 triples)
  through the ``kgqa ingest`` code path, into a project on disk: triples/s;
* ``text``: a generated corpus of short documents (default 1,000): documents/s and
  extracted triples/s with the offline extractor;
* ``gold``: precision / recall / F1 against ``data/sample/gold/triples.tsv``, once from
  the documents alone (cold) and once after the sample's tables (warm);
* ``gold2``: the same on ``data/gold2`` (mountaineering, a plain OWL ontology, a domain
  the code was not written for), from the documents alone, plus documents/s;
* ``webnlg``: text-to-triples on WebNLG's dev split (an ontology learned from the train
  split), when ``../shared/webnlg`` exists, beside the WebNLG 2020 results;
* ``webnlg-unseen``: the same on the dev entries of the categories the held-out matcher
  never saw (:data:`ingest.extract.training.HELD_OUT`), their predicates known by label only.

``--extractor`` picks the text extractor of the gold and WebNLG parts (default: the
configured one, ``ingest.extractor``).

Example::

    kgqa bench ingest --parts rdf,gold --rdf-triples 200000 --json ingest.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from kgqa.bench.report import Report, peak_rss_mb
from kgqa.datasets import sample_dir
from kgqa.engine import Engine
from kgqa.models.encoder import get_encoder
from kgqa.ontology import bundled_ontology

from ingest.synthetic import write_documents, write_ntriples

PARTS = ("rdf", "text", "gold", "gold2", "webnlg", "webnlg-unseen")


def _project(folder: Path) -> Engine:
    return Engine.init(folder / ".kgqa", ontologies=[bundled_ontology("scifi.ttl")])


def rdf_part(triples: int) -> dict[str, Any]:
    """Bulk-ingest a generated N-Triples file of ``triples`` triples."""
    with tempfile.TemporaryDirectory(prefix="kgqa-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "generated.nt"
        write_ntriples(path, triples)
        size_mb = path.stat().st_size / 2**20
        with _project(folder) as engine:
            start = time.perf_counter()
            summary = engine.ingest([path], progress=False)
            seconds = time.perf_counter() - start
        assert summary.ok, summary.to_dict()
    return {"part": "rdf", "items": 1, "triples": summary.triples, "seconds": seconds,
            "rate": f"{summary.triples / seconds:,.0f} triples/s", "file_mb": round(size_mb, 1), "peak_rss_mb": peak_rss_mb()}


def text_part(documents: int, seed: int) -> dict[str, Any]:
    """Ingest ``documents`` generated texts with the offline extractor."""
    get_encoder().encode(["warm up"])  # model loading is not ingestion
    with tempfile.TemporaryDirectory(prefix="kgqa-bench-") as tmp:
        folder = Path(tmp)
        write_documents(folder / "docs", documents, seed=seed)
        with _project(folder) as engine:
            start = time.perf_counter()
            summary = engine.ingest([folder / "docs"], progress=False)
            seconds = time.perf_counter() - start
        assert summary.ok, summary.to_dict()
    n = summary.counts()["ok"]
    return {"part": "text", "items": n, "triples": summary.triples, "seconds": seconds,
            "rate": f"{n / seconds:.1f} docs/s, {summary.triples / seconds:.0f} triples/s",
            "candidates": summary.candidates, "peak_rss_mb": peak_rss_mb()}


def _config(extractor: str) -> dict[str, Any] | None:
    return {"ingest": {"extractor": extractor}} if extractor else None


def gold_part(extractor: str = "") -> dict[str, Any]:
    """Extraction quality on the sample corpus, cold (documents alone) and warm (after the tables)."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from ingest.evaluate import evaluate

    sample = sample_dir()
    out: dict[str, Any] = {"part": "gold"}
    for mode, paths in (("cold", [sample / "docs"]), ("warm", [sample / "tables", sample / "docs"])):
        with Engine.memory(ontologies=[bundled_ontology("scifi.ttl")], config=_config(extractor)) as engine:
            start = time.perf_counter()
            summary = engine.ingest(paths, progress=False)
            seconds = time.perf_counter() - start
            result = evaluate(engine, sample, sample / "gold" / "triples.tsv", sample / "graph.ttl")
        out[mode] = {**result.to_dict(), "seconds": round(seconds, 1), "documents": summary.counts()["ok"]}
    out["items"] = out["cold"]["documents"]
    out["seconds"] = out["cold"]["seconds"]
    out["extractor"] = extractor or "configured default"
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def gold2_part(extractor: str = "") -> dict[str, Any]:
    """Extraction quality on ``data/gold2`` (documents alone, plain ontology); a warm second pass gives documents/s."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from ingest.evaluate import evaluate

    gold2 = sample_dir().parent / "gold2"
    onto = gold2 / "ontologies" / "mountaineering.ttl"
    with Engine.memory(ontologies=[onto], config=_config(extractor)) as engine:
        start = time.perf_counter()
        summary = engine.ingest([gold2 / "docs"], progress=False)
        seconds = time.perf_counter() - start
        result = evaluate(engine, gold2, gold2 / "gold" / "triples.tsv", gold2 / "graph.ttl")
        errors = [f"{doc}: {'/'.join(k.rsplit('/', 1)[-1] for k in key)}" for doc, key in result.false_positives]
    with Engine.memory(ontologies=[onto], config=_config(extractor)) as engine:  # models loaded: documents/s warm
        start = time.perf_counter()
        again = engine.ingest([gold2 / "docs"], progress=False)
        warm = time.perf_counter() - start
    n = summary.counts()["ok"]
    return {"part": "gold2", **result.to_dict(), "items": n, "triples": summary.triples, "seconds": round(seconds, 1),
            "rate": f"{again.counts()['ok'] / warm:.1f} docs/s warm", "false_positives": errors,
            "extractor": extractor or "configured default", "peak_rss_mb": peak_rss_mb()}


def webnlg_part(entries: int, seed: int, extractor: str = "") -> dict[str, Any]:
    """Text-to-triples on WebNLG dev (see :mod:`ingest.webnlg`): with what train says about which
    names take which predicates, and with the names alone."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from ingest.webnlg import PUBLISHED, evaluate_webnlg

    name = extractor or "ontology"
    start = time.perf_counter()
    result = evaluate_webnlg(entries=entries, seed=seed, roles=True, extractor=name)
    seconds = time.perf_counter() - start
    names_only = evaluate_webnlg(entries=entries, seed=seed, roles=False, extractor=name)
    keep = ("precision", "recall", "f1", "triples")
    return {
        "part": "webnlg", "items": result["items"], "triples": result["triples"], "seconds": seconds,
        "rate": f"{result['items'] / seconds:.1f} texts/s", "entries": result["entries"], "extractor": name,
        "with_roles": {k: result[k] for k in keep}, "names_only": {k: names_only[k] for k in keep},
        "published_test_f1": PUBLISHED, "note": result["note"], "peak_rss_mb": peak_rss_mb(),
    }


def webnlg_unseen_part(entries: int, seed: int, extractor: str = "") -> dict[str, Any]:
    """WebNLG dev entries of the held-out categories, with the matcher trained without them."""
    from ingest.extract.matcher import WEIGHTS
    from ingest.extract.training import HELD_OUT
    from ingest.webnlg import evaluate_webnlg

    name = extractor or "ontology"
    weights = WEIGHTS.with_name(WEIGHTS.stem + "-heldout.npz") if name == "parsed" else None
    start = time.perf_counter()
    # Names only: train's memory of which names take which predicates cannot cover predicates it never saw.
    result = evaluate_webnlg(entries=entries, seed=seed, roles=False, extractor=name, weights=weights, held_out=HELD_OUT)
    seconds = time.perf_counter() - start
    return {"part": "webnlg-unseen", "items": result["items"], "triples": result["triples"], "seconds": seconds,
            "rate": f"{result['items'] / seconds:.1f} texts/s", "entries": result["entries"], "extractor": name,
            "held_out": list(HELD_OUT), **{k: result[k] for k in ("precision", "recall", "f1")}, "peak_rss_mb": peak_rss_mb()}


def _in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh Python process: its peak memory is then its own."""
    code = (
        "import json, sys\n"
        f"from {fn.__module__} import {fn.__name__} as run\n"
        "print('@@' + json.dumps(run(*json.loads(sys.argv[1])), default=str))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("@@")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{fn.__name__} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][2:])


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def bench_ingest(
        parts: str = typer.Option(",".join(PARTS), help="Comma-separated parts: " + ", ".join(PARTS) + "."),
        rdf_triples: int = typer.Option(1_000_000, help="Triples in the generated N-Triples file."),
        text_docs: int = typer.Option(1_000, help="Generated text documents."),
        webnlg_entries: int = typer.Option(300, help="WebNLG dev entries to extract from (seeded sample; 0 = all)."),
        seed: int = typer.Option(7, help="Seed of the generated corpora and the WebNLG sample."),
        extractor: str = typer.Option("", help="Text extractor of the gold and WebNLG parts (default: the configured one)."),
        json_out: Path = typer.Option(None, "--json", help="Write the figures as JSON."),
    ) -> None:
        """Ingestion rates (RDF bulk, text), peak memory, and extraction P/R/F1 (sample gold, WebNLG)."""
        chosen = [p.strip() for p in parts.split(",") if p.strip()]
        unknown = set(chosen) - set(PARTS)
        if unknown:
            raise typer.BadParameter(f"unknown parts {sorted(unknown)}; known: {', '.join(PARTS)}")
        report = Report("ingest", ["part", "items", "triples", "seconds", "rate", "peak_rss_mb"])
        jobs = {
            "rdf": (rdf_part, rdf_triples),
            "text": (text_part, text_docs, seed),
            "gold": (gold_part, extractor),
            "gold2": (gold2_part, extractor),
            "webnlg": (webnlg_part, webnlg_entries, seed, extractor),
            "webnlg-unseen": (webnlg_unseen_part, webnlg_entries, seed, extractor),
        }
        for part in chosen:
            fn, *args = jobs[part]
            figures = _in_child(fn, *args)
            report.add_row(part, figures.get("items"), figures.get("triples"), figures.get("seconds"),
                           figures.get("rate", ""), figures.get("peak_rss_mb"))
            for key, value in figures.items():
                if key not in ("part", "items", "triples", "seconds", "rate", "peak_rss_mb"):
                    report.set(f"{part}.{key}", value)
        report.set("load_average_1_5_15", [round(x, 1) for x in os.getloadavg()])  # other work on the machine
        report.print()
        report.write_json(json_out)
