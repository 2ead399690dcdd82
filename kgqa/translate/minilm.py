"""MiniLM without torch: the shared sentence encoder's forward pass in NumPy (or ONNX Runtime).

Question answering embeds one short question per call. Importing torch and
sentence-transformers costs seconds, while the forward pass of all-MiniLM-L6-v2
(6 layers, 384 wide) on a dozen tokens is a few small matrix products. This
module runs that forward pass from the same ``model.safetensors`` and
``tokenizer.json`` that :func:`kgqa.models.encoder.get_encoder` loads, so a
``kgqa ask`` process starts in about two seconds and the vectors agree with the
torch encoder to float precision (the tests check it). Tokens, embeddings and
pooling are NumPy; the transformer layers run in NumPy or, when it is installed
(the default), on ONNX Runtime (:mod:`kgqa.translate.minilm_ort`), twice as fast.

Example:
    >>> enc = get_numpy_encoder()
    >>> v = enc.encode(["Who wrote Solaris?"])
    >>> v.shape, round(float((v * v).sum()), 4)
    ((1, 384), 1.0)
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from kgqa.models.encoder import DEFAULT_ENCODER, resolve_model_path

_MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
#: Where the transformer layers can run.
BACKENDS = ("numpy", "onnxruntime")
_CACHE_SIZE = 100_000
_SMALL_BATCH = 8
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _blas_controller():  # noqa: ANN202 - threadpoolctl's controller
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


_F = np.float32


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, ``x * (1 + erf(x / sqrt 2)) / 2``, overwriting ``x``.

    erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), without scipy; in place,
    since allocating the temporaries cost as much as the arithmetic.
    """
    z = x * _F(0.7071067811865476)
    a = np.abs(z)
    t = a * _F(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * _F(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += _F(c)
        poly *= t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # 1 - erf(|z|)
    np.copysign(poly, z, out=poly)
    np.subtract(np.sign(z), poly, out=poly)  # erf(z)
    poly += 1.0
    x *= poly
    x *= _F(0.5)
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Layer normalisation over the last axis, overwriting ``x``."""
    x -= x.mean(-1, keepdims=True)
    var = np.square(x).mean(-1, keepdims=True)
    var += _F(eps)
    x /= np.sqrt(var, out=var)
    x *= weight
    x += bias
    return x


class NumpyEncoder:
    """A BERT-style sentence encoder (mean pooling, L2-normalised) evaluated without torch.

    ``backend`` says where the transformer layers run, ``numpy`` or ``onnxruntime``.
    """

    def __init__(self, model_dir: Path, backend: str = "numpy") -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = int(config["hidden_size"])
        w = load_file(str(model_dir / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[prefix + name], dtype=np.float32)

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            # Q, K and V in one matrix: one product instead of three. Matrices are stored
            # transposed once here: products with contiguous (in x out) matrices run twice as fast.
            qkv = np.concatenate([get(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")])
            qkv_b = np.concatenate([get(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append(
                (
                    np.ascontiguousarray(qkv.T),
                    qkv_b,
                    np.ascontiguousarray(get(p + "attention.output.dense.weight").T),
                    get(p + "attention.output.dense.bias"),
                    (get(p + "attention.output.LayerNorm.weight"), get(p + "attention.output.LayerNorm.bias")),
                    np.ascontiguousarray(get(p + "intermediate.dense.weight").T),
                    get(p + "intermediate.dense.bias"),
                    np.ascontiguousarray(get(p + "output.dense.weight").T),
                    get(p + "output.dense.bias"),
                    (get(p + "output.LayerNorm.weight"), get(p + "output.LayerNorm.bias")),
                )
            )
        if backend not in BACKENDS:
            raise ValueError(f"unknown encoder backend {backend!r}; expected one of {', '.join(BACKENDS)}")
        #: Where the transformer layers run: ``numpy`` or ``onnxruntime`` (see :mod:`kgqa.translate.minilm_ort`).
        self.backend = backend
        self._ort = None
        if backend == "onnxruntime":
            from kgqa.translate.minilm_ort import OrtLayers

            self._ort = OrtLayers(self.layers, self.heads, self.dim, self.eps)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        self._cache: dict[str, np.ndarray] = {}

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        length = ids.shape[1]
        x = self.word[ids] + self.position[:length] + self.token_type
        x = _layer_norm(x, *self.emb_ln, self.eps)
        # Padding keys get -1e9 before the softmax.
        bias = ((1.0 - mask[:, None, None, :]) * _F(-1e9)).astype(np.float32)
        x = self._ort(x, bias) if self._ort is not None else self._numpy_layers(x, bias if not mask.all() else None)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _numpy_layers(self, x: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
        batch, length, _ = x.shape
        head_dim = self.dim // self.heads
        scale = _F(1.0 / np.sqrt(head_dim))
        for qkv, qkv_b, wo, bo, ln1, wi, bi, wo2, bo2, ln2 in self.layers:
            h = x @ qkv
            h += qkv_b
            h = h.reshape(batch, length, 3, self.heads, head_dim)
            q, k, v = (h[:, :, j].transpose(0, 2, 1, 3) for j in range(3))
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            if bias is not None:
                scores += bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            out = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim) @ wo
            out += bo
            out += x
            x = _layer_norm(out, *ln1, self.eps)
            inner = x @ wi
            inner += bi
            out = _gelu(inner) @ wo2
            out += bo2
            out += x
            x = _layer_norm(out, *ln2, self.eps)
        return x

    def _encode_new(self, texts: list[str], batch_size: int) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), np.int64)
            mask = np.zeros((len(chunk), length), np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[chunk] = self._forward(ids, mask)
        return out

    def clear_cache(self) -> None:
        """Forget remembered embeddings (benchmarks measure cold encodings this way)."""
        self._cache.clear()

    def encode(self, texts: list[str], batch_size: int = 32, cache: bool = True) -> np.ndarray:
        """L2-normalised embeddings, one row per text (same contract as the torch encoder).

        ``cache`` False neither reads nor fills the cache (bulk embeddings of training data).
        """
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if not cache:
            return self._encode_new(texts, batch_size)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        fresh: dict[str, np.ndarray] = {}
        if missing:
            if len(missing) <= _SMALL_BATCH:
                # BLAS threads only cost here: spinning them up takes longer than the products.
                with _blas_controller().limit(limits=1, user_api="blas"):
                    vectors = self._encode_new(missing, batch_size)
            else:
                vectors = self._encode_new(missing, batch_size)
            fresh = dict(zip(missing, vectors))
            if len(self._cache) + len(fresh) <= _CACHE_SIZE:
                self._cache.update(fresh)
        return np.stack([self._cache[t] if t in self._cache else fresh[t] for t in texts])


@lru_cache(maxsize=4)
def _load(name: str, backend: str) -> NumpyEncoder:
    return NumpyEncoder(resolve_model_path(name), backend)


def default_backend() -> str:
    """``onnxruntime`` when it is installed (twice as fast on short questions), else ``numpy``."""
    from kgqa.translate.minilm_ort import available

    return "onnxruntime" if available() else "numpy"


def get_numpy_encoder(name: str = DEFAULT_ENCODER, backend: str | None = None) -> NumpyEncoder:
    """The torch-free encoder for ``name`` (a package or model directory), loaded once per process.

    ``backend`` says where the transformer layers run (default: :func:`default_backend`).
    """
    with _lock:
        return _load(name, backend or default_backend())
