"""kgqa bench complete: link prediction quality, training time and memory.

1. TransE and DistMult on PyKEEN's bundled Nations, UMLS and Kinships (shipped in
   the pykeen package, no download), official splits: filtered MRR and Hits@10
   beside the published PyKEEN figures where they exist, training time and peak
   memory. Each run happens in its own process, so peak memory is per run.
2. With ``../shared/metaqa``: train on ``kb_half.txt`` (the project's fixed-seed 50%
   sample of the 134k-triple KB), then count how many of the removed triples come
   back at the calibrated precision (default 0.8), check that precision against
   the full KB, and time epochs on the full KB.
3. Rules (``kgqa.complete.rules``, bodies of up to 3 steps): on the sample graph
   with a fixed 20% of its entity triples hidden, and with ``../shared/metaqa`` on the
   half KB, how many hidden triples the rule links bring back, and how many of the
   links are true.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from kgqa.bench.qa import sample_project
from kgqa.bench.report import Report, peak_rss_mb, timed_ms
from kgqa.complete.export import asserted_entity_triples, entity_types
from kgqa.complete.options import TrainingOptions
from kgqa.complete.positions import ontology_positions
from kgqa.complete.progress import quiet_pykeen
from kgqa.complete.rules import RuleSet
from kgqa.datasets.metaqa import default_root, read_kb
from kgqa.namespaces import local_name

#: Published PyKEEN figures for the same model and dataset (filtered, both sides, test set),
#: and the configuration that produced them. Source: Ali et al., "Bringing Light Into the
#: Dark: A Large-scale Evaluation of Knowledge Graph Embedding Models under a Unified
#: Framework", TPAMI 2021, whose artefacts are in github.com/pykeen/benchmarking.
#: Hits@10: mean ± std over replicates of the best configuration after HPO, from
#: ``ablation/results/_results/kinships/model.tsv``. MRR: that configuration's first
#: replicate (``mean_reciprocal_rank``, the aggregated table gives Hits@10 only), from
#: the ``results.json`` under ``ablation/results/<model>/kinships/random/adam/...``.
#: The study (ablation: Kinships, WN18RR, FB15k-237, YAGO3-10; reproducibility: FB15k,
#: WN18, FB15k-237, WN18RR) has no Nations or UMLS run, and PyKEEN's
#: ``src/pykeen/experiments`` holds no Nations or UMLS configuration either.
PUBLISHED: dict[tuple[str, str], dict[str, Any]] = {
    ("kinships", "transe"): {
        "hits@10": 0.87756,
        "hits@10_std": 0.00316,
        "mrr": 0.2905,
        "source": "pykeen/benchmarking ablation/results/_results/kinships/model.tsv; MRR: "
        "ablation/results/transe/kinships/random/adam/2020-03-07-00-07_92c11128-ccb4-440c-aec3-51b2ddf2d019"
        "_hpo_transe_kinships_owa_nssal/0002_kinships_transe/best_pipeline/2020-09-02-21-46-48/"
        "replicates/replicate-00000/results.json",
        # configuration_copied.json beside it (pipeline.training_kwargs.num_epochs = 301)
        "dim": 256,
        "epochs": 301,
        "recipe": {
            "training_loop": "slcwa",
            "negative_sampler": "basic",
            "negative_sampler_kwargs": {"num_negs_per_pos": 38},
            "loss": "nssa",
            "loss_kwargs": {"margin": 28.535, "adversarial_temperature": 0.1709},
            "model_kwargs": {"scoring_fct_norm": 1},
            "learning_rate": 0.0010736,
            "batch_size": 512,
        },
    },
    ("kinships", "distmult"): {
        "hits@10": 0.92179,
        "hits@10_std": 0.00221,
        "mrr": 0.5528,
        "source": "pykeen/benchmarking ablation/results/_results/kinships/model.tsv; MRR: "
        "ablation/results/distmult/kinships/random/adam/2020-03-06-09-02_610dbc50-f4bb-4009-bdd8-fdfcaf8909ef"
        "_hpo_distmult_kinships_lcwa_crossentropy/0000_kinships_distmult/best_pipeline/2020-08-28-13-50-29/"
        "replicates/replicate-00000/results.json",
        "dim": 64,
        "epochs": 751,
        "recipe": {
            "training_loop": "lcwa",
            "loss": "crossentropy",
            "training_kwargs": {"label_smoothing": 0.8239},
            "inverse_triples": True,
            "learning_rate": 0.0031588,
            "batch_size": 256,
        },
    },
}
NO_PUBLISHED = (
    "Nations, UMLS: no PyKEEN figure (checked pykeen/benchmarking ablation/results/_results and "
    "reproducibility/summaries, and pykeen/pykeen src/pykeen/experiments)"
)


def register(app: typer.Typer) -> None:
    @app.command("complete")
    def bench_complete(
        datasets: str = typer.Option("nations,umls,kinships", help="PyKEEN bundled datasets, comma-separated."),
        models: str = typer.Option("TransE,DistMult", help="PyKEEN models, comma-separated."),
        dim: int = typer.Option(128, help="Embedding dimension."),
        epochs: int = typer.Option(300, help="Most epochs (early stopping on validation MRR)."),
        published_configs: bool = typer.Option(
            True, help="Also rerun the published configuration where one exists (Kinships)."
        ),
        published_max_epochs: int = typer.Option(
            0, help="Train published configurations at most this many epochs (0: as published)."
        ),
        threads: int = typer.Option(0, help="Torch threads (0: half the cores)."),
        metaqa: bool = typer.Option(True, help="Run the MetaQA embedding part when the MetaQA data exists."),
        metaqa_root: Path = typer.Option(None, help="MetaQA directory (default: $KGQA_DATA/metaqa, else ../shared/metaqa from the current directory)."),
        metaqa_model: str = typer.Option("TransE", help="Model for the MetaQA part."),
        metaqa_dim: int = typer.Option(128, help="Embedding dimension on MetaQA."),
        metaqa_epochs: int = typer.Option(30, help="Most epochs on MetaQA's half KB."),
        metaqa_batch: int = typer.Option(0, help="Training batch on MetaQA (0: the recipe's)."),
        target_precision: float = typer.Option(0.8, help="Calibrated precision for the MetaQA and rules parts."),
        rules: bool = typer.Option(True, help="Run the rules part (sample graph; MetaQA half KB when it exists)."),
        json_out: Path = typer.Option(None, "--json", help="Write the figures as JSON."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Link prediction on Nations/UMLS/Kinships vs published figures; MetaQA half-KB recovery."""
        report = Report(
            "complete",
            [
                "dataset",
                "model",
                "config",
                "MRR",
                "Hits@10",
                "published MRR",
                "published Hits@10",
                "epochs",
                "train s",
                "peak MiB",
            ],
        )
        load_before = os.getloadavg()
        base = TrainingOptions(embedding_dim=dim, epochs=epochs, threads=threads, eval_every=10, patience=3)
        for dataset in _split(datasets):
            for model in _split(models):
                published = PUBLISHED.get((dataset.lower(), model.lower()), {})
                runs = [("kgqa recipe", base.replace(model=model), None)]
                if published_configs and published:
                    # The published runs trained a fixed number of epochs: one check at the end.
                    fixed_epochs = min(published["epochs"], published_max_epochs or published["epochs"])
                    fixed = base.replace(
                        model=model, embedding_dim=published["dim"], epochs=fixed_epochs, eval_every=fixed_epochs
                    )
                    runs.append(("published", fixed, published["recipe"]))
                for config, options, recipe in runs:
                    row = _in_child(_run_dataset, dataset, options, recipe, not quiet)
                    report.add_row(
                        dataset,
                        model,
                        config,
                        row["metrics"]["mrr"],
                        row["metrics"]["hits@10"],
                        published.get("mrr"),
                        published.get("hits@10"),
                        row["epochs"],
                        row["train_seconds"],
                        row["peak_mib"],
                    )
        report.set("published", {f"{d}/{m}": p["source"] for (d, m), p in PUBLISHED.items()} | {"none": NO_PUBLISHED})
        report.set("settings", base.to_dict())
        root = metaqa_root or default_root()
        if metaqa and (root / "kb_half.txt").is_file():
            options = base.replace(
                model=metaqa_model,
                embedding_dim=metaqa_dim,
                epochs=metaqa_epochs,
                batch_size=metaqa_batch,
                eval_every=10,
                patience=2,
                holdout=0.05,
                target_precision=target_precision,
            )
            report.set("metaqa", _in_child(_run_metaqa, root, options, not quiet))
            report.set("metaqa_full_kb", _in_child(_time_full_kb, root, options, 3, not quiet))
        elif metaqa:
            report.set("metaqa", f"skipped: {root} has no kb_half.txt")
        if rules:
            rule_rows = [_in_child(_rules_on_sample, target_precision)]
            if (root / "kb_half.txt").is_file():
                rule_rows.append(_in_child(_rules_on_metaqa, root, target_precision))
            report.set("rules", rule_rows)
            _print_rules(rule_rows)
        # Other jobs share the machine: times are only comparable at similar load.
        report.set("load_average_1min", {"start": load_before[0], "end": os.getloadavg()[0]})
        report.print()
        report.write_json(json_out)


def _split(names: str) -> list[str]:
    return [n.strip() for n in names.split(",") if n.strip()]


def _in_child(fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in a fresh process, so each run's peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _run_dataset(
    dataset: str, options: TrainingOptions, recipe: dict[str, Any] | None, progress: bool
) -> dict[str, Any]:
    """Official split of a bundled PyKEEN dataset: train, evaluate (filtered), time."""
    # Deferred: torch and PyKEEN load only when this benchmark runs.
    from pykeen.datasets import get_dataset

    from kgqa.complete.train import fit

    quiet_pykeen()
    ds = get_dataset(dataset=dataset)
    with tempfile.TemporaryDirectory() as scratch:
        result = fit(
            ds.training, ds.validation, ds.testing, options, scratch=Path(scratch), recipe=recipe, progress=progress
        )
    return {
        "metrics": result.metrics,
        "epochs": result.epochs,
        "train_seconds": result.train_seconds,
        "learning_rate": result.learning_rate,
        "batch_size": result.batch_size,
        "peak_mib": peak_rss_mb(),
    }


def _rules_on_sample(target_precision: float, hidden_share: float = 0.2, seed: int = 42) -> dict[str, Any]:
    """Hide a fixed share of the sample graph's entity triples; what do the rules bring back?

    The triples, types and domains are read the way ``kgqa complete`` reads them, from
    a project with the sample loaded.
    """
    with tempfile.TemporaryDirectory() as scratch:
        engine = sample_project(Path(scratch) / ".kgqa")
        try:
            triples = asserted_entity_triples(engine.store)
            types, ontology = entity_types(engine.store), engine.ontology
        finally:
            engine.close()
    hidden = set(random.Random(seed).sample(triples, round(hidden_share * len(triples))))
    kept = [t for t in triples if t not in hidden]
    heads, _ = ontology_positions(kept, types, ontology)
    return _rule_recovery(
        "sample graph.ttl", [tuple(map(str, t)) for t in kept], {tuple(map(str, t)) for t in triples},
        {tuple(map(str, t)) for t in hidden}, heads, length=3, target_precision=target_precision,
    )


def _rules_on_metaqa(root: Path, target_precision: float) -> dict[str, Any]:
    """Mine on the half KB; how many removed triples come back, and how many links are true."""
    half = read_kb(root / "kb_half.txt")
    full = set(read_kb(root / "kb.txt"))
    # Every MetaQA relation goes from a film: any entity that is a subject is a film.
    films = {h for h, _, _ in half}
    return _rule_recovery(
        "MetaQA half KB", half, full, full - set(half), {r: films for _, r, _ in half}, length=3,
        target_precision=target_precision
    )


def _rule_recovery(
    name: str,
    kept: list[tuple[str, str, str]],
    truth: set[tuple[str, str, str]],
    hidden: set[tuple[str, str, str]],
    domains: dict[str, set[str]],
    *,
    length: int,
    target_precision: float,
) -> dict[str, Any]:
    """Mine rules on ``kept``, link empty slots, and score the links against ``truth``."""
    start = time.perf_counter()
    rules = RuleSet.mine(kept, length=length, target_precision=target_precision)
    mined = time.perf_counter() - start
    links = rules.links(domains=domains)
    seconds = time.perf_counter() - start
    true = [x for x in links if (x.head, x.relation, x.tail) in truth]
    back = {(x.head, x.relation, x.tail) for x in true} & hidden
    # A slot emptied by hiding has a known answer; other empty slots may be true gaps of the data.
    emptied = {(h, r) for h, r, _ in hidden}
    on_emptied = [x for x in links if (x.head, x.relation) in emptied]
    return {
        "graph": name,
        "triples": len(kept),
        "hidden": len(hidden),
        "rule_length": length,
        "rules": rules.count,
        "links": len(links),
        "links_true": len(true),
        "precision": len(true) / len(links) if links else None,
        "links_on_emptied_slots": len(on_emptied),
        "precision_on_emptied_slots": (
            sum((x.head, x.relation, x.tail) in truth for x in on_emptied) / len(on_emptied) if on_emptied else None
        ),
        "mean_confidence": statistics.fmean(x.confidence for x in links) if links else None,
        "hidden_back": len(back),
        "recall_of_hidden": len(back) / len(hidden) if hidden else None,
        "links_by_relation": dict(sorted(Counter(local_name(x.relation) for x in links).items())),
        "mine_seconds": mined,
        "seconds": seconds,
        "peak_mib": peak_rss_mb(),
        "target_precision": target_precision,
    }


def _print_rules(rows: list[dict[str, Any]]) -> None:
    table = Table("graph", "triples", "hidden", "rules", "links", "true", "precision", "links on emptied slots",
                  "precision there", "mean confidence", "hidden back", "recall", "seconds", "peak MiB",
                  title="rule links vs hidden triples")
    for r in rows:
        table.add_row(
            r["graph"], str(r["triples"]), str(r["hidden"]), str(r["rules"]), str(r["links"]), str(r["links_true"]),
            _fmt(r["precision"]), str(r["links_on_emptied_slots"]), _fmt(r["precision_on_emptied_slots"]),
            _fmt(r["mean_confidence"]), str(r["hidden_back"]), _fmt(r["recall_of_hidden"]),
            f"{r['seconds']:.1f}", f"{r['peak_mib']:.0f}",
        )
    Console().print(table)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _run_metaqa(root: Path, options: TrainingOptions, progress: bool) -> dict[str, Any]:
    """Train on the half KB; how many removed triples come back at the calibrated precision."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from kgqa.complete.scorer import Scorer
    from kgqa.complete.train import train_triples

    quiet_pykeen()
    half = read_kb(root / "kb_half.txt")
    full = read_kb(root / "kb.txt")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run = train_triples(half, out, options, progress=progress)
        seconds = time.perf_counter() - start
        scorer = Scorer.from_directory(out)
        half_set = set(half)
        removed = [t for t in full if t not in half_set]
        evaluable = [t for t in removed if scorer.knows(t[0]) and scorer.knows(t[2])]
        admitted = [t for t in evaluable if scorer.admits(*t)]
        scores = scorer.score_many(admitted)
        above = [t for t, s in zip(admitted, scores) if scorer.threshold(t[1]) is not None and s >= scorer.threshold(t[1])]
        predicted = _predicted_among(scorer, above, options.top_k)
        precision = _precision_against(scorer, set(full), options.top_k, seed=options.seed)
    return {
        "training": {
            "triples": len(half),
            "epochs": run.epochs,
            "seconds": seconds,
            # PyKEEN's training time, early-stopping validations included; the rest of
            # ``seconds`` is test evaluation, calibration and saving.
            "train_seconds": run.train_seconds,
            "test_metrics_on_half_kb_split": run.metrics,
        },
        "removed_triples": len(removed),
        "evaluable": len(evaluable),
        "admitted_by_domain_range": len(admitted),
        "back_at_threshold": len(above),
        "back_at_threshold_by_relation": dict(sorted(Counter(t[1] for t in above).items())),
        "removed_by_relation": dict(sorted(Counter(t[1] for t in removed).items())),
        "back_in_top_k_predictions": predicted,
        "recall_at_threshold": len(above) / max(len(removed), 1),
        "recall_in_predictions": predicted / max(len(removed), 1),
        "target_precision": options.target_precision,
        "thresholds": run.thresholds,
        "precision_vs_full_kb": precision,
        "peak_mib": peak_rss_mb(),
        "median_predict_tails_ms": _median_query_ms(scorer, admitted[:200]),
    }


def _predicted_among(scorer: Any, triples: list[tuple[str, str, str]], k: int) -> int:
    """How many of ``triples`` are among the top-``k`` candidates of (h, r, ?) or (?, r, t)."""
    hits: set[tuple[str, str, str]] = set()
    for side, anchor_at, target_at in (("tail", 0, 2), ("head", 2, 0)):
        groups: dict[tuple[int, int], set[int]] = defaultdict(set)
        for t in triples:
            groups[(scorer.relation_id(t[1]), scorer.entity_id(t[anchor_at]))].add(scorer.entity_id(t[target_at]))
        by_relation: dict[int, list[int]] = defaultdict(list)
        for r, a in groups:
            by_relation[r].append(a)
        for r, anchors in by_relation.items():
            for a, ids, _ in scorer.ranked_ids(side, r, np.asarray(anchors, dtype=np.int64), k):
                for target in groups[(r, a)] & set(ids.tolist()):
                    h, t = (a, target) if side == "tail" else (target, a)
                    hits.add((scorer.entities[h], scorer.relations[r], scorer.entities[t]))
    return len(hits)


def _precision_against(scorer: Any, truth: set[tuple[str, str, str]], k: int, *, seed: int) -> dict[str, Any]:
    """Precision of the top-``k`` predictions above threshold for sampled anchors, judged by the full KB."""
    rng = random.Random(seed)
    correct = total = 0
    for r, cal in scorer.calibration.items():
        if cal.threshold is None:
            continue
        anchors = scorer.allowed_ids("head", r).tolist()
        sample = sorted(rng.sample(anchors, min(500, len(anchors))))
        for a, ids, scores in scorer.ranked_ids("tail", r, np.asarray(sample, dtype=np.int64), k):
            for t in ids[scores >= cal.threshold]:
                total += 1
                correct += (scorer.entities[a], scorer.relations[r], scorer.entities[int(t)]) in truth
    return {
        "predictions": total,
        "correct": correct,
        "precision": correct / total if total else None,
        "sampled_heads_per_relation": 500,
    }


def _median_query_ms(scorer: Any, triples: list[tuple[str, str, str]]) -> float | None:
    """Median time of one ``predict_tails(h, r, 10)`` call (the per-question API)."""
    if not triples:
        return None
    return statistics.median(timed_ms(lambda h=h, r=r: scorer.predict_tails(h, r, 10)) for h, r, _ in triples)


def _time_full_kb(root: Path, options: TrainingOptions, epochs: int, progress: bool) -> dict[str, Any]:
    """Epochs per second when training on the whole 134k-triple KB (same recipe)."""
    # Deferred: torch and PyKEEN load only when this benchmark runs.
    from pykeen.triples import TriplesFactory

    from kgqa.complete.train import fit

    quiet_pykeen()
    full = read_kb(root / "kb.txt")
    tf = TriplesFactory.from_labeled_triples(np.asarray(full, dtype=str))
    tiny = tf.clone_and_exchange_triples(tf.mapped_triples[:10])
    with tempfile.TemporaryDirectory() as scratch:
        result = fit(tf, tiny, tiny, options.replace(eval_every=epochs + 1), scratch=Path(scratch), epochs=epochs, progress=progress)
    return {
        "triples": tf.num_triples,
        "entities": tf.num_entities,
        "epochs": result.epochs,
        "train_seconds": result.train_seconds,
        "epochs_per_second": result.epochs / result.train_seconds,
        "peak_mib": peak_rss_mb(),
    }
