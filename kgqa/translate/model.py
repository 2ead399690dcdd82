"""The translator: a masked question in, ranked query structures out.

The translating model reads the question with its names masked (see
:mod:`kgqa.translate.masking`), embeds it with the frozen MiniLM sentence encoder
and puts small heads on a shared hidden layer, trained with torch:

* four **factor heads** read the parts of a structure: its path (the hops), its
  form (select, count, ask), its literal filter and its constraint (or none);
* a **class head** says which answer class the question names ("which
  *books*"), or none.

A reading is one of the structures seen in training (signatures without class);
its score is the sum of its factors' log-probabilities, and a softmax over the
seen structures gives the reading's confidence and the next-best readings.
Factoring lets every structure learn from all questions that share a part with
it ("the author of X" is the same path whether asked, counted or filtered), so
a few phrasings per structure suffice.

Training needs only ``(masked question, QueryStructure)`` pairs, whatever the
ontology: synthesized ones (:mod:`kgqa.translate.synthesize`), a user's examples,
or a dataset's (MetaQA). Inference runs in NumPy (:mod:`kgqa.translate.minilm`),
so answering never imports torch. A trained translator is a directory:
``weights.npz``, ``labels.json``, ``config.json`` (settings and training report)
and ``curves.png``.

Example:
    >>> from rdflib import URIRef
    >>> from kgqa.translate.structure import Hop, QueryStructure
    >>> A, B = URIRef("http://ex.org/author"), URIRef("http://ex.org/birthPlace")
    >>> pairs = [("who wrote X", QueryStructure((Hop(A),))), ("who is the author of X", QueryStructure((Hop(A),))),
    ...          ("where was X born", QueryStructure((Hop(B),))), ("what is the birthplace of X", QueryStructure((Hop(B),)))]
    >>> t = Translator.train(pairs, epochs=60, validation=0.0, progress=False)
    >>> t.predict("who was the writer of X")[0].structure == QueryStructure((Hop(A),))
    True
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rdflib import URIRef

from kgqa.errors import KgqaError
from kgqa.models.encoder import DEFAULT_ENCODER
from kgqa.translate.structure import QueryStructure

FORMAT_VERSION = 2
#: The parts of a structure that the factor heads predict.
FACTORS = ("path", "form", "filter", "constraint")
#: Above this many texts, embeddings are computed in bulk (torch, or ONNX Runtime when installed).
_BULK = 64
#: Texts per progress step of a bulk embedding.
_CHUNK = 1024


class TranslatorError(KgqaError):
    """A translator that cannot be trained, loaded or used (the message says which file or setting)."""


@dataclass(frozen=True)
class Reading:
    """One reading of a question: a structure signature (without class) and its probability.

    ``answer_class`` is the class head's choice (``None`` when the question names
    no class), with probability ``class_prob``; it is the same for all readings of
    one question. It unpacks as ``structure, prob = reading``.
    """

    signature: str
    prob: float
    answer_class: URIRef | None = None
    class_prob: float = 0.0

    @property
    def structure(self) -> QueryStructure:
        """The full structure: the signature with the predicted answer class added."""
        sig = self.signature if self.answer_class is None else with_class(self.signature, self.answer_class)
        return QueryStructure.from_signature(sig)

    # A reading also unpacks like the ``(structure, prob)`` pairs other translators return.
    def __iter__(self) -> Iterator[Any]:
        return iter((self.structure, self.prob))

    def __getitem__(self, i: int) -> Any:
        return (self.structure, self.prob)[i]

    def __len__(self) -> int:
        return 2

    def to_dict(self) -> dict[str, Any]:
        return {"signature": self.signature, "prob": self.prob,
                "answer_class": str(self.answer_class) if self.answer_class else None, "class_prob": self.class_prob}


@dataclass
class TrainingReport:
    """What training did: sizes, accuracies, time; saved in ``config.json``."""

    examples: int = 0
    labels: int = 0
    classes: int = 0
    epochs: int = 0
    train_accuracy: float = 0.0
    validation_examples: int = 0
    validation_accuracy: float | None = None
    validation_class_accuracy: float | None = None
    seconds: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)
    #: The epoch whose weights were kept when held-out accuracy stopped improving (``None``: ran every epoch).
    stopped_at: int | None = None


def path_signature(structure: QueryStructure) -> str:
    """The structure head's label: the signature without the answer class."""
    return "|".join(p for p in structure.signature().split("|") if not p.startswith("class:"))


def with_class(signature: str, cls: URIRef) -> str:
    """``signature`` with ``class:<cls>`` in its place (after the hops, before a filter)."""
    parts = signature.split("|")
    # QueryStructure.signature puts the class after the hops, before a filter and a constraint.
    at = next((i for i, p in enumerate(parts) if p.startswith(("filter:", "and:"))), len(parts))
    return "|".join([*parts[:at], f"class:{cls}", *parts[at:]])


def factors_of(signature: str) -> dict[str, str]:
    """A path signature split into its factors (``""`` for an absent filter or constraint)."""
    form, *parts = signature.split("|")
    return {
        "path": "|".join(p for p in parts if not p.startswith(("filter:", "and:"))),
        "form": form,
        "filter": next((p for p in parts if p.startswith("filter:")), ""),
        "constraint": next((p for p in parts if p.startswith("and:")), ""),
    }


def _softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class Translator:
    """Masked question -> ranked :class:`Reading` s (see the module docs)."""

    def __init__(
        self,
        labels: list[str],
        classes: list[str],
        weights: dict[str, np.ndarray],
        config: dict[str, Any],
        factors: dict[str, list[str]] | None = None,
    ) -> None:
        #: The structures seen in training (signatures without class): the readings.
        self.labels = labels
        #: ``""`` (no class named) first, then class IRIs.
        self.classes = classes
        self.weights = weights
        self.config = config
        #: The values of each factor, as the factor heads number them.
        self.factors = factors or _factor_values(labels)
        index = {f: {v: i for i, v in enumerate(vals)} for f, vals in self.factors.items()}
        self._columns = {f: np.array([index[f][factors_of(l)[f]] for l in labels]) for f in FACTORS}

    # -- training ----------------------------------------------------------------
    @classmethod
    def train(
        cls,
        pairs: Sequence[tuple[str, QueryStructure]],
        *,
        epochs: int = 40,
        seed: int = 13,
        validation: float = 0.1,
        hidden: int = 512,
        batch_size: int = 128,
        learning_rate: float = 2e-3,
        encoder: str = DEFAULT_ENCODER,
        progress: bool = True,
        curves: Path | None = None,
        log: Callable[[str], None] | None = None,
        threads: int = 0,
        embedding_cache: Path | None = None,
        patience: int = 0,
    ) -> Translator:
        """Train on ``(masked question, structure)`` pairs, any ontology.

        ``validation`` is the share of distinct questions held out to measure
        accuracy (0 trains on all); ``curves`` is a PNG path for the loss and
        accuracy curves; ``threads`` caps torch's CPU threads (0: half the cores;
        small matrices gain nothing from more, and lose a lot on a shared CPU);
        ``embedding_cache`` is a directory where question embeddings are kept across
        runs (:mod:`kgqa.translate.embedding_cache`), so a retraining encodes only new questions;
        ``patience`` stops training when held-out accuracy has not improved for that many
        epochs and keeps the best epoch's weights (0: every epoch runs).
        Questions must already be masked (X, Y, Z for names, N for numbers; see
        :func:`kgqa.translate.masking.mask_brackets`).
        """
        import torch

        previous = torch.get_num_threads()
        torch.set_num_threads(threads or max(1, (os.cpu_count() or 2) // 2))
        try:
            return cls._train(pairs, epochs=epochs, seed=seed, validation=validation, hidden=hidden,
                              batch_size=batch_size, learning_rate=learning_rate, encoder=encoder,
                              progress=progress, curves=curves, log=log, embedding_cache=embedding_cache, patience=patience)
        finally:
            torch.set_num_threads(previous)

    @classmethod
    def _train(
        cls,
        pairs: Sequence[tuple[str, QueryStructure]],
        *,
        epochs: int,
        seed: int,
        validation: float,
        hidden: int,
        batch_size: int,
        learning_rate: float,
        encoder: str,
        progress: bool,
        curves: Path | None,
        log: Callable[[str], None] | None,
        embedding_cache: Path | None,
        patience: int,
    ) -> Translator:
        import torch

        if not pairs:
            raise TranslatorError("no training pairs: the graph has no properties with data and no examples were given")
        started = time.perf_counter()
        rng = random.Random(seed)
        torch.manual_seed(seed)
        labels = sorted({path_signature(s) for _, s in pairs})
        classes = ["", *sorted({str(s.answer_class) for _, s in pairs if s.answer_class is not None})]
        factors = _factor_values(labels)
        factor_id = {f: {v: i for i, v in enumerate(vals)} for f, vals in factors.items()}
        label_id = {l: i for i, l in enumerate(labels)}
        class_id = {c: i for i, c in enumerate(classes)}
        texts = sorted({t for t, _ in pairs})
        held = set(rng.sample(texts, int(len(texts) * validation))) if validation > 0 else set()
        vectors = _embed(texts, encoder, progress, embedding_cache)
        row = {t: i for i, t in enumerate(texts)}
        x_all = torch.from_numpy(vectors)
        signatures = [path_signature(s) for _, s in pairs]
        y_sig = torch.tensor([label_id[sig] for sig in signatures])
        y_factor = {f: torch.tensor([factor_id[f][factors_of(sig)[f]] for sig in signatures]) for f in FACTORS}
        y_cls = torch.tensor([class_id[str(s.answer_class) if s.answer_class is not None else ""] for _, s in pairs])
        idx = torch.tensor([row[t] for t, _ in pairs])
        is_val = torch.tensor([t in held for t, _ in pairs])
        train_i, val_i = torch.nonzero(~is_val).squeeze(1), torch.nonzero(is_val).squeeze(1)
        columns = {f: torch.tensor([factor_id[f][factors_of(l)[f]] for l in labels]) for f in FACTORS}

        def structure_logits(outputs: dict[str, torch.Tensor]) -> torch.Tensor:
            return sum(torch.log_softmax(outputs[f], 1)[:, columns[f]] for f in FACTORS)

        net = _heads(vectors.shape[1], hidden, {f: len(factors[f]) for f in FACTORS}, len(classes))
        opt = torch.optim.AdamW(net.parameters(), lr=learning_rate, weight_decay=1e-4)
        steps = max(1, epochs * math.ceil(len(train_i) / batch_size))
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=learning_rate, total_steps=steps)
        loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.05)
        report = TrainingReport(len(pairs), len(labels), len(classes) - 1, epochs, validation_examples=len(val_i))
        bar = _progress(range(epochs), progress, "training translator")
        best: tuple[int, dict[str, Any], dict[str, Any]] | None = None  # epoch, its point, its weights
        for epoch in bar:
            net.train()
            order = train_i[torch.randperm(len(train_i))]
            total, correct, seen = 0.0, 0, 0
            for start in range(0, len(order), batch_size):
                b = order[start : start + batch_size]
                outputs = net(x_all[idx[b]])
                loss = sum(loss_fn(outputs[f], y_factor[f][b]) for f in FACTORS) + 0.5 * loss_fn(outputs["answer_class"], y_cls[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.detach()) * len(b)
                correct += int((structure_logits(outputs).argmax(1) == y_sig[b]).sum())
                seen += len(b)
            point = {"epoch": epoch + 1, "loss": total / max(seen, 1), "train_accuracy": correct / max(seen, 1)}
            if len(val_i):
                net.eval()
                with torch.no_grad():
                    outputs = net(x_all[idx[val_i]])
                point["validation_accuracy"] = float((structure_logits(outputs).argmax(1) == y_sig[val_i]).float().mean())
                point["validation_class_accuracy"] = float((outputs["answer_class"].argmax(1) == y_cls[val_i]).float().mean())
            report.history.append(point)
            if log is not None:
                log(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in point.items()))
            if patience and len(val_i):
                if best is None or point["validation_accuracy"] > best[1]["validation_accuracy"]:
                    best = (epoch, point, {k: v.detach().clone() for k, v in net.state_dict().items()})
                elif epoch - best[0] >= patience:
                    net.load_state_dict(best[2])
                    report.stopped_at = best[0] + 1
                    break
        last = best[1] if report.stopped_at is not None and best is not None else report.history[-1]
        report.train_accuracy = last["train_accuracy"]
        report.validation_accuracy = last.get("validation_accuracy")
        report.validation_class_accuracy = last.get("validation_class_accuracy")
        report.seconds = time.perf_counter() - started
        # "heads.path.weight" -> "path.weight": the names inference reads.
        weights = {k.removeprefix("heads."): v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
        config = {"format": FORMAT_VERSION, "encoder": encoder, "hidden": hidden, "seed": seed,
                  "epochs": epochs, "report": report.__dict__}
        translator = cls(labels, classes, weights, config, factors)
        if curves is not None:
            _plot(report, curves)
        return translator

    @property
    def report(self) -> TrainingReport:
        """The training report stored with the model."""
        return TrainingReport(**self.config.get("report", {}))

    # -- inference ---------------------------------------------------------------
    def scores(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Structure and class probabilities for question embeddings (rows)."""
        w = self.weights
        h = vectors @ w["hidden.weight"].T + w["hidden.bias"]
        h = _layer_norm(h, w["norm.weight"], w["norm.bias"])
        h = 0.5 * h * (1.0 + np.tanh(0.7978845608 * (h + 0.044715 * h**3)))

        def head(name: str) -> np.ndarray:
            return h @ w[f"{name}.weight"].T + w[f"{name}.bias"]

        structure = sum(np.log(_softmax(head(f)) + 1e-12)[:, self._columns[f]] for f in FACTORS)
        return _softmax(structure), _softmax(head("answer_class"))

    def readings(self, texts: Sequence[str], vectors: np.ndarray | None = None, k: int = 3) -> list[list[Reading]]:
        """The ``k`` best readings of each masked question (``vectors``: their embeddings, if at hand)."""
        if vectors is None:
            vectors = self.embed(texts)
        sig_p, cls_p = self.scores(vectors)
        out = []
        for sp, cp in zip(sig_p, cls_p):
            top = np.argsort(-sp)[:k]
            c = int(np.argmax(cp))
            answer_class = URIRef(self.classes[c]) if c > 0 else None
            out.append([Reading(self.labels[i], float(sp[i]), answer_class, float(cp[c])) for i in top])
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of masked questions, with the encoder the model was trained with."""
        return _embed(list(texts), self.config.get("encoder", DEFAULT_ENCODER), progress=False)

    def predict(self, text: str, k: int = 3) -> list[Reading]:
        """The ``k`` best readings of one masked question, most probable first."""
        return self.predict_batch([text], k)[0]

    def predict_batch(self, texts: Sequence[str], k: int = 3) -> list[list[Reading]]:
        """Readings for many masked questions (embedded in bulk)."""
        return self.readings(texts, self.embed(texts), k)

    # -- files --------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write the model to ``directory`` (created); returns it."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / "weights.npz", **self.weights)
        names = {"labels": self.labels, "classes": self.classes, "factors": self.factors}
        (directory / "labels.json").write_text(json.dumps(names, indent=1) + "\n", encoding="utf-8")
        (directory / "config.json").write_text(json.dumps(self.config, indent=2) + "\n", encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> Translator:
        """Read a model written by :meth:`save`; a clear error names what is missing."""
        directory = Path(directory)
        for name in ("weights.npz", "labels.json", "config.json"):
            if not (directory / name).is_file():
                raise TranslatorError(f"{directory / name}: missing; train the translator with `kgqa train translator`")
        try:
            config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
            names = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
            with np.load(directory / "weights.npz") as data:
                weights = {k: data[k] for k in data.files}
        except (ValueError, OSError) as exc:
            raise TranslatorError(f"{directory}: unreadable translator ({exc})") from None
        if config.get("format") != FORMAT_VERSION:
            raise TranslatorError(f"{directory / 'config.json'}: format {config.get('format')!r}, expected {FORMAT_VERSION}; retrain")
        return cls(names["labels"], names["classes"], weights, config, names.get("factors"))


def _factor_values(labels: list[str]) -> dict[str, list[str]]:
    return {f: sorted({factors_of(l)[f] for l in labels}) for f in FACTORS}


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * weight + bias


def _embed(texts: list[str], encoder: str, progress: bool, cache_dir: Path | None = None) -> np.ndarray:
    """Embeddings of distinct ``texts``; with ``cache_dir``, those of earlier runs are reused (by text hash)."""
    if cache_dir is None or not texts:
        return _encode(texts, encoder, progress)
    from kgqa.translate.embedding_cache import EmbeddingCache

    cache = EmbeddingCache.open(cache_dir, encoder)
    found, missing = cache.get(texts)
    if missing:
        new = [texts[i] for i in missing]
        fresh = _encode(new, encoder, progress)
        cache.add(new, fresh)
        cache.save()
        found.update(zip(missing, fresh))
    return np.stack([found[i] for i in range(len(texts))]).astype(np.float32, copy=False)


def _encode(texts: list[str], encoder: str, progress: bool) -> np.ndarray:
    from kgqa.translate.minilm import get_numpy_encoder

    fast = get_numpy_encoder(encoder)
    if len(texts) <= _BULK:
        return fast.encode(texts)
    if fast.backend == "numpy":  # in bulk, torch beats NumPy
        from kgqa.models.encoder import get_encoder

        return get_encoder(encoder).encode(texts, batch_size=128, show_progress=progress)
    # ONNX Runtime: 25 % less CPU than torch on the synthesized questions, same vectors.
    # Chunks of texts of similar length: batches inside a chunk pad little.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    chunks = range(0, len(texts), _CHUNK)
    if progress:
        from tqdm import tqdm

        chunks = tqdm(chunks, desc="embedding questions", unit="chunk")
    out = np.zeros((len(texts), fast.dim), np.float32)
    for i in chunks:
        part = order[i : i + _CHUNK]
        out[part] = fast.encode([texts[j] for j in part], cache=False)
    return out


def _progress(items: range, enabled: bool, desc: str):  # noqa: ANN202 - tqdm or the range
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="epoch")


def _plot(report: TrainingReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [p["epoch"] for p in report.history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(epochs, [p["loss"] for p in report.history])
    a.set(title="training loss", xlabel="epoch")
    b.plot(epochs, [p["train_accuracy"] for p in report.history], label="train")
    if report.history and "validation_accuracy" in report.history[0]:
        b.plot(epochs, [p["validation_accuracy"] for p in report.history], label="validation")
    b.set(title="structure accuracy", xlabel="epoch", ylim=(0, 1.02))
    b.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _heads(dim: int, hidden: int, sizes: dict[str, int], n_classes: int):  # noqa: ANN202 - a torch module
    """The factor and class heads over a shared hidden layer (built here so that importing this module never imports torch)."""
    import torch

    class Heads(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = torch.nn.Linear(dim, hidden)
            self.norm = torch.nn.LayerNorm(hidden)
            self.dropout = torch.nn.Dropout(0.2)
            self.heads = torch.nn.ModuleDict({name: torch.nn.Linear(hidden, n) for name, n in sizes.items()})
            self.heads["answer_class"] = torch.nn.Linear(hidden, n_classes)

        def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
            h = self.dropout(torch.nn.functional.gelu(self.norm(self.hidden(x)), approximate="tanh"))
            return {name: head(h) for name, head in self.heads.items()}

    return Heads()
