"""A relation matcher trained once, used on any ontology.

It scores one question: does this sentence, read between a marked subject span and
a marked object span, state this property? The property enters only by its words
(label, alternative labels, comment) and by whether it takes a year, a number or a
name, so the same weights serve properties the matcher never saw in training.

Features (:func:`features`), from frozen MiniLM embeddings and the spaCy parse:

* how close the dependency path between the mentions ("was first climbed by"), and
  the words between them, are to the property's names and to its description; how
  much better than the other candidate properties of the pair (the sentence as a
  whole is not embedded: it costs most of the time and told little);
* the words they share (lemmas), the path's length, the order of the mentions,
  whether the object is a year or a number and whether the property takes one;
* the element-wise product of the path's and the property label's embeddings,
  which lets the head learn which kinds of paths say which kinds of properties.

A small two-layer network (numpy at run time; trained with torch by
:mod:`ingest.extract.training` on WebNLG) turns them into a logit, and a Platt
scaling fitted on held-out data turns that into a calibrated probability.
The weights ship with the package (``ingest/extract/weights/matcher.npz``).

Example:
    >>> m = Matcher.load()
    >>> m.n_features == len(SCALAR_FEATURES) + m.dim
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from kgqa.ontology import Property

WEIGHTS = Path(__file__).with_name("weights") / "matcher.npz"
SCALAR_FEATURES = (
    "path_names", "between_names", "path_desc", "between_desc", "path_margin", "between_margin", "overlap",
    "object_value", "kind_fits", "literal_property", "year_property", "path_length", "distance", "forward",
    "agent", "path_empty", "subject_is_subject", "subject_is_object", "object_is_subject", "object_is_object",
    "passive",
)
_WORD = re.compile(r"[a-z]+")
_STOP = {"the", "a", "an", "of", "in", "on", "at", "to", "by", "is", "was", "were", "be", "been", "and", "its", "his",
         "her", "their", "for", "as", "with", "from", "has", "had", "have"}


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ies", "ed", "es", "s", "er"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    """Content words of ``text``, crudely stemmed ("climbed" and "climber" share "climb")."""
    return {_stem(w) for w in _WORD.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()) if w not in _STOP}


@dataclass(frozen=True)
class PropertyText:
    """What the matcher knows of a property: its words and the kind of value it takes."""

    label: str
    names: tuple[str, ...]
    description: str
    kind: str | None  # "year", "number", "date" for literal properties, None for names

    @classmethod
    def of(cls, prop: Property, kind: str | None, comment: str = "") -> PropertyText:
        names = tuple(dict.fromkeys(n for n in prop.names if n))
        description = f"{prop.label}: {comment}" if comment else "; ".join(names)
        return cls(prop.label, names, description, kind)

    @cached_property
    def stems(self) -> set[str]:
        return content_stems(" ".join(self.names))

    @property
    def mentions_year(self) -> bool:
        return self.kind in ("year", "date") or "year" in self.stems or "date" in self.stems


@dataclass(frozen=True)
class PairText:
    """A pair of mentions in a sentence, as the matcher reads it."""

    path: str
    between: str
    sentence: str
    path_length: int
    distance: int
    forward: bool
    object_kind: str | None  # "year" or "number" for values, None for names
    subject_dep: str = ""  # the grammatical role of each mention's head: "subject", "object" or ""
    object_dep: str = ""
    passive: bool = False  # the clause that links them is passive ("was written by")


def pair_text(s, o, kind: str | None, path: str | None = None) -> PairText:  # noqa: ANN001 - spaCy Spans
    """A :class:`PairText` for two spans of one sentence (``path`` replaces the dependency path's words)."""
    from ingest.extract.nlp import between_words, grammatical_role, is_passive, path_length, path_words

    return PairText(path_words(s, o) if path is None else path, between_words(s, o), s.sent.text, path_length(s, o),
                    abs(o.start - s.start), s.start < o.start, kind, grammatical_role(s), grammatical_role(o),
                    is_passive(s, o))


def features(pairs: list[PairText], props: list[PropertyText], encode, candidates: list[list[int]]) -> tuple[np.ndarray, list[tuple[int, int]]]:  # noqa: ANN001 - encode: list[str] -> array
    """Feature rows for each pair and each of its candidate properties (``candidates[i]``: indices into ``props``).

    Returns the matrix and, per row, ``(pair index, property index)``.
    """
    names = [n for p in props for n in p.names]
    owner = np.array([i for i, p in enumerate(props) for _ in p.names])
    texts = [p.path or p.between for p in pairs] + [p.between for p in pairs]
    vec = encode(list(dict.fromkeys(texts + names + [p.description for p in props] + [p.label for p in props])))
    index = {t: i for i, t in enumerate(dict.fromkeys(texts + names + [p.description for p in props] + [p.label for p in props]))}
    path_v = vec[[index[p.path or p.between] for p in pairs]]
    betw_v = vec[[index[p.between] for p in pairs]]
    name_v = vec[[index[n] for n in names]]
    desc_v = vec[[index[p.description] for p in props]]
    label_v = vec[[index[p.label] for p in props]]

    def best_by_owner(sims: np.ndarray) -> np.ndarray:  # (pairs, names) -> (pairs, props)
        out = np.full((sims.shape[0], len(props)), -1.0, np.float32)
        for j in range(len(props)):
            out[:, j] = sims[:, owner == j].max(axis=1)
        return out

    path_names = best_by_owner(path_v @ name_v.T)
    betw_names = best_by_owner(betw_v @ name_v.T)
    path_desc = path_v @ desc_v.T
    betw_desc = betw_v @ desc_v.T
    rows: list[np.ndarray] = []
    keys: list[tuple[int, int]] = []
    for i, pair in enumerate(pairs):
        cands = candidates[i]
        if not cands:
            continue
        words = content_stems(pair.path + " " + pair.between)
        for j in cands:
            others = [k for k in cands if k != j]
            prop = props[j]
            margin_p = path_names[i, j] - (path_names[i, others].max() if others else 0.0)
            margin_b = betw_names[i, j] - (betw_names[i, others].max() if others else 0.0)
            value = pair.object_kind is not None
            fits = (prop.kind is not None) == value and (not value or (pair.object_kind == "year") == prop.mentions_year)
            scalars = np.array([
                path_names[i, j], betw_names[i, j], path_desc[i, j], betw_desc[i, j], margin_p, margin_b,
                len(words & prop.stems) / max(1, len(prop.stems)), float(value), float(fits), float(prop.kind is not None),
                float(prop.mentions_year), min(pair.path_length, 10) / 10, min(pair.distance, 30) / 30, float(pair.forward),
                float(" by" in f" {pair.path} "), float(not pair.path),
                float(pair.subject_dep == "subject"), float(pair.subject_dep == "object"),
                float(pair.object_dep == "subject"), float(pair.object_dep == "object"), float(pair.passive),
            ], np.float32)
            rows.append(np.concatenate([scalars, path_v[i] * label_v[j]]))
            keys.append((i, j))
    dim = len(SCALAR_FEATURES) + vec.shape[1]
    return (np.stack(rows) if rows else np.zeros((0, dim), np.float32)), keys


class Matcher:
    """The trained head: feature rows in, calibrated probabilities out."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.p = params
        self.n_features = int(params["w1"].shape[0])
        self.dim = self.n_features - len(SCALAR_FEATURES)

    @classmethod
    def load(cls, path: Path | None = None) -> Matcher:
        with np.load(path or WEIGHTS) as data:
            return cls({k: data[k] for k in data.files})

    def logits(self, x: np.ndarray) -> np.ndarray:
        p = self.p
        h = np.maximum(0.0, ((x - p["mean"]) / p["std"]) @ p["w1"] + p["b1"])
        return (h @ p["w2"] + p["b2"]).reshape(-1)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Calibrated: Platt scaling of the logits, fitted on held-out pairs."""
        z = self.logits(x) * float(self.p["platt_a"]) + float(self.p["platt_b"])
        return 1.0 / (1.0 + np.exp(-z))


__all__ = ["SCALAR_FEATURES", "WEIGHTS", "Matcher", "PairText", "PropertyText", "content_stems", "features", "pair_text"]
