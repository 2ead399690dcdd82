"""``kgqa bench metaqa``: multi-hop question answering over the WikiMovies KB.

MetaQA (Zhang et al. 2018) asks 1-, 2- and 3-hop questions about movies. The
benchmark loads the KB (full, or the half drawn with a fixed seed) into a kgqa
store with ``ontologies/movies.ttl``, trains kgqa's translator from questions to
relation paths (supervision derived from question/answer pairs:
:mod:`~kgqa.bench.metaqa.supervision`, :mod:`~kgqa.bench.metaqa.translator`), and
for the half KB mines rules (:mod:`~kgqa.bench.metaqa.rules`), gathers what the
training answers state (:mod:`~kgqa.bench.metaqa.memory`) and trains PyKEEN
completion. Each held-out question is answered with SPARQL over asserted facts,
then over the inferred graph, then by query-time scoring
(:mod:`~kgqa.bench.metaqa.answer`), with the topic given or linked
(:mod:`~kgqa.bench.metaqa.link`); the command reports Hits@1 per hop beside
published figures, the ablation, speed and memory. Artifacts are cached
(:mod:`~kgqa.bench.metaqa.workspace`), so a re-run only evaluates.

Public objects: :func:`register`, :func:`run_benchmark`, :class:`Workspace`.

Example (the command):
    kgqa bench metaqa --data ../shared/metaqa --split dev --kb full,half --hops 1,2,3 --json metaqa.json
"""

from __future__ import annotations

from pathlib import Path

import typer

from kgqa.bench.metaqa.run import PUBLISHED, memory_mb, run_benchmark, summarize_latency
from kgqa.bench.metaqa.workspace import KB_FILES, Workspace, default_cache
from kgqa.bench.report import Report
from kgqa.datasets.metaqa import MetaQAError, default_root

ENTITY_MODES = ("given", "linked")


def _choices(value: str, allowed: tuple[str, ...], option: str) -> list[str]:
    items = [v.strip() for v in value.replace("|", ",").split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise MetaQAError(f"{option}: expected some of {', '.join(allowed)}, got {value!r}")
    return items


def _kb_dir(data: Path, kb_dir: Path | None) -> Path:
    if kb_dir is not None:
        return kb_dir
    return data if (data / "kb.txt").is_file() else default_root()


def register(app: typer.Typer) -> None:
    @app.command("metaqa")
    def metaqa_command(
        data: Path = typer.Option(default_root(), help="Directory with N-hop/qa_<split>.txt files."),
        split: str = typer.Option("dev", help="dev (scores the held-out 20%) or test (scores all)."),
        kb: str = typer.Option("full,half", help="full, half or both (comma-separated)."),
        hops: str = typer.Option("1,2,3", help="Hop counts to score, comma-separated."),
        entity: str = typer.Option("given,linked", help="given (bracketed topic), linked, or both."),
        kb_dir: Path = typer.Option(None, help="KB and dev questions to train on (default: --data if it has kb.txt, else $KGQA_DATA/metaqa or ../shared/metaqa)."),
        cache: Path = typer.Option(default_cache(), help="Where trained artifacts are kept."),
        threads: int = typer.Option(2, help="Torch threads for training and scoring."),
        latency_sample: int = typer.Option(300, help="Questions timed one at a time, per KB."),
        inferred_graph: bool = typer.Option(
            True, help="Half KB: write the training answers' facts and confident rule links into the inferred graph."
        ),
        model: bool = typer.Option(True, help="Half KB: let the completion model (PyKEEN) score links at query time."),
        what_if: bool = typer.Option(
            False,
            help="Also score the half KB (topic given) with the facts a train split of the official size would "
            "state, drawn from kb.txt: a what-if reported apart, not a benchmark figure.",
        ),
        limit: int = typer.Option(None, help="Score only the first N questions of each hop (quick runs)."),
        json_path: Path = typer.Option(None, "--json", help="Also write the figures as JSON."),
    ) -> None:
        """MetaQA Hits@1 per hop (full / half KB, topic given / linked), ablation, speed, memory."""
        # Deferred: torch loads only when this benchmark runs.
        import torch

        torch.set_num_threads(threads)
        hop_list = [int(h) for h in _choices(hops, ("1", "2", "3"), "--hops")]
        kbs = _choices(kb, tuple(KB_FILES), "--kb")
        modes = _choices(entity, ENTITY_MODES, "--entity")
        if split not in ("dev", "test"):
            raise MetaQAError(f"--split: expected dev or test, got {split!r}")
        workspace = Workspace(_kb_dir(data, kb_dir), cache, threads)
        results = run_benchmark(
            workspace,
            data,
            split,
            kbs,
            hop_list,
            modes,
            latency_sample,
            inferred_graph=inferred_graph,
            limit=limit,
            model=model,
            what_if=what_if,
        )

        cols = [f"{h}-hop" for h in hop_list]
        report = Report("metaqa", ["setting", *cols])
        for k in kbs:
            for mode in modes:
                report.add_row(f"kgqa, {k} KB, entity {mode}", *(results.hits[k][mode][str(h)] for h in hop_list))
        for name, figures in PUBLISHED.items():
            report.add_row(f"{name} (published, test)", *(figures[h - 1] for h in hop_list))
        labels = {
            "sparql": "half KB ablation: SPARQL over asserted facts",
            "inferred": "  + inferred graph (training answers' facts, rule links)",
            "rules": "  + query-time scoring: rules, neighbours' vote, answer priors",
            "model": "  + query-time scoring: completion model (PyKEEN)",
        }
        for stage, label in labels.items():
            if stage in results.ablation:
                report.add_row(label, *(results.ablation[stage][str(h)] for h in hop_list))
        if results.what_if:
            report.add_row(
                "what-if: half KB, given, + facts of an official-size train split", *(results.what_if[str(h)] for h in hop_list)
            )
            report.set("what_if_half_given_official_train", results.what_if)
        if results.inferred_share:
            report.add_row("half KB: answers flagged inferred (%)", *(results.inferred_share[str(h)] for h in hop_list))
        report.set("hits_at_1", {k: dict(v) for k, v in results.hits.items()})
        report.set("ablation_half_given", results.ablation)
        report.set("questions_per_hop", results.counts)
        report.set("split", f"{split} ({'held-out 20% by sha1 of the line' if split == 'dev' else 'all'})")
        report.set("latency_ms", summarize_latency([t for times in results.latency_ms.values() for t in times]))
        report.set("latency_by_kb_ms", {k: summarize_latency(times) for k, times in results.latency_ms.items()})
        report.set("throughput_qps", min(results.throughput_qps.values()))
        report.set("throughput_by_setting_qps", results.throughput_qps)
        report.set("training_s", workspace.timings)
        report.set("peak_rss_mb", results.peak_rss_mb)
        if results.what_if:
            report.set("peak_rss_mb_with_what_if", memory_mb())
        report.print()
        report.write_json(json_path)
