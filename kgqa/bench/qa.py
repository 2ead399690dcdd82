"""``kgqa bench qa``: question answering on the sample graph, accuracy and speed.

It builds throw-away projects from the sample (``data/sample`` of the checkout it
runs in, see :func:`kgqa.datasets.sample_dir`) with the sci-fi ontology, one per
*source*: ``loaded`` (``data/sample/graph.ttl`` bulk-loaded, the clean graph) and
``ingested`` (``kgqa ingest data/sample``: the RDF file, the tables and the text
documents, as the README demo does, with text-extraction noise). Each gets its own
translator (trained there, or copied with ``--translator DIR``); then it answers
the gold questions (``data/sample/gold/questions.tsv``; ``--questions FILE``
replaces them) and reports, per source:

* accuracy overall and per kind (an answer is right when its set of answers is
  the gold set: entities match by any of their labels, literals by value, counts
  exactly, yes/no by truth value, ``none`` questions by having no answer);
* median and p95 latency per question, warm, one at a time, each question's
  embedding computed afresh (the encoder's cache is cleared before each: masked
  questions such as "Who wrote X?" repeat), with the CPU time and the median of
  each stage (``Answer.timings_ms``);
* throughput over the whole file asked again in a row (embeddings cleared once:
  questions that mask alike share one);
* cold start: a fresh ``kgqa ask`` process, translator already trained, until
  its first answer is printed, and that process's peak memory;
* translator training time and held-out accuracy, and (once) mention detection
  over the sample's labels plus 150,000 made-up ones.

Gold files are TSV: ``question<TAB>answer1|answer2<TAB>kind``.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rdflib import URIRef

from kgqa.bench.report import Report, peak_rss_mb, percentile
from kgqa.datasets import sample_dir
from kgqa.engine import Engine
from kgqa.errors import KgqaError
from kgqa.linking.labels import fold
from kgqa.linking.mentions import detect
from kgqa.ontology import bundled_ontology

WARM_UP = "Who translated The Cyberiad?"


@dataclass
class Gold:
    """One gold question."""

    question: str
    answers: list[str]
    kind: str
    source: str = ""


def read_gold(path: Path) -> list[Gold]:
    """Gold questions from a ``question<TAB>answers<TAB>kind`` file."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise KgqaError(f"{path}:{n}: expected question<TAB>answers<TAB>kind")
        answers = [a.strip() for a in parts[1].split("|") if a.strip()]
        out.append(Gold(parts[0], answers, parts[2].strip(), f"{path.name}:{n}"))
    return out


def is_correct(answer, gold: Gold, labels_of) -> bool:  # noqa: ANN001 - Answer, callable
    """True when ``answer`` gives exactly the gold answers (see the module docs)."""
    if gold.kind == "none" or not gold.answers:
        return not answer.answered or (answer.form == "count" and not answer.count)
    if answer.form == "ask":
        return answer.boolean is not None and (answer.boolean == (gold.answers[0].lower() in ("yes", "true")))
    if answer.form == "count":
        return answer.count is not None and len(gold.answers) == 1 and str(answer.count) == gold.answers[0]
    wanted = {fold(a) for a in gold.answers}
    got: list[set[str]] = []
    for item in answer.answers:
        names = {fold(item.label)}
        if item.iri:
            names |= {fold(n) for n in labels_of(URIRef(item.iri))}
        if item.value is not None:
            names.add(fold(str(item.value)))
        got.append(names)
    if len(got) != len(wanted):
        return False
    return all(any(w in names for names in got) for w in wanted) and all(names & wanted for names in got)


#: How the sample becomes a project: the clean RDF file alone, or everything ingested as the demo does.
SOURCES = ("loaded", "ingested")


def sample_project(directory: Path, source: str = "loaded") -> Engine:
    """A project in ``directory`` with the sci-fi ontology and the sample, ``loaded`` or ``ingested``."""
    engine = Engine.init(directory, ontologies=[bundled_ontology("scifi.ttl")])
    if source == "loaded":
        engine.load([sample_dir() / "graph.ttl"])
    else:
        engine.ingest([sample_dir()], progress=True)
    return engine


def gold_files(questions: Path | None) -> list[Path]:
    if questions is not None:
        return [questions]
    return [sample_dir() / "gold" / "questions.tsv"]


@dataclass
class Run:
    """What one source's project gave."""

    source: str
    results: list[tuple[Gold, Any, bool]]
    figures: dict[str, Any]


def measure(source: str, gold: list[Gold], directory: Path, translator: Path | None) -> Run:
    """Build the ``source`` project in ``directory`` and measure answering on it (see the module docs)."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from kgqa.answer import ask
    from kgqa.answer.context import qa_context, translator_dir
    from kgqa.translate.train import train_translator

    started = time.perf_counter()
    engine = sample_project(directory, source)
    build_seconds = time.perf_counter() - started
    train_seconds = None
    if translator is not None:
        shutil.copytree(translator, translator_dir(engine))
    else:
        started = time.perf_counter()
        train_translator(engine, progress=True)
        train_seconds = time.perf_counter() - started
    report_train = qa_context(engine).translator.report
    engine.close()
    cold, ask_rss = _cold_start(directory, gold[0].question)
    engine = Engine.open(directory)
    ctx = qa_context(engine)
    ask(engine, WARM_UP)  # warm: index, encoder, translator (a question not in the gold files)
    labels_of = ctx.linker.index.labels
    wall: list[float] = []
    cpu: list[float] = []
    stages: dict[str, list[float]] = {}
    results = []
    for g in gold:
        ctx.encoder.clear_cache()  # each question is embedded, as a new one would be
        start, start_cpu = time.perf_counter(), time.process_time()
        answer = ask(engine, g.question)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        for stage, ms in answer.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
        results.append((g, answer, is_correct(answer, g, labels_of)))
    ctx.encoder.clear_cache()
    start = time.perf_counter()
    for g in gold:
        ask(engine, g.question)
    batch_seconds = time.perf_counter() - start
    figures = {
        "accuracy": sum(r[2] for r in results) / len(results),
        "median_ms": statistics.median(wall),
        "p95_ms": percentile(wall, 95),
        "cpu_median_ms": statistics.median(cpu),
        "stage_median_ms": {k: round(statistics.median(v), 3) for k, v in stages.items()},
        "throughput_qps": len(gold) / batch_seconds,
        "cold_start_s": cold,
        "ask_process_peak_rss_mb": ask_rss,
        "build_seconds": build_seconds,
        "graph": {"triples": engine.store.count(), "graphs": len(engine.store.graphs())},
        "translator": {"examples": report_train.examples, "labels": report_train.labels,
                       "validation_accuracy": report_train.validation_accuracy, "train_seconds": train_seconds},
    }
    if source == SOURCES[0]:
        figures["linking_150k_extra_entities"] = _linking_at_scale(ctx.linker, [g.question for g in gold])
    engine.close()
    return Run(source, results, figures)


def register(app: typer.Typer) -> None:
    @app.command("qa")
    def qa(
        questions: Path = typer.Option(None, "--questions", "-q", help="Gold file (default: data/sample/gold/questions.tsv)."),
        source: list[str] = typer.Option(list(SOURCES), "--source", "-s",
                                         help="loaded (graph.ttl) and/or ingested (the whole folder, as the demo); repeatable."),
        translator: Path = typer.Option(None, "--translator", help="Reuse a trained translator directory (for every source)."),
        json_out: Path = typer.Option(None, "--json", help="Write the figures as JSON."),
        errors: bool = typer.Option(False, "--errors", help="List the questions answered wrongly."),
    ) -> None:
        """Accuracy, latency, throughput, cold start and memory of question answering on the sample."""
        unknown = [s for s in source if s not in SOURCES]
        if unknown:
            raise KgqaError(f"--source {unknown[0]!r}: expected one of {', '.join(SOURCES)}")
        gold = [g for f in gold_files(questions) for g in read_gold(f)]
        load_before = os.getloadavg()
        runs = []
        with tempfile.TemporaryDirectory(prefix="kgqa-bench-qa-") as tmp:
            for name in dict.fromkeys(source):
                runs.append(measure(name, gold, Path(tmp) / name, translator))

        report = Report("qa", ["kind", "questions", *(r.source for r in runs)])
        for kind in sorted({g.kind for g in gold}):
            counts = [sum(ok for g, _, ok in r.results if g.kind == kind) for r in runs]
            report.add_row(kind, sum(g.kind == kind for g in gold), *counts)
        report.add_row("all", len(gold), *(sum(ok for *_, ok in r.results) for r in runs))
        for r in runs:
            report.set(r.source, r.figures)
        report.set("bench_process_peak_rss_mb", peak_rss_mb())
        # A shared machine's load changes the timings; the figures say under which.
        report.set("load_average_1min", {"start": load_before[0], "end": os.getloadavg()[0]})
        here = Path.cwd()
        report.set("gold_files", [str(f.relative_to(here)) if f.is_relative_to(here) else str(f) for f in gold_files(questions)])
        report.print()
        # Kept out of the printed table (long): in the JSON, and listed with --errors.
        report.figures["errors"] = {
            r.source: [
                {"question": g.question, "kind": g.kind, "gold": g.answers, "got": a.labels() or a.count or a.boolean,
                 "structure": a.structure.signature() if a.structure else None}
                for g, a, ok in r.results if not ok
            ]
            for r in runs
        }
        if errors:
            for name, wrong in report.figures["errors"].items():
                for e in wrong:
                    print(f"  {name} [{e['kind']}] {e['question']}  gold={e['gold']}  got={e['got']}  {e['structure']}")
        report.write_json(json_out)


def _linking_at_scale(linker, questions: list[str], extra: int = 150_000) -> dict[str, float]:  # noqa: ANN001 - Linker
    """Mention detection over the graph's labels plus ``extra`` made-up ones (the index must stay fast)."""
    index = linker.index
    rng = random.Random(0)
    syllables = ["ka", "lo", "mer", "tin", "sa", "vo", "ril", "den", "qua", "zor", "pel", "ani"]
    started = time.perf_counter()
    for i in range(extra):
        name = " ".join("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).title() for _ in range(rng.randint(1, 3)))
        index.add(URIRef(f"urn:bench:e{i}"), name)
    build = time.perf_counter() - started
    times = []
    for q in questions:
        start = time.perf_counter()
        detect(index, q, vocabulary=linker.vocabulary, class_words=linker.class_tokens)
        times.append((time.perf_counter() - start) * 1000)
    return {"labels": len(index), "add_s": round(build, 2), "detect_median_ms": statistics.median(times),
            "detect_p95_ms": percentile(times, 95)}


def _cold_start(project: Path, question: str) -> tuple[float, float]:
    """Seconds for a fresh ``kgqa ask`` process to print its first answer, and that process's peak memory (MiB).

    Memory is sampled with psutil: the kernel's RUSAGE_CHILDREN figure would count the
    benchmark's own pages, copied into the child between fork and exec.
    """
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    import psutil

    start = time.perf_counter()
    child = psutil.Popen(
        [sys.executable, "-m", "kgqa", "--project", str(project), "ask", question],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, child.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.01)
    seconds = time.perf_counter() - start
    out, err = child.communicate()
    if child.returncode != 0:
        raise KgqaError(f"kgqa ask failed in the cold-start run: {err.decode(errors='replace').strip()[-500:]}")
    return seconds, peak / 2**20
