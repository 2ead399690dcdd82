"""``kgqa bench verbalize``: WebNLG triple sets said with learned templates, scored against human texts.

Lexicalisations are learned from the train split's texts only
(:mod:`kgqa.verbalize.induce`, no LLM, nothing per category); every entry of the
evaluated split is rendered (:class:`kgqa.verbalize.TripleSetVerbalizer`) and scored
with sacrebleu's corpus BLEU and chrF++ against all its references. The published
WebNLG 2020 figures (test split) are printed beside ours. ``--unseen`` also scores
each category with a lexicon learned without that category, a stand-in for the
test split's categories never seen in training.

Example:
    kgqa bench verbalize                         # ../shared/webnlg, dev split
    kgqa bench verbalize --data DIR --split test --json figures.json
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from tqdm import tqdm

from kgqa.bench.report import Report
from kgqa.datasets.webnlg import default_root, load

#: Published WebNLG 2020 (English, test split) triples-to-text results: BLEU, chrF++.
PUBLISHED = {
    "FORGE2020 rule-based baseline (published, test)": (40.6, 0.621),
    "best WebNLG 2020 system, fine-tuned neural (published, test)": (54.0, 0.690),
}


def score(hypotheses: list[str], references: list[tuple[str, ...]]) -> tuple[float, float]:
    """Corpus BLEU and chrF++ (0-1) with every reference of each entry."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    import sacrebleu

    width = max(len(r) for r in references)
    streams = [[refs[i] if i < len(refs) else None for refs in references] for i in range(width)]
    bleu = sacrebleu.corpus_bleu(hypotheses, streams).score
    chrf = sacrebleu.corpus_chrf(hypotheses, streams, word_order=2).score / 100
    return bleu, chrf


def _learn(entries: list[Any], desc: str) -> Any:
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from kgqa.verbalize.induce import Lexicon

    return Lexicon.learn((e.triples, e.texts) for e in tqdm(entries, desc=desc, unit="entry", leave=False))


def run(data: Path, split: str, train_split: str, limit: int, unseen: bool, examples: int) -> Report | None:
    """Learn, render, score; ``None`` (after saying why) when the data is absent."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from kgqa.verbalize.triplesets import TripleSetVerbalizer

    console = Console()
    missing = [d for d in (data / train_split, data / split) if not d.is_dir()]
    if missing:
        console.print(f"skipped: no WebNLG data at {', '.join(map(str, missing))} (see ../shared/webnlg/README.md)")
        return None
    start = time.perf_counter()
    train = load(data, train_split)
    entries = [e for e in load(data, split) if e.texts][: limit or None]
    if not entries:
        console.print(f"skipped: the {split} split at {data / split} has no reference texts")
        return None
    lexicon = _learn(train, f"learning from {train_split}")
    learn_s = time.perf_counter() - start
    generator = TripleSetVerbalizer(lexicon)
    start = time.perf_counter()
    hypotheses = [generator.render(e.triples) for e in tqdm(entries, desc=f"rendering {split}", unit="entry", leave=False)]
    render_ms = (time.perf_counter() - start) * 1000 / len(entries)

    report = Report("verbalize", ["system", "split", "entries", "BLEU", "chrF++"])
    bleu, chrf = score(hypotheses, [e.texts for e in entries])
    report.add_row("kgqa learned templates (no LLM)", split, len(entries), round(bleu, 1), round(chrf, 3))
    for size in sorted({e.size for e in entries}):
        idx = [i for i, e in enumerate(entries) if e.size == size]
        b, c = score([hypotheses[i] for i in idx], [entries[i].texts for i in idx])
        report.add_row(f"  {size} triple{'s' if size > 1 else ''}", split, len(idx), round(b, 1), round(c, 3))
    if unseen:
        b, c, n = _unseen(train, entries)
        report.add_row("kgqa, each category held out of training", split, n, round(b, 1), round(c, 3))
    for name, (b, c) in PUBLISHED.items():
        report.add_row(name, "test", 1779, b, c)
    seen_predicates = lexicon.predicates()
    report.set("data", str(data))
    report.set("train_texts_aligned", f"{lexicon.texts_aligned} of {lexicon.texts_seen}")
    report.set("learned_shapes", len(lexicon.candidates))
    report.set("predicates_without_learned_template", len({t.predicate for e in entries for t in e.triples} - seen_predicates))
    report.set("learn_s", round(learn_s, 1))
    report.set("render_ms_per_entry", round(render_ms, 2))
    step = max(1, len(entries) // max(examples, 1))
    for e, h in list(zip(entries, hypotheses))[::step][:examples]:
        console.print(f"[bold]{' ; '.join(f'{t.subject} | {t.predicate} | {t.object}' for t in e.triples)}[/bold]")
        console.print(f"  ours:      {h}\n  reference: {e.texts[0]}", markup=False)
    return report


def _unseen(train: list[Any], entries: list[Any]) -> tuple[float, float, int]:
    """Scores when each category's entries are said by a lexicon learned without it."""
    # Deferred to when the benchmark runs: registering `kgqa bench` imports every benchmark module.
    from kgqa.verbalize.triplesets import TripleSetVerbalizer

    hypotheses, references = [], []
    for category in sorted({e.category for e in entries}):
        generator = TripleSetVerbalizer(_learn([e for e in train if e.category != category], f"learning without {category}"))
        for e in entries:
            if e.category == category:
                hypotheses.append(generator.render(e.triples))
                references.append(e.texts)
    bleu, chrf = score(hypotheses, references)
    return bleu, chrf, len(hypotheses)


def register(app: typer.Typer) -> None:
    @app.command("verbalize")
    def verbalize(
        data: Path = typer.Option(None, help="WebNLG root with <split>/<N>triples/*.xml (default $KGQA_DATA/webnlg, else ../shared/webnlg from the current directory)"),
        split: str = typer.Option("dev", help="the split to render and score (dev or test)"),
        train_split: str = typer.Option("train", help="the split whose texts templates are learned from"),
        limit: int = typer.Option(0, help="score only the first N entries (0: all)"),
        unseen: bool = typer.Option(False, help="also score each category with a lexicon learned without it (~2 min)"),
        examples: int = typer.Option(3, help="example outputs to record"),
        json_out: Path = typer.Option(None, "--json", help="write the figures as JSON"),
    ) -> None:
        """Verbalize WebNLG triple sets with templates learned from train; BLEU and chrF++ vs human texts."""
        report = run(data or default_root(), split, train_split, limit, unseen, examples)
        if report is None:
            return
        report.print()
        report.write_json(json_out)
