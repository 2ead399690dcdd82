"""Training the relation matcher on WebNLG (``kgqa train matcher --webnlg DIR``).

WebNLG pairs sets of DBpedia triples with texts that state them. For each training
text, every entity of its triples is located (the forms texts write names, dates and
numbers in), and every ordered pair of located entities in one sentence becomes a
:class:`~ingest.extract.matcher.PairText`. Its candidate properties are the
predicates of its category (a few dozen): the ones the entry states between the
pair are positives, a sample of the others negatives, so the matcher learns both
"which property" and "any property at all". Predicates enter by their words only
(``cityServed`` -> "city served"), as an ontology's properties will.

Two heads are trained from the same features: one on every category (shipped as
``weights/matcher.npz``) and one without :data:`HELD_OUT` (``matcher-heldout.npz``),
so that transfer to unseen categories and properties can be measured honestly
(``kgqa bench ingest --parts webnlg-unseen``). Calibration (Platt scaling) is fitted
on WebNLG dev pairs; the loss curves go to a PNG.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.extract.matcher import WEIGHTS, PairText, PropertyText, features, pair_text

#: Categories left out of the held-out head: unlike each other and unlike the rest.
HELD_OUT = ("Artist", "CelestialBody", "Politician")
_YEAR = re.compile(r"^\d{4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?[\d.,]+( \(.*\))?$")


def predicate_words(predicate: str) -> str:
    """``cityServed`` -> "city served" (the first half of ``a/b`` predicates)."""
    head = predicate.split("/")[0]
    return " ".join(re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", head).replace("_", " ").lower().split())


def value_kind(raw: str) -> str | None:
    """``year`` for years and dates, ``number`` for numbers (with or without unit), ``None`` for names."""
    from kgqa.verbalize.names import base_form

    text = base_form(raw)
    if _YEAR.match(text) or _DATE.match(text):
        return "year"
    if _NUMBER.match(text):
        return "number"
    return None


def predicate_texts(entries: list[Any]) -> dict[str, PropertyText]:
    """One :class:`PropertyText` per predicate: its words, and the kind of value most of its objects are."""
    kinds: dict[str, Counter[str | None]] = defaultdict(Counter)
    for e in entries:
        for t in e.triples:
            kinds[t.predicate][value_kind(t.object)] += 1
    out = {}
    for pred, counts in kinds.items():
        kind = counts.most_common(1)[0][0]
        words = predicate_words(pred)
        out[pred] = PropertyText(words, (words,), words, kind)
    return out


@dataclass
class Example:
    pair: PairText
    category: str
    positives: set[str]
    candidates: list[str]


def _locate(doc, raw: str):  # noqa: ANN001, ANN202 - spaCy Doc -> Span | None
    from kgqa.verbalize.names import find, variants

    for v in variants(raw):
        for a, b in find(v.text, doc.text):
            span = doc.char_span(a, b, alignment_mode="expand")
            if span is not None:
                return span
    return None


def examples(entries: list[Any], props: dict[str, PropertyText], negatives: int, seed: int, max_texts: int) -> list[Example]:
    """Pairs of located entities in one sentence, with their positive and sampled negative predicates."""
    from ingest.extract.nlp import parse_many

    rng = random.Random(seed)
    by_category: dict[str, set[str]] = defaultdict(set)
    as_subject: dict[str, set[str]] = defaultdict(set)
    as_object: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        by_category[e.category].update(t.predicate for t in e.triples)
        for t in e.triples:
            as_subject[t.subject].add(t.predicate)
            as_object[t.object].add(t.predicate)
    jobs = [(e, text) for e in entries for text in e.texts]
    rng.shuffle(jobs)
    jobs = jobs[:max_texts] if max_texts else jobs
    out: list[Example] = []
    docs = parse_many([text for _, text in jobs])
    for (entry, _), doc in zip(jobs, docs):
        names = list(dict.fromkeys([t.subject for t in entry.triples] + [t.object for t in entry.triples]))
        spans = {n: _locate(doc, n) for n in names}
        related: dict[tuple[str, str], set[str]] = defaultdict(set)
        for t in entry.triples:
            related[(t.subject, t.object)].add(t.predicate)
        pool = sorted(by_category[entry.category])
        for a in names:
            for b in names:
                sa, sb = spans[a], spans[b]
                if a == b or sa is None or sb is None or sa.sent != sb.sent or sa.start < sb.end and sb.start < sa.end:
                    continue
                pos = related.get((a, b), set())
                # The predicates these names could take (as an ontology's domains and ranges would
                # allow), then a few random ones of the category: the choices extraction faces.
                plausible = sorted((as_subject[a] & as_object[b]) - pos)
                others = [p for p in pool if p not in pos and p not in plausible]
                cands = sorted(pos) + plausible + rng.sample(others, min(negatives, len(others)))
                out.append(Example(pair_text(sa, sb, value_kind(b)), entry.category, pos, cands))
    return out


def featurise(exs: list[Example], props: dict[str, PropertyText]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Feature rows, labels and the category of each row."""
    from kgqa.models.encoder import get_encoder

    names = sorted(props)
    index = {p: i for i, p in enumerate(names)}
    texts = [props[p] for p in names]
    encoder = get_encoder()
    x, keys = features([e.pair for e in exs], texts, encoder.encode, [[index[c] for c in e.candidates] for e in exs])
    y = np.array([float(names[j] in exs[i].positives) for i, j in keys], np.float32)
    cats = [exs[i].category for i, _ in keys]
    return x, y, cats


def fit(x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, epochs: int = 30, hidden: int = 64,
        seed: int = 0) -> tuple[dict[str, np.ndarray], list[tuple[float, float]]]:
    """A two-layer network with early stopping on the validation loss; the loss curve per epoch."""
    import torch

    torch.manual_seed(seed)
    mean, std = x.mean(0), x.std(0) + 1e-6
    xt = torch.tensor((x - mean) / std)
    yt = torch.tensor(y)
    xvt = torch.tensor((xv - mean) / std)
    yvt = torch.tensor(yv)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(hidden, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)
    pos_weight = torch.tensor(max(1.0, float((1 - y).sum() / max(1.0, y.sum())) ** 0.5))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    curve: list[tuple[float, float]] = []
    best: tuple[float, dict[str, Any]] | None = None
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(len(xt))
        total = 0.0
        for k in range(0, len(xt), 256):
            idx = perm[k : k + 256]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]).squeeze(1), yt[idx])
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        net.eval()
        with torch.no_grad():
            val = float(loss_fn(net(xvt).squeeze(1), yvt))
        curve.append((total / len(xt), val))
        if best is None or val < best[0]:
            best = (val, {k: v.clone() for k, v in net.state_dict().items()})
    assert best is not None
    net.load_state_dict(best[1])
    params = {
        "mean": mean.astype(np.float32), "std": std.astype(np.float32),
        "w1": net[0].weight.detach().numpy().T.copy(), "b1": net[0].bias.detach().numpy().copy(),
        "w2": net[3].weight.detach().numpy().T.copy(), "b2": net[3].bias.detach().numpy().copy(),
    }
    return params, curve


def platt(logits: np.ndarray, y: np.ndarray, steps: int = 500) -> tuple[float, float]:
    """Platt scaling: ``a``, ``b`` with ``sigmoid(a * logit + b)`` calibrated on held-out pairs."""
    a, b = 1.0, 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a * logits + b)))
        ga, gb = float(((p - y) * logits).mean()), float((p - y).mean())
        a, b = a - 0.5 * ga, b - 0.5 * gb
    return a, b


def pair_scores(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of the calibrated decision at 0.5 on feature rows."""
    from ingest.extract.matcher import Matcher

    p = Matcher(params).probability(x) >= 0.5
    tp, fp, fn = float((p & (y == 1)).sum()), float((p & (y == 0)).sum()), float((~p & (y == 1)).sum())
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(pr, 3), "recall": round(rc, 3), "f1": round(2 * pr * rc / (pr + rc) if pr + rc else 0.0, 3)}


def train_matcher(root: Path, out: Path = WEIGHTS, max_texts: int = 3000, negatives: int = 3, epochs: int = 25,
                  seed: int = 0, plot: Path | None = None) -> dict[str, Any]:
    """Train both heads (all categories; without :data:`HELD_OUT`) and write them beside ``out``."""
    from kgqa.datasets.webnlg import load

    train, dev = load(root, "train"), load(root, "dev")
    props = predicate_texts(train + dev)
    tr = featurise(examples(train, props, negatives, seed, max_texts), props)
    dv = featurise(examples(dev, props, negatives, seed + 1, max_texts // 4), props)
    report: dict[str, Any] = {"train_rows": len(tr[1]), "dev_rows": len(dv[1]), "held_out": list(HELD_OUT)}
    curves = {}
    for name, keep in (("all", None), ("heldout", HELD_OUT)):
        tmask = np.array([keep is None or c not in keep for c in tr[2]])
        params, curve = fit(tr[0][tmask], tr[1][tmask], dv[0], dv[1], epochs=epochs, seed=seed)
        from ingest.extract.matcher import Matcher

        params["platt_a"], params["platt_b"] = (np.float32(v) for v in platt(Matcher({**params, "platt_a": np.float32(1), "platt_b": np.float32(0)}).logits(dv[0]), dv[1]))
        params["held_out"] = np.array(",".join(keep or ()))
        path = out if keep is None else out.with_name(out.stem + "-heldout.npz")
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **params)
        curves[name] = curve
        in_cat = np.array([c not in HELD_OUT for c in dv[2]])
        report[name] = {"dev_in_categories": pair_scores(params, dv[0][in_cat], dv[1][in_cat]),
                        "dev_held_out_categories": pair_scores(params, dv[0][~in_cat], dv[1][~in_cat]),
                        "epochs": len(curve), "path": str(path)}
    if plot is not None:
        _plot(curves, plot)
    return report


def _plot(curves: dict[str, list[tuple[float, float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, curve in curves.items():
        ax.plot([c[0] for c in curve], label=f"{name}: train")
        ax.plot([c[1] for c in curve], "--", label=f"{name}: WebNLG dev")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (weighted BCE)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


__all__ = ["HELD_OUT", "predicate_texts", "predicate_words", "train_matcher", "value_kind"]
